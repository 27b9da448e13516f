/* stream.c: TCP reassembly for the start of a stream; see stream.h. */
#include "stream.h"

#include <stdlib.h>
#include <string.h>

void stream_init(struct stream *s, uint32_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
}

void stream_cleanup(struct stream *s, struct stream_budget *budget)
{
	if (s->buf) {
		budget->used -= s->cap;
		free(s->buf);
	}
	s->buf = NULL;
	s->cap = 0;
	s->n_ranges = 0;
}

void stream_syn(struct stream *s, uint32_t isn)
{
	if (s->have_base && s->syn_seen)
		return;
	/* A SYN after data (reordered) fixes the start; data before it was
	 * placed relative to a guessed base, so drop it and start over. */
	if (s->have_base && s->base_seq != isn + 1) {
		s->n_ranges = 0;
		s->consumed = 0;
	}
	s->base_seq = isn + 1;
	s->have_base = true;
	s->syn_seen = true;
}

/* Grow the buffer to hold `need` bytes (need <= max). */
static bool reserve(struct stream *s, struct stream_budget *budget, uint32_t need)
{
	if (need <= s->cap)
		return true;
	uint32_t cap = s->cap ? s->cap : 2048;
	while (cap < need)
		cap *= 2;
	if (cap > s->max)
		cap = s->max;
	uint64_t extra = cap - s->cap;
	if (budget->used + extra > budget->limit)
		return false;
	uint8_t *nb = realloc(s->buf, cap);
	if (!nb)
		return false;
	memset(nb + s->cap, 0, cap - s->cap);
	s->buf = nb;
	s->cap = cap;
	budget->used += extra;
	return true;
}

/* Record [start, end) as filled, merging neighbours; false when the
 * range table is full (too many holes: the stream is given up on by the
 * caller through `truncated`). */
static bool mark_filled(struct stream *s, uint32_t start, uint32_t end)
{
	unsigned i = 0;
	while (i < s->n_ranges && s->ranges[i].end < start)
		i++;
	/* Merge every range that touches [start, end). */
	unsigned j = i;
	while (j < s->n_ranges && s->ranges[j].start <= end) {
		if (s->ranges[j].start < start)
			start = s->ranges[j].start;
		if (s->ranges[j].end > end)
			end = s->ranges[j].end;
		j++;
	}
	if (j == i) {
		if (s->n_ranges == STREAM_MAX_RANGES)
			return false;
		memmove(&s->ranges[i + 1], &s->ranges[i], (s->n_ranges - i) * sizeof(s->ranges[0]));
		s->n_ranges++;
	} else if (j > i + 1) {
		memmove(&s->ranges[i + 1], &s->ranges[j], (s->n_ranges - j) * sizeof(s->ranges[0]));
		s->n_ranges -= j - i - 1;
	}
	s->ranges[i].start = start;
	s->ranges[i].end = end;
	return true;
}

/* Copy bytes into [off, off+len) of the buffer: bytes already filled
 * keep their first copy and are compared with the new one. */
static void place(struct stream *s, uint32_t off, const uint8_t *src, uint32_t len)
{
	uint32_t pos = off, end = off + len;
	for (unsigned i = 0; i < s->n_ranges && pos < end; i++) {
		uint32_t rs = s->ranges[i].start, re = s->ranges[i].end;
		if (re <= pos)
			continue;
		if (rs >= end)
			break;
		if (rs > pos) {
			memcpy(s->buf + pos, src + (pos - off), rs - pos);
			pos = rs;
		}
		uint32_t ov_end = re < end ? re : end;
		if (memcmp(s->buf + pos, src + (pos - off), ov_end - pos) != 0)
			s->overlap_mismatch = true;
		pos = ov_end;
	}
	if (pos < end)
		memcpy(s->buf + pos, src + (pos - off), end - pos);
}

/* Move the start back by `shift` bytes (a segment before the guessed
 * start arrived); false when that would not fit the bound. */
