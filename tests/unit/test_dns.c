/* test_dns.c: unit tests of daemon/core/dns.c: query parsing against
 * annotated captures (/work/shared/pcaps, names checked against tshark's
 * truth files), build-then-parse round trips, every refusal, truncation
 * sweeps, TCP framing, and the block answers read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "dns_build.h"

/* ------------------------------------------------------------------ */
/* Helpers */

/* Decode hex, skipping spaces; aborts the test on anything else, so a
 * typo in a fixture cannot silently shorten it. */
static size_t hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s != '\0'; s++) {
		int v = 0;
		if (*s == ' ' || *s == '\n' || *s == '\t')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			fail_msg("bad hex character '%c'", *s);
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

static enum parse_result parse(const uint8_t *buf, size_t len, struct dns_query *q)
{
	return dns_parse_query(bytes_make(buf, len), q);
}

/* Name bytes compared exactly (names may hold NUL). */
static void assert_qname(const struct dns_question *q, const char *want, size_t want_len)
{
	assert_int_equal(q->name_len, want_len);
	assert_memory_equal(q->name, want, want_len);
	assert_int_equal(q->name[want_len], '\0');
}

/* ------------------------------------------------------------------ */
/* Real queries */

/* tcpdns.pcap frame 4, TCP payload (truth: "google.com"). */
static const char fx_tcpdns[] =
	"001c"                         /* TCP length prefix: 28 */
	"5e63"                         /* ID */
	"0100"                         /* flags: QR=0 opcode=QUERY RD=1 */
	"0001 0000 0000 0000"          /* QD=1 AN=0 NS=0 AR=0 */
	"06676f6f676c65 03636f6d 00"   /* google.com */
	"0001 0001";                   /* A, IN */

static void test_fixture_tcpdns(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t n = hex(fx_tcpdns, buf, sizeof(buf));
	struct bytes stream = bytes_make(buf, n), msg;
	struct dns_query q;

	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_OK);
	assert_int_equal(stream.len, 0);
	assert_int_equal(msg.len, 28);
	assert_int_equal(dns_parse_query(msg, &q), PARSE_OK);
	assert_int_equal(q.id, 0x5e63);
	assert_int_equal(q.flags, 0x0100);
	assert_int_equal(q.qdcount, 1);
	assert_int_equal(q.n_questions, 1);
	assert_qname(&q.questions[0], "google.com", 10);
	assert_int_equal(q.questions[0].qtype, 1);
	assert_int_equal(q.questions[0].qclass, 1);
	assert_int_equal(q.flags_anomaly, 0);
	assert_false(q.has_opt);
	assert_int_equal(q.edns_udp_size, 0);
	/* The question section is the 16 bytes after the header. */
	assert_int_equal(q.question_section.len, 16);
	assert_memory_equal(q.question_section.ptr, buf + 2 + 12, 16);
}

/* dns-punycode.pcap frame 1, UDP payload (truth:
 * "xn--80a0adav.xn--80ao21a"): an SOA query with EDNS. */
static const char fx_punycode[] =
	"8bf4 0000"                    /* ID, flags: RD=0 */
	"0001 0000 0000 0001"          /* QD=1 AR=1 */
	"0c786e2d2d3830613061646176"   /* xn--80a0adav */
	"0b786e2d2d3830616f323161 00"  /* xn--80ao21a */
	"0006 0001"                    /* SOA, IN */
	"00 0029 0800 00000000 0000";  /* OPT: root, 41, UDP 2048, TTL 0, RDLEN 0 */

static void test_fixture_punycode(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t n = hex(fx_punycode, buf, sizeof(buf));
	struct dns_query q;

	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_int_equal(q.id, 0x8bf4);
	assert_qname(&q.questions[0], "xn--80a0adav.xn--80ao21a", 24);
	assert_int_equal(q.questions[0].qtype, 6);
	assert_string_equal(dns_rrtype_name(q.questions[0].qtype), "SOA");
	assert_true(q.has_opt);
	assert_int_equal(q.edns_udp_size, 2048);
	assert_false(q.edns_do);
	assert_int_equal(q.flags_anomaly, 0);
}

/* dns_long_domainname.pcap frame 1 (truth:
 * "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com"). */
static const char fx_long[] =
	"8b54 0100 0001 0000 0000 0000"
	"06676d72303263 023136 0130 0c66686b666873646b6668736b"
	"0674756e6e656c 076578616d706c65 03636f6d 00"
	"0001 0001";

static void test_fixture_long_name(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t n = hex(fx_long, buf, sizeof(buf));
	struct dns_query q;

	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_int_equal(q.id, 0x8b54);
	assert_qname(&q.questions[0], "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com", 43);
	assert_int_equal(q.flags_anomaly, 0);
}

/* dns-invalid-chars.pcap frame 1 (truth, tshark-escaped:
 * "www.allyourba\004\005\006arebelongto.cn"): control bytes in a label
 * are kept as they are and flagged. */
static const char fx_invalid_chars[] =
	"9f6c 0100 0001 0000 0000 0000"
	"03777777"
	"17 616c6c796f75726261 040506 6172656265 6c6f6e67746f" /* 23 bytes */
	"02636e 00"
	"0001 0001";

static void test_fixture_invalid_chars(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t n = hex(fx_invalid_chars, buf, sizeof(buf));
	struct dns_query q;
	static const char want[] = "www.allyourba\004\005\006arebelongto.cn";

	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_qname(&q.questions[0], want, sizeof(want) - 1);
	assert_true(q.flags_anomaly & FLAG_NAME_ODD_CHARS);
	assert_false(q.flags_anomaly & FLAG_MULTI_QUESTION);
}

/* dns_ambiguous_names.pcap frame 11 (truth: "*.teams.microsoft.com"):
 * a wildcard label is odd; flags RD+AD, EDNS 4096. */
static const char fx_wildcard[] =
	"b562 0120 0001 0000 0000 0001"
	"012a 057465616d73 096d6963726f736f6674 03636f6d 00"
	"0001 0001"
	"00 0029 1000 00000000 0000";

static void test_fixture_wildcard(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t n = hex(fx_wildcard, buf, sizeof(buf));
	struct dns_query q;

	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_qname(&q.questions[0], "*.teams.microsoft.com", 21);
	assert_true(q.flags_anomaly & FLAG_NAME_ODD_CHARS);
	assert_true(q.has_opt);
	assert_int_equal(q.edns_udp_size, 4096);
}

