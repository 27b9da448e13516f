/* siphash.h: SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed hash
 * for tables whose keys an attacker chooses: with a random key nobody
 * can aim collisions at one bucket. */
#ifndef AIGATE_SIPHASH_H
#define AIGATE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit SipHash-2-4 of len bytes at data under the 16-byte key. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
