/* test_quic.c: unit tests of quic.c: Initial key derivation and packet
 * protection against RFC 9001 Appendix A and RFC 9369 Appendix A, the
 * datagram walk (coalesced packets, versions, truncation, corruption),
 * CRYPTO reassembly (order, gaps, overlaps, bounds) and real client
 * datagrams cut from the capture corpus (tests/data/quic/README.md),
 * whose names must be tshark's.  Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"
#include "quic.h"
#include "quic_build.h"
#include "tls.h"
#include "types.h"

#define DATA_DIR "tests/data/quic/"

static const uint8_t rfc_dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };

/* RFC 9001 A.2: the CRYPTO frame of the client Initial (a ClientHello
 * for example.com); the payload is this plus PADDING to 1162 bytes. */
static const char rfc_crypto_frame_hex[] =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff";

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; s[0] && s[1] && n < cap; s += 2) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			fail_msg("bad hex");
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[64];
	size_t n = unhex(want_hex, want, sizeof(want));
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
}

static struct bytes B(const uint8_t *p, size_t n)
{
	return bytes_make(p, n);
}

/* ---- known answers ---------------------------------------------------- */

static void test_rfc9001_keys(void **state)
{
	(void)state;
	struct quic_initial_keys k;
	uint8_t secret[32];
	assert_true(quic_derive_client_keys(QUIC_VERSION_1, B(rfc_dcid, 8), &k, secret));
	/* RFC 9001 A.1 */
	assert_hex(secret, 32, "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
	assert_hex(k.key, 16, "1f369613dd76d5467730efcbe3b1a22d");
	assert_hex(k.iv, 12, "fa044b2f42a3fd3b46fb255c");
	assert_hex(k.hp, 16, "9f50449e04a0e810283a1e9933adedd2");
}

static void test_rfc9369_keys(void **state)
{
	(void)state;
	struct quic_initial_keys k;
	uint8_t secret[32];
	assert_true(quic_derive_client_keys(QUIC_VERSION_2, B(rfc_dcid, 8), &k, secret));
	/* RFC 9369 A.1 */
	assert_hex(secret, 32, "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b");
	assert_hex(k.key, 16, "8b1a0bc121284290a29e0971b5cd045d");
	assert_hex(k.iv, 12, "91f73e2351d8fa91660e909f");
	assert_hex(k.hp, 16, "45b95e15235d6f45a6b19cbcb0294ba9");
}

static void test_versions_and_types(void **state)
{
	(void)state;
	struct quic_initial_keys k;
	assert_false(quic_derive_client_keys(0x51303530, B(rfc_dcid, 8), &k, NULL)); /* Q050 */
	assert_false(quic_derive_client_keys(0, B(rfc_dcid, 8), &k, NULL));
	assert_false(quic_derive_client_keys(QUIC_VERSION_DRAFT(22), B(rfc_dcid, 8), &k, NULL));
	uint8_t long_cid[21] = { 0 };
	assert_false(quic_derive_client_keys(QUIC_VERSION_1, B(long_cid, 21), &k, NULL));
	assert_true(quic_derive_client_keys(QUIC_VERSION_1, B(long_cid, 0), &k, NULL));
	const uint32_t known[] = { QUIC_VERSION_1, QUIC_VERSION_2, QUIC_VERSION_DRAFT(23),
				   QUIC_VERSION_DRAFT(28), QUIC_VERSION_DRAFT(29),
				   QUIC_VERSION_DRAFT(32), QUIC_VERSION_MVFST_22,
				   QUIC_VERSION_MVFST_27, QUIC_VERSION_T051, 0x0a0a0a0a,
				   0x1a2a3a4a };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_true(quic_version_known(known[i]));
	assert_false(quic_version_known(QUIC_VERSION_DRAFT(33)));
	assert_int_equal(quic_initial_type(QUIC_VERSION_1), 0);
	assert_int_equal(quic_initial_type(QUIC_VERSION_2), 1);
	/* Different salts give different keys: drafts 23 and 29 differ from v1. */
	struct quic_initial_keys k1, k23, k29;
	assert_true(quic_derive_client_keys(QUIC_VERSION_1, B(rfc_dcid, 8), &k1, NULL));
	assert_true(quic_derive_client_keys(QUIC_VERSION_DRAFT(23), B(rfc_dcid, 8), &k23, NULL));
	assert_true(quic_derive_client_keys(QUIC_VERSION_DRAFT(29), B(rfc_dcid, 8), &k29, NULL));
	assert_memory_not_equal(k1.key, k23.key, 16);
	assert_memory_not_equal(k1.key, k29.key, 16);
	assert_memory_not_equal(k23.key, k29.key, 16);
}

static size_t load_rfc_packet(const char *name, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	assert_true(quic_build_load_hex(name, buf, cap, &n));
	assert_int_equal(n, 1200);
	return n;
}

/* The A.2 payload: the CRYPTO frame then PADDING to 1162 bytes. */
static size_t rfc_payload(uint8_t out[1162])
{
	memset(out, 0, 1162);
	size_t n = unhex(rfc_crypto_frame_hex, out, 1162);
	assert_int_equal(n, 245);
	return 1162;
}

static void check_rfc_packet(uint32_t version, const char *file)
{
	uint8_t pkt[1300];
	size_t n = load_rfc_packet(file, pkt, sizeof(pkt));

	/* Our builder seals the RFC's plaintext to the RFC's bytes. */
	uint8_t payload[1162], built[1300];
	rfc_payload(payload);
	struct quic_build_params p = { .version = version, .dcid = rfc_dcid, .dcid_len = 8,
				       .pn = 2, .pn_len = 4 };
	size_t bn = quic_build_initial(built, sizeof(built), &p, payload, sizeof(payload));
	assert_int_equal(bn, n);
	assert_memory_equal(built, pkt, n);

	assert_true(quic_looks_like_initial(B(pkt, n)));
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello ch;
	uint32_t flags = 0;
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &ch, &flags), PARSE_OK);
	assert_true(ch.has_sni);
	assert_string_equal(ch.sni, "example.com");
	assert_string_equal(ch.alpn, "alpn");
	assert_true(flags & FLAG_QUIC);
	assert_false(flags & (FLAG_REASSEMBLED | FLAG_OUT_OF_ORDER | FLAG_OVERLAP_MISMATCH));
	assert_int_equal(st.largest_pn, 2);
	/* Completed: the buffers are released. */
	assert_int_equal(quic_ch_state_bytes(&st), 0);
	quic_ch_state_cleanup(&st);
}