/* malformed_dns.pcap: frame 1 is a plain query (truth: "www.xt.com");
 * frame 2 is the hostile answer (2 questions, 2 answers full of
 * compression pointers), which is a response and so not ours. */
static const char fx_malformed_query[] =
	"84b4 0100 0001 0000 0000 0000 03777777 027874 03636f6d 00 0001 0001";

static const char fx_malformed_response[] =
	"84b4810000020002000000000377777702787403636f6d00000100012241414141414141414141414141414141414141"
	"4141414141414141414141414141413f000000003f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3e3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3fc0403d3e3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"c041c0423b3c3d3e3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3fc043c044c045c0463738393a3b3c3d3e3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3fc047c048c049c04ac04bc04cc04dc04e"
	"2f303132333435363738393a3b3c3d3e3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
	"c04fc050c051c052c053c054c055c056c057c058c059c05ac05bc05cc05dc05e1f202122232425262728292a2b2c2d2e"
	"2f303132333435363738393a3b3c3d3ec05fc060c061c062c063c064c065c066c067c068c069c06ac06bc06cc06dc06e"
	"c06fc070c071c072c073c074c075c076c077c078c079c07ac07bc07cc07dc07e00010001c00c00010001000000000004"
	"42424242c00c0005000100000000004c034141413f303030303130303032303031313030313230303231303032323031"
	"303130323031313130313132303132313031323230323032313130323132303232313032050000000000c0ff"
	;

static void test_fixture_malformed_dns(void **state)
{
	(void)state;
	uint8_t buf[2048];
	size_t n = hex(fx_malformed_query, buf, sizeof(buf));
	struct dns_query q;

	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_qname(&q.questions[0], "www.xt.com", 10);

	n = hex(fx_malformed_response, buf, sizeof(buf));
	assert_int_equal(n, 1388);
	assert_int_equal(parse(buf, n, &q), PARSE_NOT_MINE);

	/* The same bytes claiming to be a query: the second question is a
	 * 34-byte label followed by labels of 63 bytes and then compression
	 * pointers (c0 40 ...), so it is refused whole, and so is every
	 * prefix of it: no crash, never a name. */
	buf[2] &= 0x7f;
	assert_int_equal(parse(buf, n, &q), PARSE_MALFORMED);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(parse(buf, k, &q), PARSE_MALFORMED);
	/* Cut after the first question and QDCOUNT set to 1, it is a query
	 * for www.xt.com again. */
	buf[5] = 1;
	assert_int_equal(parse(buf, 28, &q), PARSE_OK);
	assert_qname(&q.questions[0], "www.xt.com", 10);
}

/* dns-tcp-multirequest-buffer.pcap frame 4: 20 queries pipelined in one
 * TCP segment (truth: "0.google.com" .. "19.google.com", IDs 0..19). */
static const char fx_multirequest[] =
	"001e000001000001000000000000013006676f6f676c6503636f6d0000010001 " /* len 30, id 0 */
	"001e000101000001000000000000013106676f6f676c6503636f6d0000010001 " /* len 30, id 1 */
	"001e000201000001000000000000013206676f6f676c6503636f6d0000010001 " /* len 30, id 2 */
	"001e000301000001000000000000013306676f6f676c6503636f6d0000010001 " /* len 30, id 3 */
	"001e000401000001000000000000013406676f6f676c6503636f6d0000010001 " /* len 30, id 4 */
	"001e000501000001000000000000013506676f6f676c6503636f6d0000010001 " /* len 30, id 5 */
	"001e000601000001000000000000013606676f6f676c6503636f6d0000010001 " /* len 30, id 6 */
	"001e000701000001000000000000013706676f6f676c6503636f6d0000010001 " /* len 30, id 7 */
	"001e000801000001000000000000013806676f6f676c6503636f6d0000010001 " /* len 30, id 8 */
	"001e000901000001000000000000013906676f6f676c6503636f6d0000010001 " /* len 30, id 9 */
	"001f000a0100000100000000000002313006676f6f676c6503636f6d0000010001 " /* len 31, id 10 */
	"001f000b0100000100000000000002313106676f6f676c6503636f6d0000010001 " /* len 31, id 11 */
	"001f000c0100000100000000000002313206676f6f676c6503636f6d0000010001 " /* len 31, id 12 */
	"001f000d0100000100000000000002313306676f6f676c6503636f6d0000010001 " /* len 31, id 13 */
	"001f000e0100000100000000000002313406676f6f676c6503636f6d0000010001 " /* len 31, id 14 */
	"001f000f0100000100000000000002313506676f6f676c6503636f6d0000010001 " /* len 31, id 15 */
	"001f00100100000100000000000002313606676f6f676c6503636f6d0000010001 " /* len 31, id 16 */
	"001f00110100000100000000000002313706676f6f676c6503636f6d0000010001 " /* len 31, id 17 */
	"001f00120100000100000000000002313806676f6f676c6503636f6d0000010001 " /* len 31, id 18 */
	"001f00130100000100000000000002313906676f6f676c6503636f6d0000010001 " /* len 31, id 19 */
	;

static void test_fixture_multirequest(void **state)
{
	(void)state;
	uint8_t buf[1024];
	size_t n = hex(fx_multirequest, buf, sizeof(buf));
	struct bytes stream = bytes_make(buf, n), msg;
	unsigned count = 0;

	assert_int_equal(n, 650);
	while (!bytes_empty(&stream)) {
		struct dns_query q;
		char want[32];
		assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_OK);
		assert_int_equal(dns_parse_query(msg, &q), PARSE_OK);
		assert_int_equal(q.id, count);
		int w = snprintf(want, sizeof(want), "%u.google.com", count);
		assert_qname(&q.questions[0], want, (size_t)w);
		count++;
	}
	assert_int_equal(count, 20);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_NEED_MORE);
}

/* ------------------------------------------------------------------ */
/* Round trips through the builder */

