/* test_ip.c: unit tests of IP/L4 parsing (ip.h) and of the packet
 * builder it is tested with (tests/helpers/pkt_build.h).
 *
 * Build-then-parse round trips for IPv4/IPv6, TCP/UDP, options, every
 * IPv6 extension header, fragments and tunnels; bad lengths; a
 * truncation sweep; checksums; address text; and real packets from the
 * capture corpus (/work/shared/pcaps) as annotated hex fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ip.h"
#include "pkt_build.h"

#define BUF_CAP 4096

static const uint8_t payload100[100] = {
	'p', 'a', 'y', 'l', 'o', 'a', 'd', 0, 1, 2, 3, 4, 5, 6, 7, 8,
	9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
	25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
	57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72,
	73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88,
	89, 90, 91, 92,
};

/* Parse a copy of exactly `len` bytes on the heap, so that ASan sees any
 * read past the end.  The caller frees *keep after looking at `out`
 * (its payload view borrows from it). */
static enum parse_result parse_exact(const uint8_t *pkt, size_t len,
				     struct packet_info *out, uint8_t **keep)
{
	uint8_t *copy = len ? malloc(len) : NULL;
	if (len)
		memcpy(copy, pkt, len);
	*keep = copy;
	return ip_parse(bytes_make(copy, len), out);
}

/* The payload view lies inside [base, base + len). */
static void assert_payload_within(const struct packet_info *pi, const uint8_t *base,
				  size_t len)
{
	if (pi->l4_payload.len == 0)
		return;
	assert_true(pi->l4_payload.ptr >= base);
	assert_true(pi->l4_payload.len <= len);
	assert_true((size_t)(pi->l4_payload.ptr - base) <= len - pi->l4_payload.len);
}

static void assert_addr(const struct ip_addr *a, const char *text)
{
	char buf[64];
	ip_addr_format(a, buf, sizeof buf);
	assert_string_equal(buf, text);
}

static void assert_payload(const struct packet_info *pi, const void *want, size_t len)
{
	assert_int_equal(pi->l4_payload.len, len);
	if (len)
		assert_memory_equal(pi->l4_payload.ptr, want, len);
}

static struct pkt_spec spec4(uint8_t proto)
{
	struct pkt_spec s;
	memset(&s, 0, sizeof s);
	s.src = pkt_addr4("192.0.2.10");
	s.dst = pkt_addr4("198.51.100.7");
	s.proto = proto;
	s.sport = 53124;
	s.dport = proto == IPPROTO_NUM_UDP ? 53 : 443;
	s.payload = payload100;
	s.payload_len = sizeof payload100;
	return s;
}

static struct pkt_spec spec6(uint8_t proto)
{
	struct pkt_spec s = spec4(proto);
	s.src = pkt_addr6("2001:db8::10");
	s.dst = pkt_addr6("2001:db8:ffff::7");
	return s;
}

/* ---------------------------------------------------------------------
 * Round trips. */

static void test_udp4_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct ip_addr src = pkt_addr4("192.0.2.10"), dst = pkt_addr4("198.51.100.7");
	size_t n = pkt_build_udp(buf, sizeof buf, &src, 53124, &dst, 53, payload100, 37);
	assert_int_equal(n, 20 + 8 + 37);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_addr(&pi.src, "192.0.2.10");
	assert_addr(&pi.dst, "198.51.100.7");
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.src_port, 53124);
	assert_int_equal(pi.dst_port, 53);
	assert_int_equal(pi.ttl, 64);
	assert_int_equal(pi.ip_id, 1);
	assert_int_equal(pi.flags, 0);
	assert_int_equal(pi.n_tunnels, 0);
	assert_false(pi.frag_first);
	assert_false(pi.truncated);
	assert_payload(&pi, payload100, 37);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
	free(keep);
}

static void test_tcp4_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct ip_addr src = pkt_addr4("10.0.0.1"), dst = pkt_addr4("10.0.0.2");
	size_t n = pkt_build_tcp(buf, sizeof buf, &src, 40000, &dst, 443, 0x01020304,
				 0xa0b0c0d0, TCPF_PSH | TCPF_ACK, payload100, 100);
	assert_int_equal(n, 20 + 20 + 100);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_addr(&pi.src, "10.0.0.1");
	assert_addr(&pi.dst, "10.0.0.2");
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_TCP);
	assert_int_equal(pi.src_port, 40000);
	assert_int_equal(pi.dst_port, 443);
	assert_int_equal(pi.tcp_seq, 0x01020304);
	assert_int_equal(pi.tcp_ack, 0xa0b0c0d0);
	assert_int_equal(pi.tcp_flags, TCPF_PSH | TCPF_ACK);
	assert_int_equal(pi.tcp_window, 65535);
	assert_payload(&pi, payload100, 100);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
	free(keep);
}

static void test_udp6_tcp6_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct ip_addr src = pkt_addr6("2001:db8::10"), dst = pkt_addr6("2001:db8:ffff::7");
	size_t n = pkt_build_udp(buf, sizeof buf, &src, 5353, &dst, 53, payload100, 0);
	assert_int_equal(n, 40 + 8);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_addr(&pi.src, "2001:db8::10");
	assert_addr(&pi.dst, "2001:db8:ffff::7");
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.src_port, 5353);
	assert_int_equal(pi.ttl, 64);
	assert_int_equal(pi.l4_payload.len, 0);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
	free(keep);

	n = pkt_build_tcp(buf, sizeof buf, &src, 1234, &dst, 443, 7, 0, TCPF_SYN, NULL, 0);
	assert_int_equal(n, 40 + 20);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_TCP);
	assert_int_equal(pi.tcp_flags, TCPF_SYN);
	assert_int_equal(pi.tcp_seq, 7);
	assert_int_equal(pi.l4_payload.len, 0);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
	free(keep);
}

/* The builder refuses what does not fit or does not make sense. */
static void test_builder_refuses(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct ip_addr a4 = pkt_addr4("192.0.2.1"), a6 = pkt_addr6("::1");
	assert_int_equal(pkt_build_udp(buf, 20 + 8 + 9, &a4, 1, &a4, 2, payload100, 10), 0);
	assert_int_equal(pkt_build_udp(buf, 20 + 8 + 10, &a4, 1, &a4, 2, payload100, 10), 38);
	assert_int_equal(pkt_build_udp(buf, sizeof buf, &a4, 1, &a6, 2, payload100, 10), 0);
	struct pkt_spec s = spec4(IPPROTO_NUM_TCP);
	s.ip4_options = payload100;
	s.ip4_options_len = 6; /* not a multiple of 4 */
	assert_int_equal(pkt_build(buf, sizeof buf, &s), 0);
	s = spec4(IPPROTO_NUM_TCP);
	static const uint8_t hop[] = { 0 };
	s.ext_types = hop; /* extension headers are IPv6-only */
	s.n_ext = 1;
	assert_int_equal(pkt_build(buf, sizeof buf, &s), 0);
}

/* IPv4 options are skipped within the header length (RFC 791 s3.1);
 * 40 bytes is the most IHL allows. */
static void test_ipv4_options(void **state)
{
	(void)state;
	static const uint8_t opt4[4] = { 0x01, 0x01, 0x01, 0x00 }; /* NOP NOP NOP EOL */
	uint8_t opt40[40];
	memset(opt40, 0x01, sizeof opt40);
	opt40[39] = 0;
	const struct { const uint8_t *p; size_t len; } cases[] = {
		{ opt4, sizeof opt4 }, { opt40, sizeof opt40 },
	};
	for (size_t i = 0; i < 2; i++) {
		uint8_t buf[BUF_CAP];
		struct pkt_spec s = spec4(IPPROTO_NUM_TCP);
		s.ip4_options = cases[i].p;
		s.ip4_options_len = cases[i].len;
		size_t n = pkt_build(buf, sizeof buf, &s);
		assert_int_equal(n, 20 + cases[i].len + 20 + 100);
		assert_int_equal(buf[0] & 0x0f, (20 + cases[i].len) / 4);
		struct packet_info pi;
		uint8_t *keep;
		assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
		assert_int_equal(pi.src_port, 53124);
		assert_int_equal(pi.dst_port, 443);
		assert_payload(&pi, payload100, 100);
		assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
		free(keep);
	}
}

