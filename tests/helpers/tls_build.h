/* tls_build.h: a ClientHello builder for tests: a handshake message with
 * the server_name, ALPN, ECH, key_share, GREASE, duplicate or any other
 * extensions a test wants, and a splitter that wraps a handshake message
 * into TLS records of a given size (RFC 8446 s5.1).
 *
 * Every function writes into caller storage and returns the number of
 * bytes written, or 0 when `cap` is too small or the options cannot be
 * encoded (a field longer than its length prefix allows).
 *
 *   uint8_t hs[4096], rec[4200];
 *   struct tls_build_opts o = { .sni = "chatgpt.com", .alpn = "h2,http/1.1" };
 *   size_t hs_len = tls_build_client_hello(hs, sizeof(hs), &o);
 *   size_t n = tls_build_records(rec, sizeof(rec), hs, hs_len, 100);
 *
 * or, for a whole record-layer stream of about 1,800 bytes in one call:
 *   size_t n = tls_build_simple(rec, sizeof(rec), "chatgpt.com", 1800);
 */
#ifndef AIGATE_TLS_BUILD_H
#define AIGATE_TLS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One extension, emitted verbatim: type, then a u16 length, then data. */
struct tls_build_ext {
	uint16_t type;
	const uint8_t *data; /* may be NULL when data_len is 0 */
	size_t data_len;
};

struct tls_build_opts {
	uint16_t legacy_version;   /* 0: 0x0303 */
	/* server_name (RFC 6066 s3): NULL for none; "" gives an empty
	 * host_name; sni2 adds a second host_name entry to the same list. */
	const char *sni;
	const char *sni2;
	bool sni_empty_list;       /* a server_name extension with an empty list */
	/* ALPN (RFC 7301): names separated by ',' ("h2,http/1.1"); NULL for
	 * none; "" gives an empty protocol list; ",," gives empty names. */
	const char *alpn;
	size_t session_id_len;     /* bytes of legacy_session_id (default 0) */
	/* Override the cipher-suite / compression byte counts (defaults 4
	 * and 1) to build invalid ones (empty, odd). */
	bool set_cipher_suites_len;
	size_t cipher_suites_len;
	bool set_compression_len;
	size_t compression_len;
	bool no_extensions;        /* no extensions block at all (old TLS) */
	bool grease;               /* a GREASE extension 0x?a?a first and another last */
	/* encrypted_client_hello 0xfe0d, outer: HPKE KDF 1, AEAD 1, the
	 * given config_id, a 32-byte enc and a payload of ech_payload_len
	 * bytes (0: no ECH extension). */
	size_t ech_payload_len;
	uint8_t ech_config_id;
	/* key_share (51) with one entry of this many key bytes (group
	 * 0x11ec, X25519MLKEM768, when over 32 bytes, else x25519 0x001d);
	 * 1,216 makes a Chrome-like post-quantum hello of about 1,800 bytes.
	 * 0: no key_share. */
	size_t key_share_len;
	const struct tls_build_ext *extra; /* appended in order, after the above */
	size_t n_extra;
	/* padding (RFC 7685) so the handshake message is pad_to bytes when it
	 * is shorter (0: none). */
	size_t pad_to;
	/* Garbage bytes after the extensions block, inside the message. */
	size_t trailing_len;
};

/* A complete ClientHello handshake message (4-byte header then body). */
size_t tls_build_client_hello(uint8_t *out, size_t cap, const struct tls_build_opts *o);

/* Wrap hs (hs_len bytes) into handshake records (content type 22,
 * version 0x0301) carrying record_size bytes each, the last one the rest.
 * record_size 0 is refused (returns 0). */
size_t tls_build_records(uint8_t *out, size_t cap, const uint8_t *hs, size_t hs_len,
			 size_t record_size);

/* A record-layer stream with one ClientHello for sni (NULL: no
 * server_name), ALPN "h2,http/1.1" and an x25519 key share, padded to
 * about pad_to bytes in all (records of at most 2^14 bytes). */
size_t tls_build_simple(uint8_t *out, size_t cap, const char *sni, size_t pad_to);

#endif
