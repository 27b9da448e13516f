/* tls.c: the client side of a TLS handshake as far as names go: the
 * record layer (RFC 8446 s5.1), the ClientHello (RFC 8446 s4.1.2, RFC
 * 5246 s7.4.1.2, SSLv2 format of RFC 5246 E.2), server_name (RFC 6066
 * s3), ALPN (RFC 7301 s3.1) and encrypted_client_hello
 * (draft-ietf-tls-esni s5).  See tls.h.
 *
 * Every read goes through the cursor of bytes.h; a field that carries a
 * length becomes a child view that must be consumed exactly. */
#include "tls.h"

#include <string.h>

/* RFC 6066 s3: HostName is opaque<1..2^16-1> but a DNS host name is at
 * most 255 octets; anything longer is not a name we could match. */
#define SNI_MAX_LEN 255

/* RFC 8446 s4.1.2: legacy_session_id<0..32>. */
#define SESSION_ID_MAX_LEN 32

/* One bit per possible extension type: 8 KiB, exact for all 65,536 types
 * (GREASE included), without a cap on how many extensions a hello has. */
struct ext_seen {
	uint64_t bits[65536 / 64];
};

/* True when `type` was seen before; marks it seen. */
static bool ext_seen_test_and_set(struct ext_seen *s, uint16_t type)
{
	uint64_t mask = (uint64_t)1 << (type % 64);
	bool seen = (s->bits[type / 64] & mask) != 0;
	s->bits[type / 64] |= mask;
	return seen;
}

/* RFC 6066 s3:
 *   struct { NameType name_type; select (name_type) {
 *            case host_name: HostName; } name; } ServerName;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 * "The ServerNameList MUST NOT contain more than one name of the same
 * name_type." */
static enum parse_result parse_server_name(struct bytes data,
					   struct tls_client_hello *out)
{
	struct bytes list;
	if (!bytes_get_prefixed_u16(&data, &list) || !bytes_empty(&data))
		return PARSE_MALFORMED;
	if (bytes_empty(&list))
		return PARSE_MALFORMED;
	while (!bytes_empty(&list)) {
		uint8_t name_type;
		struct bytes name;
		if (!bytes_get_u8(&list, &name_type))
			return PARSE_MALFORMED;
		/* RFC 6066 s3: future name types also begin with a 16-bit
		 * length, so an unknown one can be skipped the same way. */
		if (!bytes_get_prefixed_u16(&list, &name))
			return PARSE_MALFORMED;
		if (name_type != 0)
			continue;
		if (out->has_sni)
			return PARSE_MALFORMED;
		/* HostName<1..2^16-1>: non-empty; a NUL byte would cut the
		 * name short in C strings and is never part of a host name. */
		if (name.len == 0 || name.len > SNI_MAX_LEN)
			return PARSE_MALFORMED;
		if (memchr(name.ptr, 0, name.len) != NULL)
			return PARSE_MALFORMED;
		size_t name_len = name.len;
		if (!bytes_copy(&name, out->sni, name_len))
			return PARSE_MALFORMED;
		out->sni[name_len] = '\0';
		out->sni_len = name_len;
		out->has_sni = true;
	}
	return PARSE_OK;
}

/* RFC 7301 s3.1:
 *   opaque ProtocolName<1..2^8-1>;
 *   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 * The names are joined with ',' into out->alpn: whole names while they
 * fit, except that a first name too long for the buffer is cut. */
static enum parse_result parse_alpn(struct bytes data, struct tls_client_hello *out)
{
	struct bytes list;
	if (!bytes_get_prefixed_u16(&data, &list) || !bytes_empty(&data))
		return PARSE_MALFORMED;
	if (bytes_empty(&list))
		return PARSE_MALFORMED;
	size_t used = 0;
	bool full = false;
	while (!bytes_empty(&list)) {
		struct bytes name;
		if (!bytes_get_prefixed_u8(&list, &name) || name.len == 0)
			return PARSE_MALFORMED;
		if (full)
			continue;
		size_t sep = used > 0 ? 1 : 0;
		size_t room = sizeof(out->alpn) - 1 - used;
		size_t take = name.len;
		if (sep + take > room) {
			full = true;
			if (used > 0)
				continue;
			take = room;
		}
		if (sep)
			out->alpn[used++] = ',';
		if (!bytes_copy(&name, &out->alpn[used], take))
			return PARSE_MALFORMED;
		used += take;
		out->alpn[used] = '\0';
	}
	return PARSE_OK;
}