/* TCP options are skipped: the payload starts at Data Offset * 4. */
static void test_tcp_options(void **state)
{
	(void)state;
	static const uint8_t opts[12] = {
		0x02, 0x04, 0x05, 0xb4,                          /* MSS 1460 */
		0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01,  /* NOP NOP timestamp (cut) */
	};
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_TCP);
	s.tcp_options = opts;
	s.tcp_options_len = sizeof opts;
	s.window = 1024;
	s.tcp_flags = TCPF_ACK;
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_int_equal(pi.tcp_window, 1024);
	assert_payload(&pi, payload100, 100);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
	free(keep);
}

/* Every IPv6 extension header kind (RFC 8200 s4, RFC 4302, RFC 6275) in
 * front of UDP, with and without extra length units. */
static void test_ipv6_each_extension_header(void **state)
{
	(void)state;
	static const uint8_t kinds[] = { 0, 43, 44, 60, 51, 135 };
	for (size_t pad = 0; pad <= 3; pad += 3) {
		for (size_t i = 0; i < sizeof kinds; i++) {
			uint8_t buf[BUF_CAP];
			struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
			s.ext_types = &kinds[i];
			s.n_ext = 1;
			s.ext_pad = pad;
			s.payload_len = 33;
			size_t n = pkt_build(buf, sizeof buf, &s);
			assert_true(n > 40 + 8 + 33);
			struct packet_info pi;
			uint8_t *keep;
			enum parse_result r = parse_exact(buf, n, &pi, &keep);
			if (r != PARSE_OK)
				fail_msg("extension header %u pad %zu: result %d", kinds[i], pad, r);
			assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
			assert_int_equal(pi.src_port, 53124);
			assert_int_equal(pi.dst_port, 53);
			assert_int_equal(pi.flags, 0); /* atomic fragment: not a fragment */
			assert_false(pi.frag_first);
			assert_payload(&pi, payload100, 33);
			assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
			free(keep);
		}
	}
}

/* A chain of all kinds at once, hop-by-hop first as RFC 8200 s4.1 says. */
static void test_ipv6_mixed_chain(void **state)
{
	(void)state;
	static const uint8_t chain[] = { 0, 60, 43, 44, 51, 135, 60 };
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_TCP);
	s.ext_types = chain;
	s.n_ext = sizeof chain;
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_TCP);
	assert_int_equal(pi.dst_port, 443);
	assert_payload(&pi, payload100, 100);
	free(keep);
}

/* At most IP6_MAX_EXT_HEADERS extension headers, then MALFORMED. */
static void test_ipv6_chain_limit(void **state)
{
	(void)state;
	uint8_t chain[IP6_MAX_EXT_HEADERS + 1];
	memset(chain, 60, sizeof chain);
	for (size_t k = IP6_MAX_EXT_HEADERS - 1; k <= IP6_MAX_EXT_HEADERS + 1; k++) {
		uint8_t buf[BUF_CAP];
		struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
		s.ext_types = chain;
		s.n_ext = k;
		size_t n = pkt_build(buf, sizeof buf, &s);
		struct packet_info pi;
		uint8_t *keep;
		enum parse_result r = parse_exact(buf, n, &pi, &keep);
		if (k <= IP6_MAX_EXT_HEADERS) {
			assert_int_equal(r, PARSE_OK);
			assert_int_equal(pi.dst_port, 53);
		} else {
			assert_int_equal(r, PARSE_MALFORMED);
		}
		free(keep);
	}
}

/* Hop-by-hop options anywhere but first: MALFORMED (RFC 8200 s4.1). */
static void test_ipv6_hop_by_hop_not_first(void **state)
{
	(void)state;
	static const uint8_t chain[] = { 60, 0 };
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
	s.ext_types = chain;
	s.n_ext = 2;
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
}

/* ESP (50) and No Next Header (59) end the chain with no L4 data; so
 * does any protocol but TCP/UDP (here ICMPv6 58, and ICMP 1 in IPv4). */
static void test_chain_end_without_l4(void **state)
{
	(void)state;
	static const uint8_t dst_opts[] = { 60 };
	const struct { uint8_t fam, proto; size_t n_ext; } cases[] = {
		{ 6, 50, 0 }, { 6, 59, 0 }, { 6, 50, 1 }, { 6, 59, 1 }, { 6, 58, 0 },
		{ 4, 1, 0 }, { 4, 50, 0 }, { 4, 47, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t buf[BUF_CAP];
		struct pkt_spec s = cases[i].fam == 4 ? spec4(cases[i].proto) : spec6(cases[i].proto);
		s.ext_types = dst_opts;
		s.n_ext = cases[i].n_ext;
		size_t n = pkt_build(buf, sizeof buf, &s);
		assert_true(n > 0);
		struct packet_info pi;
		uint8_t *keep;
		assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
		assert_int_equal(pi.l4_proto, cases[i].proto);
		assert_int_equal(pi.src_port, 0);
		assert_int_equal(pi.dst_port, 0);
		assert_int_equal(pi.l4_payload.len, 0);
		assert_int_equal(pi.flags, 0);
		assert_false(ip_l4_checksum_ok(bytes_make(keep, n)));
		free(keep);
	}
}

/* ---------------------------------------------------------------------
 * Fragments. */

static void fragments_case(uint8_t fam)
{
	uint8_t whole[BUF_CAP], f1[BUF_CAP], f2[BUF_CAP];
	struct pkt_spec s = fam == 4 ? spec4(IPPROTO_NUM_UDP) : spec6(IPPROTO_NUM_UDP);
	size_t n = pkt_build(whole, sizeof whole, &s);
	/* First fragment: the UDP header and 40 payload bytes. */
	size_t n1 = pkt_fragment(f1, sizeof f1, whole, n, 0, 48, 0x00abcdef);
	size_t n2 = pkt_fragment(f2, sizeof f2, whole, n, 48, 1000, 0x00abcdef);
	assert_true(n1 > 0 && n2 > 0);

	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(f1, n1, &pi, &keep), PARSE_OK);
	assert_true(pi.frag_first);
	assert_int_equal(pi.flags & FLAG_FRAGMENT, 0);
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.src_port, 53124);
	assert_int_equal(pi.dst_port, 53);
	assert_int_equal(pi.ip_id, 0xcdef);
	assert_false(pi.truncated); /* a first fragment is not a cut capture */
	assert_payload(&pi, payload100, 40);
	assert_false(ip_l4_checksum_ok(bytes_make(keep, n1)));
	free(keep);

	assert_int_equal(parse_exact(f2, n2, &pi, &keep), PARSE_OK);
	assert_true(pi.flags & FLAG_FRAGMENT);
	assert_false(pi.frag_first);
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.src_port, 0);
	assert_int_equal(pi.dst_port, 0);
	assert_int_equal(pi.ip_id, 0xcdef);
	assert_int_equal(pi.l4_payload.len, 0);
	assert_addr(&pi.src, fam == 4 ? "192.0.2.10" : "2001:db8::10");
	assert_false(ip_l4_checksum_ok(bytes_make(keep, n2)));
	free(keep);

	/* A middle fragment (offset != 0, MF set) is not first either; nor
	 * is one at the smallest offset, 8 bytes (1 unit). */
	size_t offs[] = { 48, 8 };
	for (size_t i = 0; i < 2; i++) {
		size_t n3 = pkt_fragment(f2, sizeof f2, whole, n, offs[i], 16, 7);
		assert_true(n3 > 0);
		assert_int_equal(parse_exact(f2, n3, &pi, &keep), PARSE_OK);
		assert_true(pi.flags & FLAG_FRAGMENT);
		assert_false(pi.frag_first);
		assert_int_equal(pi.dst_port, 0);
		assert_int_equal(pi.l4_payload.len, 0);
		free(keep);
	}
}

