/* bytes.h: a bounds-checked, read-only view of untrusted bytes.
 *
 * This is the only module that does pointer arithmetic on packet data.
 * Every reader returns true on success and false on failure; a failed
 * read moves nothing (the view and the output are left unchanged), so a
 * parser can try one reading, fail, and report NEED_MORE or MALFORMED
 * with the view still where it was.  Bounds are checked only as
 * `n <= b->len`; there are no end pointers and no absolute offsets.
 */
#ifndef AIGATE_BYTES_H
#define AIGATE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Read a big-endian integer of 1, 2, 3, 4 or 8 bytes. */
MUST_CHECK bool bytes_get_u8(struct bytes *b, uint8_t *out);
MUST_CHECK bool bytes_get_u16(struct bytes *b, uint16_t *out);
MUST_CHECK bool bytes_get_u24(struct bytes *b, uint32_t *out);
MUST_CHECK bool bytes_get_u32(struct bytes *b, uint32_t *out);
MUST_CHECK bool bytes_get_u64(struct bytes *b, uint64_t *out);

/* Peek at the byte `off` positions ahead without moving. */
MUST_CHECK bool bytes_peek_u8(const struct bytes *b, size_t off, uint8_t *out);

/* Split off the next n bytes as a child view. */
MUST_CHECK bool bytes_get_bytes(struct bytes *b, size_t n, struct bytes *child);

/* Skip n bytes. */
MUST_CHECK bool bytes_skip(struct bytes *b, size_t n);

/* Copy the next n bytes into out (which holds at least n bytes). */
MUST_CHECK bool bytes_copy(struct bytes *b, void *out, size_t n);

/* Read a length prefix of 1, 2 or 3 bytes, then that many bytes as a
 * child view.  Fails (moving nothing) when the prefix or the body is
 * incomplete. */
MUST_CHECK bool bytes_get_prefixed_u8(struct bytes *b, struct bytes *child);
MUST_CHECK bool bytes_get_prefixed_u16(struct bytes *b, struct bytes *child);
MUST_CHECK bool bytes_get_prefixed_u24(struct bytes *b, struct bytes *child);

/* QUIC variable-length integer (RFC 9000 s16): 1, 2, 4 or 8 bytes. */
MUST_CHECK bool bytes_get_varint(struct bytes *b, uint64_t *out);

/* The view from offset `off` on (false if off > len). */
MUST_CHECK bool bytes_tail(const struct bytes *b, size_t off, struct bytes *out);

#endif
