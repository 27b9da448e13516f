/* tls_build.c: the test ClientHello builder and record splitter; see
 * tls_build.h. */
#include "tls_build.h"

#include <string.h>

/* Output with an overflow latch: once a write does not fit, every later
 * one is ignored and the result is 0. */
struct writer {
	uint8_t *buf;
	size_t cap, len;
	bool bad;
};

static void put_u8(struct writer *w, unsigned v)
{
	if (w->bad || w->len >= w->cap) {
		w->bad = true;
		return;
	}
	w->buf[w->len++] = (uint8_t)v;
}

static void put_u16(struct writer *w, unsigned v)
{
	put_u8(w, (v >> 8) & 0xff);
	put_u8(w, v & 0xff);
}

static void put_bytes(struct writer *w, const void *p, size_t n)
{
	const uint8_t *src = p;
	for (size_t i = 0; i < n; i++)
		put_u8(w, src[i]);
}

static void put_fill(struct writer *w, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u8(w, v);
}

/* Reserve a length prefix of `size` bytes; end_prefix fills it in. */
static size_t begin_prefix(struct writer *w, size_t size)
{
	size_t at = w->len;
	put_fill(w, 0, size);
	return at;
}

static void end_prefix(struct writer *w, size_t at, size_t size)
{
	if (w->bad)
		return;
	size_t n = w->len - at - size;
	if (size < sizeof(size_t) && n >> (8 * size) != 0) {
		w->bad = true;
		return;
	}
	for (size_t i = 0; i < size; i++)
		w->buf[at + i] = (uint8_t)(n >> (8 * (size - 1 - i)));
}

static void put_ext(struct writer *w, uint16_t type, const uint8_t *data, size_t n)
{
	put_u16(w, type);
	size_t at = begin_prefix(w, 2);
	put_bytes(w, data, n);
	end_prefix(w, at, 2);
}

static void put_server_name(struct writer *w, const struct tls_build_opts *o)
{
	put_u16(w, 0x0000);
	size_t ext = begin_prefix(w, 2);
	size_t list = begin_prefix(w, 2);
	if (!o->sni_empty_list) {
		const char *names[2] = { o->sni, o->sni2 };
		for (size_t i = 0; i < 2; i++) {
			if (names[i] == NULL)
				continue;
			put_u8(w, 0); /* host_name */
			size_t at = begin_prefix(w, 2);
			put_bytes(w, names[i], strlen(names[i]));
			end_prefix(w, at, 2);
		}
	}
	end_prefix(w, list, 2);
	end_prefix(w, ext, 2);
}

static void put_alpn(struct writer *w, const char *alpn)
{
	put_u16(w, 0x0010);
	size_t ext = begin_prefix(w, 2);
	size_t list = begin_prefix(w, 2);
	if (alpn[0] != '\0') {
		const char *p = alpn;
		for (;;) {
			size_t n = strcspn(p, ",");
			size_t at = begin_prefix(w, 1);
			put_bytes(w, p, n);
			end_prefix(w, at, 1);
			if (p[n] == '\0')
				break;
			p = &p[n + 1];
		}
	}
	end_prefix(w, list, 2);
	end_prefix(w, ext, 2);
}

static void put_ech(struct writer *w, const struct tls_build_opts *o)
{
	put_u16(w, 0xfe0d);
	size_t ext = begin_prefix(w, 2);
	put_u8(w, 0);       /* outer */
	put_u16(w, 0x0001); /* HKDF-SHA256 */
	put_u16(w, 0x0001); /* AES-128-GCM */
	put_u8(w, o->ech_config_id);
	put_u16(w, 32);
	put_fill(w, 0xe1, 32);
	size_t at = begin_prefix(w, 2);
	put_fill(w, 0xec, o->ech_payload_len);
	end_prefix(w, at, 2);
	end_prefix(w, ext, 2);
}