static void test_fragments_ipv4(void **state)
{
	(void)state;
	fragments_case(4);
}

static void test_fragments_ipv6(void **state)
{
	(void)state;
	fragments_case(6);
}

/* A first fragment too short for a TCP header (the RFC 1858 "tiny
 * fragment" trick) cannot be inspected: MALFORMED. */
static void test_tiny_first_fragment(void **state)
{
	(void)state;
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		uint8_t whole[BUF_CAP], f[BUF_CAP];
		struct pkt_spec s = fam == 4 ? spec4(IPPROTO_NUM_TCP) : spec6(IPPROTO_NUM_TCP);
		size_t n = pkt_build(whole, sizeof whole, &s);
		size_t nf = pkt_fragment(f, sizeof f, whole, n, 0, 16, 1);
		struct packet_info pi;
		uint8_t *keep;
		assert_int_equal(parse_exact(f, nf, &pi, &keep), PARSE_MALFORMED);
		free(keep);
		nf = pkt_fragment(f, sizeof f, whole, n, 0, 24, 1);
		assert_int_equal(parse_exact(f, nf, &pi, &keep), PARSE_OK);
		assert_true(pi.frag_first);
		assert_int_equal(pi.dst_port, 443);
		assert_payload(&pi, payload100, 4);
		free(keep);
	}
}

/* IPv6 fragments behind a hop-by-hop header keep it in front. */
static void test_fragment_ipv6_after_hop_by_hop(void **state)
{
	(void)state;
	static const uint8_t hop[] = { 0 };
	uint8_t whole[BUF_CAP], f[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
	s.ext_types = hop;
	s.n_ext = 1;
	size_t n = pkt_build(whole, sizeof whole, &s);
	size_t nf = pkt_fragment(f, sizeof f, whole, n, 0, 64, 99);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(f, nf, &pi, &keep), PARSE_OK);
	assert_true(pi.frag_first);
	assert_int_equal(pi.dst_port, 53);
	assert_payload(&pi, payload100, 56);
	free(keep);
	nf = pkt_fragment(f, sizeof f, whole, n, 64, 64, 99);
	assert_int_equal(parse_exact(f, nf, &pi, &keep), PARSE_OK);
	assert_true(pi.flags & FLAG_FRAGMENT);
	assert_int_equal(pi.ip_id, 99);
	free(keep);
}

/* ---------------------------------------------------------------------
 * Tunnels. */

static void test_tunnels_each_kind(void **state)
{
	(void)state;
	const struct { uint8_t inner, outer; } kinds[] = { { 4, 4 }, { 6, 4 }, { 4, 6 }, { 6, 6 } };
	struct ip_addr o4s = pkt_addr4("203.0.113.1"), o4d = pkt_addr4("203.0.113.2");
	struct ip_addr o6s = pkt_addr6("2001:db8:1::1"), o6d = pkt_addr6("2001:db8:1::2");
	for (size_t i = 0; i < 4; i++) {
		uint8_t buf[BUF_CAP];
		struct pkt_spec s = kinds[i].inner == 4 ? spec4(IPPROTO_NUM_TCP) : spec6(IPPROTO_NUM_TCP);
		s.ttl = 17;
		size_t n = pkt_build(buf, sizeof buf, &s);
		size_t inner_len = n;
		n = kinds[i].outer == 4 ? pkt_wrap(buf, sizeof buf, &o4s, &o4d, buf, n)
					: pkt_wrap(buf, sizeof buf, &o6s, &o6d, buf, n);
		assert_int_equal(n, inner_len + (kinds[i].outer == 4 ? 20 : 40));
		assert_int_equal(buf[0] >> 4, kinds[i].outer);
		struct packet_info pi;
		uint8_t *keep;
		assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
		assert_true(pi.flags & FLAG_TUNNEL);
		assert_int_equal(pi.n_tunnels, 1);
		assert_addr(&pi.src, kinds[i].inner == 4 ? "192.0.2.10" : "2001:db8::10");
		assert_int_equal(pi.ttl, 17); /* the inner header's */
		/* ip_id too: the builder's 1 for IPv4, none for IPv6 (the
		 * outer IPv4 header's 1 must not leak through). */
		assert_int_equal(pi.ip_id, kinds[i].inner == 4 ? 1 : 0);
		assert_int_equal(pi.l4_proto, IPPROTO_NUM_TCP);
		assert_int_equal(pi.dst_port, 443);
		assert_payload(&pi, payload100, 100);
		assert_true(ip_l4_checksum_ok(bytes_make(keep, n)));
		free(keep);
	}
}

/* Up to IP_MAX_TUNNELS nested tunnels are looked through; one more is
 * MALFORMED (so that nesting cannot hide a name). */
static void test_tunnel_nesting_limit(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec4(IPPROTO_NUM_UDP);
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct ip_addr o4s = pkt_addr4("203.0.113.1"), o4d = pkt_addr4("203.0.113.2");
	struct ip_addr o6s = pkt_addr6("2001:db8:1::1"), o6d = pkt_addr6("2001:db8:1::2");
	for (unsigned depth = 1; depth <= IP_MAX_TUNNELS + 1; depth++) {
		n = depth % 2 ? pkt_wrap(buf, sizeof buf, &o6s, &o6d, buf, n)
			      : pkt_wrap(buf, sizeof buf, &o4s, &o4d, buf, n);
		assert_true(n > 0);
		struct packet_info pi;
		uint8_t *keep;
		enum parse_result r = parse_exact(buf, n, &pi, &keep);
		if (depth <= IP_MAX_TUNNELS) {
			assert_int_equal(r, PARSE_OK);
			assert_int_equal(pi.n_tunnels, depth);
			assert_int_equal(pi.dst_port, 53);
			assert_addr(&pi.dst, "198.51.100.7");
		} else {
			assert_int_equal(r, PARSE_MALFORMED);
		}
		free(keep);
	}
}

/* Protocol 4 must carry IPv4, 41 IPv6; anything else is MALFORMED. */
static void test_tunnel_version_mismatch(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct ip_addr o4s = pkt_addr4("203.0.113.1"), o4d = pkt_addr4("203.0.113.2");
	n = pkt_wrap(buf, sizeof buf, &o4s, &o4d, buf, n);
	assert_int_equal(buf[9], 41);
	buf[9] = 4; /* claims IPv4 inside; leaves the header checksum wrong, unchecked */
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	/* An empty tunnel payload. */
	struct pkt_spec e = spec4(4); /* IP-in-IP */
	e.payload_len = 0;
	n = pkt_build(buf, sizeof buf, &e);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
}

/* A fragmented tunnel packet: the outer non-first fragment stops there;
 * the outer first fragment is looked into. */
static void test_tunnel_fragmented_outside(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP], f[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct ip_addr o4s = pkt_addr4("203.0.113.1"), o4d = pkt_addr4("203.0.113.2");
	n = pkt_wrap(buf, sizeof buf, &o4s, &o4d, buf, n);
	size_t nf = pkt_fragment(f, sizeof f, buf, n, 0, 64, 5);
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(f, nf, &pi, &keep), PARSE_OK);
	assert_true(pi.frag_first);
	assert_true(pi.flags & FLAG_TUNNEL);
	assert_int_equal(pi.dst_port, 53);
	assert_payload(&pi, payload100, 64 - 40 - 8);
	free(keep);
	nf = pkt_fragment(f, sizeof f, buf, n, 64, 200, 5);
	assert_int_equal(parse_exact(f, nf, &pi, &keep), PARSE_OK);
	assert_true(pi.flags & FLAG_FRAGMENT);
	assert_int_equal(pi.l4_proto, 41);
	assert_int_equal(pi.n_tunnels, 0);
	assert_addr(&pi.src, "203.0.113.1");
	free(keep);
}

