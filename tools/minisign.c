/* minisign.c: verification of minisign signatures; see minisign.h for
 * the format.  Parsing is strict: exactly the line structure minisign
 * writes (a final newline optional, CRLF tolerated), canonical base64
 * with padding, and nothing after the fourth line but blank lines. */
#include "minisign.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define PUBKEY_FILE_MAX 4096

__attribute__((format(printf, 3, 4)))
static bool ms_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL || err_len == 0)
		return false;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return false;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode canonical padded base64 of exactly `want` bytes. */
static bool b64_decode_exact(const char *s, size_t len, uint8_t *out, size_t want)
{
	size_t o = 0;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 < want || len / 4 * 3 > want + 2)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		size_t pad = 0;
		for (size_t k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)s[i + k];
			if (c == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0)
				return false; /* data after padding */
			v[k] = b64_value(c);
			if (v[k] < 0)
				return false;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		uint8_t b[3] = { (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w };
		size_t nb = 3 - pad;
		/* canonical: the bits the padding hides are zero */
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return false;
		for (size_t k = 0; k < nb; k++) {
			if (o == want)
				return false;
			out[o++] = b[k];
		}
	}
	return o == want;
}

/* Split the next line off *p (end at `end`): returns its start and
 * length without "\n" or "\r\n"; false at the end of the text. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl != NULL ? nl : end;
	*line = *p;
	*len = (size_t)(stop - *p);
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	*p = nl != NULL ? nl + 1 : end;
	return true;
}

static bool has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(line, prefix, n) == 0;
}

/* Only blank lines may follow. */
static bool rest_blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
			return false;
	return true;
}

bool minisign_pubkey_parse(const char *text, size_t len, struct minisign_pubkey *out,
			   char *err, size_t err_len)
{
	const char *p = text, *end = text + len, *line;
	size_t ll;
	uint8_t raw[2 + MINISIGN_KEYID_LEN + MINISIGN_PK_LEN];

	if (text == NULL)
		return ms_fail(err, err_len, "no key");
	if (!next_line(&p, end, &line, &ll))
		return ms_fail(err, err_len, "empty public key");
	if (has_prefix(line, ll, UNTRUSTED_PREFIX) && !next_line(&p, end, &line, &ll))
		return ms_fail(err, err_len, "no key after the comment line");
	while (ll > 0 && (line[ll - 1] == ' ' || line[ll - 1] == '\t'))
		ll--;
	if (!b64_decode_exact(line, ll, raw, sizeof raw))
		return ms_fail(err, err_len, "not a minisign public key (bad base64 or length)");
	if (raw[0] != 'E' || raw[1] != 'd')
		return ms_fail(err, err_len, "not an Ed25519 minisign public key");
	if (!rest_blank(p, end))
		return ms_fail(err, err_len, "unexpected text after the key");
	memcpy(out->key_id, raw + 2, MINISIGN_KEYID_LEN);
	memcpy(out->pk, raw + 2 + MINISIGN_KEYID_LEN, MINISIGN_PK_LEN);
	return true;
}

bool minisign_pubkey_load(const char *path, struct minisign_pubkey *out, char *err,
			  size_t err_len)
{
	char buf[PUBKEY_FILE_MAX + 1];
	char why[200];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return ms_fail(err, err_len, "%s: %s", path, strerror(errno));
	size_t n = fread(buf, 1, sizeof buf, f);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad)
		return ms_fail(err, err_len, "%s: read error", path);
	if (n > PUBKEY_FILE_MAX)
		return ms_fail(err, err_len, "%s: too large for a public key", path);
	if (!minisign_pubkey_parse(buf, n, out, why, sizeof why))
		return ms_fail(err, err_len, "%s: %s", path, why);
	return true;
}