static void test_rfc9001_packet(void **state)
{
	(void)state;
	check_rfc_packet(QUIC_VERSION_1, DATA_DIR "rfc9001-a2-client-initial.hex");
}

static void test_rfc9369_packet(void **state)
{
	(void)state;
	check_rfc_packet(QUIC_VERSION_2, DATA_DIR "rfc9369-a2-client-initial.hex");
}

/* ---- the datagram walk ------------------------------------------------ */

static enum parse_result feed1(const uint8_t *p, size_t n, struct tls_client_hello *ch,
			       uint32_t *flags)
{
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	enum parse_result r = quic_feed_datagram(&st, B(p, n), ch, flags);
	quic_ch_state_cleanup(&st);
	return r;
}

/* STYLE.md: every proper prefix gives NEED_MORE or MALFORMED, never a
 * name.  Prefixes too short to hold a version cannot be told from
 * other traffic: NOT_MINE. */
static void test_truncation_sweep(void **state)
{
	(void)state;
	uint8_t pkt[1300];
	size_t n = load_rfc_packet(DATA_DIR "rfc9001-a2-client-initial.hex", pkt, sizeof(pkt));
	struct tls_client_hello ch;
	uint32_t flags = 0;
	for (size_t len = 0; len < n; len++) {
		enum parse_result r = feed1(pkt, len, &ch, &flags);
		if (len < 5)
			assert_int_equal(r, PARSE_NOT_MINE);
		else
			assert_int_equal(r, PARSE_MALFORMED);
	}
	assert_int_equal(feed1(pkt, n, &ch, &flags), PARSE_OK);
}

static void test_corruption(void **state)
{
	(void)state;
	uint8_t pkt[1300];
	size_t n = load_rfc_packet(DATA_DIR "rfc9001-a2-client-initial.hex", pkt, sizeof(pkt));
	struct tls_client_hello ch;
	uint32_t flags = 0;
	/* A bit in the tag, in the ciphertext, in the sample, in the
	 * DCID (other keys), in the unprotected header (AAD), in the
	 * protected first byte and packet number. */
	const size_t where[] = { n - 1, n - 17, 600, 30, 6, 17, 0, 18, 21 };
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		uint8_t c[1300];
		memcpy(c, pkt, n);
		c[where[i]] ^= 0x01;
		enum parse_result r = feed1(c, n, &ch, &flags);
		if (r != PARSE_MALFORMED)
			fail_msg("flipping a bit of byte %zu gave %d", where[i], (int)r);
	}
}

static void put_version(uint8_t *pkt, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		pkt[1 + i] = (uint8_t)(v >> (8 * (3 - i)));
}

