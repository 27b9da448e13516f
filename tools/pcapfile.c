/* pcapfile.c: classic pcap captures read in large blocks; see
 * pcapfile.h.  The format: pcap-savefile(5), draft-ietf-opsawg-pcap. */
#include "pcapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_USEC 0xa1b2c3d4u
#define MAGIC_NSEC 0xa1b23c4du
#define RECORD_HEADER_LEN 16u
/* libpcap's largest sane record for every link type we take. */
#define MAX_SNAPLEN 262144u

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static uint16_t swap16(uint16_t v)
{
	return (uint16_t)((v >> 8) | (v << 8));
}

/* The DLT_ value libpcap reports for a file's LINKTYPE_ value, for the
 * link types the scanner reads; -1 for every other (libpcap's turn). */
static int dlt_of_linktype(uint32_t linktype)
{
	switch (linktype) {
	case 0: return DLT_NULL;
	case 1: return DLT_EN10MB;
	case 9: return DLT_PPP;
	case 12: return DLT_RAW;        /* DLT_RAW's own value in old files */
	case 50: return DLT_PPP_SERIAL;
	case 101: return DLT_RAW;       /* LINKTYPE_RAW */
	case 108: return DLT_LOOP;
	case 113: return DLT_LINUX_SLL;
	case 228: return DLT_IPV4;
	case 229: return DLT_IPV6;
	case 276: return DLT_LINUX_SLL2;
	default: return -1;
	}
}

/* A 32-bit field in the file's byte order. */
static bool get_field32(struct bytes *b, bool little_endian, uint32_t *out)
{
	uint32_t v;
	if (!bytes_get_u32(b, &v))
		return false;
	*out = little_endian ? swap32(v) : v;
	return true;
}

/* The 32-bit field at hdr[at] of a record header already copied out. */
static inline uint32_t field32(const uint8_t *hdr, size_t at, bool little_endian)
{
	uint32_t be = (uint32_t)hdr[at] << 24 | (uint32_t)hdr[at + 1] << 16 |
		      (uint32_t)hdr[at + 2] << 8 | hdr[at + 3];
	return little_endian ? swap32(be) : be;
}

bool pcapfile_init(struct pcapfile *pf, struct bytes *file)
{
	struct bytes b = *file;
	uint32_t magic, zone, sigfigs, snaplen, linktype;
	uint16_t major, minor;
	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	if (!bytes_get_u32(&b, &magic))
		return false;
	if (magic == MAGIC_USEC || magic == MAGIC_NSEC) {
		pf->little_endian = false;
	} else if (swap32(magic) == MAGIC_USEC || swap32(magic) == MAGIC_NSEC) {
		pf->little_endian = true;
		magic = swap32(magic);
	} else {
		return false;
	}
	pf->nsec = magic == MAGIC_NSEC;
	if (!bytes_get_u16(&b, &major) || !bytes_get_u16(&b, &minor) ||
	    !get_field32(&b, pf->little_endian, &zone) ||
	    !get_field32(&b, pf->little_endian, &sigfigs) ||
	    !get_field32(&b, pf->little_endian, &snaplen) ||
	    !get_field32(&b, pf->little_endian, &linktype))
		return false;
	if (pf->little_endian) {
		major = swap16(major);
		minor = swap16(minor);
	}
	/* Versions before 2.4 may have caplen and len the other way round
	 * (libpcap guesses); they are libpcap's. */
	if (major != 2 || minor != 4)
		return false;
	pf->dlt = dlt_of_linktype(linktype);
	if (pf->dlt < 0)
		return false;
	/* libpcap: a snapshot length that is not positive as a signed
	 * 32-bit value means the maximum; a larger one is kept (records
	 * beyond the maximum are refused all the same). */
	pf->snapshot = snaplen == 0 || snaplen > INT32_MAX ? MAX_SNAPLEN : snaplen;
	*file = b;
	return true;
}

static enum pcapfile_result fail(struct pcapfile *pf)
{
	pf->failed = true;
	return PCAPFILE_ERROR;
}

/* A timestamp field as libpcap widens it: signed 32-bit when the file
 * has the host's byte order, unsigned when libpcap had to swap it (its
 * swap yields an unsigned value).  Only timestamps past 2038 or before
 * 1970 tell the two apart. */
static int64_t ts_field(const struct pcapfile *pf, uint32_t v)
{
	bool host_le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	if (pf->little_endian != host_le || v < 0x80000000u)
		return (int64_t)v;
	return (int64_t)v - 0x100000000LL;
}

