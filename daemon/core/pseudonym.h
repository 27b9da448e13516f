/* pseudonym.h: keyed pseudonyms of client addresses, so that the event
 * log can say "the same client did this twice" without saying who.
 *
 * A pseudonym is "p-" followed by 16 lowercase base32 characters (RFC
 * 4648 s6 alphabet, no padding): the first 80 bits of
 *
 *     HMAC-SHA-256(key, period || address)
 *
 * where period is the period index as 8 bytes, big-endian, and address
 * is the 4 bytes of an IPv4 or the 16 bytes of an IPv6 address.  The
 * same key, period and address always give the same pseudonym; a new
 * period (or a new key) gives unrelated pseudonyms, so logs of
 * different periods cannot be joined on the client without the key.
 * Whoever holds the key can recompute the pseudonym of any candidate
 * address (see docs/privacy.md): the key is the secret, not the
 * algorithm.
 *
 * Pure: no I/O, no clock (the caller passes the period index), no
 * globals; libcrypto for HMAC only. */
#ifndef AIGATE_PSEUDONYM_H
#define AIGATE_PSEUDONYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#define PSEUDONYM_PREFIX "p-"
#define PSEUDONYM_LEN 18      /* "p-" + 16 base32 characters */
#define PSEUDONYM_BUF_LEN 19  /* with the NUL */
#define PSEUDONYM_MIN_KEY_LEN 16
#define PSEUDONYM_KEY_LEN 32  /* what key files hold (32 random bytes) */

/* The period index of a time: floor(unix_secs / period_secs).  A
 * period_secs of 0 means "never rotate": always 0.  Times before 1970
 * are floored too (never negative here: they give index 0). */
uint64_t pseudonym_period(int64_t unix_secs, uint32_t period_secs);

/* Write the pseudonym of `addr` under `key` (key_len bytes, at least
 * PSEUDONYM_MIN_KEY_LEN) in period `period_index` into out (cap bytes,
 * at least PSEUDONYM_BUF_LEN), NUL-terminated.  Returns false, with
 * out set to "" when cap > 0, for a short or NULL key, an address that
 * is neither IPv4 nor IPv6, a short buffer or a libcrypto failure.
 * Reads key and addr; keeps nothing. */
bool pseudonym_of(const uint8_t *key, size_t key_len, uint64_t period_index,
		  const struct ip_addr *addr, char *out, size_t cap);

/* True when s has the form of a pseudonym ("p-" and 16 characters of
 * the base32 alphabet, lowercase, nothing after).  Says nothing about
 * which key made it. */
bool pseudonym_is_wellformed(const char *s);

#endif
