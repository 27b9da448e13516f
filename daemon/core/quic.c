/* quic.c: client Initial packets -> CRYPTO stream -> ClientHello; see
 * quic.h for the contract, the notion of flow and the memory bound.
 *
 * Packet data is read only through the bytes.h cursor.  The reassembly
 * buffer is this module's own heap array, written by index after an
 * explicit bound check (offset + length <= cap_len). */
#include "quic.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The low-level SHA-256 interface is deprecated in OpenSSL 3 but still
 * part of it: see "key schedule" below for why it is used. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#define AEAD_TAG_LEN 16
#define HP_SAMPLE_LEN 16
#define SHA256_LEN 32
/* Plaintext of up to this many bytes is decrypted on the stack; larger
 * packets (jumbo datagrams) get a heap buffer. */
#define STACK_PLAIN_LEN 2048

/* RFC 9000 s16: the largest value a varint can hold; RFC 9000 s19.6:
 * CRYPTO offset + length may not exceed it. */
#define VARINT_MAX ((UINT64_C(1) << 62) - 1)

/* Long header first byte, RFC 9000 s17.2. */
#define LH_FORM 0x80
#define LH_TYPE_SHIFT 4
#define LH_RESERVED 0x0c  /* must be 0 once protection is removed */
#define LH_PN_LEN 0x03

/* Frame types allowed in an Initial packet, RFC 9000 s12.4 Table 3. */
#define FT_PADDING 0x00
#define FT_PING 0x01
#define FT_ACK 0x02
#define FT_ACK_ECN 0x03
#define FT_CRYPTO 0x06
#define FT_CONNECTION_CLOSE 0x1c  /* the transport variant; 0x1d is not allowed */

#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_HEADER_LEN 4

/* Initial salts. */
/* RFC 9001 s5.2 */
static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
};
/* RFC 9369 s3.3.1 */
static const uint8_t salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
};
/* draft-ietf-quic-tls-29 s5.2 (drafts 29-32) */
static const uint8_t salt_d29[20] = {
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
};
/* draft-ietf-quic-tls-23 s5.2 (drafts 23-28, mvfst draft-27) */
static const uint8_t salt_d23[20] = {
	0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
	0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
};
/* draft-ietf-quic-tls-21/22 s5.2 (mvfst 0xfaceb001, which Wireshark's
 * QUIC dissector maps to draft-22) */
static const uint8_t salt_d22[20] = {
	0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
	0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a,
};
/* Google QUIC T051: not in any RFC; the value Wireshark's QUIC dissector
 * (epan/dissectors/packet-quic.c, handshake_salt_t51) uses, checked
 * against quic_t51.pcap (tests/unit/test_quic.c). */
static const uint8_t salt_t51[20] = {
	0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
	0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d,
};

struct version_params {
	const uint8_t *salt;     /* 20 bytes */
	const char *key_label;   /* RFC 9001 s5.1 / RFC 9369 s3.3.2 */
	const char *iv_label;
	const char *hp_label;
	unsigned initial_type;   /* long-header type bits of an Initial */
	unsigned retry_type;     /* ... and of a Retry (no Length field) */
	uint8_t crypto_type;     /* CRYPTO frame type (RFC 9000 s19.6: 0x06) */
	bool gquic_frames;       /* other frames in gQUIC's format: an unknown
	                            frame ends the packet instead of failing it */
};

static const struct version_params params_v1 = {
	salt_v1, "quic key", "quic iv", "quic hp", 0, 3, 0x06, false,
};
/* RFC 9369 s3.2: Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00;
 * s3.3.2: labels "quicv2 key", "quicv2 iv", "quicv2 hp". */
static const struct version_params params_v2 = {
	salt_v2, "quicv2 key", "quicv2 iv", "quicv2 hp", 1, 0, 0x06, false,
};
static const struct version_params params_d29 = {
	salt_d29, "quic key", "quic iv", "quic hp", 0, 3, 0x06, false,
};
static const struct version_params params_d23 = {
	salt_d23, "quic key", "quic iv", "quic hp", 0, 3, 0x06, false,
};
static const struct version_params params_d22 = {
	salt_d22, "quic key", "quic iv", "quic hp", 0, 3, 0x06, false,
};
/* T051 numbers CRYPTO 0x08 (gQUIC's frame space) with the layout of
 * RFC 9000 s19.6, and its ACK (0x40..0x7f) has gQUIC's layout, which is
 * not parsed here: such a frame ends the packet (its CRYPTO data comes
 * first in the captures).  Seen in quic_t51.pcap and in Wireshark's
 * dissector. */
static const struct version_params params_t51 = {
	salt_t51, "quic key", "quic iv", "quic hp", 0, 3, 0x08, true,
};

/* The version is checked before anything else is read (STYLE.md). */
static const struct version_params *version_lookup(uint32_t v)
{
	if (v == QUIC_VERSION_1)
		return &params_v1;
	if (v == QUIC_VERSION_2)
		return &params_v2;
	if (v >= QUIC_VERSION_DRAFT(29) && v <= QUIC_VERSION_DRAFT(32))
		return &params_d29;
	if (v >= QUIC_VERSION_DRAFT(23) && v <= QUIC_VERSION_DRAFT(28))
		return &params_d23;
	if (v == QUIC_VERSION_MVFST_27 || v == QUIC_VERSION_MVFST_EXP)
		return &params_d23;
	if (v == QUIC_VERSION_MVFST_22)
		return &params_d22;
	if (v == QUIC_VERSION_T051)
		return &params_t51;
	/* RFC 9000 s15: 0x?a?a?a?a is reserved to force Version Negotiation.
	 * Interop clients (quic_interop_V.pcapng) still put a real ClientHello
	 * in such Initials, protected with the draft-29 salt (as nDPI
	 * assumes; the v1 salt fails on every one of them); the name is as
	 * real as any. */
	if ((v & 0x0f0f0f0fu) == 0x0a0a0a0au)
		return &params_d29;
	return NULL;
}

