/* tls.h: the TLS record layer and ClientHello (RFC 8446 s4.1.2, RFC 5246
 * s7.4.1.2), server_name (RFC 6066 s3), ALPN (RFC 7301) and
 * encrypted_client_hello (0xfe0d, draft-ietf-tls-esni). */
#ifndef AIGATE_TLS_H
#define AIGATE_TLS_H

#include "bytes.h"
#include "types.h"

#define TLS_ALPN_BUF_LEN 64

struct tls_client_hello {
	bool has_sni;
	char sni[NAME_BUF_LEN];  /* raw host_name bytes, NUL-terminated */
	size_t sni_len;
	/* First ALPN protocol names joined by ',' (truncated to fit). */
	char alpn[TLS_ALPN_BUF_LEN];
	uint16_t legacy_version;
	uint32_t flags;          /* FLAG_ECH, FLAG_ESNI, FLAG_NO_SNI, FLAG_SSLV2, FLAG_ECH_GREASE */
	size_t n_extensions;     /* extensions in the ClientHello */
	/* encrypted_client_hello (0xfe0d), when FLAG_ECH is set.  What the wire
	 * says, not a judgement: Chrome's GREASE ECH is built to look exactly
	 * like a real outer ECHClientHello (random config_id, a real-sized
	 * enc, a payload of plausible length), so these fields cannot tell
	 * the two apart; whether the outer SNI is a known ECH front can.
	 * ech_parsed is false when the body is not a well-formed
	 * ECHClientHello (the other ech_* fields are then 0). */
	bool ech_parsed;
	uint8_t ech_type;        /* TLS_ECH_OUTER or TLS_ECH_INNER */
	uint8_t ech_config_id;
	uint16_t ech_kdf;        /* HPKE KDF id, e.g. 1 = HKDF-SHA256 */
	uint16_t ech_aead;       /* HPKE AEAD id, e.g. 1 = AES-128-GCM */
	size_t ech_enc_len;      /* HPKE encapsulated key */
	size_t ech_payload_len;  /* encrypted ClientHelloInner */
};

/* Extension code points (IANA "TLS ExtensionType Values"). */
#define TLS_EXT_SERVER_NAME 0x0000
#define TLS_EXT_ALPN 0x0010
#define TLS_EXT_ECH 0xfe0d
#define TLS_EXT_ESNI 0xffce

/* ECHClientHelloType (draft-ietf-tls-esni s5). */
#define TLS_ECH_OUTER 0
#define TLS_ECH_INNER 1

/* Content and handshake types (RFC 8446 s5.1, s4). */
#define TLS_CONTENT_HANDSHAKE 22
#define TLS_HS_CLIENT_HELLO 1

/* RFC 8446 s5.1: TLSPlaintext.length MUST NOT exceed 2^14 bytes. */
#define TLS_MAX_RECORD_LEN 16384

/* Parse the body of a Handshake message of type client_hello (the bytes
 * after the 4-byte handshake header).  PARSE_MALFORMED on trailing bytes,
 * duplicate extensions, an empty server_name list, an empty host name or
 * one with a NUL byte, a name over 255 bytes, two host names, a bad ALPN
 * list.  The body must be complete: a short one is PARSE_MALFORMED, never
 * PARSE_NEED_MORE.  A ClientHello without server_name is PARSE_OK with
 * has_sni false and FLAG_NO_SNI.  `out` is caller storage, cleared
 * first and cleared again on any result but PARSE_OK, so a refused hello
 * never leaves a name behind.  Nothing in `out` borrows from `body`. */
enum parse_result tls_parse_client_hello_body(struct bytes body,
					      struct tls_client_hello *out);

/* Reassemble the first handshake message from the start of a client's
 * TLS byte stream (records of content type 22 possibly fragmenting one
 * handshake message across several records; RFC 8446 s5.1) and parse it
 * as a ClientHello.  `scratch` (scratch_len bytes, caller-owned, may be
 * NULL when scratch_len is 0) receives the handshake message when it
 * spans several records; a message that fits in the first record is
 * parsed in place and needs no scratch.  The stream is only read.
 * An SSLv2-format ClientHello (RFC 5246 E.2) is PARSE_OK with
 * FLAG_SSLV2 | FLAG_NO_SNI and has_sni false.
 * The record that completes the ClientHello must end with it (bytes of a
 * further handshake message in that record are PARSE_MALFORMED); records
 * after it are not looked at.  As above, `out` holds a name only on
 * PARSE_OK; *consumed is written only on PARSE_OK.
 * PARSE_OK: a ClientHello was parsed; *consumed is the number of stream
 * bytes it used.  PARSE_NEED_MORE: a valid prefix.  PARSE_NOT_MINE: the
 * stream does not start with a TLS handshake record (nor an SSLv2
 * ClientHello).  PARSE_MALFORMED: a TLS stream whose first handshake
 * message is not a valid ClientHello, or one larger than scratch. */
enum parse_result tls_parse_stream(struct bytes stream, uint8_t *scratch,
				   size_t scratch_len,
				   struct tls_client_hello *out,
				   size_t *consumed);

/* The handshake-message layer alone, for QUIC CRYPTO data (which has no
 * records): parse a complete ClientHello message (4-byte header then
 * body) at the start of `msg`.  PARSE_NEED_MORE while msg is shorter than
 * the header or than the length it announces (bytes after the message
 * are ignored); PARSE_NOT_MINE when the message type is not
 * client_hello; otherwise as tls_parse_client_hello_body. */
enum parse_result tls_parse_handshake(struct bytes msg, struct tls_client_hello *out);

#endif