static void test_wrong_version(void **state)
{
	(void)state;
	uint8_t pkt[1300], c[1300];
	size_t n = load_rfc_packet(DATA_DIR "rfc9001-a2-client-initial.hex", pkt, sizeof(pkt));
	struct tls_client_hello ch;
	uint32_t flags = 0;
	/* Not ours: Version Negotiation, gQUIC, unknown, a draft we do not
	 * know: nothing changes, and no flow state is needed. */
	const uint32_t not_mine[] = { 0, 0x51303530, 0x51303436, 0x00000002,
				      QUIC_VERSION_DRAFT(22), QUIC_VERSION_DRAFT(33) };
	for (size_t i = 0; i < sizeof(not_mine) / sizeof(not_mine[0]); i++) {
		memcpy(c, pkt, n);
		put_version(c, not_mine[i]);
		assert_false(quic_looks_like_initial(B(c, n)));
		assert_int_equal(feed1(c, n, &ch, &flags), PARSE_NOT_MINE);
	}
	/* v2 reads type bits 00 as Retry: not a client Initial. */
	memcpy(c, pkt, n);
	put_version(c, QUIC_VERSION_2);
	assert_false(quic_looks_like_initial(B(c, n)));
	assert_int_equal(feed1(c, n, &ch, &flags), PARSE_NOT_MINE);
	/* A known version with other keys: the tag fails. */
	memcpy(c, pkt, n);
	put_version(c, QUIC_VERSION_DRAFT(29));
	assert_true(quic_looks_like_initial(B(c, n)));
	assert_int_equal(feed1(c, n, &ch, &flags), PARSE_MALFORMED);
	/* Short header, empty datagram, a 0-RTT packet first. */
	memcpy(c, pkt, n);
	c[0] = 0x40;
	assert_false(quic_looks_like_initial(B(c, n)));
	assert_int_equal(feed1(c, n, &ch, &flags), PARSE_NOT_MINE);
	assert_int_equal(feed1(c, 0, &ch, &flags), PARSE_NOT_MINE);
	memcpy(c, pkt, n);
	c[0] = 0xd0;
	assert_int_equal(feed1(c, n, &ch, &flags), PARSE_NOT_MINE);
}

/* A ClientHello for `sni` padded to about `total` bytes. */
static size_t make_ch(uint8_t *out, size_t cap, const char *sni, size_t pad)
{
	size_t n = quic_build_client_hello(out, cap, sni, pad);
	assert_true(n > 0);
	return n;
}

static const uint8_t dcid_a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t dcid_b[5] = { 9, 9, 9, 9, 9 };

/* One Initial with the given frames, padded to 1162 bytes of payload
 * unless `pad` is false. */
static size_t make_initial(uint8_t *out, size_t cap, uint32_t version, const uint8_t *dcid,
			   size_t dcid_len, uint64_t pn, const uint8_t *frames,
			   size_t frames_len, bool pad)
{
	uint8_t payload[1400];
	assert_true(frames_len <= sizeof(payload));
	memcpy(payload, frames, frames_len);
	size_t plen = frames_len;
	if (pad && plen < 1162) {
		memset(payload + plen, 0, 1162 - plen);
		plen = 1162;
	}
	struct quic_build_params p = { .version = version, .dcid = dcid, .dcid_len = dcid_len,
				       .pn = pn, .pn_len = 2 };
	size_t n = quic_build_initial(out, cap, &p, payload, plen);
	assert_true(n > 0);
	return n;
}

/* An Initial carrying CRYPTO data [off, off + len) of ch. */
static size_t make_crypto_initial(uint8_t *out, size_t cap, uint32_t version,
				  const uint8_t *dcid, size_t dcid_len, uint64_t pn,
				  const uint8_t *ch, size_t off, size_t len)
{
	uint8_t frames[1400];
	size_t fn = quic_build_crypto_frame(frames, sizeof(frames), off, ch + off, len);
	assert_true(fn > 0);
	return make_initial(out, cap, version, dcid, dcid_len, pn, frames, fn, true);
}

