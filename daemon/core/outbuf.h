/* outbuf.h: the bounded text writer of the formatters (events, RFC 5424
 * messages, Prometheus text).  It follows snprintf: it counts every byte
 * produced, stores what fits, and out_finish NUL-terminates and returns
 * the full length, so a caller learns how much room it needed.  Only
 * the caller's own output buffer is indexed here, never packet data. */
#ifndef AIGATE_OUTBUF_H
#define AIGATE_OUTBUF_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap;
	size_t len;  /* bytes produced so far, stored or not */
};

static inline void put_char(struct out *o, char c)
{
	if (o->cap > 0 && o->len < o->cap - 1)
		o->buf[o->len] = c;
	o->len++;
}

/* A run of characters at once: an event is a few hundred bytes, and a
 * call per character was 5% of a scan's instructions. */
static inline void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->cap > 0 && o->len < o->cap - 1) {
		size_t room = o->cap - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static inline void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* NUL-terminate what was stored; return the full length produced. */
static inline size_t out_finish(struct out *o)
{
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

#endif