bool minisign_sig_parse(const char *text, size_t len, struct minisign_sig *out,
			char *err, size_t err_len)
{
	const char *p = text, *end = text + len, *line;
	size_t ll;
	uint8_t raw[2 + MINISIGN_KEYID_LEN + MINISIGN_SIG_LEN];

	if (text == NULL)
		return ms_fail(err, err_len, "no signature");
	memset(out, 0, sizeof *out);
	if (!next_line(&p, end, &line, &ll) || !has_prefix(line, ll, UNTRUSTED_PREFIX))
		return ms_fail(err, err_len, "line 1 is not an untrusted comment");
	if (!next_line(&p, end, &line, &ll) || !b64_decode_exact(line, ll, raw, sizeof raw))
		return ms_fail(err, err_len, "line 2 is not a base64 signature of %zu bytes",
			    sizeof raw);
	if (raw[0] == 'E' && raw[1] == 'D')
		out->prehashed = true;
	else if (raw[0] == 'E' && raw[1] == 'd')
		out->prehashed = false;
	else
		return ms_fail(err, err_len, "unknown signature algorithm");
	memcpy(out->key_id, raw + 2, MINISIGN_KEYID_LEN);
	memcpy(out->sig, raw + 2 + MINISIGN_KEYID_LEN, MINISIGN_SIG_LEN);
	if (!next_line(&p, end, &line, &ll) || !has_prefix(line, ll, TRUSTED_PREFIX))
		return ms_fail(err, err_len, "line 3 is not a trusted comment");
	size_t tl = ll - strlen(TRUSTED_PREFIX);
	if (tl > MINISIGN_COMMENT_MAX)
		return ms_fail(err, err_len, "the trusted comment is too long");
	if (memchr(line + strlen(TRUSTED_PREFIX), '\0', tl) != NULL)
		return ms_fail(err, err_len, "the trusted comment contains a NUL byte");
	memcpy(out->trusted_comment, line + strlen(TRUSTED_PREFIX), tl);
	out->trusted_comment[tl] = '\0';
	out->trusted_comment_len = tl;
	if (!next_line(&p, end, &line, &ll) ||
	    !b64_decode_exact(line, ll, out->global_sig, MINISIGN_SIG_LEN))
		return ms_fail(err, err_len, "line 4 is not a base64 global signature");
	if (!rest_blank(p, end))
		return ms_fail(err, err_len, "unexpected text after the global signature");
	return true;
}

/* Ed25519 verification of msg with a raw public key: 1 valid, 0 invalid,
 * -1 library failure. */
static int ed25519_verify(const uint8_t pk[MINISIGN_PK_LEN], const uint8_t sig[MINISIGN_SIG_LEN],
			  const uint8_t *msg, size_t msg_len)
{
	EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, MINISIGN_PK_LEN);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r = -1;

	if (key != NULL && ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		r = EVP_DigestVerify(ctx, sig, MINISIGN_SIG_LEN, msg, msg_len) == 1 ? 1 : 0;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return r;
}

void minisign_keyid_text(const uint8_t key_id[MINISIGN_KEYID_LEN], char buf[17])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < MINISIGN_KEYID_LEN; i++) {
		uint8_t b = key_id[MINISIGN_KEYID_LEN - 1 - i];
		buf[2 * i] = hex[b >> 4];
		buf[2 * i + 1] = hex[b & 15];
	}
	buf[16] = '\0';
}

int minisign_verify(const uint8_t *data, size_t data_len, const struct minisign_sig *sig,
		    const struct minisign_pubkey *keys, size_t n_keys, char *err,
		    size_t err_len)
{
	uint8_t hash[64];
	unsigned hash_len = 0;
	const uint8_t *msg = data;
	size_t msg_len = data_len;
	size_t k;
	char id[17];

	for (k = 0; k < n_keys; k++)
		if (memcmp(keys[k].key_id, sig->key_id, MINISIGN_KEYID_LEN) == 0)
			break;
	if (k == n_keys) {
		minisign_keyid_text(sig->key_id, id);
		ms_fail(err, err_len, "signed with key %s, which is not a trusted key", id);
		return -1;
	}
	if (sig->prehashed) {
		if (EVP_Digest(data, data_len, hash, &hash_len, EVP_blake2b512(), NULL) != 1 ||
		    hash_len != sizeof hash) {
			ms_fail(err, err_len, "BLAKE2b-512 failed");
			return -1;
		}
		msg = hash;
		msg_len = sizeof hash;
	}
	int r = ed25519_verify(keys[k].pk, sig->sig, msg, msg_len);
	if (r != 1) {
		ms_fail(err, err_len, r < 0 ? "Ed25519 verification failed to run"
					 : "signature verification failed: the file is not what was signed");
		return -1;
	}
	/* The global signature covers the signature and the trusted comment. */
	uint8_t gmsg[MINISIGN_SIG_LEN + MINISIGN_COMMENT_MAX];
	memcpy(gmsg, sig->sig, MINISIGN_SIG_LEN);
	memcpy(gmsg + MINISIGN_SIG_LEN, sig->trusted_comment, sig->trusted_comment_len);
	r = ed25519_verify(keys[k].pk, sig->global_sig, gmsg,
			   MINISIGN_SIG_LEN + sig->trusted_comment_len);
	if (r != 1) {
		ms_fail(err, err_len, r < 0 ? "Ed25519 verification failed to run"
					 : "global signature verification failed: the trusted comment was altered");
		return -1;
	}
	return (int)k;
}