static void test_coalesced(void **state)
{
	(void)state;
	uint8_t ch[3000], dgram[4000];
	size_t ch_len = make_ch(ch, sizeof(ch), "coalesced.example", 1200);
	size_t half = ch_len / 2;
	size_t n = 0;
	n += make_crypto_initial(dgram + n, sizeof(dgram) - n, QUIC_VERSION_1, dcid_a, 8, 0,
				 ch, 0, half);
	n += make_crypto_initial(dgram + n, sizeof(dgram) - n, QUIC_VERSION_1, dcid_a, 8, 1,
				 ch, half, ch_len - half);
	struct tls_client_hello out;
	uint32_t flags = 0;
	assert_int_equal(feed1(dgram, n, &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "coalesced.example");
	assert_true(flags & FLAG_REASSEMBLED);
	assert_false(flags & FLAG_OUT_OF_ORDER);

	/* A 0-RTT packet (type 1, stepped over by its Length) between the
	 * two, and a short-header packet and zero padding after them. */
	size_t m = make_crypto_initial(dgram, sizeof(dgram), QUIC_VERSION_1, dcid_a, 8, 0, ch,
				       0, half);
	uint8_t zero_rtt[] = { 0xd1, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0x40, 0x20 };
	memcpy(dgram + m, zero_rtt, sizeof(zero_rtt));
	m += sizeof(zero_rtt);
	memset(dgram + m, 0x5a, 0x20);
	m += 0x20;
	m += make_crypto_initial(dgram + m, sizeof(dgram) - m, QUIC_VERSION_1, dcid_a, 8, 1,
				 ch, half, ch_len - half);
	dgram[m++] = 0x43;
	memset(dgram + m, 0, 40);
	m += 40;
	assert_int_equal(feed1(dgram, m, &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "coalesced.example");

	/* The first packet fails its tag: the second is still read (RFC
	 * 9000 s12.2), and it alone cannot complete the ClientHello. */
	n = make_crypto_initial(dgram, sizeof(dgram), QUIC_VERSION_1, dcid_a, 8, 0, ch, 0, half);
	dgram[n - 1] ^= 1;
	n += make_crypto_initial(dgram + n, sizeof(dgram) - n, QUIC_VERSION_1, dcid_a, 8, 1,
				 ch, half, ch_len - half);
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	assert_int_equal(quic_feed_datagram(&st, B(dgram, n), &out, &flags), PARSE_NEED_MORE);
	assert_true(quic_ch_state_bytes(&st) > 0);
	/* The retransmitted first half completes it. */
	n = make_crypto_initial(dgram, sizeof(dgram), QUIC_VERSION_1, dcid_a, 8, 2, ch, 0, half);
	assert_int_equal(quic_feed_datagram(&st, B(dgram, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "coalesced.example");
	assert_true(flags & FLAG_OUT_OF_ORDER);
	quic_ch_state_cleanup(&st);

	/* A second packet with another DCID is ignored (RFC 9000 s12.2). */
	n = make_crypto_initial(dgram, sizeof(dgram), QUIC_VERSION_1, dcid_a, 8, 0, ch, 0, half);
	n += make_crypto_initial(dgram + n, sizeof(dgram) - n, QUIC_VERSION_1, dcid_b, 5, 1,
				 ch, half, ch_len - half);
	assert_int_equal(feed1(dgram, n, &out, &flags), PARSE_NEED_MORE);
}

static void test_out_of_order_and_gap(void **state)
{
	(void)state;
	uint8_t ch[3000], pkt[1500];
	size_t ch_len = make_ch(ch, sizeof(ch), "gap.example", 1800);
	size_t a = 700, b = 1400;
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	/* Third piece first, then the first: a gap in the middle. */
	size_t n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, ch, b,
				       ch_len - b);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 1, ch, 0, a);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	size_t held = quic_ch_state_bytes(&st);
	assert_true(held >= ch_len && held <= QUIC_CRYPTO_MAX_DEFAULT + QUIC_CRYPTO_MAX_DEFAULT / 8);
	/* The same first piece again changes nothing. */
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	/* The gap filled later, from an Initial with another DCID (a Retry's). */
	n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_b, 5, 2, ch, a, b - a);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "gap.example");
	assert_true(flags & FLAG_QUIC);
	assert_true(flags & FLAG_REASSEMBLED);
	assert_true(flags & FLAG_OUT_OF_ORDER);
	assert_false(flags & FLAG_OVERLAP_MISMATCH);
	assert_int_equal(quic_ch_state_bytes(&st), 0);
	quic_ch_state_cleanup(&st);
}

static void test_frames_shuffled_in_one_packet(void **state)
{
	(void)state;
	uint8_t ch[1000], frames[1400], pkt[1500];
	size_t ch_len = make_ch(ch, sizeof(ch), "chaos.example", 0);
	/* Chromium "chaos protection": small CRYPTO frames in reverse order,
	 * interleaved with PING, PADDING, ACK (with ECN) and an overlap. */
	size_t fn = 0, step = 17;
	for (size_t end = ch_len; end > 0;) {
		size_t start = end > step ? end - step : 0;
		fn += quic_build_crypto_frame(frames + fn, sizeof(frames) - fn, start, ch + start,
					      end - start);
		frames[fn++] = 0x01;  /* PING */
		frames[fn++] = 0x00;  /* PADDING */
		end = start;
	}
	static const uint8_t ack_ecn[] = { 0x03, 0x05, 0x00, 0x01, 0x02, 0x00, 0x01, 0, 0, 0 };
	memcpy(frames + fn, ack_ecn, sizeof(ack_ecn));
	fn += sizeof(ack_ecn);
	fn += quic_build_crypto_frame(frames + fn, sizeof(frames) - fn, 3, ch + 3, 20);
	size_t n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, true);
	struct tls_client_hello out;
	uint32_t flags = 0;
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "chaos.example");
	assert_true(flags & FLAG_OUT_OF_ORDER);
	assert_false(flags & FLAG_REASSEMBLED);  /* one packet */
	assert_false(flags & FLAG_OVERLAP_MISMATCH);
}

static void test_overlap_mismatch(void **state)
{
	(void)state;
	uint8_t ch[3000], bad[3000], pkt[1500];
	size_t ch_len = make_ch(ch, sizeof(ch), "first.example", 1000);
	memcpy(bad, ch, ch_len);
	memcpy(bad + 600, "XXXXXXXX", 8);
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	size_t n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, ch, 500,
				       ch_len - 500);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 1, bad, 0, 700);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "first.example");
	assert_true(flags & FLAG_OVERLAP_MISMATCH);
	quic_ch_state_cleanup(&st);
}