static void test_roundtrip_names(void **state)
{
	(void)state;
	char l63[64], l62[63], l61[62];
	char max_name[300], long_label[100];
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l62, 'b', 62);
	l62[62] = '\0';
	memset(l61, 'c', 61);
	l61[61] = '\0';
	/* 3 x (1+63) + (1+61) + 1 = 255 octets on the wire: the largest
	 * name allowed, 253 characters of text. */
	snprintf(max_name, sizeof(max_name), "%s.%s.%s.%s", l63, l63, l63, l61);
	snprintf(long_label, sizeof(long_label), "x.%s.example", l63);

	const struct {
		const char *in, *want;
		uint16_t qtype;
		bool odd;
	} cases[] = {
		{ "chatgpt.com", "chatgpt.com", 1, false },
		{ "chatgpt.com.", "chatgpt.com", 28, false },
		{ "ChatGPT.COM", "ChatGPT.COM", 65, false },   /* case kept: name.c lowercases */
		{ "_dns.resolver.arpa", "_dns.resolver.arpa", 64, false },
		{ "xn--80a0adav.xn--80ao21a", "xn--80a0adav.xn--80ao21a", 1, false },
		{ "", "", 2, false },                          /* root */
		{ ".", "", 255, false },
		{ "a b.example", "a b.example", 16, true },
		{ "caf\xc3\xa9.example", "caf\xc3\xa9.example", 1, true },
		{ long_label, long_label, 1, false },
		{ max_name, max_name, 1, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[512];
		struct dns_query q;
		for (int opt = 0; opt < 2; opt++) {
			size_t n = dns_build_query1(buf, sizeof(buf), (uint16_t)(0x1000 + i),
						    cases[i].in, cases[i].qtype, opt != 0);
			assert_true(n > 0);
			assert_int_equal(parse(buf, n, &q), PARSE_OK);
			assert_int_equal(q.id, 0x1000 + i);
			assert_qname(&q.questions[0], cases[i].want, strlen(cases[i].want));
			assert_int_equal(q.questions[0].qtype, cases[i].qtype);
			assert_int_equal(!!(q.flags_anomaly & FLAG_NAME_ODD_CHARS), cases[i].odd);
			assert_int_equal(q.has_opt, opt != 0);
			assert_int_equal(q.edns_udp_size, opt != 0 ? 1232 : 0);
			assert_int_equal(q.question_section.len,
					 n - 12 - (opt != 0 ? 11u : 0u));
		}
	}
	assert_int_equal(strlen(max_name), NAME_MAX_LEN);
}

/* A '.' byte or a NUL inside a label is kept as it is: the text form
 * then no longer shows the label boundaries, which is why it is flagged. */
static void test_dot_and_nul_in_label(void **state)
{
	(void)state;
	uint8_t buf[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'a', '.', 'b', 4, 'c', 0, 'd', 'e', 3, 'c', 'o', 'm', 0,
		0, 1, 0, 1,
	};
	struct dns_query q;

	assert_int_equal(parse(buf, sizeof(buf), &q), PARSE_OK);
	assert_qname(&q.questions[0], "a.b.c\0de.com", 12);
	assert_true(q.flags_anomaly & FLAG_NAME_ODD_CHARS);
}

static void test_multi_question(void **state)
{
	(void)state;
	const struct dns_build_question qs[] = {
		{ "one.example", 1, 1 },   { "two.example", 28, 1 }, { "three.example", 65, 1 },
		{ "four.example", 64, 1 }, { "five.example", 16, 1 }, { "six.example", 1, 3 },
	};
	struct dns_build_edns e = { 4096, true };
	uint8_t buf[512];
	struct dns_query q;
	size_t n = dns_build_query(buf, sizeof(buf), 7, DNSB_RD, qs, 6, &e);

	assert_true(n > 0);
	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_int_equal(q.qdcount, 6);
	assert_int_equal(q.n_questions, DNS_MAX_QUESTIONS);
	assert_true(q.flags_anomaly & FLAG_MULTI_QUESTION);
	for (unsigned i = 0; i < DNS_MAX_QUESTIONS; i++) {
		assert_qname(&q.questions[i], qs[i].name, strlen(qs[i].name));
		assert_int_equal(q.questions[i].qtype, qs[i].qtype);
	}
	/* All six questions are in the section, the OPT after them found. */
	assert_int_equal(q.question_section.len, n - 12 - 11);
	assert_memory_equal(q.question_section.ptr, buf + 12, n - 12 - 11);
	assert_true(q.has_opt);
	assert_int_equal(q.edns_udp_size, 4096);
	assert_true(q.edns_do);

	/* Two questions: flagged too. */
	n = dns_build_query(buf, sizeof(buf), 7, DNSB_RD, qs, 2, NULL);
	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	assert_int_equal(q.n_questions, 2);
	assert_true(q.flags_anomaly & FLAG_MULTI_QUESTION);
}

/* ------------------------------------------------------------------ */
/* Refusals */

static void test_not_mine(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct dns_query q;
	size_t n = dns_build_query1(buf, sizeof(buf), 1, "chatgpt.com", 1, false);

	assert_int_equal(parse(buf, n, &q), PARSE_OK);
	/* A response (QR = 1). */
	buf[2] |= 0x80;
	assert_int_equal(parse(buf, n, &q), PARSE_NOT_MINE);
	buf[2] &= 0x7f;
	/* Opcodes IQUERY 1, STATUS 2, 3 (unassigned), NOTIFY 4, UPDATE 5,
	 * DSO 6 (RFC 8490), up to 15. */
	for (uint8_t op = 1; op < 16; op++) {
		buf[2] = (uint8_t)((buf[2] & 0x87) | (op << 3));
		assert_int_equal(parse(buf, n, &q), PARSE_NOT_MINE);
	}
	buf[2] = (uint8_t)(buf[2] & 0x87);
	assert_int_equal(parse(buf, n, &q), PARSE_OK);

	/* A real UPDATE built with the builder: zone in the question. */
	const struct dns_build_question zone = { "example.com", 6, 1 };
	n = dns_build_query(buf, sizeof(buf), 2, DNSB_OPCODE(5), &zone, 1, NULL);
	assert_int_equal(parse(buf, n, &q), PARSE_NOT_MINE);
}