/* draft-ietf-tls-esni s5:
 *   enum { outer(0), inner(1) } ECHClientHelloType;
 *   struct { ECHClientHelloType type; select (type) {
 *     case outer: HpkeSymmetricCipherSuite cipher_suite; uint8 config_id;
 *                 opaque enc<0..2^16-1>; opaque payload<1..2^16-1>;
 *     case inner: Empty; }; } ECHClientHello;
 *
 * What the wire can tell: the type, the HPKE suite, the config_id and the
 * sizes.  What it cannot: whether this is real ECH or GREASE ECH (s6.2),
 * which picks a random config_id, an enc of the KEM's size and a payload
 * of the length a real one would have, precisely so that an observer
 * cannot tell.  Only outside knowledge (is the outer SNI a published ECH
 * front, does config_id match its ECHConfig from DNS) decides, so this
 * parser never sets FLAG_ECH_GREASE.
 *
 * A body that does not parse is recorded (ech_parsed false), not refused:
 * a server without ECH ignores the extension and would still complete
 * the handshake, so refusing the hello would only hide its SNI. */
static void parse_ech(struct bytes data, struct tls_client_hello *out)
{
	uint8_t type;
	if (!bytes_get_u8(&data, &type))
		return;
	if (type == TLS_ECH_INNER) {
		if (!bytes_empty(&data))
			return;
		out->ech_type = type;
		out->ech_parsed = true;
		return;
	}
	if (type != TLS_ECH_OUTER)
		return;
	uint16_t kdf, aead;
	uint8_t config_id;
	struct bytes enc, payload;
	if (!bytes_get_u16(&data, &kdf) || !bytes_get_u16(&data, &aead) ||
	    !bytes_get_u8(&data, &config_id) ||
	    !bytes_get_prefixed_u16(&data, &enc) ||
	    !bytes_get_prefixed_u16(&data, &payload) || payload.len == 0 ||
	    !bytes_empty(&data))
		return;
	out->ech_parsed = true;
	out->ech_type = type;
	out->ech_kdf = kdf;
	out->ech_aead = aead;
	out->ech_config_id = config_id;
	out->ech_enc_len = enc.len;
	out->ech_payload_len = payload.len;
}

/* RFC 8446 s4.2: Extension extensions<8..2^16-1>, each
 * struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; }.
 * "There MUST NOT be more than one extension of the same type." */
static enum parse_result parse_extensions(struct bytes exts,
					  struct tls_client_hello *out)
{
	struct ext_seen seen;
	memset(&seen, 0, sizeof(seen));
	while (!bytes_empty(&exts)) {
		uint16_t type;
		struct bytes data;
		if (!bytes_get_u16(&exts, &type) ||
		    !bytes_get_prefixed_u16(&exts, &data))
			return PARSE_MALFORMED;
		if (ext_seen_test_and_set(&seen, type))
			return PARSE_MALFORMED;
		out->n_extensions++;
		enum parse_result r = PARSE_OK;
		switch (type) {
		case TLS_EXT_SERVER_NAME:
			r = parse_server_name(data, out);
			break;
		case TLS_EXT_ALPN:
			r = parse_alpn(data, out);
			break;
		case TLS_EXT_ECH:
			out->flags |= FLAG_ECH;
			parse_ech(data, out);
			break;
		case TLS_EXT_ESNI:
			out->flags |= FLAG_ESNI;
			break;
		default:
			break;
		}
		if (r != PARSE_OK)
			return r;
	}
	return PARSE_OK;
}