bool quic_version_known(uint32_t version)
{
	return version_lookup(version) != NULL;
}

unsigned quic_initial_type(uint32_t version)
{
	const struct version_params *vp = version_lookup(version);
	return vp ? vp->initial_type : 0;
}

/* ---- key schedule ---------------------------------------------------- */

/* HMAC-SHA256 (RFC 2104) with the key's padded blocks hashed once
 * (RFC 2104 s4, "implementation note"): a key is two hash states, and
 * an HMAC costs the hashing of its data alone.  This uses libcrypto's
 * low-level SHA-256 (with the CPU's SHA extensions where it has them),
 * not EVP: a new QUIC flow needs five HMACs, and EVP's per-call
 * overhead (provider dispatch, context set-up and cleansing) cost
 * several times the hashing; the low-level states are plain structures
 * that are copied, never allocated. */
#define SHA256_BLOCK_LEN 64

struct hmac_key {
	SHA256_CTX inner;   /* after hashing key ^ ipad */
	SHA256_CTX outer;   /* after hashing key ^ opad */
};

/* Keys of at most one block (ours are 20 or 32 bytes). */
static void hmac_key_init(struct hmac_key *hk, const uint8_t *key, size_t key_len)
{
	uint8_t pad[SHA256_BLOCK_LEN];
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < key_len && i < sizeof(pad); i++)
		pad[i] ^= key[i];
	SHA256_Init(&hk->inner);
	SHA256_Update(&hk->inner, pad, sizeof(pad));
	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	SHA256_Init(&hk->outer);
	SHA256_Update(&hk->outer, pad, sizeof(pad));
}

/* RFC 2104 s2: H(K ^ opad, H(K ^ ipad, text)). */
static void hmac_sha256(const struct hmac_key *hk, const uint8_t *data, size_t data_len,
			uint8_t out[SHA256_LEN])
{
	SHA256_CTX c = hk->inner;
	uint8_t inner[SHA256_LEN];
	SHA256_Update(&c, data, data_len);
	SHA256_Final(inner, &c);
	c = hk->outer;
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
}

/* The libcrypto objects one inspector reuses for every Initial: the
 * ciphers fetched once, one context each for header protection and the
 * AEAD (re-keyed per use), and the HMAC keys of the Initial salts.
 * OpenSSL 3 fetches an algorithm by name (a locked table look-up) on
 * every implicit fetch and builds a provider context per EVP_CIPHER_CTX;
 * per packet that cost more than the cryptography itself. */
#define N_SALTS 6

struct quic_crypto {
	EVP_CIPHER *ecb;
	EVP_CIPHER *gcm;
	EVP_CIPHER_CTX *hp;
	EVP_CIPHER_CTX *aead;
	struct {
		const uint8_t *salt;   /* NULL: free slot */
		struct hmac_key key;
	} salts[N_SALTS];
};

