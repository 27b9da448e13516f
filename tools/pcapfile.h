/* pcapfile.h: classic pcap captures read in large blocks.
 *
 * `aigatectl scan` reads a capture file here, 1 MiB per read(2), and
 * walks its records in place, instead of copying every record through
 * libpcap's 4 KiB stdio buffer (which cost more than the inspection of
 * most packets).  Only the plain case is taken: the classic format of
 * version 2.4, micro- or nanosecond timestamps, either byte order, and
 * one of the link types the scanner reads.  Anything else (pcapng, the
 * modified formats, older versions, other link types, an unreadable
 * header, a pipe) is left to libpcap, so its error messages stay the
 * same.  Records come out as libpcap hands them: the same timestamps,
 * the same cut at the file's snapshot length, the same errors in the
 * same words for a truncated or damaged file (tests/fuzz/fuzz_pcapfile.c
 * compares the two on every input).
 *
 * The capture is hostile input: every field is read through the cursor
 * (bytes.h), and a record's data is a view that cannot reach past it. */
#ifndef AIGATE_PCAPFILE_H
#define AIGATE_PCAPFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"

#define PCAPFILE_ERR_LEN 256
/* Bytes per read(2); a record (at most 16 + 262144 bytes) always fits. */
#define PCAPFILE_BUF_LEN (1u << 20)
#define PCAPFILE_FILE_HEADER_LEN 24u

struct pcapfile {
	int dlt;                  /* link type, as pcap_datalink() says it */
	uint32_t snapshot;        /* records are cut to this many bytes */
	bool little_endian;       /* the file's fields are little-endian */
	bool nsec;                /* nanosecond timestamps (given as usec) */
	bool failed;              /* an error was returned: nothing more */
	char err[PCAPFILE_ERR_LEN]; /* the error, in libpcap's words */
	/* pcapfile_open's reading state. */
	int fd;                   /* -1: reading from a view only */
	bool eof;                 /* read(2) said end of file */
	uint8_t *buf;             /* PCAPFILE_BUF_LEN bytes, or NULL */
	size_t buf_len;           /* bytes of buf read in */
	struct bytes rest;        /* what is not parsed yet (in buf) */
};

/* One record, as pcap_next_ex hands it out with microsecond precision. */
struct pcapfile_rec {
	struct bytes data;        /* caplen bytes; valid until the next call */
	uint32_t caplen, len;
	int64_t ts_sec, ts_usec;
};

enum pcapfile_result {
	PCAPFILE_RECORD,    /* *out holds the next record */
	PCAPFILE_END,       /* the file ended after a whole record */
	PCAPFILE_ERROR,     /* damaged or truncated: pf->err says why */
	PCAPFILE_NEED_MORE, /* pcapfile_parse only: the record is incomplete */
};

/* Read the 24-byte file header at the start of `file` (moved past it).
 * False (nothing moved, *pf not to be used) when it is no capture this
 * reader takes: libpcap's turn.  Sets pf->fd to -1, pf->buf to NULL. */
bool pcapfile_init(struct pcapfile *pf, struct bytes *file);

/* The record at the start of *view, which is moved past it.  When the
 * view ends inside the record: PCAPFILE_NEED_MORE (nothing moved), or
 * at_eof (nothing more will come) PCAPFILE_ERROR with libpcap's words.
 * An empty view at_eof is PCAPFILE_END.  After an error every call
 * returns PCAPFILE_ERROR again. */
enum pcapfile_result pcapfile_parse(struct pcapfile *pf, struct bytes *view, bool at_eof,
				    struct pcapfile_rec *out);

/* Open the file at `path` and read its header.  False (nothing to clean
 * up) when it cannot be opened or read, or is not a regular file this
 * reader takes: open it with libpcap, which then says why it cannot.
 * Release with pcapfile_close. */
bool pcapfile_open(struct pcapfile *pf, const char *path);

/* The next record of an opened file, reading on as needed (a failed
 * read is a PCAPFILE_ERROR with its errno text).  The record's data is
 * valid until the next call. */
enum pcapfile_result pcapfile_next(struct pcapfile *pf, struct pcapfile_rec *out);

/* Close what pcapfile_open opened; no-op for a zeroed or closed one. */
void pcapfile_close(struct pcapfile *pf);

#endif