static void put_key_share(struct writer *w, size_t key_len)
{
	put_u16(w, 0x0033);
	size_t ext = begin_prefix(w, 2);
	size_t list = begin_prefix(w, 2);
	put_u16(w, key_len > 32 ? 0x11ec : 0x001d);
	size_t at = begin_prefix(w, 2);
	put_fill(w, 0x4b, key_len);
	end_prefix(w, at, 2);
	end_prefix(w, list, 2);
	end_prefix(w, ext, 2);
}

size_t tls_build_client_hello(uint8_t *out, size_t cap, const struct tls_build_opts *o)
{
	struct writer w = { out, cap, 0, false };
	put_u8(&w, 1); /* client_hello */
	size_t body = begin_prefix(&w, 3);
	put_u16(&w, o->legacy_version ? o->legacy_version : 0x0303);
	for (unsigned i = 0; i < 32; i++)
		put_u8(&w, i); /* random */
	size_t at = begin_prefix(&w, 1);
	put_fill(&w, 0x5e, o->session_id_len);
	end_prefix(&w, at, 1);
	at = begin_prefix(&w, 2);
	size_t n_suites = o->set_cipher_suites_len ? o->cipher_suites_len : 4;
	for (size_t i = 0; i < n_suites; i++)
		put_u8(&w, (i % 2 == 0) ? 0x13 : (unsigned)(1 + (i / 2) % 3));
	end_prefix(&w, at, 2);
	at = begin_prefix(&w, 1);
	put_fill(&w, 0, o->set_compression_len ? o->compression_len : 1);
	end_prefix(&w, at, 1);
	if (!o->no_extensions) {
		size_t exts = begin_prefix(&w, 2);
		if (o->grease)
			put_ext(&w, 0x0a0a, NULL, 0);
		if (o->sni != NULL || o->sni_empty_list)
			put_server_name(&w, o);
		if (o->alpn != NULL)
			put_alpn(&w, o->alpn);
		if (o->key_share_len > 0)
			put_key_share(&w, o->key_share_len);
		if (o->ech_payload_len > 0)
			put_ech(&w, o);
		for (size_t i = 0; i < o->n_extra; i++)
			put_ext(&w, o->extra[i].type, o->extra[i].data, o->extra[i].data_len);
		if (o->grease) {
			static const uint8_t one = 0;
			put_ext(&w, 0x5a5a, &one, 1);
		}
		/* RFC 7685 padding: four bytes of header, then zeros. */
		if (o->pad_to > 0 && w.len + 4 < o->pad_to) {
			size_t fill = o->pad_to - w.len - 4;
			if (fill > 0xffff)
				w.bad = true;
			put_u16(&w, 0x0015);
			put_u16(&w, (unsigned)fill);
			put_fill(&w, 0, fill);
		}
		end_prefix(&w, exts, 2);
	}
	put_fill(&w, 0xa5, o->trailing_len);
	end_prefix(&w, body, 3);
	return w.bad ? 0 : w.len;
}

size_t tls_build_records(uint8_t *out, size_t cap, const uint8_t *hs, size_t hs_len,
			 size_t record_size)
{
	if (record_size == 0 || record_size > 0xffff)
		return 0;
	struct writer w = { out, cap, 0, false };
	size_t off = 0;
	do {
		size_t n = hs_len - off < record_size ? hs_len - off : record_size;
		put_u8(&w, 22);
		put_u16(&w, 0x0301);
		put_u16(&w, (unsigned)n);
		put_bytes(&w, &hs[off], n);
		off += n;
	} while (off < hs_len);
	return w.bad ? 0 : w.len;
}

size_t tls_build_simple(uint8_t *out, size_t cap, const char *sni, size_t pad_to)
{
	uint8_t hs[65536];
	struct tls_build_opts o = {
		.sni = sni,
		.alpn = "h2,http/1.1",
		.key_share_len = 32,
		.session_id_len = 32,
	};
	/* Every 2^14 bytes of message costs a 5-byte record header. */
	size_t records = pad_to / 16389 + 1;
	o.pad_to = pad_to > 5 * records ? pad_to - 5 * records : 0;
	size_t hs_len = tls_build_client_hello(hs, sizeof(hs), &o);
	if (hs_len == 0)
		return 0;
	return tls_build_records(out, cap, hs, hs_len, 16384);
}