struct quic_crypto *quic_crypto_new(void)
{
	struct quic_crypto *cx = calloc(1, sizeof(*cx));
	if (cx == NULL)
		return NULL;
	cx->ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
	cx->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	cx->hp = EVP_CIPHER_CTX_new();
	cx->aead = EVP_CIPHER_CTX_new();
	/* The cipher is set here once, without a key: later inits pass only
	 * the key (and nonce), because naming the cipher again makes
	 * libcrypto reset the context, freeing and rebuilding its state. */
	if (!cx->ecb || !cx->gcm || !cx->hp || !cx->aead ||
	    EVP_EncryptInit_ex2(cx->hp, cx->ecb, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(cx->hp, 0) != 1 ||
	    EVP_DecryptInit_ex2(cx->aead, cx->gcm, NULL, NULL, NULL) != 1) {
		quic_crypto_free(cx);
		return NULL;
	}
	return cx;
}

void quic_crypto_free(struct quic_crypto *cx)
{
	if (cx == NULL)
		return;
	EVP_CIPHER_CTX_free(cx->aead);
	EVP_CIPHER_CTX_free(cx->hp);
	EVP_CIPHER_free(cx->gcm);
	EVP_CIPHER_free(cx->ecb);
	free(cx);
}

/* The HMAC key of a version's 20-byte Initial salt, made on first use. */
static const struct hmac_key *salt_key(struct quic_crypto *cx, const uint8_t *salt)
{
	for (size_t i = 0; i < N_SALTS; i++) {
		if (cx->salts[i].salt == salt)
			return &cx->salts[i].key;
		if (cx->salts[i].salt == NULL) {
			hmac_key_init(&cx->salts[i].key, salt, 20);
			cx->salts[i].salt = salt;
			return &cx->salts[i].key;
		}
	}
	return NULL;  /* more salts than slots: N_SALTS is too small */
}

/* RFC 8446 s7.1 HKDF-Expand-Label(secret, label, "", out_len) with
 * SHA-256, for out_len <= 32 (one HKDF-Expand block, RFC 5869 s2.3):
 *   struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
 *            opaque context<0..255> = ""; } HkdfLabel;
 *   T(1) = HMAC(secret, HkdfLabel || 0x01). */
static bool expand_label(const struct hmac_key *secret, const char *label,
			 uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	const size_t prefix_len = sizeof(prefix) - 1;
	const size_t label_len = strlen(label);
	uint8_t info[2 + 1 + 255 + 1 + 1];
	size_t n = 0;
	if (out_len == 0 || out_len > SHA256_LEN || prefix_len + label_len > 255)
		return false;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(prefix_len + label_len);
	memcpy(&info[n], prefix, prefix_len);
	n += prefix_len;
	memcpy(&info[n], label, label_len);
	n += label_len;
	info[n++] = 0;  /* empty context */
	info[n++] = 1;  /* HKDF-Expand block counter */
	uint8_t t[SHA256_LEN];
	hmac_sha256(secret, info, n, t);
	memcpy(out, t, out_len);
	return true;
}

static bool derive_client_keys(struct quic_crypto *cx, uint32_t version, struct bytes dcid,
			       struct quic_initial_keys *out, uint8_t out_secret[32])
{
	const struct version_params *vp = version_lookup(version);
	if (vp == NULL || dcid.len > QUIC_MAX_CID_LEN)
		return false;
	const struct hmac_key *salt = salt_key(cx, vp->salt);
	if (salt == NULL)
		return false;
	uint8_t cid[QUIC_MAX_CID_LEN];
	size_t cid_len = dcid.len;
	if (!bytes_copy(&dcid, cid, cid_len))
		return false;
	/* RFC 9001 s5.2: initial_secret = HKDF-Extract(initial_salt, DCID),
	 * i.e. HMAC(salt, DCID) (RFC 5869 s2.2);
	 * client_initial_secret = HKDF-Expand-Label(initial_secret,
	 *                                           "client in", "", 32). */
	uint8_t initial[SHA256_LEN], client[SHA256_LEN];
	struct hmac_key k;
	hmac_sha256(salt, cid, cid_len, initial);
	hmac_key_init(&k, initial, sizeof(initial));
	if (!expand_label(&k, "client in", client, SHA256_LEN))
		return false;
	/* RFC 9001 s5.1: key, iv and hp come from the packet protection
	 * secret; AEAD_AES_128_GCM has a 16-byte key, 12-byte IV, and
	 * AES-128 header protection takes a 16-byte key (s5.4.3). */
	hmac_key_init(&k, client, sizeof(client));
	if (!expand_label(&k, vp->key_label, out->key, sizeof(out->key)) ||
	    !expand_label(&k, vp->iv_label, out->iv, sizeof(out->iv)) ||
	    !expand_label(&k, vp->hp_label, out->hp, sizeof(out->hp)))
		return false;
	if (out_secret != NULL)
		memcpy(out_secret, client, SHA256_LEN);
	return true;
}

bool quic_derive_client_keys(uint32_t version, struct bytes dcid,
			     struct quic_initial_keys *out,
			     uint8_t out_secret[32])
{
	struct quic_crypto *cx = quic_crypto_new();
	bool ok = cx != NULL && derive_client_keys(cx, version, dcid, out, out_secret);
	quic_crypto_free(cx);
	return ok;
}

/* ---- state ------------------------------------------------------------ */

void quic_ch_state_init(struct quic_ch_state *st, size_t max_len)
{
	memset(st, 0, sizeof(*st));
	if (max_len == 0)
		max_len = QUIC_CRYPTO_MAX_DEFAULT;
	if (max_len > QUIC_CRYPTO_MAX_LIMIT)
		max_len = QUIC_CRYPTO_MAX_LIMIT;
	st->max_len = max_len;
	st->largest_pn = -1;
}

/* Forget the CRYPTO stream (not the key cache nor the packet numbers). */
static void reassembly_reset(struct quic_ch_state *st)
{
	free(st->buf);
	free(st->have);
	st->buf = NULL;
	st->have = NULL;
	st->cap_len = 0;
	st->contig_len = 0;
	st->base = 0;
	st->flags = 0;
	st->n_packets = 0;
}

void quic_ch_state_cleanup(struct quic_ch_state *st)
{
	size_t max_len = st->max_len;
	struct quic_crypto *crypto = st->crypto;
	reassembly_reset(st);
	quic_ch_state_init(st, max_len);
	st->crypto = crypto;
}

static size_t bitmap_len(size_t n)
{
	return (n + 7) / 8;
}

size_t quic_ch_state_bytes(const struct quic_ch_state *st)
{
	return st->buf ? st->cap_len + bitmap_len(st->cap_len) : 0;
}

static bool have_bit(const struct quic_ch_state *st, size_t i)
{
	return ((unsigned)st->have[i / 8] >> (i % 8)) & 1u;
}

static void set_bit(struct quic_ch_state *st, size_t i)
{
	st->have[i / 8] = (uint8_t)(st->have[i / 8] | (1u << (i % 8)));
}

/* The first index in [from, to) whose bit is `set` (to if none): bit by
 * bit to a byte boundary, then whole bitmap bytes at once. */
static size_t next_bit(const struct quic_ch_state *st, size_t from, size_t to, bool set)
{
	const uint8_t skip = set ? 0x00 : 0xff;
	size_t i = from;
	if (from >= to)
		return to;
	for (; i < to && i % 8 != 0; i++)
		if (have_bit(st, i) == set)
			return i;
	while (to - i >= 8 && st->have[i / 8] == skip)
		i += 8;
	for (; i < to; i++)
		if (have_bit(st, i) == set)
			return i;
	return to;
}

/* Set the bits of [from, to). */
static void set_bits(struct quic_ch_state *st, size_t from, size_t to)
{
	size_t i = from;
	while (i < to) {
		if (i % 8 == 0 && to - i >= 8) {
			st->have[i / 8] = 0xff;
			i += 8;
			continue;
		}
		set_bit(st, i);
		i++;
	}
}

/* Make buf cover [0, end) (end <= max_len).  false: out of memory (the
 * old buffers stay). */
static bool reassembly_grow(struct quic_ch_state *st, size_t end)
{
	if (end <= st->cap_len)
		return true;
	size_t cap = (end + QUIC_CRYPTO_STEP - 1) / QUIC_CRYPTO_STEP * QUIC_CRYPTO_STEP;
	if (cap > st->max_len)
		cap = st->max_len;
	uint8_t *buf = realloc(st->buf, cap);
	if (buf == NULL)
		return false;
	st->buf = buf;
	uint8_t *have = realloc(st->have, bitmap_len(cap));
	if (have == NULL)
		return false;  /* buf is larger but cap_len unchanged: still consistent */
	size_t old = bitmap_len(st->cap_len);
	memset(&have[old], 0, bitmap_len(cap) - old);
	st->have = have;
	st->cap_len = cap;
	return true;
}

/* ---- frames ----------------------------------------------------------- */

enum step {
	STEP_OK,        /* go on */
	STEP_BAD,       /* this packet is bad; others in the datagram may be fine */
	STEP_FATAL,     /* the flow's ClientHello cannot be read: PARSE_MALFORMED */
};

/* RFC 9000 s19.3: ACK { Largest Acknowledged (i), ACK Delay (i),
 * ACK Range Count (i), First ACK Range (i), ACK Range (..) ...,
 * [ECN Counts (..)] }, ACK Range { Gap (i), ACK Range Length (i) },
 * s19.3.2 ECN Counts { ECT0 (i), ECT1 (i), ECN-CE (i) }.
 * Each range takes at least two bytes, so the loop ends with the input. */
static bool skip_ack(struct bytes *b, bool ecn)
{
	uint64_t v, n_ranges;
	if (!bytes_get_varint(b, &v) || !bytes_get_varint(b, &v) ||
	    !bytes_get_varint(b, &n_ranges) || !bytes_get_varint(b, &v))
		return false;
	for (uint64_t i = 0; i < n_ranges; i++)
		if (!bytes_get_varint(b, &v) || !bytes_get_varint(b, &v))
			return false;
	if (ecn)
		for (int i = 0; i < 3; i++)
			if (!bytes_get_varint(b, &v))
				return false;
	return true;
}

/* RFC 9000 s19.19: CONNECTION_CLOSE (type 0x1c) { Error Code (i),
 * Frame Type (i), Reason Phrase Length (i), Reason Phrase (..) }. */
static bool skip_connection_close(struct bytes *b)
{
	uint64_t v, reason_len;
	if (!bytes_get_varint(b, &v) || !bytes_get_varint(b, &v) ||
	    !bytes_get_varint(b, &reason_len))
		return false;
	if (reason_len > b->len)
		return false;
	return bytes_skip(b, (size_t)reason_len);
}

/* Add one CRYPTO frame's data at stream offset `offset` to the
 * reassembly.  Bytes before base belong to messages already reported
 * (retransmissions) and are dropped.  The caller checked offset +
 * data.len <= base + max_len. */
static bool crypto_add(struct quic_ch_state *st, uint64_t offset, struct bytes data,
		       bool *added)
{
	if (offset + data.len <= st->base)
		return true;
	if (offset < st->base) {
		if (!bytes_skip(&data, (size_t)(st->base - offset)))
			return false;
		offset = st->base;
	}
	if (data.len == 0)
		return true;
	size_t off = (size_t)(offset - st->base);
	size_t end = off + data.len;
	if (!reassembly_grow(st, end))
		return false;
	if (off > st->contig_len)
		st->flags |= FLAG_OUT_OF_ORDER;
	size_t i = off;
	while (i < end) {
		if (have_bit(st, i)) {
			/* A retransmission: keep the first copy. */
			uint8_t byte;
			if (!bytes_get_u8(&data, &byte))
				return false;  /* cannot happen: data.len == end - i */
			if (st->buf[i] != byte)
				st->flags |= FLAG_OVERLAP_MISMATCH;
			i++;
			continue;
		}
		/* A run of bytes not seen yet (usually the whole frame): one
		 * copy instead of a test per byte. */
		size_t j = next_bit(st, i + 1, end, true);
		if (!bytes_copy(&data, &st->buf[i], j - i))
			return false;  /* cannot happen: data.len == end - i */
		set_bits(st, i, j);
		*added = true;
		i = j;
	}
	st->contig_len = next_bit(st, st->contig_len, st->cap_len, false);
	return true;
}

/* Move the reassembly past a reported message of msg_len bytes: keep
 * any bytes that arrived beyond it, free the buffers if there are none. */
static void reassembly_advance(struct quic_ch_state *st, size_t msg_len)
{
	bool later = next_bit(st, msg_len, st->cap_len, true) < st->cap_len;
	uint64_t base = st->base + msg_len;
	uint32_t version = st->version;
	if (!later) {
		reassembly_reset(st);
	} else {
		size_t n = st->cap_len - msg_len;
		for (size_t i = 0; i < st->cap_len; i++) {
			bool b = i < n && have_bit(st, i + msg_len);
			if (b)
				st->buf[i] = st->buf[i + msg_len];
			if (b)
				set_bit(st, i);
			else
				st->have[i / 8] = (uint8_t)(st->have[i / 8] & ~(1u << (i % 8)));
		}
		st->contig_len = next_bit(st, 0, st->cap_len, false);
		st->flags = 0;
		st->n_packets = 0;
	}
	st->base = base;
	st->version = version;
}

/* RFC 9000 s19.6: CRYPTO { Type, Offset (i), Length (i), Crypto Data },
 * read after its type byte. */
static enum step crypto_frame(struct quic_ch_state *st, struct bytes *p, bool apply,
			      bool *added)
{
	uint64_t offset, len;
	struct bytes data;
	if (!bytes_get_varint(p, &offset) || !bytes_get_varint(p, &len))
		return STEP_BAD;
	if (len > p->len || !bytes_get_bytes(p, (size_t)len, &data))
		return STEP_BAD;
	/* s19.6: offset + length may not exceed 2^62 - 1. */
	if (offset > VARINT_MAX - len)
		return STEP_BAD;
	/* Beyond our bound: a ClientHello this large is not reassembled (a
	 * client's Initial stream holds only its ClientHello, or two around
	 * a HelloRetryRequest). */
	if (offset + len > st->base + st->max_len)
		return STEP_FATAL;
	if (apply && !crypto_add(st, offset, data, added))
		return STEP_FATAL;  /* out of memory */
	return STEP_OK;
}

/* Walk the frames of an authenticated Initial payload.  With apply
 * false, only check them (so that a packet with a bad frame adds
 * nothing); with apply true, add CRYPTO data to the reassembly. */
static enum step walk_frames(struct quic_ch_state *st, const struct version_params *vp,
			     struct bytes p, bool apply, bool *added)
{
	/* RFC 9000 s12.4: a packet carries at least one frame. */
	if (bytes_empty(&p))
		return STEP_BAD;
	while (!bytes_empty(&p)) {
		uint8_t type;
		if (!bytes_get_u8(&p, &type))
			return STEP_BAD;
		/* RFC 9000 s12.4: a frame type uses the shortest encoding, one
		 * byte for every type of RFC 9000; a longer one is treated as a
		 * type not allowed here. */
		if (type == vp->crypto_type) {
			enum step s = crypto_frame(st, &p, apply, added);
			if (s != STEP_OK)
				return s;
			continue;
		}
		switch (type) {
		case FT_PADDING:
			/* RFC 9000 s19.1: PADDING is a single zero byte; an Initial
			 * padded to 1,200 bytes (s14.1) holds hundreds of them, read
			 * here as one run rather than one frame each. */
			(void)bytes_skip_run(&p, FT_PADDING);
			break;
		case FT_PING:
			break;
		case FT_ACK:
		case FT_ACK_ECN:
			if (!skip_ack(&p, type == FT_ACK_ECN))
				return STEP_BAD;
			break;
		case FT_CONNECTION_CLOSE:
			if (!skip_connection_close(&p))
				return STEP_BAD;
			break;
		default:
			if (vp->gquic_frames)
				return STEP_OK;
			/* RFC 9000 s12.4: any other frame in an Initial packet is
			 * a PROTOCOL_VIOLATION (STREAM, NEW_TOKEN, 0x1d, ...). */
			return STEP_BAD;
		}
	}
	return STEP_OK;
}

/* ---- packet protection ------------------------------------------------ */

/* RFC 9001 s5.4.3: mask = AES-ECB(hp_key, sample). */
static bool hp_mask(struct quic_crypto *cx, const uint8_t hp[16],
		    const uint8_t sample[HP_SAMPLE_LEN], uint8_t mask[HP_SAMPLE_LEN])
{
#ifdef AIGATE_FUZZ_NO_AEAD
	/* Fuzzing build (tests/fuzz/fuzz_quic_frames.c): no header protection. */
	(void)cx; (void)hp; (void)sample;
	memset(mask, 0, HP_SAMPLE_LEN);
	return true;
#endif
	int n = 0;
	return EVP_EncryptInit_ex2(cx->hp, NULL, hp, NULL, NULL) == 1 &&
	       EVP_EncryptUpdate(cx->hp, mask, &n, sample, HP_SAMPLE_LEN) == 1 &&
	       n == HP_SAMPLE_LEN;
}

/* AEAD_AES_128_GCM open (RFC 9001 s5.3) with the AAD given in three
 * pieces (first byte, rest of the header, packet number) so that the
 * header need not be copied.  false: a bad tag or a libcrypto failure. */
static bool aead_open(struct quic_crypto *cx, const struct quic_initial_keys *k,
		      const uint8_t nonce[12], uint8_t first, struct bytes hdr_rest,
		      const uint8_t *pn, size_t pn_len, struct bytes ct,
		      const uint8_t tag[AEAD_TAG_LEN], uint8_t *out)
{
	if (ct.len > INT_MAX || hdr_rest.len > INT_MAX)
		return false;
#ifdef AIGATE_FUZZ_NO_AEAD
	/* Fuzzing build: the "ciphertext" is the plaintext, the tag is not
	 * checked, so that the fuzzer reaches the frame parser. */
	(void)cx; (void)k; (void)nonce; (void)first; (void)pn; (void)pn_len; (void)tag;
	if (ct.len > 0)
		memcpy(out, ct.ptr, ct.len);
	return true;
#endif
	EVP_CIPHER_CTX *ctx = cx->aead;
	uint8_t tag_copy[AEAD_TAG_LEN];
	memcpy(tag_copy, tag, AEAD_TAG_LEN);
	int n = 0;
	/* The GCM default IV length is the 12 bytes of RFC 9001 s5.3. */
	return EVP_DecryptInit_ex2(ctx, NULL, k->key, nonce, NULL) == 1 &&
	       EVP_DecryptUpdate(ctx, NULL, &n, &first, 1) == 1 &&
	       (hdr_rest.len == 0 ||
		EVP_DecryptUpdate(ctx, NULL, &n, hdr_rest.ptr, (int)hdr_rest.len) == 1) &&
	       EVP_DecryptUpdate(ctx, NULL, &n, pn, (int)pn_len) == 1 &&
	       (ct.len == 0 ||
		EVP_DecryptUpdate(ctx, out, &n, ct.ptr, (int)ct.len) == 1) &&
	       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN, tag_copy) == 1 &&
	       EVP_DecryptFinal_ex(ctx, out, &n) == 1;
}

