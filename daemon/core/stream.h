/* stream.h: one direction of a TCP byte stream, reassembled from
 * segments that may arrive out of order, retransmitted or overlapping,
 * into a bounded buffer that starts at the first byte of the stream.
 *
 * Only the start of a stream matters to aigate (a ClientHello, DNS
 * messages), so the buffer never slides past its limit: bytes beyond
 * it are dropped and `truncated` says so.  Without a SYN the stream
 * starts at the lowest sequence number seen so far; a segment that
 * arrives later with a lower number moves the start back (the earlier
 * bytes were reordered, not lost).  Overlapping bytes keep the first
 * copy; a later copy that differs sets `overlap_mismatch` (whichever the
 * server reads, the flow is then suspicious; see the README). */
#ifndef AIGATE_STREAM_H
#define AIGATE_STREAM_H

#include "bytes.h"
#include "types.h"

#define STREAM_MAX_RANGES 8

/* Reassembly memory shared by every stream of one flow table. */
struct stream_budget {
	uint64_t used;    /* bytes allocated now */
	uint64_t limit;   /* no allocation beyond this */
};

struct stream {
	uint8_t *buf;            /* NULL until the first byte arrives */
	uint32_t cap;            /* allocated bytes */
	uint32_t max;            /* never more than this (per-flow bound) */
	uint32_t base_seq;       /* sequence number of the stream's first byte */
	uint32_t consumed;       /* stream bytes before buf[0] (taken by stream_consume) */
	bool have_base;
	bool syn_seen;           /* base is certain: ISN + 1 */
	bool truncated;          /* bytes past `max` were dropped */
	bool out_of_order;       /* a segment arrived ahead of a gap or before the start */
	bool overlap_mismatch;   /* a retransmission differed from the first copy */
	unsigned n_segments;     /* payload segments that added bytes */
	/* Filled byte ranges [start, end) relative to buf[0], sorted, disjoint. */
	struct { uint32_t start, end; } ranges[STREAM_MAX_RANGES];
	unsigned n_ranges;
};

/* Start an empty stream whose buffer may grow to max bytes. */
void stream_init(struct stream *s, uint32_t max);

/* Free the buffer and return its bytes to the budget. */
void stream_cleanup(struct stream *s, struct stream_budget *budget);

/* Note a SYN with sequence number isn: the stream starts at isn + 1. */
void stream_syn(struct stream *s, uint32_t isn);

/* Add a segment.  Returns false only when the budget cannot supply the
 * memory (the segment is then not stored; the caller may free memory
 * elsewhere and call again).  Segments wholly before the start, or past
 * the per-stream bound, are dropped (true, `truncated` set when past). */
bool stream_add(struct stream *s, struct stream_budget *budget, uint32_t seq,
		struct bytes payload);

/* The contiguous bytes from the start of the buffer (empty if the first
 * byte is missing).  Borrowed until the next stream_* call. */
struct bytes stream_contiguous(const struct stream *s);

/* Drop n contiguous bytes from the front (DNS over TCP: a message was
 * handled); n must not exceed stream_contiguous().len. */
void stream_consume(struct stream *s, uint32_t n);

/* True when the contiguous bytes fill the whole per-stream bound, so
 * waiting for more cannot help. */
bool stream_full(const struct stream *s);

#endif
