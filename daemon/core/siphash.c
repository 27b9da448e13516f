/* siphash.c: SipHash-c-d; see siphash.h.  Written from the paper's
 * description: c compression rounds per 8-byte word, d finalisation
 * rounds, length in the top byte of the last word.  The state lives in
 * locals and the rounds are inlined: the flow table hashes every packet's
 * 5-tuple, and a call per round cost more than the round. */
#include "siphash.h"

#include <endian.h>
#include <string.h>

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

static inline void sip_word(struct sip_state *s, uint64_t m, unsigned c_rounds)
{
	s->v3 ^= m;
	for (unsigned i = 0; i < c_rounds; i++)
		sip_round(s);
	s->v0 ^= m;
}

/* Inlined into each variant so that the round counts are constants. */
__attribute__((always_inline)) static inline uint64_t siphash_cd(const uint8_t key[16], const void *data, size_t len,
				  unsigned c_rounds, unsigned d_rounds)
{
	const uint8_t *in = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	struct sip_state s = {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
	size_t whole = len - (len % 8);
	for (size_t i = 0; i < whole; i += 8)
		sip_word(&s, load_le64(in + i), c_rounds);
	uint64_t last = (uint64_t)(len & 0xff) << 56;
	for (size_t i = 0; i < len % 8; i++)
		last |= (uint64_t)in[whole + i] << (8 * i);
	sip_word(&s, last, c_rounds);
	s.v2 ^= 0xff;
	for (unsigned i = 0; i < d_rounds; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len)
{
	return siphash_cd(key, data, len, 2, 4);
}

uint64_t siphash13(const uint8_t key[16], const void *data, size_t len)
{
	return siphash_cd(key, data, len, 1, 3);
}