static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *what, *hex;
	} cases[] = {
		{ "short header", "1234 0100 0001 0000 0000" },
		{ "empty", "" },
		{ "QDCOUNT 0", "1234 0100 0000 0000 0000 0000" },
		{ "QDCOUNT 0 with OPT", "1234 0100 0000 0000 0000 0001 00 0029 1000 00000000 0000" },
		{ "pointer in question", "1234 0100 0001 0000 0000 0000 c00c 0001 0001" },
		{ "pointer after a label", "1234 0100 0001 0000 0000 0000 0161 c00c 0001 0001" },
		{ "pointer in 2nd question",
		  "1234 0100 0002 0000 0000 0000 0161 00 0001 0001 0162 c00c 0001 0001" },
		{ "label type 01", "1234 0100 0001 0000 0000 0000 41 00 0001 0001" },
		{ "label type 10", "1234 0100 0001 0000 0000 0000 81 61 00 0001 0001" },
		{ "QDCOUNT 2, one question", "1234 0100 0002 0000 0000 0000 0161 00 0001 0001" },
		{ "no QTYPE", "1234 0100 0001 0000 0000 0000 0161 00" },
		{ "half QCLASS", "1234 0100 0001 0000 0000 0000 0161 00 0001 00" },
		{ "unterminated name", "1234 0100 0001 0000 0000 0000 0161 0162" },
		{ "label longer than message", "1234 0100 0001 0000 0000 0000 0561 62" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[128];
		struct dns_query q;
		size_t n = hex(cases[i].hex, buf, sizeof(buf));
		enum parse_result r = parse(buf, n, &q);
		if (r != PARSE_MALFORMED)
			fail_msg("%s: got %d, want PARSE_MALFORMED", cases[i].what, (int)r);
	}
}

/* RFC 1035 s2.3.4: label <= 63, name <= 255 octets on the wire. */
static void test_length_limits(void **state)
{
	(void)state;
	uint8_t buf[600];
	struct dns_query q;
	size_t n;

	/* A 64-byte label (length octet 0x40 is also label type 01; what
	 * matters is that it is refused). */
	n = hex("1234 0100 0001 0000 0000 0000", buf, sizeof(buf));
	buf[n++] = 64;
	memset(buf + n, 'a', 64);
	n += 64;
	buf[n++] = 0;
	buf[n++] = 0, buf[n++] = 1, buf[n++] = 0, buf[n++] = 1;
	assert_int_equal(parse(buf, n, &q), PARSE_MALFORMED);

	/* Names of 255 (ok) and 256 (refused) octets, made of labels of
	 * 63, 63, 63 and 61 or 62 bytes. */
	for (size_t last = 61; last <= 62; last++) {
		n = hex("1234 0100 0001 0000 0000 0000", buf, sizeof(buf));
		for (int l = 0; l < 3; l++) {
			buf[n++] = 63;
			memset(buf + n, 'a', 63);
			n += 63;
		}
		buf[n++] = (uint8_t)last;
		memset(buf + n, 'b', last);
		n += last;
		buf[n++] = 0;
		buf[n++] = 0, buf[n++] = 1, buf[n++] = 0, buf[n++] = 1;
		assert_int_equal(n - 12 - 4, last == 61 ? 255 : 256);
		assert_int_equal(parse(buf, n, &q), last == 61 ? PARSE_OK : PARSE_MALFORMED);
		if (last == 61)
			assert_int_equal(q.questions[0].name_len, 253);
	}
	/* The builder refuses the same things, so tests cannot build them
	 * by accident. */
	char name[300];
	memset(name, 'a', 64);
	name[64] = '\0';
	assert_int_equal(dns_build_query1(buf, sizeof(buf), 1, name, 1, false), 0);
	assert_int_equal(dns_build_query1(buf, sizeof(buf), 1, "a..b", 1, false), 0);
}