/* ---------------------------------------------------------------------
 * Bad and odd lengths. */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void test_ipv4_bad_lengths(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec4(IPPROTO_NUM_UDP);
	s.payload_len = 20;
	size_t n = pkt_build(buf, sizeof buf, &s); /* 48 bytes */
	struct packet_info pi;
	uint8_t *keep;

	/* IHL below 5. */
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		buf[0] = (uint8_t)(0x40 | ihl);
		assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
		free(keep);
	}
	/* IHL past the bytes (15 words = 60 > 48). */
	buf[0] = 0x4f;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	buf[0] = 0x45;
	/* Total length shorter than the header. */
	put16(buf + 2, 19);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	/* Total length exactly the header: no room for UDP. */
	put16(buf + 2, 20);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	/* Total length past the buffer: a cut capture, use what is there. */
	put16(buf + 2, 1000);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_true(pi.truncated);
	assert_payload(&pi, payload100, 20);
	free(keep);
	/* Total length 0: offload in a capture, the rest of the buffer. */
	put16(buf + 2, 0);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_false(pi.truncated);
	assert_payload(&pi, payload100, 20);
	free(keep);
	/* More bytes than total length (Ethernet padding): ignored. */
	put16(buf + 2, (unsigned)n);
	memset(buf + n, 0xee, 12);
	assert_int_equal(parse_exact(buf, n + 12, &pi, &keep), PARSE_OK);
	assert_false(pi.truncated);
	assert_payload(&pi, payload100, 20);
	free(keep);
	/* Shorter than a header; empty; another version. */
	assert_int_equal(parse_exact(buf, 19, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	assert_int_equal(parse_exact(buf, 0, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	for (unsigned v = 0; v < 16; v++) {
		if (v == 4 || v == 6)
			continue;
		buf[0] = (uint8_t)(v << 4 | 5);
		assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_NOT_MINE);
		free(keep);
	}
}

static void test_ipv6_bad_lengths(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	static const uint8_t dst_opts[] = { 60 };
	struct pkt_spec s = spec6(IPPROTO_NUM_UDP);
	s.payload_len = 20;
	size_t n = pkt_build(buf, sizeof buf, &s); /* 40 + 8 + 28 */
	struct packet_info pi;
	uint8_t *keep;
	/* Payload length past the buffer. */
	put16(buf + 4, 500);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_OK);
	assert_true(pi.truncated);
	assert_payload(&pi, payload100, 20);
	assert_false(ip_l4_checksum_ok(bytes_make(keep, n)));
	free(keep);
	/* Padding after the payload is ignored. */
	put16(buf + 4, 28);
	memset(buf + n, 0xee, 6);
	assert_int_equal(parse_exact(buf, n + 6, &pi, &keep), PARSE_OK);
	assert_false(pi.truncated);
	assert_payload(&pi, payload100, 20);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, n + 6)));
	free(keep);
	/* Payload length too small for the extension header it names. */
	s.ext_types = dst_opts;
	s.n_ext = 1;
	n = pkt_build(buf, sizeof buf, &s);
	put16(buf + 4, 4);
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	/* An extension header whose length runs past the packet. */
	n = pkt_build(buf, sizeof buf, &s);
	buf[41] = 200;
	assert_int_equal(parse_exact(buf, n, &pi, &keep), PARSE_MALFORMED);
	free(keep);
	/* A header cut short. */
	assert_int_equal(parse_exact(buf, 39, &pi, &keep), PARSE_MALFORMED);
	free(keep);
}

static void test_tcp_bad_data_offset(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec4(IPPROTO_NUM_TCP);
	s.payload_len = 8;
	size_t n = pkt_build(buf, sizeof buf, &s); /* 20 + 20 + 8 */
	struct packet_info pi;
	uint8_t *keep;
	for (unsigned doff = 0; doff < 16; doff++) {
		buf[20 + 12] = (uint8_t)(doff << 4);
		enum parse_result r = parse_exact(buf, n, &pi, &keep);
		if (doff < 5 || doff * 4 > 28) {
			assert_int_equal(r, PARSE_MALFORMED);
		} else {
			assert_int_equal(r, PARSE_OK);
			assert_int_equal(pi.l4_payload.len, 28 - doff * 4);
		}
		free(keep);
	}
}

static void test_udp_lengths(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec4(IPPROTO_NUM_UDP);
	s.payload_len = 30;
	size_t n = pkt_build(buf, sizeof buf, &s); /* 20 + 8 + 30 */
	struct packet_info pi;
	uint8_t *keep;
	const struct { unsigned ulen; enum parse_result r; size_t payload; bool trunc; } cases[] = {
		{ 0, PARSE_MALFORMED, 0, false },
		{ 7, PARSE_MALFORMED, 0, false },
		{ 8, PARSE_OK, 0, false },
		{ 20, PARSE_OK, 12, false },   /* shorter than the IP payload: bounds it */
		{ 38, PARSE_OK, 30, false },
		{ 39, PARSE_OK, 30, true },    /* past the bytes: what is there */
		{ 65535, PARSE_OK, 30, true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		put16(buf + 24, cases[i].ulen);
		assert_int_equal(parse_exact(buf, n, &pi, &keep), cases[i].r);
		if (cases[i].r == PARSE_OK) {
			assert_payload(&pi, payload100, cases[i].payload);
			assert_int_equal(pi.truncated, cases[i].trunc);
		}
		free(keep);
	}
	/* A UDP header that does not fit. */
	s.payload_len = 0;
	n = pkt_build(buf, sizeof buf, &s);
	put16(buf + 2, 27);
	assert_int_equal(parse_exact(buf, 27, &pi, &keep), PARSE_MALFORMED);
	free(keep);
}

/* ---------------------------------------------------------------------
 * Truncation sweep: every proper prefix parses without a crash, never
 * yields a payload outside the bytes given, and is never mistaken for a
 * whole packet (MALFORMED, or OK with `truncated` or a fragment). */

static void sweep(const uint8_t *pkt, size_t len)
{
	struct packet_info whole;
	uint8_t *keep;
	assert_int_equal(parse_exact(pkt, len, &whole, &keep), PARSE_OK);
	size_t whole_payload = whole.l4_payload.len;
	free(keep);
	for (size_t cut = 0; cut < len; cut++) {
		struct packet_info pi;
		enum parse_result r = parse_exact(pkt, cut, &pi, &keep);
		assert_true(r == PARSE_OK || r == PARSE_MALFORMED);
		if (r == PARSE_OK) {
			assert_payload_within(&pi, keep, cut);
			assert_true(pi.l4_payload.len <= whole_payload);
			if (!pi.truncated)
				fail_msg("prefix %zu of %zu parsed as a whole packet", cut, len);
			assert_false(ip_l4_checksum_ok(bytes_make(keep, cut)));
		}
		free(keep);
	}
}

static void test_truncation_sweep_built(void **state)
{
	(void)state;
	static const uint8_t chain[] = { 0, 43, 60, 51, 135 };
	static const uint8_t opt8[8] = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
	static const uint8_t tcpopt[8] = { 0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02 };
	uint8_t buf[BUF_CAP];
	struct pkt_spec s;

	s = spec4(IPPROTO_NUM_TCP);
	s.ip4_options = opt8;
	s.ip4_options_len = sizeof opt8;
	s.tcp_options = tcpopt;
	s.tcp_options_len = sizeof tcpopt;
	sweep(buf, pkt_build(buf, sizeof buf, &s));

	s = spec6(IPPROTO_NUM_UDP);
	s.ext_types = chain;
	s.n_ext = sizeof chain;
	s.ext_pad = 1;
	sweep(buf, pkt_build(buf, sizeof buf, &s));

	struct ip_addr o4s = pkt_addr4("203.0.113.1"), o4d = pkt_addr4("203.0.113.2");
	struct ip_addr o6s = pkt_addr6("2001:db8:1::1"), o6d = pkt_addr6("2001:db8:1::2");
	s = spec6(IPPROTO_NUM_TCP);
	size_t n = pkt_build(buf, sizeof buf, &s);
	n = pkt_wrap(buf, sizeof buf, &o4s, &o4d, buf, n);
	sweep(buf, n);
	n = pkt_wrap(buf, sizeof buf, &o6s, &o6d, buf, n);
	sweep(buf, n);
}

/* ---------------------------------------------------------------------
 * Checksums. */

static void test_checksum_detects_corruption(void **state)
{
	(void)state;
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		for (int p = 0; p < 2; p++) {
			uint8_t proto = p ? IPPROTO_NUM_TCP : IPPROTO_NUM_UDP;
			uint8_t buf[BUF_CAP];
			struct pkt_spec s = fam == 4 ? spec4(proto) : spec6(proto);
			s.payload_len = 41; /* odd: the padding byte of RFC 1071 */
			size_t n = pkt_build(buf, sizeof buf, &s);
			assert_true(ip_l4_checksum_ok(bytes_make(buf, n)));
			/* Any flipped payload bit is caught. */
			for (size_t i = n - 41; i < n; i++) {
				buf[i] ^= 0x10;
				assert_false(ip_l4_checksum_ok(bytes_make(buf, n)));
				buf[i] ^= 0x10;
			}
			/* The pseudo-header covers the addresses. */
			size_t src_at = fam == 4 ? 12 : 8;
			buf[src_at + 1] ^= 1;
			assert_false(ip_l4_checksum_ok(bytes_make(buf, n)));
			buf[src_at + 1] ^= 1;
			s.bad_checksum = true;
			n = pkt_build(buf, sizeof buf, &s);
			assert_false(ip_l4_checksum_ok(bytes_make(buf, n)));
		}
	}
}