/* RFC 9000 s17.1 and Appendix A.3: the full packet number from its
 * truncated encoding, relative to the largest packet number seen in
 * this space.  A client's first Initial packet numbers are small (the
 * space starts at 0, RFC 9000 s12.3) and with no packet seen yet the
 * expected number is 0, so the truncated value is the full one; once
 * packets were authenticated, their largest number steers the decoding
 * as the RFC does, which keeps it right past 2^(8*pn_len) too. */
static uint64_t decode_pn(int64_t largest, uint64_t truncated, size_t pn_len)
{
	uint64_t expected = (uint64_t)(largest + 1);
	uint64_t win = UINT64_C(1) << (8 * pn_len);
	uint64_t hwin = win / 2;
	uint64_t candidate = (expected & ~(win - 1)) | truncated;
	if (candidate + hwin <= expected && candidate < (UINT64_C(1) << 62) - win)
		return candidate + win;
	if (candidate > expected + hwin && candidate >= win)
		return candidate - win;
	return candidate;
}

static bool slot_matches(const struct quic_key_slot *k, uint32_t version,
			 struct bytes dcid)
{
	return k->valid && k->version == version && k->dcid_len == dcid.len &&
	       (dcid.len == 0 || memcmp(k->dcid, dcid.ptr, dcid.len) == 0);
}