static void test_bad_frames(void **state)
{
	(void)state;
	uint8_t ch[1000], frames[1400], pkt[1500];
	size_t ch_len = make_ch(ch, sizeof(ch), "frames.example", 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	/* Frames not allowed in Initial packets (RFC 9000 s12.4): STREAM,
	 * NEW_TOKEN, CONNECTION_CLOSE of the application (0x1d),
	 * HANDSHAKE_DONE, and a two-byte encoding of PADDING. */
	const uint8_t not_allowed[][3] = { { 0x08, 0, 0 }, { 0x07, 0, 0 }, { 0x1d, 0, 0 },
					   { 0x1e, 0, 0 }, { 0x40, 0x00, 0 } };
	for (size_t i = 0; i < sizeof(not_allowed) / sizeof(not_allowed[0]); i++) {
		size_t fn = quic_build_crypto_frame(frames, sizeof(frames), 0, ch, ch_len);
		memcpy(frames + fn, not_allowed[i], 3);
		fn += 3;
		size_t n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn,
					false);
		assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
	}
	/* A CRYPTO frame longer than the packet, an ACK cut short. */
	size_t fn = quic_build_crypto_frame(frames, sizeof(frames), 0, ch, ch_len);
	frames[2] = 0x7f;
	size_t n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, false);
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
	fn = quic_build_crypto_frame(frames, sizeof(frames), 0, ch, ch_len);
	frames[fn++] = 0x02;
	frames[fn++] = 0x05;
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, false);
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
	/* CONNECTION_CLOSE (0x1c) and ACK are stepped over. */
	fn = 0;
	static const uint8_t cc[] = { 0x1c, 0x0a, 0x06, 0x03, 'a', 'b', 'c' };
	static const uint8_t ack[] = { 0x02, 0x09, 0x00, 0x02, 0x01, 0x01, 0x01, 0x02, 0x00 };
	memcpy(frames, ack, sizeof(ack));
	fn = sizeof(ack);
	fn += quic_build_crypto_frame(frames + fn, sizeof(frames) - fn, 0, ch, ch_len);
	memcpy(frames + fn, cc, sizeof(cc));
	fn += sizeof(cc);
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, false);
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "frames.example");
	/* Reserved header bits set under protection (RFC 9000 s17.2). */
	uint8_t payload[1162] = { 0 };
	fn = quic_build_crypto_frame(payload, sizeof(payload), 0, ch, ch_len);
	struct quic_build_params p = { .version = QUIC_VERSION_1, .dcid = dcid_a, .dcid_len = 8,
				       .pn = 0, .pn_len = 1, .reserved_bits = 0x04 };
	n = quic_build_initial(pkt, sizeof(pkt), &p, payload, sizeof(payload));
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
	/* A payload that holds no frame at all is no Initial either. */
	p.reserved_bits = 0;
	n = quic_build_initial(pkt, sizeof(pkt), &p, payload, 0);
	assert_true(n == 0);  /* too short to sample: the builder refuses */
}

static void test_bounds(void **state)
{
	(void)state;
	uint8_t ch[20000], pkt[1500], frames[100];
	struct tls_client_hello out;
	uint32_t flags = 0;
	/* CRYPTO data past the per-flow bound. */
	struct quic_ch_state st;
	quic_ch_state_init(&st, 4096);
	size_t ch_len = make_ch(ch, sizeof(ch), "big.example", 5000);
	size_t n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, ch, 4000,
				       200);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_MALFORMED);
	/* A ClientHello whose length says it cannot fit. */
	n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 1, ch, 0, 1000);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_MALFORMED);
	assert_true(quic_ch_state_bytes(&st) <= 4096 + 4096 / 8);
	quic_ch_state_cleanup(&st);
	assert_int_equal(quic_ch_state_bytes(&st), 0);
	/* The default bound takes a 5 KiB ClientHello over several packets. */
	quic_ch_state_init(&st, 0);
	enum parse_result r = PARSE_NEED_MORE;
	for (size_t off = 0, pn = 0; off < ch_len; off += 1000, pn++) {
		size_t len = ch_len - off < 1000 ? ch_len - off : 1000;
		n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, pn, ch, off, len);
		r = quic_feed_datagram(&st, B(pkt, n), &out, &flags);
		assert_int_equal(r, off + len < ch_len ? PARSE_NEED_MORE : PARSE_OK);
	}
	assert_string_equal(out.sni, "big.example");
	quic_ch_state_cleanup(&st);
	/* A CRYPTO stream that is not a ClientHello (a ServerHello, 2). */
	uint8_t sh[60] = { 0x02, 0, 0, 56 };
	size_t fn = quic_build_crypto_frame(frames, sizeof(frames), 0, sh, sizeof(sh));
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, true);
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
	/* An offset near 2^62 (RFC 9000 s19.6). */
	fn = 0;
	frames[fn++] = 0x06;
	fn += quic_build_varint(frames + fn, sizeof(frames) - fn, (UINT64_C(1) << 62) - 2);
	frames[fn++] = 0x04;
	memcpy(frames + fn, "abcd", 4);
	fn += 4;
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, true);
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
}