/* UDP checksum 0 means "not computed" in IPv4 (RFC 768) and is not
 * allowed in IPv6 (RFC 8200 s8.1). */
static void test_checksum_udp_zero(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec4(IPPROTO_NUM_UDP);
	size_t n = pkt_build(buf, sizeof buf, &s);
	put16(buf + 20 + 6, 0);
	assert_true(ip_l4_checksum_ok(bytes_make(buf, n)));
	s = spec6(IPPROTO_NUM_UDP);
	n = pkt_build(buf, sizeof buf, &s);
	put16(buf + 40 + 6, 0);
	assert_false(ip_l4_checksum_ok(bytes_make(buf, n)));
}

/* With a routing header that has segments left, the pseudo-header uses
 * the final destination (RFC 8200 s8.1). */
static void test_checksum_routing_final_destination(void **state)
{
	(void)state;
	static const uint8_t rh[] = { 43 };
	uint8_t buf[BUF_CAP];
	struct pkt_spec s = spec6(IPPROTO_NUM_UDP); /* checksummed to the final dst */
	s.ext_types = rh;
	s.n_ext = 1;
	s.ext_pad = 2; /* 24 bytes: room for one address */
	size_t n = pkt_build(buf, sizeof buf, &s);
	struct ip_addr via = pkt_addr6("2001:db8:aaaa::1");
	for (uint8_t type = 0; type <= 4; type += 2) {
		/* Type 0/2: the last address is the final one; type 4 (SRH):
		 * Segment List[0].  One address, so the same place. */
		buf[40 + 2] = type;
		buf[40 + 3] = 1;                   /* segments left */
		memcpy(buf + 40 + 8, s.dst.b, 16);
		memcpy(buf + 24, via.b, 16);       /* the header's dst: next hop */
		assert_true(ip_l4_checksum_ok(bytes_make(buf, n)));
		struct packet_info pi;
		assert_int_equal(ip_parse(bytes_make(buf, n), &pi), PARSE_OK);
		assert_addr(&pi.dst, "2001:db8:aaaa::1");
		buf[40 + 3] = 0;                   /* no segments left: dst is final */
		assert_false(ip_l4_checksum_ok(bytes_make(buf, n)));
	}
}

/* The builder's IPv4 header checksum is right (RFC 1071: summing the
 * header with its checksum gives zero). */
static void test_builder_ipv4_header_checksum(void **state)
{
	(void)state;
	uint8_t buf[BUF_CAP];
	static const uint8_t opt4[4] = { 0x01, 0x01, 0x01, 0x00 };
	struct pkt_spec s = spec4(IPPROTO_NUM_UDP);
	s.ip4_options = opt4;
	s.ip4_options_len = 4;
	size_t n = pkt_build(buf, sizeof buf, &s);
	assert_int_equal(pkt_inet_checksum(buf, 24), 0);
	uint8_t f[BUF_CAP];
	size_t nf = pkt_fragment(f, sizeof f, buf, n, 8, 16, 3);
	assert_int_equal(pkt_inet_checksum(f, 24), 0);
	struct ip_addr a = pkt_addr4("203.0.113.1");
	n = pkt_wrap(buf, sizeof buf, &a, &a, buf, n);
	assert_int_equal(pkt_inet_checksum(buf, 20), 0);
	(void)nf;
}

/* ---------------------------------------------------------------------
 * Address text. */

static void test_addr_format_rfc5952(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } cases[] = {
		{ "192.0.2.1", "192.0.2.1" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" }, /* s4.1, s4.3 */
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },   /* s4.2.3: first of equal runs */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" }, /* s4.2.2: not for one field */
		{ "2001:0:0:1:0:0:0:1", "2001:0:0:1::1" },          /* s4.2.3: the longest run */
		{ "::", "::" },
		{ "::1", "::1" },
		{ "fe80::", "fe80::" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },         /* s5: IPv4-mapped */
		{ "2001:470:1f16:13f::2", "2001:470:1f16:13f::2" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ip_addr a;
		assert_true(ip_addr_parse(cases[i].in, &a));
		assert_int_equal(a.family, strchr(cases[i].in, ':') ? 6 : 4);
		char buf[64];
		ip_addr_format(&a, buf, sizeof buf);
		assert_string_equal(buf, cases[i].out);
		/* And back to the same bytes. */
		struct ip_addr b;
		assert_true(ip_addr_parse(buf, &b));
		assert_memory_equal(&a, &b, sizeof a);
	}
	/* The longest form fits INET6_ADDRSTRLEN (46). */
	struct ip_addr a;
	assert_true(ip_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &a));
	char buf46[46];
	ip_addr_format(&a, buf46, sizeof buf46);
	assert_string_equal(buf46, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_addr_format_edge(void **state)
{
	(void)state;
	struct ip_addr none;
	memset(&none, 0, sizeof none);
	char buf[64];
	memset(buf, 'x', sizeof buf);
	ip_addr_format(&none, buf, sizeof buf);
	assert_string_equal(buf, "");
	struct ip_addr a = pkt_addr6("2001:db8::1");
	char small[5];
	ip_addr_format(&a, small, sizeof small);
	assert_string_equal(small, "");
	char untouched = 'q';
	ip_addr_format(&a, &untouched, 0);
	assert_int_equal(untouched, 'q');
	/* An IPv4 address ignores bytes 4..15. */
	struct ip_addr v4 = pkt_addr4("10.1.2.3");
	memset(v4.b + 4, 0xff, 12);
	ip_addr_format(&v4, buf, sizeof buf);
	assert_string_equal(buf, "10.1.2.3");
}

static void test_addr_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", " 192.0.2.1", "192.0.2.1 ", "192.0.2", "192.0.2.1.5", "256.0.0.1",
		"192.0.2.-1", "0x7f.0.0.1", "::g", "1:2:3:4:5:6:7:8:9", "2001:db8:::1",
		"fe80::1%eth0", "[::1]", "example.com", "1::2::3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ip_addr a;
		memset(&a, 0x77, sizeof a);
		if (ip_addr_parse(bad[i], &a))
			fail_msg("accepted \"%s\"", bad[i]);
		for (size_t j = 0; j < sizeof a.b; j++)
			assert_int_equal(a.b[j], 0x77);
		assert_int_equal(a.family, 0x77);
	}
	struct ip_addr a;
	assert_false(ip_addr_parse(NULL, &a));
}