/* The additional section is searched for OPT only when well-formed. */
static void test_opt_detection(void **state)
{
	(void)state;
	static const struct {
		const char *what, *hex;
		bool has_opt;
		uint16_t udp_size;
	} cases[] = {
		{ "plain OPT", "1234 0100 0001 0000 0000 0001 0161 00 0001 0001"
			       "00 0029 04d0 00000000 0000", true, 1232 },
		{ "OPT with DO and an option (cookie)",
		  "1234 0100 0001 0000 0000 0001 0161 00 0001 0001"
		  "00 0029 1000 00008000 000c 000a 0008 0102030405060708", true, 4096 },
		{ "OPT after an answer and an authority RR with pointers back",
		  "1234 0100 0001 0001 0001 0001 0161 00 0001 0001"
		  "c00c 0001 0001 00000000 0004 c0000201"
		  "0162 c00c 0001 0001 00000000 0000"
		  "00 0029 0200 00000000 0000", true, 512 },
		{ "OPT in the answer section is not EDNS",
		  "1234 0100 0001 0001 0000 0000 0161 00 0001 0001"
		  "00 0029 1000 00000000 0000", false, 0 },
		{ "OPT with a non-root owner",
		  "1234 0100 0001 0000 0000 0001 0161 00 0001 0001"
		  "0161 00 0029 1000 00000000 0000", false, 0 },
		{ "truncated OPT", "1234 0100 0001 0000 0000 0001 0161 00 0001 0001"
				   "00 0029 1000 0000", false, 0 },
		{ "OPT RDLEN past the end", "1234 0100 0001 0000 0000 0001 0161 00 0001 0001"
					    "00 0029 1000 00000000 0010 0001", false, 0 },
		{ "ARCOUNT 2, one RR", "1234 0100 0001 0000 0000 0002 0161 00 0001 0001"
				       "00 0029 1000 00000000 0000", false, 0 },
		{ "forward pointer before OPT",
		  "1234 0100 0001 0000 0000 0002 0161 00 0001 0001"
		  "c020 0001 0001 00000000 0000"
		  "00 0029 1000 00000000 0000", false, 0 },
		{ "pointer into the header before OPT",
		  "1234 0100 0001 0000 0000 0002 0161 00 0001 0001"
		  "c002 0001 0001 00000000 0000"
		  "00 0029 1000 00000000 0000", false, 0 },
		{ "pointer to itself before OPT",
		  "1234 0100 0001 0000 0000 0002 0161 00 0001 0001"
		  "c013 0001 0001 00000000 0000"
		  "00 0029 1000 00000000 0000", false, 0 },
		{ "trailing bytes after OPT",
		  "1234 0100 0001 0000 0000 0001 0161 00 0001 0001"
		  "00 0029 1000 00000000 0000 ff", false, 0 },
		{ "two OPTs (RFC 6891 s6.1.1: FORMERR)",
		  "1234 0100 0001 0000 0000 0002 0161 00 0001 0001"
		  "00 0029 0600 00000000 0000 00 0029 1000 00000000 0000", false, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[256];
		struct dns_query q;
		size_t n = hex(cases[i].hex, buf, sizeof(buf));
		enum parse_result r = parse(buf, n, &q);
		if (r != PARSE_OK)
			fail_msg("%s: got %d, want PARSE_OK", cases[i].what, (int)r);
		if (q.has_opt != cases[i].has_opt || q.edns_udp_size != cases[i].udp_size)
			fail_msg("%s: has_opt %d size %u", cases[i].what, q.has_opt,
				 q.edns_udp_size);
		/* The name never depends on what follows the question. */
		assert_qname(&q.questions[0], "a", 1);
		assert_int_equal(q.question_section.len, 7);
	}
}

/* ------------------------------------------------------------------ */
/* Truncation sweep */

/* Every proper prefix of a valid query: no crash, and never a partial
 * name.  A prefix that cuts the header or the question section is
 * PARSE_MALFORMED (a DNS message is always whole: NEED_MORE belongs to
 * the TCP framing).  A prefix that keeps the whole question but cuts
 * the additional section still gives the client's real question (a
 * broken tail must not let a blocked name through unclassified), only
 * without OPT. */
static void sweep(const uint8_t *msg, size_t n)
{
	struct dns_query full, q;
	assert_int_equal(parse(msg, n, &full), PARSE_OK);
	size_t question_end = 12 + full.question_section.len;

	for (size_t k = 0; k < n; k++) {
		/* A fresh heap copy of exactly k bytes, so ASan sees any
		 * read past the prefix. */
		uint8_t *copy = malloc(k > 0 ? k : 1);
		assert_non_null(copy);
		if (k > 0)
			memcpy(copy, msg, k);
		enum parse_result r = parse(copy, k, &q);
		if (k < question_end) {
			if (r != PARSE_MALFORMED)
				fail_msg("prefix %zu of %zu: got %d", k, n, (int)r);
		} else {
			assert_int_equal(r, PARSE_OK);
			assert_int_equal(q.n_questions, full.n_questions);
			for (unsigned i = 0; i < q.n_questions; i++)
				assert_qname(&q.questions[i], full.questions[i].name,
					     full.questions[i].name_len);
			assert_false(q.has_opt);
		}
		free(copy);
	}
}

static void test_truncation_sweep(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t n;

	n = hex(fx_punycode, buf, sizeof(buf));
	sweep(buf, n);
	n = hex(fx_wildcard, buf, sizeof(buf));
	sweep(buf, n);
	n = hex(fx_invalid_chars, buf, sizeof(buf));
	sweep(buf, n);
	n = dns_build_query1(buf, sizeof(buf), 9, "chat.openai.com", 65, true);
	sweep(buf, n);
	const struct dns_build_question qs[] = {
		{ "a.example", 1, 1 }, { "bb.example", 28, 1 }, { "", 2, 1 },
		{ "d.example", 64, 1 }, { "e.example", 65, 1 },
	};
	struct dns_build_edns e = { 1232, true };
	n = dns_build_query(buf, sizeof(buf), 9, DNSB_RD, qs, 5, &e);
	sweep(buf, n);
}

/* ------------------------------------------------------------------ */
/* TCP framing */

static void test_tcp_pipelined(void **state)
{
	(void)state;
	uint8_t stream_buf[2048];
	size_t total = 0;

	for (unsigned i = 0; i < 20; i++) {
		uint8_t msg[128];
		char name[32];
		snprintf(name, sizeof(name), "n%u.chatgpt.com", i);
		size_t n = dns_build_query1(msg, sizeof(msg), (uint16_t)(100 + i), name,
					    i % 2 ? 28 : 1, i % 3 == 0);
		assert_true(n > 0);
		size_t f = dns_build_tcp_frame(stream_buf + total, sizeof(stream_buf) - total,
					       msg, n);
		assert_true(f == n + 2);
		total += f;
	}
	struct bytes stream = bytes_make(stream_buf, total), msg;
	for (unsigned i = 0; i < 20; i++) {
		struct dns_query q;
		char want[32];
		assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_OK);
		assert_int_equal(dns_parse_query(msg, &q), PARSE_OK);
		assert_int_equal(q.id, 100 + i);
		int w = snprintf(want, sizeof(want), "n%u.chatgpt.com", i);
		assert_qname(&q.questions[0], want, (size_t)w);
		assert_int_equal(q.has_opt, i % 3 == 0);
	}
	assert_int_equal(stream.len, 0);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_NEED_MORE);
}

/* A message split at every byte: the first piece gives NEED_MORE and
 * moves nothing; the whole gives the message. */
static void test_tcp_split_every_byte(void **state)
{
	(void)state;
	uint8_t msg1[128], msg2[128], stream_buf[300];
	size_t n1 = dns_build_query1(msg1, sizeof(msg1), 1, "claude.ai", 1, true);
	size_t n2 = dns_build_query1(msg2, sizeof(msg2), 2, "gemini.google.com", 65, false);
	size_t f1 = dns_build_tcp_frame(stream_buf, sizeof(stream_buf), msg1, n1);
	size_t f2 = dns_build_tcp_frame(stream_buf + f1, sizeof(stream_buf) - f1, msg2, n2);
	assert_true(f1 > 0 && f2 > 0);

	for (size_t k = 0; k <= f1 + f2; k++) {
		uint8_t *copy = malloc(k > 0 ? k : 1);
		assert_non_null(copy);
		if (k > 0)
			memcpy(copy, stream_buf, k);
		struct bytes stream = bytes_make(copy, k), before, msg = { NULL, 0 };
		before = stream;
		enum parse_result r = dns_tcp_next(&stream, &msg);
		if (k < f1) {
			assert_int_equal(r, PARSE_NEED_MORE);
			assert_ptr_equal(stream.ptr, before.ptr);
			assert_int_equal(stream.len, before.len);
			assert_null(msg.ptr);
		} else {
			assert_int_equal(r, PARSE_OK);
			assert_int_equal(msg.len, n1);
			assert_memory_equal(msg.ptr, msg1, n1);
			assert_int_equal(stream.len, k - f1);
			before = stream;
			r = dns_tcp_next(&stream, &msg);
			if (k < f1 + f2) {
				assert_int_equal(r, PARSE_NEED_MORE);
				assert_ptr_equal(stream.ptr, before.ptr);
				assert_int_equal(stream.len, before.len);
			} else {
				assert_int_equal(r, PARSE_OK);
				assert_int_equal(msg.len, n2);
				assert_memory_equal(msg.ptr, msg2, n2);
				assert_int_equal(stream.len, 0);
			}
		}
		free(copy);
	}
}

