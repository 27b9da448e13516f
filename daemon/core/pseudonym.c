/* pseudonym.c: keyed pseudonyms of client addresses; see pseudonym.h. */
#include "pseudonym.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* RFC 4648 s6, in lowercase: pseudonyms sit in lowercase JSON logs. */
static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

uint64_t pseudonym_period(int64_t unix_secs, uint32_t period_secs)
{
	if (period_secs == 0 || unix_secs < 0)
		return 0;
	return (uint64_t)unix_secs / period_secs;
}

/* 80 bits (10 bytes) as 16 base32 characters, 5 bits each, most
 * significant bit first (RFC 4648 s6). */
static void base32_80(const uint8_t in[10], char out[16])
{
	for (unsigned group = 0; group < 2; group++) {
		uint64_t v = 0;
		for (unsigned i = 0; i < 5; i++)
			v = (v << 8) | in[group * 5 + i];
		for (unsigned i = 0; i < 8; i++)
			out[group * 8 + i] = b32_alphabet[(v >> (35 - 5 * i)) & 31u];
	}
}

bool pseudonym_of(const uint8_t *key, size_t key_len, uint64_t period_index,
		  const struct ip_addr *addr, char *out, size_t cap)
{
	uint8_t msg[8 + 16];
	size_t addr_len;
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;

	if (out != NULL && cap > 0)
		out[0] = '\0';
	if (out == NULL || cap < PSEUDONYM_BUF_LEN || key == NULL ||
	    key_len < PSEUDONYM_MIN_KEY_LEN || addr == NULL || key_len > (size_t)INT32_MAX)
		return false;
	if (addr->family == 4)
		addr_len = 4;
	else if (addr->family == 6)
		addr_len = 16;
	else
		return false;
	for (unsigned i = 0; i < 8; i++)
		msg[i] = (uint8_t)(period_index >> (56 - 8 * i));
	memcpy(msg + 8, addr->b, addr_len);
	if (HMAC(EVP_sha256(), key, (int)key_len, msg, 8 + addr_len, mac, &mac_len) == NULL ||
	    mac_len < 10)
		return false;
	memcpy(out, PSEUDONYM_PREFIX, 2);
	base32_80(mac, out + 2);
	out[PSEUDONYM_LEN] = '\0';
	return true;
}

bool pseudonym_is_wellformed(const char *s)
{
	if (s == NULL || strncmp(s, PSEUDONYM_PREFIX, 2) != 0 || strlen(s) != PSEUDONYM_LEN)
		return false;
	for (size_t i = 2; i < PSEUDONYM_LEN; i++)
		if (strchr(b32_alphabet, s[i]) == NULL)
			return false;
	return true;
}