/* The keys derived from (version, dcid), from the cache or fresh.
 * NULL: libcrypto failed. */
static const struct quic_key_slot *keys_derived(struct quic_ch_state *st,
						struct quic_crypto *cx,
						uint32_t version, struct bytes dcid)
{
	struct quic_key_slot *k = &st->derived;
	if (slot_matches(k, version, dcid))
		return k;
	k->valid = false;
	struct bytes copy = dcid;
	if (!derive_client_keys(cx, version, dcid, &k->keys, NULL) ||
	    !bytes_copy(&copy, k->dcid, dcid.len))
		return NULL;
	k->version = version;
	k->dcid_len = (uint8_t)dcid.len;
	k->valid = true;
	return k;
}

/* One Initial, its fields located by the datagram walk. */
struct initial_pkt {
	uint8_t first_protected;
	struct bytes hdr_rest;   /* header after the first byte, up to the PN */
	struct bytes body;       /* protected PN, ciphertext and tag */
	uint8_t sample[HP_SAMPLE_LEN];
};

/* What opening a packet found. */
struct opened {
	uint8_t first;           /* first byte, protection removed */
	uint64_t pn;
	size_t plain_len;
};

/* Try to remove the protection of one Initial with one key set: header
 * protection (RFC 9001 s5.4), packet number (RFC 9000 A.3), AEAD (RFC
 * 9001 s5.3).  STEP_OK: authenticated, plaintext in plain (plain_cap >=
 * the ciphertext length); STEP_BAD: not with these keys or malformed;
 * STEP_FATAL: libcrypto failed. */
