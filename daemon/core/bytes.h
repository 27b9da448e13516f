/* bytes.h: a bounds-checked, read-only view of untrusted bytes.
 *
 * This is the only module that does pointer arithmetic on packet data.
 * Every reader returns true on success and false on failure; a failed
 * read moves nothing (the view and the output are left unchanged), so a
 * parser can try one reading, fail, and report NEED_MORE or MALFORMED
 * with the view still where it was.  Bounds are checked only as
 * `n <= b->len`; there are no end pointers and no absolute offsets.
 *
 * The readers are defined here, static inline: every parser calls them
 * once per field, and a call per byte cost more than the reading itself
 * (about 8% of a scan's instructions when they lived in bytes.c).  They
 * are still the only code that moves a pointer over packet data.
 */
#ifndef AIGATE_BYTES_H
#define AIGATE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A borrowed view: the caller keeps the underlying buffer alive. */
struct bytes {
	const uint8_t *ptr;
	size_t len;
};

#define MUST_CHECK __attribute__((warn_unused_result))

/* A view of `len` bytes at `ptr` (ptr may be NULL when len is 0). */
static inline struct bytes bytes_make(const void *ptr, size_t len)
{
	struct bytes b = { (const uint8_t *)ptr, len };
	return b;
}

static inline bool bytes_empty(const struct bytes *b) { return b->len == 0; }

/* Move the view n bytes on; n <= b->len is checked by the caller.
 * Adding 0 to a NULL pointer is undefined, hence the test. */
static inline void bytes_advance_(struct bytes *b, size_t n)
{
	if (n == 0)
		return;
	b->ptr += n;
	b->len -= n;
}

/* Read n (<= 8) big-endian bytes into a u64; the single place that
 * checks the bound for every fixed-size reader. */
static inline bool bytes_get_be_(struct bytes *b, size_t n, uint64_t *out)
{
	if (n > b->len)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | b->ptr[i];
	bytes_advance_(b, n);
	*out = v;
	return true;
}

/* Read a big-endian integer of 1, 2, 3, 4 or 8 bytes. */
MUST_CHECK static inline bool bytes_get_u8(struct bytes *b, uint8_t *out)
{
	if (b->len == 0)
		return false;
	*out = b->ptr[0];
	bytes_advance_(b, 1);
	return true;
}

MUST_CHECK static inline bool bytes_get_u16(struct bytes *b, uint16_t *out)
{
	uint64_t v;
	if (!bytes_get_be_(b, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

MUST_CHECK static inline bool bytes_get_u24(struct bytes *b, uint32_t *out)
{
	uint64_t v;
	if (!bytes_get_be_(b, 3, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

MUST_CHECK static inline bool bytes_get_u32(struct bytes *b, uint32_t *out)
{
	uint64_t v;
	if (!bytes_get_be_(b, 4, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

MUST_CHECK static inline bool bytes_get_u64(struct bytes *b, uint64_t *out)
{
	return bytes_get_be_(b, 8, out);
}

/* Peek at the byte `off` positions ahead without moving. */
MUST_CHECK static inline bool bytes_peek_u8(const struct bytes *b, size_t off, uint8_t *out)
{
	if (off >= b->len)
		return false;
	*out = b->ptr[off];
	return true;
}

/* Split off the next n bytes as a child view. */
MUST_CHECK static inline bool bytes_get_bytes(struct bytes *b, size_t n, struct bytes *child)
{
	if (n > b->len)
		return false;
	child->ptr = b->ptr;
	child->len = n;
	bytes_advance_(b, n);
	return true;
}

/* Skip n bytes. */
MUST_CHECK static inline bool bytes_skip(struct bytes *b, size_t n)
{
	if (n > b->len)
		return false;
	bytes_advance_(b, n);
	return true;
}

/* Copy the next n bytes into out (which holds at least n bytes). */
MUST_CHECK static inline bool bytes_copy(struct bytes *b, void *out, size_t n)
{
	if (n > b->len)
		return false;
	if (n > 0)
		memcpy(out, b->ptr, n);
	bytes_advance_(b, n);
	return true;
}

/* Skip every leading byte equal to `value` (possibly none, possibly the
 * whole view) in one step; returns how many were skipped.  Cannot fail.
 * QUIC pads its Initials to 1,200 bytes with PADDING frames (one zero
 * byte each), which this reads as one run instead of a frame at a time. */
size_t bytes_skip_run(struct bytes *b, uint8_t value);

/* Length-prefixed reads work on a copy so that a short body leaves the
 * prefix unread. */
static inline bool bytes_get_prefixed_(struct bytes *b, size_t prefix_len, struct bytes *child)
{
	struct bytes tmp = *b;
	uint64_t n;
	if (!bytes_get_be_(&tmp, prefix_len, &n))
		return false;
	if (n > tmp.len)
		return false;
	if (!bytes_get_bytes(&tmp, (size_t)n, child))
		return false;
	*b = tmp;
	return true;
}

/* Read a length prefix of 1, 2 or 3 bytes, then that many bytes as a
 * child view.  Fails (moving nothing) when the prefix or the body is
 * incomplete. */
MUST_CHECK static inline bool bytes_get_prefixed_u8(struct bytes *b, struct bytes *child)
{
	return bytes_get_prefixed_(b, 1, child);
}

MUST_CHECK static inline bool bytes_get_prefixed_u16(struct bytes *b, struct bytes *child)
{
	return bytes_get_prefixed_(b, 2, child);
}

MUST_CHECK static inline bool bytes_get_prefixed_u24(struct bytes *b, struct bytes *child)
{
	return bytes_get_prefixed_(b, 3, child);
}

/* QUIC variable-length integer (RFC 9000 s16): 1, 2, 4 or 8 bytes. */
MUST_CHECK static inline bool bytes_get_varint(struct bytes *b, uint64_t *out)
{
	if (b->len == 0)
		return false;
	/* RFC 9000 s16: the two high bits of the first byte give the length. */
	size_t n = (size_t)1 << (b->ptr[0] >> 6);
	struct bytes tmp = *b;
	uint64_t v;
	if (!bytes_get_be_(&tmp, n, &v))
		return false;
	*out = v & ((n == 8) ? 0x3fffffffffffffffULL : ((1ULL << (8 * n - 2)) - 1));
	*b = tmp;
	return true;
}

/* The view from offset `off` on (false if off > len). */
MUST_CHECK static inline bool bytes_tail(const struct bytes *b, size_t off, struct bytes *out)
{
	if (off > b->len)
		return false;
	*out = *b;
	bytes_advance_(out, off);
	return true;
}

#endif