static enum parse_result parse_body(struct bytes body, struct tls_client_hello *out)
{
	/* RFC 8446 s4.1.2:
	 *   ProtocolVersion legacy_version; Random random;
	 *   opaque legacy_session_id<0..32>;
	 *   CipherSuite cipher_suites<2..2^16-2>;
	 *   opaque legacy_compression_methods<1..2^8-1>;
	 *   Extension extensions<8..2^16-1>;
	 * legacy_version is recorded, not judged: the record layer already
	 * said this is TLS, and servers negotiate whatever it says. */
	uint16_t version;
	struct bytes session_id, suites, compression;
	if (!bytes_get_u16(&body, &version) || !bytes_skip(&body, 32))
		return PARSE_MALFORMED;
	out->legacy_version = version;
	if (!bytes_get_prefixed_u8(&body, &session_id) ||
	    session_id.len > SESSION_ID_MAX_LEN)
		return PARSE_MALFORMED;
	/* CipherSuite is two bytes: the list is even and non-empty. */
	if (!bytes_get_prefixed_u16(&body, &suites) || suites.len == 0 ||
	    suites.len % 2 != 0)
		return PARSE_MALFORMED;
	if (!bytes_get_prefixed_u8(&body, &compression) || compression.len == 0)
		return PARSE_MALFORMED;
	/* RFC 5246 s7.4.1.2: a TLS 1.0-1.2 ClientHello may end here; "this
	 * can be determined by seeing if there are bytes following the
	 * compression_methods". */
	if (!bytes_empty(&body)) {
		struct bytes exts;
		if (!bytes_get_prefixed_u16(&body, &exts) || !bytes_empty(&body))
			return PARSE_MALFORMED;
		enum parse_result r = parse_extensions(exts, out);
		if (r != PARSE_OK)
			return r;
	}
	if (!out->has_sni)
		out->flags |= FLAG_NO_SNI;
	return PARSE_OK;
}