enum pcapfile_result pcapfile_parse(struct pcapfile *pf, struct bytes *view, bool at_eof,
				    struct pcapfile_rec *out)
{
	if (pf->failed)
		return PCAPFILE_ERROR;
	if (bytes_empty(view))
		return at_eof ? PCAPFILE_END : PCAPFILE_NEED_MORE;
	struct bytes b = *view;
	/* The record header is copied out whole and decoded from the copy:
	 * four reads through the cursor cost more than the rest of a
	 * record's reading. */
	uint8_t hdr[RECORD_HEADER_LEN];
	if (!bytes_copy(&b, hdr, sizeof(hdr))) {
		if (!at_eof)
			return PCAPFILE_NEED_MORE;
		snprintf(pf->err, sizeof(pf->err),
			 "truncated dump file; tried to read %u header bytes, only got %zu",
			 RECORD_HEADER_LEN, view->len);
		return fail(pf);
	}
	uint32_t sec = field32(hdr, 0, pf->little_endian);
	uint32_t frac = field32(hdr, 4, pf->little_endian);
	uint32_t caplen = field32(hdr, 8, pf->little_endian);
	uint32_t len = field32(hdr, 12, pf->little_endian);
	if (caplen > MAX_SNAPLEN) {
		if (caplen > pf->snapshot)
			snprintf(pf->err, sizeof(pf->err),
				 "invalid packet capture length %u, bigger than snaplen of %u",
				 caplen, pf->snapshot);
		else
			snprintf(pf->err, sizeof(pf->err),
				 "invalid packet capture length %u, bigger than maximum of %u",
				 caplen, MAX_SNAPLEN);
		return fail(pf);
	}
	/* A record longer than the snapshot length: libpcap hands out the
	 * first snapshot bytes and skips the rest. */
	uint32_t keep = caplen > pf->snapshot ? pf->snapshot : caplen;
	size_t avail = b.len;
	struct bytes data;
	if (!bytes_get_bytes(&b, keep, &data) || !bytes_skip(&b, caplen - keep)) {
		if (!at_eof)
			return PCAPFILE_NEED_MORE;
		/* libpcap's words: it reads the snapshot length first, and
		 * names it when even that was not there; else the whole
		 * record, and all the file still held. */
		snprintf(pf->err, sizeof(pf->err),
			 "truncated dump file; tried to read %u captured bytes, only got %zu",
			 avail < keep ? keep : caplen, avail);
		return fail(pf);
	}
	*view = b;
	out->data = data;
	out->caplen = keep;
	out->len = len;
	out->ts_sec = ts_field(pf, sec);
	out->ts_usec = ts_field(pf, frac);
	if (pf->nsec)
		out->ts_usec /= 1000;
	return PCAPFILE_RECORD;
}

/* Move what is not parsed yet to the buffer's start and read on; false
 * (pf->err set) when read(2) fails. */
static bool refill(struct pcapfile *pf)
{
	size_t keep = pf->rest.len;
	if (keep > 0)
		memmove(pf->buf, pf->rest.ptr, keep);
	pf->buf_len = keep;
	while (pf->buf_len < PCAPFILE_BUF_LEN) {
		ssize_t n = read(pf->fd, &pf->buf[pf->buf_len], PCAPFILE_BUF_LEN - pf->buf_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(pf->err, sizeof(pf->err), "error reading dump file: %s",
				 strerror(errno));
			return false;
		}
		if (n == 0) {
			pf->eof = true;
			break;
		}
		pf->buf_len += (size_t)n;
	}
	pf->rest = bytes_make(pf->buf, pf->buf_len);
	return true;
}

bool pcapfile_open(struct pcapfile *pf, const char *path)
{
	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	uint8_t *buf = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)PCAPFILE_FILE_HEADER_LEN || !(buf = malloc(PCAPFILE_BUF_LEN)))
		goto not_mine;
	struct pcapfile tmp = { .fd = fd, .buf = buf };
	if (!refill(&tmp))
		goto not_mine;
	struct bytes view = tmp.rest;
	if (!pcapfile_init(pf, &view))
		goto not_mine;
	pf->fd = fd;
	pf->buf = buf;
	pf->buf_len = tmp.buf_len;
	pf->eof = tmp.eof;
	pf->rest = view;
	return true;
not_mine:
	free(buf);
	close(fd);
	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	return false;
}

enum pcapfile_result pcapfile_next(struct pcapfile *pf, struct pcapfile_rec *out)
{
	for (;;) {
		enum pcapfile_result r = pcapfile_parse(pf, &pf->rest, pf->eof, out);
		if (r != PCAPFILE_NEED_MORE)
			return r;
		/* An incomplete record at the end of the buffer (at most
		 * 16 + 262144 bytes): keep it and read on. */
		if (pf->buf == NULL) {
			snprintf(pf->err, sizeof(pf->err), "not opened");
			return fail(pf);
		}
		if (!refill(pf))
			return fail(pf);
	}
}

void pcapfile_close(struct pcapfile *pf)
{
	if (pf->fd >= 0)
		close(pf->fd);
	free(pf->buf);
	pf->fd = -1;
	pf->buf = NULL;
	pf->buf_len = 0;
	pf->rest = bytes_make(NULL, 0);
}