static void test_packet_numbers(void **state)
{
	(void)state;
	/* A client whose packet numbers passed 255 with 1-byte encodings: the
	 * largest seen steers the decoding (RFC 9000 A.3). */
	uint8_t ch[1000], frames[1400], pkt[1500], payload[1162];
	size_t ch_len = make_ch(ch, sizeof(ch), "pn.example", 0);
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	struct quic_build_params p = { .version = QUIC_VERSION_1, .dcid = dcid_a, .dcid_len = 8,
				       .pn = 250, .pn_len = 1 };
	memset(payload, 0, sizeof(payload));
	size_t fn = quic_build_crypto_frame(payload, sizeof(payload), 100, ch + 100, ch_len - 100);
	size_t n = quic_build_initial(pkt, sizeof(pkt), &p, payload, sizeof(payload));
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	p.pn = 260;  /* encoded as 0x04 */
	memset(payload, 0, sizeof(payload));
	fn = quic_build_crypto_frame(payload, sizeof(payload), 0, ch, 100);
	n = quic_build_initial(pkt, sizeof(pkt), &p, payload, sizeof(payload));
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_int_equal(st.largest_pn, 260);
	quic_ch_state_cleanup(&st);
	(void)frames;
	(void)fn;
}

/* RFC 9001 s5.2: after the server's Initial, the client sends to the
 * server's connection ID but keeps the keys of its first DCID. */
static void test_keys_of_first_dcid(void **state)
{
	(void)state;
	uint8_t ch[3000], pkt[1500], payload[1162];
	size_t l = make_ch(ch, sizeof(ch), "keys.example", 1500);
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	size_t n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, ch, 0, 1000);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	memset(payload, 0, sizeof(payload));
	quic_build_crypto_frame(payload, sizeof(payload), 1000, ch + 1000, l - 1000);
	struct quic_build_params p = { .version = QUIC_VERSION_1, .dcid = dcid_b, .dcid_len = 5,
				       .pn = 1, .pn_len = 1, .key_dcid = dcid_a,
				       .key_dcid_len = 8 };
	n = quic_build_initial(pkt, sizeof(pkt), &p, payload, sizeof(payload));
	/* Alone, with no earlier packet, nobody can open it. */
	assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_MALFORMED);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "keys.example");
	quic_ch_state_cleanup(&st);
}

/* RFC 8446 s4.1.4: after a HelloRetryRequest the client sends a second
 * ClientHello, which follows the first in the Initial CRYPTO stream
 * (quic-29.pcap frame 5); retransmissions of the first are not news. */
static void test_second_client_hello(void **state)
{
	(void)state;
	uint8_t ch1[1000], ch2[1000], pkt[1500];
	size_t l1 = make_ch(ch1, sizeof(ch1), "first.example", 0);
	size_t l2 = make_ch(ch2, sizeof(ch2), "second.example", 100);
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	size_t n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, ch1, 0, l1);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "first.example");
	/* The same packet again (a retransmission): nothing new. */
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	assert_int_equal(quic_ch_state_bytes(&st), 0);
	/* The second ClientHello, in two pieces, the second piece first. */
	uint8_t frames[1400];
	size_t fn = quic_build_crypto_frame(frames, sizeof(frames), l1 + 50, ch2 + 50, l2 - 50);
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_b, 5, 1, frames, fn, true);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	fn = quic_build_crypto_frame(frames, sizeof(frames), l1, ch2, 50);
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_b, 5, 2, frames, fn, true);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "second.example");
	assert_true(flags & FLAG_OUT_OF_ORDER);
	quic_ch_state_cleanup(&st);

	/* Both ClientHellos in one packet: the first is reported, and the
	 * second, kept, on the next Initial. */
	quic_ch_state_init(&st, 0);
	fn = quic_build_crypto_frame(frames, sizeof(frames), 0, ch1, l1);
	fn += quic_build_crypto_frame(frames + fn, sizeof(frames) - fn, l1, ch2, l2);
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, frames, fn, true);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "first.example");
	assert_true(quic_ch_state_bytes(&st) > 0);
	static const uint8_t ping[] = { 0x01 };
	n = make_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 1, ping, 1, true);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "second.example");
	quic_ch_state_cleanup(&st);
}

/* A client that starts again with another version (after Version
 * Negotiation) starts its CRYPTO stream again at 0. */