/* ---------------------------------------------------------------------
 * Real packets from the capture corpus (IP bytes, Ethernet stripped). */

/* 6in4tunnel.pcap frame 18: a DNS query (AAAA star.c10r.facebook.com)
 * from a Hurricane Electric 6in4 tunnel. */
static const uint8_t fx_6in4_dns[] = {
	/* IPv4: IHL 5, total 119, id 0xb895, DF, TTL 255, proto 41 (IPv6),
	 * 174.3.73.24 -> 184.105.255.26 */
	0x45, 0x00, 0x00, 0x77, 0xb8, 0x95, 0x40, 0x00, 0xff, 0x29, 0x14, 0x28,
	0xae, 0x03, 0x49, 0x18, 0xb8, 0x69, 0xff, 0x1a,
	/* IPv6: payload 59, next 17 (UDP), hop limit 64,
	 * 2001:470:1f16:13f::2 -> 2a03:2880:fffe:b:face:b00c:0:99 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x3b, 0x11, 0x40,
	0x20, 0x01, 0x04, 0x70, 0x1f, 0x16, 0x01, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x2a, 0x03, 0x28, 0x80, 0xff, 0xfe, 0x00, 0x0b, 0xfa, 0xce, 0xb0, 0x0c, 0x00, 0x00, 0x00, 0x99,
	/* UDP: 53959 -> 53, length 59, checksum 0xad65 */
	0xd2, 0xc7, 0x00, 0x35, 0x00, 0x3b, 0xad, 0x65,
	/* DNS: id 0x1a02, RD, 1 question, 1 additional (EDNS) */
	0x1a, 0x02, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x73, 0x74, 0x61, 0x72, 0x04, 0x63, 0x31, 0x30, 0x72, 0x08, 0x66, 0x61, 0x63, 0x65, 0x62,
	0x6f, 0x6f, 0x6b, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x1c, 0x00, 0x01,
	0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* 6in4tunnel.pcap frame 22: a TCP SYN with options over 6in4. */
static const uint8_t fx_6in4_syn[] = {
	/* IPv4: total 100, proto 41 */
	0x45, 0x00, 0x00, 0x64, 0xb8, 0x98, 0x40, 0x00, 0xff, 0x29, 0x14, 0x38,
	0xae, 0x03, 0x49, 0x18, 0xb8, 0x69, 0xff, 0x1a,
	/* IPv6: payload 40, next 6 (TCP), hop limit 63,
	 * 2001:470:1f17:13f:3e97:eff:fe73:4dec -> 2a03:2880:1010:6f03:face:b00c:0:2 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x3f,
	0x20, 0x01, 0x04, 0x70, 0x1f, 0x17, 0x01, 0x3f, 0x3e, 0x97, 0x0e, 0xff, 0xfe, 0x73, 0x4d, 0xec,
	0x2a, 0x03, 0x28, 0x80, 0x10, 0x10, 0x6f, 0x03, 0xfa, 0xce, 0xb0, 0x0c, 0x00, 0x00, 0x00, 0x02,
	/* TCP: 53234 -> 443, seq 662001836, ack 0, data offset 10 (40
	 * bytes), SYN, window 28800 */
	0xcf, 0xf2, 0x01, 0xbb, 0x27, 0x75, 0x58, 0xac, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0x70, 0x80, 0x1f, 0x27, 0x00, 0x00,
	/* options: MSS 1440, SACK permitted, timestamps, NOP, window scale 7 */
	0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x27, 0x79, 0xe3, 0xf2, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

/* 4in6tunnel.pcap frame 3: a TLS ClientHello (SNI www.bing.com) in IPv4
 * in IPv6.  The frame has 48 zero bytes after the IPv6 payload length
 * (padding), which the parser must ignore. */
static const uint8_t fx_4in6_tls[] = {
	/* IPv6: payload 264, next 4 (IPv4), hop limit 63,
	 * 22e0:1685:eda7:38cc:58bd:f3f1:aa3f:22d8 -> 344a:ba94:152a:ac34::2a */
	0x60, 0x00, 0x00, 0x00, 0x01, 0x08, 0x04, 0x3f,
	0x22, 0xe0, 0x16, 0x85, 0xed, 0xa7, 0x38, 0xcc, 0x58, 0xbd, 0xf3, 0xf1, 0xaa, 0x3f, 0x22, 0xd8,
	0x34, 0x4a, 0xba, 0x94, 0x15, 0x2a, 0xac, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
	/* IPv4: total 264, id 0x7bf7, DF, TTL 127, TCP, 192.168.0.1 -> 10.10.10.1 */
	0x45, 0x00, 0x01, 0x08, 0x7b, 0xf7, 0x40, 0x00, 0x7f, 0x06, 0xaa, 0x44,
	0xc0, 0xa8, 0x00, 0x01, 0x0a, 0x0a, 0x0a, 0x01,
	/* TCP: 64455 -> 443, seq 0xdfe13e83, ack 0x030cca8f, data offset 5,
	 * PSH ACK, window 1024 */
	0xfb, 0xc7, 0x01, 0xbb, 0xdf, 0xe1, 0x3e, 0x83, 0x03, 0x0c, 0xca, 0x8f,
	0x50, 0x18, 0x04, 0x00, 0xd2, 0x27, 0x00, 0x00,
	/* TLS record: handshake, 0x0303, length 219; ClientHello (224 bytes) */
	0x16, 0x03, 0x03, 0x00, 0xdb, 0x01, 0x00, 0x00, 0xd7, 0x03, 0x03, 0x5b, 0x9b, 0x97, 0x13, 0x4f,
	0xd0, 0x15, 0x85, 0x29, 0x91, 0x63, 0xbe, 0x1e, 0x98, 0x05, 0xe4, 0xc2, 0x39, 0xc1, 0x3f, 0x53,
	0x42, 0x3d, 0x78, 0x4a, 0xba, 0x12, 0x1f, 0x56, 0x65, 0xf2, 0x88, 0x20, 0x8f, 0x3f, 0x00, 0x00,
	0xb5, 0xcb, 0x3b, 0xd1, 0xf6, 0xaf, 0x17, 0xc2, 0x1a, 0xc8, 0xea, 0xcb, 0xb7, 0x14, 0xeb, 0xf3,
	0x57, 0x0e, 0xb3, 0xf1, 0x12, 0xcc, 0x20, 0x11, 0x41, 0x95, 0x71, 0xf0, 0x00, 0x26, 0xc0, 0x2c,
	0xc0, 0x2b, 0xc0, 0x30, 0xc0, 0x2f, 0xc0, 0x24, 0xc0, 0x23, 0xc0, 0x28, 0xc0, 0x27, 0xc0, 0x0a,
	0xc0, 0x09, 0xc0, 0x14, 0xc0, 0x13, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35,
	0x00, 0x2f, 0x00, 0x0a, 0x01, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x11, 0x00, 0x0f, 0x00, 0x00,
	0x0c, 0x77, 0x77, 0x77, 0x2e, 0x62, 0x69, 0x6e, 0x67, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x0a, 0x00,
	0x08, 0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, 0x00,
	0x0d, 0x00, 0x14, 0x00, 0x12, 0x04, 0x01, 0x05, 0x01, 0x02, 0x01, 0x04, 0x03, 0x05, 0x03, 0x02,
	0x03, 0x02, 0x02, 0x06, 0x01, 0x06, 0x03, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00,
	0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x17, 0x00,
	0x00, 0x00, 0x18, 0x00, 0x06, 0x00, 0x0a, 0x03, 0x02, 0x01, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00,
	/* 48 bytes past the IPv6 payload length */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ipv6-fragmented-dns.pcap frame 1: a plain IPv6 DNS query (TXT
 * txtpadding_323.n1.netalyzr.icsi.berkeley.edu). */
static const uint8_t fx_ipv6_dns[] = {
	/* IPv6: payload 81, next 17, hop limit 64,
	 * 2001:470:1f11:81f:d138:5f55:6d4:1fe2 -> 2607:f740:b::f93 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x51, 0x11, 0x40,
	0x20, 0x01, 0x04, 0x70, 0x1f, 0x11, 0x08, 0x1f, 0xd1, 0x38, 0x5f, 0x55, 0x06, 0xd4, 0x1f, 0xe2,
	0x26, 0x07, 0xf7, 0x40, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x93,
	/* UDP: 51850 -> 53, length 81 */
	0xca, 0x8a, 0x00, 0x35, 0x00, 0x51, 0xf9, 0x5a,
	/* DNS: id 0x0f3f */
	0x0f, 0x3f, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x0e, 0x74, 0x78, 0x74, 0x70, 0x61, 0x64, 0x64, 0x69, 0x6e, 0x67, 0x5f, 0x33, 0x32, 0x33, 0x02,
	0x6e, 0x31, 0x08, 0x6e, 0x65, 0x74, 0x61, 0x6c, 0x79, 0x7a, 0x72, 0x04, 0x69, 0x63, 0x73, 0x69,
	0x08, 0x62, 0x65, 0x72, 0x6b, 0x65, 0x6c, 0x65, 0x79, 0x03, 0x65, 0x64, 0x75, 0x00, 0x00, 0x10,
	0x00, 0x01, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/* dns_fragmented.pcap frame 11, first 64 of its 1500 bytes: the first
 * IPv4 fragment of a DNS response (as if captured with snaplen 78). */
static const uint8_t fx_ipv4_first_frag_cut[] = {
	/* IPv4: total 1500, id 0xe211, MF, offset 0, TTL 64, UDP,
	 * 193.24.227.238 -> 173.194.169.104 */
	0x45, 0x00, 0x05, 0xdc, 0xe2, 0x11, 0x20, 0x00, 0x40, 0x11, 0x76, 0xcd,
	0xc1, 0x18, 0xe3, 0xee, 0xad, 0xc2, 0xa9, 0x68,
	/* UDP: 53 -> 59464, length 1498 (the whole datagram) */
	0x00, 0x35, 0xe8, 0x48, 0x05, 0xda, 0x85, 0xbf,
	/* DNS response: id 0xa17d ... */
	0xa1, 0x7d, 0x84, 0x10, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x09, 0x03, 0x66, 0x67, 0x32,
	0x08, 0x77, 0x65, 0x62, 0x65, 0x72, 0x6c, 0x61, 0x62, 0x02, 0x64, 0x65, 0x00, 0x00, 0x01, 0x00,
	0x01, 0xc0, 0x0c, 0x00,
};

/* dns_fragmented.pcap frame 12: the last IPv4 fragment of that response. */
static const uint8_t fx_ipv4_last_frag[] = {
	/* IPv4: total 38, id 0xe211, offset 185 (1480 bytes), MF clear, UDP */
	0x45, 0x00, 0x00, 0x26, 0xe2, 0x11, 0x00, 0xb9, 0x40, 0x11, 0x9b, 0xca,
	0xc1, 0x18, 0xe3, 0xee, 0xad, 0xc2, 0xa9, 0x68,
	/* 18 bytes of the datagram's tail */
	0x00, 0x00, 0x0f, 0x00, 0x08, 0x00, 0x0b, 0x00, 0x02, 0x38, 0x00, 0x20, 0x01, 0x04, 0x70, 0x1f,
	0x0b, 0x16,
};

/* dns_fragmented.pcap frame 5, first 80 of its 1496 bytes: the first
 * IPv6 fragment of a DNS response. */
static const uint8_t fx_ipv6_first_frag_cut[] = {
	/* IPv6: payload 1456, next 44 (fragment), hop limit 64,
	 * 2001:470:765b::a25:53 -> 2a00:1450:4013:c03::10a */
	0x60, 0x07, 0x87, 0xfd, 0x05, 0xb0, 0x2c, 0x40,
	0x20, 0x01, 0x04, 0x70, 0x76, 0x5b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x25, 0x00, 0x53,
	0x2a, 0x00, 0x14, 0x50, 0x40, 0x13, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a,
	/* fragment header: next 17, offset 0, M, id 0x28403c0b */
	0x11, 0x00, 0x00, 0x01, 0x28, 0x40, 0x3c, 0x0b,
	/* UDP: 53 -> 46433, length 1509 */
	0x00, 0x35, 0xb5, 0x61, 0x05, 0xe5, 0x14, 0x8e,
	/* DNS response: id 0xe9c4 ... */
	0xe9, 0xc4, 0x84, 0x10, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x09, 0x02, 0x70, 0x61, 0x08,
	0x77, 0x65, 0x62, 0x65, 0x72, 0x6c, 0x61, 0x62,
};

/* dns_fragmented.pcap frame 6: the last IPv6 fragment of that response. */
static const uint8_t fx_ipv6_last_frag[] = {
	/* IPv6: payload 69, next 44, hop limit 64 */
	0x60, 0x07, 0x87, 0xfd, 0x00, 0x45, 0x2c, 0x40,
	0x20, 0x01, 0x04, 0x70, 0x76, 0x5b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x25, 0x00, 0x53,
	0x2a, 0x00, 0x14, 0x50, 0x40, 0x13, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a,
	/* fragment header: next 17, offset 181 (1448 bytes), M clear, id 0x28403c0b */
	0x11, 0x00, 0x05, 0xa8, 0x28, 0x40, 0x3c, 0x0b,
	/* 61 bytes of the datagram's tail */
	0x5d, 0x7a, 0xb6, 0x6a, 0x1c, 0xea, 0x61, 0x8d, 0x79, 0x65, 0x32, 0x4f, 0x2c, 0x1e, 0xcc, 0x06,
	0x91, 0x26, 0x9a, 0x0e, 0x84, 0x7f, 0x00, 0xbf, 0x5b, 0xa9, 0x29, 0xc8, 0x49, 0x05, 0xca, 0x72,
	0x79, 0xec, 0xe6, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x0f, 0x00, 0x08,
	0x00, 0x0b, 0x00, 0x02, 0x38, 0x00, 0x20, 0x01, 0x04, 0x70, 0x1f, 0x0b, 0x16,
};

/* Expected values from tshark (TRUTH.md addresses and ports). */
static void test_real_6in4(void **state)
{
	(void)state;
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(fx_6in4_dns, sizeof fx_6in4_dns, &pi, &keep), PARSE_OK);
	assert_true(pi.flags & FLAG_TUNNEL);
	assert_int_equal(pi.n_tunnels, 1);
	assert_addr(&pi.src, "2001:470:1f16:13f::2");
	assert_addr(&pi.dst, "2a03:2880:fffe:b:face:b00c:0:99");
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.src_port, 53959);
	assert_int_equal(pi.dst_port, 53);
	assert_int_equal(pi.ttl, 64);
	assert_int_equal(pi.l4_payload.len, 51);
	assert_int_equal(pi.l4_payload.ptr[0], 0x1a); /* DNS id 0x1a02 */
	assert_int_equal(pi.l4_payload.ptr[1], 0x02);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, sizeof fx_6in4_dns)));
	free(keep);

	assert_int_equal(parse_exact(fx_6in4_syn, sizeof fx_6in4_syn, &pi, &keep), PARSE_OK);
	assert_int_equal(pi.n_tunnels, 1);
	assert_addr(&pi.src, "2001:470:1f17:13f:3e97:eff:fe73:4dec");
	assert_addr(&pi.dst, "2a03:2880:1010:6f03:face:b00c:0:2");
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_TCP);
	assert_int_equal(pi.src_port, 53234);
	assert_int_equal(pi.dst_port, 443);
	assert_int_equal(pi.tcp_flags, TCPF_SYN);
	assert_int_equal(pi.tcp_seq, 662001836);
	assert_int_equal(pi.tcp_window, 28800);
	assert_int_equal(pi.ttl, 63);
	assert_int_equal(pi.l4_payload.len, 0);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, sizeof fx_6in4_syn)));
	free(keep);
}

