/* bytes.c: the bounds-checked cursor; see bytes.h. */
#include "bytes.h"

#include <string.h>

/* Move the view n bytes on; n <= b->len is checked by the caller.
 * Adding 0 to a NULL pointer is undefined, hence the test. */
static void advance(struct bytes *b, size_t n)
{
	if (n == 0)
		return;
	b->ptr += n;
	b->len -= n;
}

/* Read n (<= 8) big-endian bytes into a u64; the single place that
 * checks the bound for every fixed-size reader. */
static bool get_be(struct bytes *b, size_t n, uint64_t *out)
{
	if (n > b->len)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | b->ptr[i];
	advance(b, n);
	*out = v;
	return true;
}

bool bytes_get_u8(struct bytes *b, uint8_t *out)
{
	uint64_t v;
	if (!get_be(b, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

bool bytes_get_u16(struct bytes *b, uint16_t *out)
{
	uint64_t v;
	if (!get_be(b, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool bytes_get_u24(struct bytes *b, uint32_t *out)
{
	uint64_t v;
	if (!get_be(b, 3, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool bytes_get_u32(struct bytes *b, uint32_t *out)
{
	uint64_t v;
	if (!get_be(b, 4, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool bytes_get_u64(struct bytes *b, uint64_t *out)
{
	return get_be(b, 8, out);
}

bool bytes_peek_u8(const struct bytes *b, size_t off, uint8_t *out)
{
	if (off >= b->len)
		return false;
	*out = b->ptr[off];
	return true;
}

bool bytes_get_bytes(struct bytes *b, size_t n, struct bytes *child)
{
	if (n > b->len)
		return false;
	child->ptr = b->ptr;
	child->len = n;
	advance(b, n);
	return true;
}

bool bytes_skip(struct bytes *b, size_t n)
{
	struct bytes ignored;
	return bytes_get_bytes(b, n, &ignored);
}

bool bytes_copy(struct bytes *b, void *out, size_t n)
{
	struct bytes src;
	if (!bytes_get_bytes(b, n, &src))
		return false;
	if (n > 0)
		memcpy(out, src.ptr, n);
	return true;
}

/* Length-prefixed reads work on a copy so that a short body leaves the
 * prefix unread. */
static bool get_prefixed(struct bytes *b, size_t prefix_len, struct bytes *child)
{
	struct bytes tmp = *b;
	uint64_t n;
	if (!get_be(&tmp, prefix_len, &n))
		return false;
	if (n > tmp.len)
		return false;
	if (!bytes_get_bytes(&tmp, (size_t)n, child))
		return false;
	*b = tmp;
	return true;
}

bool bytes_get_prefixed_u8(struct bytes *b, struct bytes *child)
{
	return get_prefixed(b, 1, child);
}

bool bytes_get_prefixed_u16(struct bytes *b, struct bytes *child)
{
	return get_prefixed(b, 2, child);
}

bool bytes_get_prefixed_u24(struct bytes *b, struct bytes *child)
{
	return get_prefixed(b, 3, child);
}

bool bytes_get_varint(struct bytes *b, uint64_t *out)
{
	if (b->len == 0)
		return false;
	/* RFC 9000 s16: the two high bits of the first byte give the length. */
	size_t n = (size_t)1 << (b->ptr[0] >> 6);
	struct bytes tmp = *b;
	uint64_t v;
	if (!get_be(&tmp, n, &v))
		return false;
	*out = v & ((n == 8) ? 0x3fffffffffffffffULL : ((1ULL << (8 * n - 2)) - 1));
	*b = tmp;
	return true;
}

bool bytes_tail(const struct bytes *b, size_t off, struct bytes *out)
{
	if (off > b->len)
		return false;
	*out = *b;
	advance(out, off);
	return true;
}
