/* quic_build.h: a builder of protected QUIC client Initial packets and
 * small TLS ClientHellos for the tests of quic.c, and loaders for the
 * fixtures in tests/data/quic/ (see the README there).
 *
 * Builders write into a buffer the caller owns and return the number of
 * bytes written, or 0 when the result does not fit in `cap` or the
 * arguments are inconsistent (unknown version, pn_len not 1..4, a
 * payload too short to sample for header protection); on 0 the buffer
 * contents are unspecified.  Being test code, this writes bytes with
 * plain indexing; it never parses untrusted input. */
#ifndef AIGATE_QUIC_BUILD_H
#define AIGATE_QUIC_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The header fields of one long-header packet. */
struct quic_build_params {
	uint32_t version;
	const uint8_t *dcid;
	size_t dcid_len;
	const uint8_t *scid;
	size_t scid_len;
	const uint8_t *token;
	size_t token_len;
	uint64_t pn;            /* full packet number (nonce input) */
	size_t pn_len;          /* 1..4 bytes encoded */
	uint8_t reserved_bits;  /* OR-ed into the first byte (0x0c: both) */
	/* Derive the keys from this DCID instead of the header's (a client
	 * that switched to the server's connection ID keeps the keys of its
	 * first DCID, RFC 9001 s5.2); NULL: the header's. */
	const uint8_t *key_dcid;
	size_t key_dcid_len;
};

/* A QUIC varint (RFC 9000 s16) in its shortest form; returns 1, 2, 4 or
 * 8, or 0 when v >= 2^62 or cap is too small. */
size_t quic_build_varint(uint8_t *out, size_t cap, uint64_t v);

/* A CRYPTO frame (RFC 9000 s19.6) carrying data at offset. */
size_t quic_build_crypto_frame(uint8_t *out, size_t cap, uint64_t offset,
			       const uint8_t *data, size_t data_len);

/* A protected client Initial: header from p (Length encoded on 2 bytes),
 * payload (plaintext frames, padded by the caller) sealed with the
 * client's initial keys of p->version and p->dcid, then header
 * protection applied (RFC 9001 s5.3-5.4). */
size_t quic_build_initial(uint8_t *out, size_t cap, const struct quic_build_params *p,
			  const uint8_t *payload, size_t payload_len);

/* A TLS 1.3-shaped ClientHello handshake message (4-byte header and
 * body) with server_name `sni` (NULL: none) and, when pad_len > 0, a
 * padding extension (RFC 7685) of pad_len zero bytes to make it long. */
size_t quic_build_client_hello(uint8_t *out, size_t cap, const char *sni, size_t pad_len);

/* Read a hex file ('#' starts a comment line; whitespace ignored) into
 * out.  false: unreadable, bad hex, or more than cap bytes. */
bool quic_build_load_hex(const char *path, uint8_t *out, size_t cap, size_t *out_len);

/* One datagram of a capture fixture. */
struct quic_fixture_rec {
	uint32_t frame;        /* frame number in the original capture */
	uint16_t stream;       /* tshark udp.stream */
	uint8_t dir;           /* 0: client to server, 1: server to client */
	const uint8_t *payload; /* points into the loaded file */
	size_t payload_len;
};

struct quic_fixture {
	uint8_t *data;         /* the whole file (heap) */
	size_t n_recs;
	struct quic_fixture_rec *recs; /* heap */
};

/* Load a fixture file (format in tests/data/quic/README.md).  false:
 * unreadable or malformed; *fx is then empty.  Free with
 * quic_fixture_free. */
bool quic_fixture_load(const char *path, struct quic_fixture *fx);
void quic_fixture_free(struct quic_fixture *fx);

#endif