static void test_tcp_zero_and_max(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct bytes stream, msg;

	/* A zero length is malformed, even alone, and moves nothing. */
	stream = bytes_make((const uint8_t[]){ 0, 0 }, 2);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_MALFORMED);
	assert_int_equal(stream.len, 2);

	/* After a good message. */
	size_t n = hex(fx_tcpdns, buf, sizeof(buf));
	buf[n++] = 0;
	buf[n++] = 0;
	stream = bytes_make(buf, n);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_OK);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_MALFORMED);

	/* One byte of prefix. */
	stream = bytes_make(buf, 1);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_NEED_MORE);

	/* The largest message, 65535 bytes. */
	uint8_t *big = calloc(1, 65537);
	assert_non_null(big);
	big[0] = 0xff;
	big[1] = 0xff;
	stream = bytes_make(big, 65536);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_NEED_MORE);
	stream = bytes_make(big, 65537);
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_OK);
	assert_int_equal(msg.len, 65535);
	assert_int_equal(stream.len, 0);
	free(big);
}

static void test_rrtype_names(void **state)
{
	(void)state;
	static const struct {
		uint16_t t;
		const char *name;
	} cases[] = {
		{ 1, "A" },       { 2, "NS" },     { 5, "CNAME" },  { 6, "SOA" },
		{ 12, "PTR" },    { 15, "MX" },    { 16, "TXT" },   { 28, "AAAA" },
		{ 33, "SRV" },    { 35, "NAPTR" }, { 41, "OPT" },   { 43, "DS" },
		{ 46, "RRSIG" },  { 47, "NSEC" },  { 48, "DNSKEY" }, { 50, "NSEC3" },
		{ 52, "TLSA" },   { 64, "SVCB" },  { 65, "HTTPS" }, { 251, "IXFR" },
		{ 252, "AXFR" },  { 255, "ANY" },  { 257, "CAA" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = dns_rrtype_name(cases[i].t);
		assert_non_null(got);
		assert_string_equal(got, cases[i].name);
	}
	assert_null(dns_rrtype_name(0));
	assert_null(dns_rrtype_name(4242));
	assert_null(dns_rrtype_name(65535));
}

/* ------------------------------------------------------------------ */
/* Block answers */

static const char ede_text[] = "aigate: generative AI under consumer terms (Rijksbeleid 2025) \xe2\x80\x94 blocked";

static struct dns_block_spec block_spec(enum dns_block_kind kind)
{
	struct dns_block_spec s;
	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.ede_text = ede_text;
	s.sinkhole_v4.family = 4;
	memcpy(s.sinkhole_v4.b, (const uint8_t[]){ 192, 0, 2, 66 }, 4);
	s.sinkhole_v6.family = 6;
	memcpy(s.sinkhole_v6.b,
	       (const uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x66 },
	       16);
	s.ttl = 300;
	return s;
}

/* Everything a client and a user would check in one block answer. */
static void check_block_answer(const uint8_t *query, size_t query_len, const uint8_t *resp,
			       size_t resp_len, const struct dns_block_spec *spec,
			       const char *want_text)
{
	struct dns_query q;
	struct dns_test_response r;

	assert_int_equal(parse(query, query_len, &q), PARSE_OK);
	assert_true(resp_len > 0);
	assert_true(dns_test_read_response(resp, resp_len, &r));

	/* Header: RFC 1035 s4.1.1. */
	assert_int_equal(r.id, q.id);
	assert_true(r.flags & DNSB_QR);
	assert_int_equal(r.flags & DNSB_OPCODE_MASK, q.flags & DNSB_OPCODE_MASK);
	assert_int_equal(r.flags & DNSB_RD, q.flags & DNSB_RD);
	assert_int_equal(r.flags & DNSB_CD, q.flags & DNSB_CD);
	assert_true(r.flags & DNSB_RA);
	assert_false(r.flags & DNSB_AA);
	assert_false(r.flags & DNSB_TC);
	assert_false(r.flags & DNSB_AD);

	/* The question echoed byte for byte. */
	assert_int_equal(r.qdcount, q.qdcount);
	assert_int_equal(r.question.len, q.question_section.len);
	assert_memory_equal(r.question.ptr, query + 12, q.question_section.len);

	const struct dns_question *q0 = &q.questions[0];
	bool is_a = q0->qtype == 1 && q0->qclass == 1 && spec->sinkhole_v4.family == 4;
	bool is_aaaa = q0->qtype == 28 && q0->qclass == 1 && spec->sinkhole_v6.family == 6;
	unsigned want_rcode = 0, want_an = 0, want_ns = 0;
	switch (spec->kind) {
	case DNS_BLOCK_KIND_NXDOMAIN:
		want_rcode = 3;
		want_ns = 1;
		break;
	case DNS_BLOCK_KIND_REFUSED:
		want_rcode = 5;
		break;
	case DNS_BLOCK_KIND_SINKHOLE:
		want_an = is_a || is_aaaa;
		want_ns = !want_an;
		break;
	}
	assert_int_equal(r.flags & DNSB_RCODE_MASK, want_rcode);
	assert_int_equal(r.ancount, want_an);
	assert_int_equal(r.nscount, want_ns);

	if (want_an) {
		assert_string_equal(r.an[0].owner, r.qname);
		assert_int_equal(r.an[0].type, q0->qtype);
		assert_int_equal(r.an[0].rclass, 1);
		assert_int_equal(r.an[0].ttl, spec->ttl);
		if (is_a) {
			assert_int_equal(r.an[0].rdata.len, 4);
			assert_memory_equal(r.an[0].rdata.ptr, spec->sinkhole_v4.b, 4);
		} else {
			assert_int_equal(r.an[0].rdata.len, 16);
			assert_memory_equal(r.an[0].rdata.ptr, spec->sinkhole_v6.b, 16);
		}
	}
	if (want_ns) {
		/* RFC 2308 s3: the SOA, owned by the question name, with
		 * TTL and MINIMUM both the configured negative TTL. */
		assert_int_equal(r.ns[0].type, 6);
		assert_string_equal(r.ns[0].owner, r.qname);
		assert_int_equal(r.ns[0].ttl, spec->ttl);
		assert_int_equal(r.ns[0].soa_minimum, spec->ttl);
		assert_string_equal(r.ns[0].soa_mname, "aigate.invalid");
	}

	/* RFC 6891 s7: OPT only when the query had one; then RFC 8914. */
	if (q.has_opt) {
		assert_int_equal(r.arcount, 1);
		assert_true(r.has_opt);
		assert_int_equal(r.opt_udp_size, 1232);
		assert_int_equal(r.opt_ttl, q.edns_do ? 0x8000u : 0);
		assert_true(r.has_ede);
		assert_int_equal(r.ede_info_code, 15);
		assert_int_equal(r.ede_text_len, strlen(want_text));
		assert_string_equal(r.ede_text, want_text);
		assert_false(r.ede_text_has_nul);
	} else {
		assert_int_equal(r.arcount, 0);
		assert_false(r.has_opt);
		assert_false(r.has_ede);
	}

	/* Our own answer is never taken for a query. */
	struct dns_query again;
	assert_int_equal(parse(resp, resp_len, &again), PARSE_NOT_MINE);
}

static void test_block_all_kinds_and_types(void **state)
{
	(void)state;
	static const uint16_t qtypes[] = { 1, 28, 65, 64, 15, 16, 255, 6 };
	static const enum dns_block_kind kinds[] = {
		DNS_BLOCK_KIND_NXDOMAIN, DNS_BLOCK_KIND_REFUSED, DNS_BLOCK_KIND_SINKHOLE,
	};
	unsigned built = 0;

	for (size_t t = 0; t < sizeof(qtypes) / sizeof(qtypes[0]); t++)
		for (int opt = 0; opt < 2; opt++)
			for (size_t k = 0; k < 3; k++) {
				uint8_t query[256], resp[1232];
				struct dns_query q;
				struct dns_block_spec spec = block_spec(kinds[k]);
				size_t n = dns_build_query1(query, sizeof(query),
							    (uint16_t)(0xa000 + t * 8 + k),
							    "chatgpt.com", qtypes[t], opt != 0);
				assert_int_equal(parse(query, n, &q), PARSE_OK);
				size_t m = dns_build_block_response(bytes_make(query, n), &q,
								    &spec, resp, sizeof(resp));
				check_block_answer(query, n, resp, m, &spec, ede_text);
				built++;
			}
	assert_int_equal(built, 8 * 2 * 3);
}

/* Exact bytes of one answer, so that a change of layout is seen: an
 * HTTPS query for claude.ai with EDNS, answered NXDOMAIN. */
static void test_block_known_answer(void **state)
{
	(void)state;
	uint8_t query[128], resp[512], want[512];
	struct dns_query q;
	struct dns_block_spec spec = block_spec(DNS_BLOCK_KIND_NXDOMAIN);
	spec.ede_text = "blocked";
	spec.ttl = 60;
	size_t n = dns_build_query1(query, sizeof(query), 0xbeef, "claude.ai", 65, true);
	assert_int_equal(parse(query, n, &q), PARSE_OK);
	size_t m = dns_build_block_response(bytes_make(query, n), &q, &spec, resp, sizeof(resp));
	size_t w = hex("beef"            /* ID */
		       "8183"            /* QR RD RA, NXDOMAIN */
		       "0001 0000 0001 0001"
		       "06636c61756465 026169 00 0041 0001" /* claude.ai HTTPS IN */
		       /* authority: SOA owned by the qname (pointer to 12) */
		       "c00c 0006 0001 0000003c 003f"
		       "06616967617465 07696e76616c6964 00"           /* aigate.invalid */
		       "0a686f73746d6173746572 06616967617465 07696e76616c6964 00"
		       "00000001 00000e10 00000258 00015180 0000003c" /* serial .. minimum */
		       /* additional: OPT 1232, EDE 15 "blocked" */
		       "00 0029 04d0 00000000 000d 000f 0009 000f 626c6f636b6564",
		       want, sizeof(want));
	assert_int_equal(m, w);
	assert_memory_equal(resp, want, w);
}

static void test_block_flags_copied(void **state)
{
	(void)state;
	const struct dns_build_question qn = { "gemini.google.com", 1, 1 };
	struct dns_build_edns e = { 4096, true };
	uint8_t query[128], resp[512];
	struct dns_query q;

	/* RD clear, CD set, DO set. */
	size_t n = dns_build_query(query, sizeof(query), 4242, DNSB_CD, &qn, 1, &e);
	assert_int_equal(parse(query, n, &q), PARSE_OK);
	assert_true(q.edns_do);
	for (int k = 0; k < 3; k++) {
		struct dns_block_spec spec = block_spec((enum dns_block_kind)k);
		size_t m = dns_build_block_response(bytes_make(query, n), &q, &spec, resp,
						    sizeof(resp));
		check_block_answer(query, n, resp, m, &spec, ede_text);
		assert_false(resp[2] & 0x01); /* RD stays clear */
	}
}

/* Sinkhole without an address of the asked family: NODATA with SOA. */
static void test_block_sinkhole_without_address(void **state)
{
	(void)state;
	uint8_t query[128], resp[512];
	struct dns_query q;
	struct dns_test_response r;
	struct dns_block_spec spec = block_spec(DNS_BLOCK_KIND_SINKHOLE);
	spec.sinkhole_v6.family = 0;
	spec.ede_text = NULL;

	size_t n = dns_build_query1(query, sizeof(query), 5, "api.openai.com", 28, true);
	assert_int_equal(parse(query, n, &q), PARSE_OK);
	size_t m = dns_build_block_response(bytes_make(query, n), &q, &spec, resp, sizeof(resp));
	check_block_answer(query, n, resp, m, &spec, "");
	assert_true(dns_test_read_response(resp, m, &r));
	assert_int_equal(r.ancount, 0);
	assert_int_equal(r.nscount, 1);
	assert_int_equal(r.flags & DNSB_RCODE_MASK, 0);

	/* The A query still gets the v4 address. */
	n = dns_build_query1(query, sizeof(query), 6, "api.openai.com", 1, false);
	assert_int_equal(parse(query, n, &q), PARSE_OK);
	m = dns_build_block_response(bytes_make(query, n), &q, &spec, resp, sizeof(resp));
	check_block_answer(query, n, resp, m, &spec, "");
	assert_true(dns_test_read_response(resp, m, &r));
	assert_int_equal(r.ancount, 1);
}

/* Questions whose text hides label boundaries, multi-question queries
 * and the root are echoed exactly, and the owner pointer still names
 * the first question. */
static void test_block_odd_questions(void **state)
{
	(void)state;
	uint8_t query[] = {
		0x12, 0x34, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0,
		3, 'a', '.', 'b', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
		0, 0, 28, 0, 1, /* root, AAAA */
	};
	uint8_t resp[512];
	struct dns_query q;
	struct dns_test_response r;

	assert_int_equal(parse(query, sizeof(query), &q), PARSE_OK);
	for (int k = 0; k < 3; k++) {
		struct dns_block_spec spec = block_spec((enum dns_block_kind)k);
		size_t m = dns_build_block_response(bytes_make(query, sizeof(query)), &q, &spec,
						    resp, sizeof(resp));
		check_block_answer(query, sizeof(query), resp, m, &spec, ede_text);
		assert_true(dns_test_read_response(resp, m, &r));
		assert_int_equal(r.qdcount, 2);
		if (k == DNS_BLOCK_KIND_SINKHOLE)
			assert_string_equal(r.an[0].owner, "a.b.com");
	}
}

/* cap: too small for anything gives 0; room for all but the text gives
 * the answer with EDE 15 and no text. */
static void test_block_cap(void **state)
{
	(void)state;
	uint8_t query[128], resp[1232];
	struct dns_query q;
	struct dns_test_response r;
	struct dns_block_spec spec = block_spec(DNS_BLOCK_KIND_NXDOMAIN);
	size_t n = dns_build_query1(query, sizeof(query), 77, "copilot.microsoft.com", 1, true);
	assert_int_equal(parse(query, n, &q), PARSE_OK);

	size_t full = dns_build_block_response(bytes_make(query, n), &q, &spec, resp, sizeof(resp));
	assert_true(full > 0);
	size_t text_len = strlen(ede_text);
	for (size_t cap = 0; cap <= full; cap++) {
		uint8_t *out = malloc(cap > 0 ? cap : 1);
		assert_non_null(out);
		size_t m = dns_build_block_response(bytes_make(query, n), &q, &spec, out, cap);
		if (cap == full) {
			assert_int_equal(m, full);
			check_block_answer(query, n, out, m, &spec, ede_text);
		} else if (cap >= full - text_len) {
			assert_int_equal(m, full - text_len);
			check_block_answer(query, n, out, m, &spec, "");
		} else {
			assert_int_equal(m, 0);
		}
		free(out);
	}
	/* The 512-byte limit of a client without EDNS holds this answer. */
	n = dns_build_query1(query, sizeof(query), 78, "copilot.microsoft.com", 1, false);
	assert_int_equal(parse(query, n, &q), PARSE_OK);
	assert_int_equal(dns_udp_answer_limit(&q), 512);
	size_t m = dns_build_block_response(bytes_make(query, n), &q, &spec, resp,
					    dns_udp_answer_limit(&q));
	assert_true(m > 0 && m <= 512);
	assert_true(dns_test_read_response(resp, m, &r));
}

static void test_udp_answer_limit(void **state)
{
	(void)state;
	struct dns_query q;
	memset(&q, 0, sizeof(q));
	assert_int_equal(dns_udp_answer_limit(&q), 512);
	q.has_opt = true;
	q.edns_udp_size = 0;
	assert_int_equal(dns_udp_answer_limit(&q), 512);
	q.edns_udp_size = 1000;
	assert_int_equal(dns_udp_answer_limit(&q), 1000);
	q.edns_udp_size = 4096;
	assert_int_equal(dns_udp_answer_limit(&q), 1232);
}

/* A query view that does not hold the question (caller error) and a
 * parsed query without questions give 0, not a crash. */
static void test_block_bad_arguments(void **state)
{
	(void)state;
	uint8_t query[128], resp[512];
	struct dns_query q;
	struct dns_block_spec spec = block_spec(DNS_BLOCK_KIND_REFUSED);
	size_t n = dns_build_query1(query, sizeof(query), 1, "chatgpt.com", 1, false);
	assert_int_equal(parse(query, n, &q), PARSE_OK);
	assert_int_equal(dns_build_block_response(bytes_make(query, 20), &q, &spec, resp,
						  sizeof(resp)), 0);
	struct dns_query empty;
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(dns_build_block_response(bytes_make(query, n), &empty, &spec, resp,
						  sizeof(resp)), 0);
	spec.kind = (enum dns_block_kind)7;
	assert_int_equal(dns_build_block_response(bytes_make(query, n), &q, &spec, resp,
						  sizeof(resp)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_tcpdns),
		cmocka_unit_test(test_fixture_punycode),
		cmocka_unit_test(test_fixture_long_name),
		cmocka_unit_test(test_fixture_invalid_chars),
		cmocka_unit_test(test_fixture_wildcard),
		cmocka_unit_test(test_fixture_malformed_dns),
		cmocka_unit_test(test_fixture_multirequest),
		cmocka_unit_test(test_roundtrip_names),
		cmocka_unit_test(test_dot_and_nul_in_label),
		cmocka_unit_test(test_multi_question),
		cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_opt_detection),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_tcp_pipelined),
		cmocka_unit_test(test_tcp_split_every_byte),
		cmocka_unit_test(test_tcp_zero_and_max),
		cmocka_unit_test(test_rrtype_names),
		cmocka_unit_test(test_block_all_kinds_and_types),
		cmocka_unit_test(test_block_known_answer),
		cmocka_unit_test(test_block_flags_copied),
		cmocka_unit_test(test_block_sinkhole_without_address),
		cmocka_unit_test(test_block_odd_questions),
		cmocka_unit_test(test_block_cap),
		cmocka_unit_test(test_udp_answer_limit),
		cmocka_unit_test(test_block_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