static enum step try_open(const struct quic_ch_state *st, struct quic_crypto *cx,
			  const struct quic_initial_keys *k,
			  const struct initial_pkt *ip, uint8_t *plain, size_t plain_cap,
			  struct opened *o)
{
	uint8_t mask[HP_SAMPLE_LEN];
	if (!hp_mask(cx, k->hp, ip->sample, mask))
		return STEP_FATAL;
	/* RFC 9001 s5.4.1: a long header has its low 4 bits masked. */
	uint8_t first = (uint8_t)(ip->first_protected ^ (mask[0] & 0x0f));
	size_t pn_len = (size_t)(first & LH_PN_LEN) + 1;
	struct bytes body = ip->body;
	uint8_t pn[4];
	uint64_t truncated = 0;
	for (size_t i = 0; i < pn_len; i++) {
		uint8_t b;
		if (!bytes_get_u8(&body, &b))
			return STEP_BAD;
		pn[i] = (uint8_t)(b ^ mask[1 + i]);
		truncated = (truncated << 8) | pn[i];
	}
	/* What is left is the ciphertext (at least one byte: RFC 9000
	 * s12.4, a packet holds a frame) and the 16-byte tag. */
	struct bytes ct, tag_view;
	if (body.len < AEAD_TAG_LEN + 1 ||
	    !bytes_get_bytes(&body, body.len - AEAD_TAG_LEN, &ct) || ct.len > plain_cap)
		return STEP_BAD;
	tag_view = body;
	uint8_t tag[AEAD_TAG_LEN];
	if (!bytes_copy(&tag_view, tag, AEAD_TAG_LEN))
		return STEP_BAD;
	uint64_t pn_full = decode_pn(st->largest_pn, truncated, pn_len);
	/* RFC 9001 s5.3: nonce = iv XOR the packet number, left-padded to
	 * the IV length. */
	uint8_t nonce[12];
	memcpy(nonce, k->iv, sizeof(nonce));
	for (size_t i = 0; i < 8; i++)
		nonce[11 - i] = (uint8_t)(nonce[11 - i] ^ (uint8_t)(pn_full >> (8 * i)));
	/* RFC 9001 s5.3: the AAD is the header with protection removed, from
	 * the first byte to the end of the packet number. */
	if (!aead_open(cx, k, nonce, first, ip->hdr_rest, pn, pn_len, ct, tag, plain))
		return STEP_BAD;
	o->first = first;
	o->pn = pn_full;
	o->plain_len = ct.len;
	return STEP_OK;
}