enum parse_result tls_parse_client_hello_body(struct bytes body,
					      struct tls_client_hello *out)
{
	memset(out, 0, sizeof(*out));
	enum parse_result r = parse_body(body, out);
	/* A refused hello must not leave a half-read name behind. */
	if (r != PARSE_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/* RFC 8446 s4: struct { HandshakeType msg_type; uint24 length; ... }. */
enum parse_result tls_parse_handshake(struct bytes msg, struct tls_client_hello *out)
{
	memset(out, 0, sizeof(*out));
	uint8_t type;
	uint32_t len;
	struct bytes body;
	if (!bytes_get_u8(&msg, &type))
		return PARSE_NEED_MORE;
	if (type != TLS_HS_CLIENT_HELLO)
		return PARSE_NOT_MINE;
	if (!bytes_get_u24(&msg, &len) || !bytes_get_bytes(&msg, len, &body))
		return PARSE_NEED_MORE;
	return tls_parse_client_hello_body(body, out);
}

/* RFC 5246 E.2, the SSL 2.0 CLIENT-HELLO that old clients send for
 * compatibility (two-byte record header, high bit set):
 *   uint8 msg_type (1); Version version; uint16 cipher_spec_length;
 *   uint16 session_id_length; uint16 challenge_length;
 *   V2CipherSpec cipher_specs[cipher_spec_length];   (3 bytes each)
 *   opaque session_id[session_id_length];             (0 or 16)
 *   opaque challenge[challenge_length];               (16..32)
 * It has no extensions and so no name.  NOT_MINE unless the first bytes
 * look like one; once they do, a bad length is MALFORMED. */
static enum parse_result parse_sslv2(struct bytes stream,
				     struct tls_client_hello *out,
				     size_t *consumed)
{
	uint16_t header, version, spec_len, sid_len, challenge_len;
	uint8_t msg_type;
	struct bytes msg;
	/* Judge the bytes that are there before waiting for more. */
	uint8_t b0, b1, b2;
	if (bytes_peek_u8(&stream, 2, &b0) && b0 != TLS_HS_CLIENT_HELLO)
		return PARSE_NOT_MINE;
	if (bytes_peek_u8(&stream, 3, &b1) && bytes_peek_u8(&stream, 4, &b2)) {
		uint16_t v = (uint16_t)(b1 << 8 | b2);
		if (v < 0x0002 || v > 0x0303)
			return PARSE_NOT_MINE;
	} else if (bytes_peek_u8(&stream, 3, &b1) && b1 > 0x03) {
		return PARSE_NOT_MINE;
	}
	/* Only once msg_type and version say SSLv2 is a bad length ours. */
	if (stream.len < 5 || !bytes_get_u16(&stream, &header))
		return PARSE_NEED_MORE;
	size_t msg_len = header & 0x7fffu;
	if (msg_len < 9)
		return PARSE_MALFORMED;
	if (!bytes_get_bytes(&stream, msg_len, &msg))
		return PARSE_NEED_MORE;
	if (!bytes_get_u8(&msg, &msg_type) || !bytes_get_u16(&msg, &version) ||
	    !bytes_get_u16(&msg, &spec_len) || !bytes_get_u16(&msg, &sid_len) ||
	    !bytes_get_u16(&msg, &challenge_len))
		return PARSE_MALFORMED;
	if (spec_len == 0 || spec_len % 3 != 0 || (sid_len != 0 && sid_len != 16) ||
	    challenge_len < 16 || challenge_len > 32)
		return PARSE_MALFORMED;
	if ((size_t)spec_len + sid_len + challenge_len != msg.len)
		return PARSE_MALFORMED;
	memset(out, 0, sizeof(*out));
	out->legacy_version = version;
	out->flags = FLAG_SSLV2 | FLAG_NO_SNI;
	*consumed = 2 + msg_len;
	return PARSE_OK;
}

/* Judge a stream's first bytes: a TLS record header must start with
 * ContentType handshake (22) and a version whose major byte is 3. */
static enum parse_result classify_start(const struct bytes *stream)
{
	uint8_t b0, b1;
	if (!bytes_peek_u8(stream, 0, &b0))
		return PARSE_NEED_MORE;
	if (b0 & 0x80)
		return PARSE_OK; /* SSLv2 candidate: parse_sslv2 decides */
	if (b0 != TLS_CONTENT_HANDSHAKE)
		return PARSE_NOT_MINE;
	if (bytes_peek_u8(stream, 1, &b1) && b1 != 3)
		return PARSE_NOT_MINE;
	return PARSE_OK;
}

/* A record still incomplete: refuse it early when the bytes already
 * there show that its hello can never be accepted (another handshake
 * type, or a message that spans records and will not fit in scratch),
 * so that the caller stops buffering. */
static enum parse_result judge_partial(const struct bytes *part, size_t rec_len,
				       size_t have, size_t scratch_len)
{
	uint8_t b[4];
	if (have != 0)
		return PARSE_NEED_MORE;
	if (bytes_peek_u8(part, 0, &b[0]) && b[0] != TLS_HS_CLIENT_HELLO)
		return PARSE_MALFORMED;
	for (size_t i = 1; i < 4; i++)
		if (!bytes_peek_u8(part, i, &b[i]))
			return PARSE_NEED_MORE;
	size_t need = 4 + ((size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3]);
	if (need > rec_len && need > scratch_len)
		return PARSE_MALFORMED;
	return PARSE_NEED_MORE;
}

enum parse_result tls_parse_stream(struct bytes stream, uint8_t *scratch,
				   size_t scratch_len,
				   struct tls_client_hello *out,
				   size_t *consumed)
{
	memset(out, 0, sizeof(*out));
	enum parse_result start = classify_start(&stream);
	if (start != PARSE_OK)
		return start;
	uint8_t first;
	if (bytes_peek_u8(&stream, 0, &first) && (first & 0x80))
		return parse_sslv2(stream, out, consumed);

	size_t total = stream.len;
	uint8_t hdr[4];        /* the handshake header, as it arrives */
	size_t have = 0;       /* bytes of the handshake message seen */
	size_t need = 0;       /* 4 + its length, once the header is known */
	bool first_record = true;
	bool hdr_stored = false; /* hdr copied to the start of scratch */
	for (;;) {
		/* RFC 8446 s5.1:
		 *   struct { ContentType type; ProtocolVersion legacy_record_version;
		 *            uint16 length; opaque fragment[length]; } TLSPlaintext; */
		uint8_t type;
		uint16_t version, rec_len;
		struct bytes rec = stream, frag;
		if (!bytes_get_u8(&rec, &type))
			return PARSE_NEED_MORE;
		/* "Handshake messages MUST NOT be interleaved with other
		 * record types": an alert, change_cipher_spec or data record
		 * before the ClientHello is complete is no valid client. */
		if (type != TLS_CONTENT_HANDSHAKE)
			return first_record ? PARSE_NOT_MINE : PARSE_MALFORMED;
		if (!bytes_get_u16(&rec, &version)) {
			uint8_t major;
			if (bytes_peek_u8(&rec, 0, &major) && major != 3)
				return first_record ? PARSE_NOT_MINE : PARSE_MALFORMED;
			return PARSE_NEED_MORE;
		}
		if ((version >> 8) != 3)
			return first_record ? PARSE_NOT_MINE : PARSE_MALFORMED;
		/* SSL 3.0 (0x0300) up to TLS 1.3's 0x0304; clients send 0x0301
		 * or 0x0303 (RFC 8446 s5.1, Appendix D). */
		if (version > 0x0304)
			return PARSE_MALFORMED;
		if (!bytes_get_u16(&rec, &rec_len))
			return PARSE_NEED_MORE;
		/* RFC 8446 s5.1: zero-length handshake fragments MUST NOT be
		 * sent; plaintext longer than 2^14 is a record_overflow (the
		 * same bound as TLSPlaintext in RFC 5246 s6.2.1). */
		if (rec_len == 0 || rec_len > TLS_MAX_RECORD_LEN)
			return PARSE_MALFORMED;
		if (!bytes_get_bytes(&rec, rec_len, &frag))
			return judge_partial(&rec, rec_len, have, scratch_len);
		stream = rec;

		/* The handshake header, which one-byte records may spread
		 * over four records; the type is judged as soon as it is
		 * there: the client's first message is a ClientHello
		 * (RFC 8446 s4.1.2). */
		while (have < 4 && !bytes_empty(&frag)) {
			if (!bytes_get_u8(&frag, &hdr[have]))
				return PARSE_MALFORMED;
			if (have == 0 && hdr[0] != TLS_HS_CLIENT_HELLO)
				return PARSE_MALFORMED;
			have++;
			if (have == 4)
				need = 4 + ((size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3]);
		}
		if (have < 4) {
			first_record = false;
			continue;
		}
		if (first_record && frag.len >= need - 4) {
			/* The whole message sits in the first record: parse it
			 * in place.  Bytes after it in that record would be a
			 * second handshake message, which a client does not
			 * send before the server's reply. */
			struct bytes body;
			if (!bytes_get_bytes(&frag, need - 4, &body) ||
			    !bytes_empty(&frag))
				return PARSE_MALFORMED;
			enum parse_result r = tls_parse_client_hello_body(body, out);
			if (r != PARSE_OK)
				return PARSE_MALFORMED;
			*consumed = total - stream.len;
			return PARSE_OK;
		}
		/* Reassembly in scratch; the bound is known from the header,
		 * so a message too large is refused before it is gathered. */
		if (need > scratch_len || scratch == NULL)
			return PARSE_MALFORMED;
		if (!hdr_stored) {
			struct bytes h = bytes_make(hdr, sizeof(hdr));
			if (!bytes_copy(&h, scratch, sizeof(hdr)))
				return PARSE_MALFORMED;
			hdr_stored = true;
		}
		if (frag.len > need - have)
			return PARSE_MALFORMED;
		size_t n = frag.len;
		if (!bytes_copy(&frag, &scratch[have], n))
			return PARSE_MALFORMED;
		have += n;
		first_record = false;
		if (have == need) {
			struct bytes msg = bytes_make(scratch, need);
			enum parse_result r = tls_parse_handshake(msg, out);
			if (r != PARSE_OK)
				return PARSE_MALFORMED;
			*consumed = total - stream.len;
			return PARSE_OK;
		}
	}
}