static void test_version_change(void **state)
{
	(void)state;
	uint8_t ch[1000], pkt[1500];
	size_t l = make_ch(ch, sizeof(ch), "vn.example", 300);
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct tls_client_hello out;
	uint32_t flags = 0;
	/* The first attempt's ClientHello names another host: kept by
	 * mistake, it would win over the second attempt's bytes. */
	uint8_t old_ch[1000];
	assert_int_equal(make_ch(old_ch, sizeof(old_ch), "vx.example", 300), l);
	size_t n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_DRAFT(29), dcid_a, 8, 0,
				       old_ch, 0, 100);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 0, ch, 100, l - 100);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_NEED_MORE);
	n = make_crypto_initial(pkt, sizeof(pkt), QUIC_VERSION_1, dcid_a, 8, 1, ch, 0, 100);
	assert_int_equal(quic_feed_datagram(&st, B(pkt, n), &out, &flags), PARSE_OK);
	assert_string_equal(out.sni, "vn.example");
	assert_false(flags & FLAG_OVERLAP_MISMATCH);
	quic_ch_state_cleanup(&st);
	/* v2 Initials (type bits 01) through the builder, and the mvfst and
	 * draft-23 versions. */
	const uint32_t versions[] = { QUIC_VERSION_2, QUIC_VERSION_MVFST_22, QUIC_VERSION_MVFST_27,
				      QUIC_VERSION_DRAFT(23), QUIC_VERSION_T051 };
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		uint8_t frames[1400];
		size_t fn = quic_build_crypto_frame(frames, sizeof(frames), 0, ch, l);
		if (versions[i] == QUIC_VERSION_T051)
			frames[0] = 0x08;  /* T051 numbers CRYPTO 0x08 */
		n = make_initial(pkt, sizeof(pkt), versions[i], dcid_a, 8, 0, frames, fn, true);
		assert_true(quic_looks_like_initial(B(pkt, n)));
		assert_int_equal(feed1(pkt, n, &out, &flags), PARSE_OK);
		assert_string_equal(out.sni, "vn.example");
	}
}

/* ---- captures --------------------------------------------------------- */

struct capture_truth {
	const char *file;       /* under tests/data/quic/ */
	uint16_t stream;
	uint32_t frame;         /* the frame that completes the ClientHello */
	const char *name;
};

/* From /work/shared/pcaps/truth/<capture>.jsonl (tshark 4.0, proto "quic"). */
static const struct capture_truth truth[] = {
	{ "quic_xargs.bin", 0, 1, "example.ulfheim.net" },
	{ "quic-v2.bin", 0, 1, "test" },
	{ "quic_kyber.bin", 0, 2, "encrypted-tbn0.gstatic.com" },
	{ "quicietfooo.bin", 0, 1, "ssl.gstatic.com" },
	{ "quic-frag-unordered__input.bin", 0, 2, "mastodon.social" },
	{ "quic-retry__input.bin", 0, 2, "www.gravatar.com" },
	{ "quic_frags_different_dcid.bin", 0, 3, "cdnjs.cloudflare.com" },
	{ "quic-29.bin", 0, 1, "localhost" },
	{ "quic-29.bin", 0, 5, "localhost" },
	{ "quic-mvfst-27.bin", 0, 1, "graph.facebook.com" },
	{ "chromium-115.0.5790.110-google-de-fragmented.bin", 0, 1, "www.google.de" },
	{ "quic_t51.bin", 0, 1, "www.google.com" },
	{ "quic-23.bin", 0, 1, "quic.aiortc.org" },
	{ "quic-27.bin", 0, 1, "play.google.com" },
	{ "quic_interop_V.bin", 0, 1, "nghttp2.org" },
	{ "quic_interop_V.bin", 1, 2, "71.202.41.169" },
	{ "quic_interop_V.bin", 2, 3, "quic.aiortc.org" },
	{ "quic-initial-not-first__input.bin", 0, 1, "scontent-ams4-1.xx.fbcdn.net" },
};

#define MAX_STREAMS 4

/* Feed one fixture's client datagrams in capture order, one state per
 * UDP stream; every truth record must be reported at its frame, and
 * any other report must repeat a name the stream's truth has (a
 * retransmitted ClientHello).  Server datagrams must never give a name. */
static void run_capture(const char *file)
{
	char path[256];
	snprintf(path, sizeof(path), DATA_DIR "%s", file);
	struct quic_fixture fx;
	if (!quic_fixture_load(path, &fx))
		fail_msg("cannot load %s", path);
	struct quic_ch_state st[MAX_STREAMS];
	for (int i = 0; i < MAX_STREAMS; i++)
		quic_ch_state_init(&st[i], 0);
	bool seen[sizeof(truth) / sizeof(truth[0])] = { false };
	for (size_t i = 0; i < fx.n_recs; i++) {
		const struct quic_fixture_rec *r = &fx.recs[i];
		assert_true(r->stream < MAX_STREAMS);
		struct tls_client_hello ch;
		uint32_t flags = 0;
		if (r->dir == 1) {
			/* A server Initial fails its tag under client keys. */
			struct quic_ch_state tmp;
			quic_ch_state_init(&tmp, 0);
			enum parse_result sr = quic_feed_datagram(&tmp, B(r->payload, r->payload_len),
								  &ch, &flags);
			if (sr == PARSE_OK)
				fail_msg("%s frame %u: a server datagram gave a name", file, r->frame);
			quic_ch_state_cleanup(&tmp);
			continue;
		}
		enum parse_result res = quic_feed_datagram(&st[r->stream],
							   B(r->payload, r->payload_len), &ch, &flags);
		assert_true(quic_ch_state_bytes(&st[r->stream]) <=
			    QUIC_CRYPTO_MAX_DEFAULT + QUIC_CRYPTO_MAX_DEFAULT / 8);
		bool expected = false, name_known = false;
		for (size_t t = 0; t < sizeof(truth) / sizeof(truth[0]); t++) {
			if (strcmp(truth[t].file, file) != 0 || truth[t].stream != r->stream)
				continue;
			if (res == PARSE_OK && strcmp(ch.sni, truth[t].name) == 0)
				name_known = true;
			if (truth[t].frame == r->frame) {
				expected = true;
				if (res != PARSE_OK)
					fail_msg("%s frame %u: result %d, want the name %s", file,
						 r->frame, (int)res, truth[t].name);
				assert_string_equal(ch.sni, truth[t].name);
				assert_true(flags & FLAG_QUIC);
				seen[t] = true;
			}
		}
		if (res == PARSE_OK && !expected && !name_known)
			fail_msg("%s frame %u: unexpected name %s", file, r->frame, ch.sni);
		if (res == PARSE_MALFORMED)
			fail_msg("%s frame %u: a client datagram is MALFORMED", file, r->frame);
	}
	for (size_t t = 0; t < sizeof(truth) / sizeof(truth[0]); t++)
		if (strcmp(truth[t].file, file) == 0 && !seen[t])
			fail_msg("%s: frame %u (%s) not in the fixture", file, truth[t].frame,
				 truth[t].name);
	for (int i = 0; i < MAX_STREAMS; i++)
		quic_ch_state_cleanup(&st[i]);
	quic_fixture_free(&fx);
}