static void test_real_4in6(void **state)
{
	(void)state;
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(fx_4in6_tls, sizeof fx_4in6_tls, &pi, &keep), PARSE_OK);
	assert_true(pi.flags & FLAG_TUNNEL);
	assert_int_equal(pi.n_tunnels, 1);
	assert_addr(&pi.src, "192.168.0.1");
	assert_addr(&pi.dst, "10.10.10.1");
	assert_int_equal(pi.src_port, 64455);
	assert_int_equal(pi.dst_port, 443);
	assert_int_equal(pi.tcp_seq, 3756080771u);
	assert_int_equal(pi.tcp_ack, 51169935);
	assert_int_equal(pi.tcp_flags, TCPF_PSH | TCPF_ACK);
	assert_int_equal(pi.ttl, 127);
	assert_int_equal(pi.ip_id, 0x7bf7);
	assert_false(pi.truncated);
	/* tshark: tcp.len 224; the 48 trailing bytes are not payload. */
	assert_int_equal(pi.l4_payload.len, 224);
	assert_int_equal(pi.l4_payload.ptr[0], 0x16);                   /* TLS handshake */
	assert_int_equal(pi.l4_payload.ptr[pi.l4_payload.len - 1], 0x00); /* last ext byte */
	assert_int_equal(pi.l4_payload.ptr[pi.l4_payload.len - 2], 0x01);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, sizeof fx_4in6_tls)));
	free(keep);
}

