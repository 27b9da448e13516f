/* bytes.c: the cursor's out-of-line part; the readers are static inline
 * in bytes.h (see there). */
#include "bytes.h"

size_t bytes_skip_run(struct bytes *b, uint8_t value)
{
	/* Eight bytes at a time while they all match, then byte by byte:
	 * a padded QUIC Initial has a run of about a thousand zeros. */
	uint64_t pattern = value * UINT64_C(0x0101010101010101);
	size_t n = 0;
	while (b->len - n >= 8) {
		uint64_t w;
		memcpy(&w, b->ptr + n, 8);
		if (w != pattern)
			break;
		n += 8;
	}
	while (n < b->len && b->ptr[n] == value)
		n++;
	bytes_advance_(b, n);
	return n;
}
