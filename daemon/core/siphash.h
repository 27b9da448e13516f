/* siphash.h: SipHash (Aumasson and Bernstein, 2012), a keyed hash for
 * tables whose keys an attacker chooses: with a random key nobody can aim
 * collisions at one bucket. */
#ifndef AIGATE_SIPHASH_H
#define AIGATE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit SipHash-2-4 of len bytes at data under the 16-byte key. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

/* The 64-bit SipHash-1-3 (one compression round per word, three
 * finalisation rounds) of len bytes at data under the 16-byte key: about
 * half the work of SipHash-2-4.  For hash tables, whose outputs an
 * attacker never sees directly, this is the variant Rust's standard
 * HashMap and CPython (3.11 on) chose; use siphash24 where the output
 * leaves the process (pseudonyms, tags that are logged). */
uint64_t siphash13(const uint8_t key[16], const void *data, size_t len);

#endif
