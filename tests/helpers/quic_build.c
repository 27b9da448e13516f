/* quic_build.c: builders of protected QUIC client Initials and small
 * ClientHellos for tests, and fixture loaders; see quic_build.h. */
#include "quic_build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bytes.h"
#include "quic.h"

size_t quic_build_varint(uint8_t *out, size_t cap, uint64_t v)
{
	size_t n;
	uint8_t prefix;
	if (v < 64) {
		n = 1;
		prefix = 0x00;
	} else if (v < 16384) {
		n = 2;
		prefix = 0x40;
	} else if (v < (UINT64_C(1) << 30)) {
		n = 4;
		prefix = 0x80;
	} else if (v < (UINT64_C(1) << 62)) {
		n = 8;
		prefix = 0xc0;
	} else {
		return 0;
	}
	if (cap < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	out[0] = (uint8_t)(out[0] | prefix);
	return n;
}

size_t quic_build_crypto_frame(uint8_t *out, size_t cap, uint64_t offset,
			       const uint8_t *data, size_t data_len)
{
	size_t n = 0, k;
	if (cap < 1)
		return 0;
	out[n++] = 0x06;
	if ((k = quic_build_varint(out + n, cap - n, offset)) == 0)
		return 0;
	n += k;
	if ((k = quic_build_varint(out + n, cap - n, data_len)) == 0)
		return 0;
	n += k;
	if (cap - n < data_len)
		return 0;
	if (data_len > 0)
		memcpy(out + n, data, data_len);
	return n + data_len;
}

size_t quic_build_initial(uint8_t *out, size_t cap, const struct quic_build_params *p,
			  const uint8_t *payload, size_t payload_len)
{
	struct quic_initial_keys k;
	struct bytes key_dcid = p->key_dcid ? bytes_make(p->key_dcid, p->key_dcid_len)
					     : bytes_make(p->dcid, p->dcid_len);
	if (!quic_derive_client_keys(p->version, key_dcid, &k, NULL))
		return 0;
	if (p->pn_len < 1 || p->pn_len > 4 || p->dcid_len > 255 || p->scid_len > 255)
		return 0;
	/* RFC 9001 s5.4.2: the sample needs 4 + 16 bytes after the start of
	 * the packet number. */
	if (p->pn_len + payload_len + 16 < 4 + 16)
		return 0;
	size_t length = p->pn_len + payload_len + 16;
	if (length >= 16384)
		return 0;
	size_t hdr_len = 1 + 4 + 1 + p->dcid_len + 1 + p->scid_len + 8 + p->token_len + 2 + p->pn_len;
	if (cap < hdr_len + payload_len + 16)
		return 0;
	size_t n = 0, w;
	unsigned type = quic_initial_type(p->version);
	out[n++] = (uint8_t)(0xc0 | (type << 4) | p->reserved_bits | (p->pn_len - 1));
	for (int i = 3; i >= 0; i--)
		out[n++] = (uint8_t)(p->version >> (8 * i));
	out[n++] = (uint8_t)p->dcid_len;
	if (p->dcid_len)
		memcpy(out + n, p->dcid, p->dcid_len);
	n += p->dcid_len;
	out[n++] = (uint8_t)p->scid_len;
	if (p->scid_len)
		memcpy(out + n, p->scid, p->scid_len);
	n += p->scid_len;
	if ((w = quic_build_varint(out + n, cap - n, p->token_len)) == 0)
		return 0;
	n += w;
	if (p->token_len)
		memcpy(out + n, p->token, p->token_len);
	n += p->token_len;
	out[n++] = (uint8_t)(0x40 | (length >> 8));  /* 2-byte varint */
	out[n++] = (uint8_t)length;
	size_t pn_off = n;
	for (size_t i = 0; i < p->pn_len; i++)
		out[n++] = (uint8_t)(p->pn >> (8 * (p->pn_len - 1 - i)));

	uint8_t nonce[12];
	memcpy(nonce, k.iv, 12);
	for (size_t i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(p->pn >> (8 * i));
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0;
	bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k.key, nonce) == 1 &&
		  EVP_EncryptUpdate(ctx, NULL, &outl, out, (int)n) == 1 &&
		  EVP_EncryptUpdate(ctx, out + n, &outl, payload, (int)payload_len) == 1 &&
		  EVP_EncryptFinal_ex(ctx, out + n + payload_len, &outl) == 1 &&
		  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + n + payload_len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return 0;
	size_t total = n + payload_len + 16;

	/* Header protection, RFC 9001 s5.4.1 and s5.4.3. */
	uint8_t mask[16];
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k.hp, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_EncryptUpdate(ctx, mask, &outl, out + pn_off + 4, 16) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return 0;
	out[0] ^= (uint8_t)(mask[0] & 0x0f);
	for (size_t i = 0; i < p->pn_len; i++)
		out[pn_off + i] ^= mask[1 + i];
	return total;
}

/* Append helpers for the ClientHello builder. */
static bool put(uint8_t *out, size_t cap, size_t *n, const void *src, size_t len)
{
	if (cap - *n < len)
		return false;
	if (len)
		memcpy(out + *n, src, len);
	*n += len;
	return true;
}

static bool put16(uint8_t *out, size_t cap, size_t *n, size_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return v <= 0xffff && put(out, cap, n, b, 2);
}

size_t quic_build_client_hello(uint8_t *out, size_t cap, const char *sni, size_t pad_len)
{
	size_t n = 0;
	uint8_t random[32];
	for (size_t i = 0; i < sizeof(random); i++)
		random[i] = (uint8_t)(0xa0 + i);
	static const uint8_t hs_hdr[4] = { 0x01, 0, 0, 0 };
	static const uint8_t suites[] = { 0x00, 0x02, 0x13, 0x01 };
	static const uint8_t compression[] = { 0x01, 0x00 };
	/* supported_versions: TLS 1.3 only (RFC 8446 s4.2.1). */
	static const uint8_t sup_versions[] = { 0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04 };
	if (!put(out, cap, &n, hs_hdr, 4) || !put16(out, cap, &n, 0x0303) ||
	    !put(out, cap, &n, random, 32) || !put(out, cap, &n, "\0", 1) ||
	    !put(out, cap, &n, suites, sizeof(suites)) ||
	    !put(out, cap, &n, compression, sizeof(compression)))
		return 0;
	size_t ext_len_at = n;
	if (!put16(out, cap, &n, 0) || !put(out, cap, &n, sup_versions, sizeof(sup_versions)))
		return 0;
	if (sni != NULL) {
		size_t len = strlen(sni);
		/* RFC 6066 s3: server_name { list<2> { type 0, name<2> } } */
		if (!put16(out, cap, &n, 0) || !put16(out, cap, &n, len + 5) ||
		    !put16(out, cap, &n, len + 3) || !put(out, cap, &n, "\0", 1) ||
		    !put16(out, cap, &n, len) || !put(out, cap, &n, sni, len))
			return 0;
	}
	if (pad_len > 0) {
		if (!put16(out, cap, &n, 21) || !put16(out, cap, &n, pad_len) || cap - n < pad_len)
			return 0;
		memset(out + n, 0, pad_len);
		n += pad_len;
	}
	size_t ext_len = n - ext_len_at - 2;
	size_t body_len = n - 4;
	if (ext_len > 0xffff || body_len > 0xffffff)
		return 0;
	out[ext_len_at] = (uint8_t)(ext_len >> 8);
	out[ext_len_at + 1] = (uint8_t)ext_len;
	out[1] = (uint8_t)(body_len >> 16);
	out[2] = (uint8_t)(body_len >> 8);
	out[3] = (uint8_t)body_len;
	return n;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool quic_build_load_hex(const char *path, uint8_t *out, size_t cap, size_t *out_len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	size_t n = 0;
	int hi = -1, c;
	bool comment = false, ok = true;
	while ((c = fgetc(f)) != EOF) {
		if (comment) {
			comment = c != '\n';
			continue;
		}
		if (c == '#') {
			comment = true;
			continue;
		}
		if (isspace(c))
			continue;
		int v = hexval(c);
		if (v < 0) {
			ok = false;
			break;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap) {
			ok = false;
			break;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	fclose(f);
	if (!ok || hi >= 0)
		return false;
	*out_len = n;
	return true;
}

void quic_fixture_free(struct quic_fixture *fx)
{
	free(fx->data);
	free(fx->recs);
	memset(fx, 0, sizeof(*fx));
}

bool quic_fixture_load(const char *path, struct quic_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	size_t cap = 0, len = 0;
	uint8_t chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (fx->data == NULL || len + got > cap) {
			cap = (len + got) * 2;
			uint8_t *d = realloc(fx->data, cap);
			if (d == NULL) {
				fclose(f);
				quic_fixture_free(fx);
				return false;
			}
			fx->data = d;
		}
		memcpy(fx->data + len, chunk, got);
		len += got;
	}
	fclose(f);
	size_t off = 0, n_cap = 0;
	while (off < len) {
		if (len - off < 9)
			goto bad;
		const uint8_t *h = fx->data + off;
		struct quic_fixture_rec r;
		r.frame = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
		r.stream = (uint16_t)(h[4] << 8 | h[5]);
		r.dir = h[6];
		r.payload_len = (size_t)(h[7] << 8 | h[8]);
		off += 9;
		if (len - off < r.payload_len)
			goto bad;
		r.payload = fx->data + off;
		off += r.payload_len;
		if (fx->n_recs == n_cap) {
			n_cap = n_cap ? n_cap * 2 : 16;
			struct quic_fixture_rec *rs = realloc(fx->recs, n_cap * sizeof(*rs));
			if (rs == NULL)
				goto bad;
			fx->recs = rs;
		}
		fx->recs[fx->n_recs++] = r;
	}
	return true;
bad:
	quic_fixture_free(fx);
	return false;
}