static void test_real_ipv6_dns(void **state)
{
	(void)state;
	struct packet_info pi;
	uint8_t *keep;
	assert_int_equal(parse_exact(fx_ipv6_dns, sizeof fx_ipv6_dns, &pi, &keep), PARSE_OK);
	assert_int_equal(pi.flags, 0);
	assert_addr(&pi.src, "2001:470:1f11:81f:d138:5f55:6d4:1fe2");
	assert_addr(&pi.dst, "2607:f740:b::f93");
	assert_int_equal(pi.src_port, 51850);
	assert_int_equal(pi.dst_port, 53);
	assert_int_equal(pi.l4_payload.len, 81 - 8);
	assert_true(ip_l4_checksum_ok(bytes_make(keep, sizeof fx_ipv6_dns)));
	free(keep);
}

static void test_real_fragments(void **state)
{
	(void)state;
	struct packet_info pi;
	uint8_t *keep;

	assert_int_equal(parse_exact(fx_ipv4_first_frag_cut, sizeof fx_ipv4_first_frag_cut,
				     &pi, &keep), PARSE_OK);
	assert_true(pi.frag_first);
	assert_true(pi.truncated); /* 64 of 1500 bytes */
	assert_int_equal(pi.flags & FLAG_FRAGMENT, 0);
	assert_addr(&pi.src, "193.24.227.238");
	assert_int_equal(pi.src_port, 53);
	assert_int_equal(pi.dst_port, 59464);
	assert_int_equal(pi.ip_id, 0xe211);
	assert_int_equal(pi.l4_payload.len, 64 - 28);
	assert_int_equal(pi.l4_payload.ptr[0], 0xa1);
	free(keep);

	assert_int_equal(parse_exact(fx_ipv4_last_frag, sizeof fx_ipv4_last_frag, &pi, &keep),
			 PARSE_OK);
	assert_true(pi.flags & FLAG_FRAGMENT);
	assert_false(pi.frag_first);
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.src_port, 0);
	assert_int_equal(pi.ip_id, 0xe211);
	assert_int_equal(pi.l4_payload.len, 0);
	free(keep);

	assert_int_equal(parse_exact(fx_ipv6_first_frag_cut, sizeof fx_ipv6_first_frag_cut,
				     &pi, &keep), PARSE_OK);
	assert_true(pi.frag_first);
	assert_true(pi.truncated);
	assert_addr(&pi.src, "2001:470:765b::a25:53");
	assert_addr(&pi.dst, "2a00:1450:4013:c03::10a");
	assert_int_equal(pi.src_port, 53);
	assert_int_equal(pi.dst_port, 46433);
	assert_int_equal(pi.ip_id, 0x3c0b);
	assert_int_equal(pi.l4_payload.len, 80 - 56);
	assert_int_equal(pi.l4_payload.ptr[0], 0xe9);
	free(keep);

	assert_int_equal(parse_exact(fx_ipv6_last_frag, sizeof fx_ipv6_last_frag, &pi, &keep),
			 PARSE_OK);
	assert_true(pi.flags & FLAG_FRAGMENT);
	assert_int_equal(pi.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(pi.ip_id, 0x3c0b);
	assert_int_equal(pi.src_port, 0);
	assert_int_equal(pi.l4_payload.len, 0);
	free(keep);
}

static void test_truncation_sweep_real(void **state)
{
	(void)state;
	sweep(fx_6in4_dns, sizeof fx_6in4_dns);
	sweep(fx_6in4_syn, sizeof fx_6in4_syn);
	sweep(fx_ipv6_dns, sizeof fx_ipv6_dns);
	/* The 4in6 fixture: only prefixes that cut into the packet proper
	 * (the 48 bytes of padding at the end are not part of it). */
	sweep(fx_4in6_tls, sizeof fx_4in6_tls - 48);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp4_roundtrip),
		cmocka_unit_test(test_tcp4_roundtrip),
		cmocka_unit_test(test_udp6_tcp6_roundtrip),
		cmocka_unit_test(test_builder_refuses),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_ipv6_each_extension_header),
		cmocka_unit_test(test_ipv6_mixed_chain),
		cmocka_unit_test(test_ipv6_chain_limit),
		cmocka_unit_test(test_ipv6_hop_by_hop_not_first),
		cmocka_unit_test(test_chain_end_without_l4),
		cmocka_unit_test(test_fragments_ipv4),
		cmocka_unit_test(test_fragments_ipv6),
		cmocka_unit_test(test_tiny_first_fragment),
		cmocka_unit_test(test_fragment_ipv6_after_hop_by_hop),
		cmocka_unit_test(test_tunnels_each_kind),
		cmocka_unit_test(test_tunnel_nesting_limit),
		cmocka_unit_test(test_tunnel_version_mismatch),
		cmocka_unit_test(test_tunnel_fragmented_outside),
		cmocka_unit_test(test_ipv4_bad_lengths),
		cmocka_unit_test(test_ipv6_bad_lengths),
		cmocka_unit_test(test_tcp_bad_data_offset),
		cmocka_unit_test(test_udp_lengths),
		cmocka_unit_test(test_truncation_sweep_built),
		cmocka_unit_test(test_checksum_detects_corruption),
		cmocka_unit_test(test_checksum_udp_zero),
		cmocka_unit_test(test_checksum_routing_final_destination),
		cmocka_unit_test(test_builder_ipv4_header_checksum),
		cmocka_unit_test(test_addr_format_rfc5952),
		cmocka_unit_test(test_addr_format_edge),
		cmocka_unit_test(test_addr_parse_rejects),
		cmocka_unit_test(test_real_6in4),
		cmocka_unit_test(test_real_4in6),
		cmocka_unit_test(test_real_ipv6_dns),
		cmocka_unit_test(test_real_fragments),
		cmocka_unit_test(test_truncation_sweep_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