static void test_captures(void **state)
{
	(void)state;
	const char *done[sizeof(truth) / sizeof(truth[0])];
	size_t n_done = 0;
	for (size_t t = 0; t < sizeof(truth) / sizeof(truth[0]); t++) {
		bool again = false;
		for (size_t i = 0; i < n_done; i++)
			again = again || strcmp(done[i], truth[t].file) == 0;
		if (again)
			continue;
		done[n_done++] = truth[t].file;
		run_capture(truth[t].file);
	}
}

/* Every proper prefix of real datagrams, and every byte flipped in the
 * first one, give no name (and no sanitizer report). */
static void test_capture_mutations(void **state)
{
	(void)state;
	struct quic_fixture fx;
	assert_true(quic_fixture_load(DATA_DIR "quic_xargs.bin", &fx));
	const struct quic_fixture_rec *r = &fx.recs[0];
	assert_int_equal(r->dir, 0);
	struct tls_client_hello ch;
	uint32_t flags = 0;
	/* This client pads with zeros after its Initial: the packet ends at
	 * byte 282 (Length 259 from byte 23), then comes padding. */
	const size_t pkt_end = 282;
	for (size_t len = 0; len < pkt_end; len++)
		assert_int_not_equal(feed1(r->payload, len, &ch, &flags), PARSE_OK);
	for (size_t len = pkt_end; len <= r->payload_len; len += 50)
		assert_int_equal(feed1(r->payload, len, &ch, &flags), PARSE_OK);
	struct bytes tail = bytes_make(r->payload, r->payload_len);
	assert_true(bytes_skip(&tail, pkt_end));
	while (!bytes_empty(&tail)) {
		uint8_t z = 1;
		assert_true(bytes_get_u8(&tail, &z));
		assert_int_equal(z, 0);
	}
	uint8_t c[1500];
	assert_true(r->payload_len <= sizeof(c));
	for (size_t i = 0; i < pkt_end; i += 3) {
		memcpy(c, r->payload, r->payload_len);
		c[i] ^= 0x20;
		assert_int_not_equal(feed1(c, r->payload_len, &ch, &flags), PARSE_OK);
	}
	quic_fixture_free(&fx);
}

static void test_state_lifecycle(void **state)
{
	(void)state;
	struct quic_ch_state st;
	quic_ch_state_init(&st, 1u << 20);
	assert_int_equal(st.max_len, QUIC_CRYPTO_MAX_LIMIT);
	assert_int_equal(quic_ch_state_bytes(&st), 0);
	quic_ch_state_cleanup(&st);
	quic_ch_state_cleanup(&st);
	assert_int_equal(st.max_len, QUIC_CRYPTO_MAX_LIMIT);
	quic_ch_state_init(&st, 0);
	assert_int_equal(st.max_len, QUIC_CRYPTO_MAX_DEFAULT);
	quic_ch_state_cleanup(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9001_keys),
		cmocka_unit_test(test_rfc9369_keys),
		cmocka_unit_test(test_versions_and_types),
		cmocka_unit_test(test_rfc9001_packet),
		cmocka_unit_test(test_rfc9369_packet),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_coalesced),
		cmocka_unit_test(test_out_of_order_and_gap),
		cmocka_unit_test(test_frames_shuffled_in_one_packet),
		cmocka_unit_test(test_overlap_mismatch),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_packet_numbers),
		cmocka_unit_test(test_keys_of_first_dcid),
		cmocka_unit_test(test_second_client_hello),
		cmocka_unit_test(test_version_change),
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_capture_mutations),
		cmocka_unit_test(test_state_lifecycle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