/* Remove the protection of one Initial and take its frames.
 *   pkt:      the whole packet, from the first byte to the end of Length
 *   pn_off:   where the (protected) packet number starts in pkt */
static enum step open_initial(struct quic_ch_state *st, struct quic_crypto *cx,
			      uint32_t version,
			      const struct version_params *vp, struct bytes dcid,
			      struct bytes pkt, size_t pn_off, bool *added)
{
	struct initial_pkt ip;
	struct bytes hdr, rest;
	if (!bytes_get_bytes(&pkt, pn_off, &hdr) || !bytes_get_u8(&hdr, &ip.first_protected))
		return STEP_BAD;
	ip.hdr_rest = hdr;
	ip.body = pkt;
	/* RFC 9001 s5.4.2: the sample starts 4 bytes after the start of the
	 * packet number field, whatever its length. */
	if (!bytes_tail(&pkt, 4, &rest) || !bytes_copy(&rest, ip.sample, HP_SAMPLE_LEN))
		return STEP_BAD;

	uint8_t stack_plain[STACK_PLAIN_LEN];
	uint8_t *plain = stack_plain;
	size_t plain_cap = sizeof(stack_plain);
	if (pkt.len > plain_cap) {
		plain_cap = pkt.len;
		plain = malloc(plain_cap);
		if (plain == NULL)
			return STEP_FATAL;
	}
	struct opened o;
	enum step r;
	const struct quic_key_slot *k = NULL;
	if (slot_matches(&st->good, version, dcid)) {
		k = &st->good;
		r = try_open(st, cx, &k->keys, &ip, plain, plain_cap, &o);
	} else {
		k = keys_derived(st, cx, version, dcid);
		r = k ? try_open(st, cx, &k->keys, &ip, plain, plain_cap, &o) : STEP_FATAL;
		if (r == STEP_BAD && st->good.valid && st->good.version == version) {
			k = &st->good;
			r = try_open(st, cx, &k->keys, &ip, plain, plain_cap, &o);
		}
	}
	if (r == STEP_OK) {
		if (k != &st->good)
			st->good = *k;
		/* RFC 9000 s17.2: reserved bits must be 0 after removing
		 * protection. */
		if ((o.first & LH_RESERVED) != 0) {
			r = STEP_BAD;
		} else {
			if (st->version != version) {
				/* A new attempt (after Version Negotiation) restarts
				 * the handshake from offset 0. */
				if (st->version != 0)
					reassembly_reset(st);
				st->version = version;
			}
			if (o.pn <= (uint64_t)INT64_MAX && (int64_t)o.pn > st->largest_pn)
				st->largest_pn = (int64_t)o.pn;
			struct bytes p = bytes_make(plain, o.plain_len);
			r = walk_frames(st, vp, p, false, added);
			if (r == STEP_OK)
				r = walk_frames(st, vp, p, true, added);
		}
	}
	if (plain != stack_plain)
		free(plain);
	return r;
}

/* ---- the ClientHello -------------------------------------------------- */

/* Is the stream from base a complete ClientHello?  STEP_OK with *done
 * set (and *out_msg_len its length) when it was parsed into *out. */
static enum step try_complete(struct quic_ch_state *st, struct tls_client_hello *out,
			      bool *done, size_t *out_msg_len)
{
	*done = false;
	if (st->contig_len == 0)
		return STEP_OK;
	/* RFC 9001 s4.1.3 / RFC 8446 s4: the client's Initial CRYPTO stream
	 * holds its ClientHello (two around a HelloRetryRequest):
	 * Handshake { msg_type (1), length (3), body }. */
	if (st->buf[0] != TLS_HS_CLIENT_HELLO)
		return STEP_FATAL;
	if (st->contig_len < TLS_HS_HEADER_LEN)
		return STEP_OK;
	struct bytes hdr = bytes_make(st->buf, TLS_HS_HEADER_LEN);
	uint8_t type;
	uint32_t body_len;
	if (!bytes_get_u8(&hdr, &type) || !bytes_get_u24(&hdr, &body_len))
		return STEP_FATAL;
	size_t msg_len = TLS_HS_HEADER_LEN + (size_t)body_len;
	if (msg_len > st->max_len)
		return STEP_FATAL;
	if (st->contig_len < msg_len)
		return STEP_OK;
	enum parse_result r = tls_parse_handshake(bytes_make(st->buf, msg_len), out);
	if (r != PARSE_OK)
		return STEP_FATAL;
	*done = true;
	*out_msg_len = msg_len;
	return STEP_OK;
}