static bool rebase(struct stream *s, struct stream_budget *budget, uint32_t shift)
{
	uint32_t filled = s->n_ranges ? s->ranges[s->n_ranges - 1].end : 0;
	if (s->consumed != 0 || (uint64_t)filled + shift > s->max)
		return false;
	if (filled && !reserve(s, budget, filled + shift))
		return false;
	if (filled)
		memmove(s->buf + shift, s->buf, filled);
	for (unsigned i = 0; i < s->n_ranges; i++) {
		s->ranges[i].start += shift;
		s->ranges[i].end += shift;
	}
	s->base_seq -= shift;
	s->out_of_order = true;
	return true;
}

bool stream_add(struct stream *s, struct stream_budget *budget, uint32_t seq,
		struct bytes payload)
{
	if (payload.len == 0)
		return true;
	if (payload.len > 0x10000)
		payload.len = 0x10000; /* larger than any IP packet: bound the arithmetic */
	uint32_t len = (uint32_t)payload.len;
	if (!s->have_base) {
		s->base_seq = seq;
		s->have_base = true;
	}
	/* Serial-number arithmetic (RFC 1982 style): distance from the start. */
	int32_t rel = (int32_t)(seq - s->base_seq);
	if (rel < 0) {
		uint32_t before = (uint32_t)(-(int64_t)rel);
		if (!s->syn_seen && s->consumed == 0 && before <= s->max &&
		    rebase(s, budget, before)) {
			rel = 0;
		} else {
			/* Bytes before the start of the stream: drop them, keep the rest. */
			if (before >= len || !bytes_skip(&payload, before))
				return true;
			len -= before;
			rel = 0;
		}
	}
	uint64_t off64 = (uint64_t)(uint32_t)rel;
	if (off64 < s->consumed) {
		/* Retransmission of consumed bytes: nothing left to compare. */
		uint64_t skip = s->consumed - off64;
		if (skip >= len)
			return true;
		if (!bytes_skip(&payload, (size_t)skip))
			return true;
		len -= (uint32_t)skip;
		off64 = s->consumed;
	}
	uint64_t off = off64 - s->consumed;
	if (off >= s->max) {
		s->truncated = true;
		return true;
	}
	if (off + len > s->max) {
		len = (uint32_t)(s->max - off);
		s->truncated = true;
	}
	if (!reserve(s, budget, (uint32_t)off + len))
		return false;
	if (s->n_ranges && (uint32_t)off > s->ranges[s->n_ranges - 1].end)
		s->out_of_order = true;
	if (s->n_ranges && s->ranges[0].start > 0 && (uint32_t)off + len <= s->ranges[0].start)
		s->out_of_order = true;
	place(s, (uint32_t)off, payload.ptr, len);
	if (!mark_filled(s, (uint32_t)off, (uint32_t)off + len)) {
		s->truncated = true;
		return true;
	}
	s->n_segments++;
	return true;
}

struct bytes stream_contiguous(const struct stream *s)
{
	if (s->n_ranges == 0 || s->ranges[0].start != 0)
		return bytes_make(NULL, 0);
	return bytes_make(s->buf, s->ranges[0].end);
}

void stream_consume(struct stream *s, uint32_t n)
{
	if (n == 0 || s->n_ranges == 0 || s->ranges[0].start != 0 || n > s->ranges[0].end)
		return;
	uint32_t filled = s->ranges[s->n_ranges - 1].end;
	memmove(s->buf, s->buf + n, filled - n);
	unsigned out = 0;
	for (unsigned i = 0; i < s->n_ranges; i++) {
		uint32_t a = s->ranges[i].start, b = s->ranges[i].end;
		a = a > n ? a - n : 0;
		b = b > n ? b - n : 0;
		if (b > a) {
			s->ranges[out].start = a;
			s->ranges[out].end = b;
			out++;
		}
	}
	s->n_ranges = out;
	s->consumed += n;
}

bool stream_full(const struct stream *s)
{
	return s->n_ranges && s->ranges[0].start == 0 && s->ranges[0].end >= s->max;
}