/* ---- datagrams -------------------------------------------------------- */

bool quic_looks_like_initial(struct bytes p)
{
	uint8_t first;
	uint32_t version;
	if (!bytes_get_u8(&p, &first) || !bytes_get_u32(&p, &version))
		return false;
	if (!(first & LH_FORM))
		return false;
	const struct version_params *vp = version_lookup(version);
	if (vp == NULL)
		return false;
	return ((first >> LH_TYPE_SHIFT) & 3u) == vp->initial_type;
}

static enum parse_result feed_datagram(struct quic_ch_state *st, struct quic_crypto *cx,
				       struct bytes udp_payload,
				       struct tls_client_hello *out, uint32_t *flags_out)
{
	struct bytes rest = udp_payload;
	struct bytes first_dcid = { NULL, 0 };
	bool any_ok = false, any_bad = false;

	for (unsigned n = 0; n < QUIC_MAX_PACKETS_PER_DATAGRAM && !bytes_empty(&rest); n++) {
		struct bytes pkt_start = rest;
		struct bytes cur = rest;
		uint8_t first;
		uint32_t version;
		/* RFC 8999 s5.1 / RFC 9000 s17.2: a long header has the high
		 * bit set; a short header ends the walk (its length is the
		 * rest of the datagram), so does trailing padding (0x00). */
		if (!bytes_get_u8(&cur, &first) || !(first & LH_FORM))
			break;
		if (!bytes_get_u32(&cur, &version)) {
			if (n == 0)
				return PARSE_NOT_MINE;
			break;  /* trailing bytes that are no packet */
		}
		/* Version first (STYLE.md): 0 is Version Negotiation (RFC 9000
		 * s17.2.1), others are not ours (gQUIC Q0xx, unknown). */
		const struct version_params *vp = version_lookup(version);
		if (vp == NULL)
			break;
		unsigned type = (first >> LH_TYPE_SHIFT) & 3u;
		if (n == 0 && type != vp->initial_type)
			return PARSE_NOT_MINE;
		if (type == vp->retry_type)
			break;  /* RFC 9000 s17.2.5: no Length field to step over */

		struct bytes dcid, scid;
		/* RFC 9000 s17.2: connection IDs of at most 20 bytes in v1. */
		if (!bytes_get_prefixed_u8(&cur, &dcid) || dcid.len > QUIC_MAX_CID_LEN ||
		    !bytes_get_prefixed_u8(&cur, &scid) || scid.len > QUIC_MAX_CID_LEN) {
			any_bad = true;
			break;
		}
		/* RFC 9000 s12.2: packets after the first with another DCID
		 * are ignored. */
		if (n == 0) {
			first_dcid = dcid;
		} else if (dcid.len != first_dcid.len ||
			   (dcid.len > 0 && memcmp(dcid.ptr, first_dcid.ptr, dcid.len) != 0)) {
			break;
		}
		/* RFC 9000 s17.2.2: an Initial has Token Length (i), Token. */
		if (type == vp->initial_type) {
			uint64_t token_len;
			if (!bytes_get_varint(&cur, &token_len) || token_len > cur.len ||
			    !bytes_skip(&cur, (size_t)token_len)) {
				any_bad = true;
				break;
			}
		}
		/* RFC 9000 s17.2: Length (i) covers the packet number and the
		 * payload; the packet ends there (s12.2). */
		uint64_t length;
		if (!bytes_get_varint(&cur, &length) || length > cur.len) {
			any_bad = true;
			break;
		}
		size_t pn_off = pkt_start.len - cur.len;
		size_t pkt_len = pn_off + (size_t)length;
		struct bytes pkt;
		if (!bytes_get_bytes(&rest, pkt_len, &pkt)) {
			any_bad = true;
			break;
		}
		if (type != vp->initial_type)
			continue;  /* 0-RTT or Handshake: other keys, step over */

		bool added = false;
		enum step s = open_initial(st, cx, version, vp, dcid, pkt, pn_off, &added);
		if (s == STEP_FATAL)
			return PARSE_MALFORMED;
		if (s == STEP_BAD) {
			/* RFC 9000 s12.2: a packet that fails is dropped and the
			 * others are still processed; each is authenticated on
			 * its own, so going on is safe. */
			any_bad = true;
			continue;
		}
		any_ok = true;
		if (added)
			st->n_packets++;
		if (st->n_packets > 1)
			st->flags |= FLAG_REASSEMBLED;
		bool done;
		size_t msg_len = 0;
		if (try_complete(st, out, &done, &msg_len) != STEP_OK)
			return PARSE_MALFORMED;
		if (done) {
			*flags_out = FLAG_QUIC | st->flags | out->flags;
			reassembly_advance(st, msg_len);
			return PARSE_OK;
		}
	}
	if (any_ok)
		return PARSE_NEED_MORE;
	if (any_bad)
		return PARSE_MALFORMED;
	return PARSE_NOT_MINE;
}

enum parse_result quic_feed_datagram(struct quic_ch_state *st, struct bytes udp_payload,
				     struct tls_client_hello *out, uint32_t *flags_out)
{
	if (st->crypto != NULL)
		return feed_datagram(st, st->crypto, udp_payload, out, flags_out);
	/* No shared context (tests, one-off callers): one for this call. */
	struct quic_crypto *cx = quic_crypto_new();
	if (cx == NULL)
		return PARSE_MALFORMED;
	enum parse_result r = feed_datagram(st, cx, udp_payload, out, flags_out);
	quic_crypto_free(cx);
	return r;
}
