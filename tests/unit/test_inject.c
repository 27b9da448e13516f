/* test_inject.c: unit tests of the packets aigated injects
 * (daemon/packet.c: DNS answers over UDP and TCP, TCP resets).
 *
 * packet.c is not in the libraries the unit tests link (it belongs to
 * aigated), so it is included here; it is pure (no I/O).  Every built
 * packet is checked three ways: parsed back with the core's ip_parse
 * (addresses, ports, sequence numbers, flags, payload), its checksums
 * recomputed here by an independent routine (a 64-bit accumulator over
 * the pseudo-header and segment must fold to 0xffff), and its DNS
 * payload compared with the answer the core built.  Boundary sweeps:
 * every buffer smaller than the packet gives 0, never a partial one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "dns_build.h"
#include "ip.h"
#include "pkt_build.h"

#include "packet.c"

#define CAP 2048

/* --- independent checksum check ------------------------------------------ */

static uint64_t add_words(uint64_t acc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		acc += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* True when the IPv4 header checksum (if any) and the TCP/UDP checksum
 * of the packet are right. */
static bool checksums_ok(const uint8_t *pkt, size_t len)
{
	uint64_t acc = 0;
	size_t hl, l4_len;
	uint8_t proto;

	if ((pkt[0] >> 4) == 4) {
		hl = (size_t)(pkt[0] & 0xf) * 4;
		if (fold(add_words(0, pkt, hl)) != 0xffff)
			return false;
		l4_len = len - hl;
		proto = pkt[9];
		acc = add_words(acc, pkt + 12, 8);
		acc += proto;
		acc += l4_len;
	} else {
		hl = 40;
		l4_len = len - hl;
		proto = pkt[6];
		acc = add_words(acc, pkt + 8, 32);
		acc += l4_len;
		acc += proto;
	}
	if (proto == IPPROTO_NUM_UDP && pkt[hl + 6] == 0 && pkt[hl + 7] == 0)
		return false; /* we always send a checksum */
	acc = add_words(acc, pkt + hl, l4_len);
	return fold(acc) == 0xffff;
}

/* --- fixtures -------------------------------------------------------------- */

struct query_pkt {
	uint8_t buf[CAP];
	size_t len;
	struct packet_info info;
	uint8_t dns[512];
	size_t dns_len;
};

static void make_query(struct query_pkt *q, bool v6, bool tcp, uint32_t seq, uint32_t ack)
{
	struct ip_addr c = v6 ? pkt_addr6("2001:db8::10") : pkt_addr4("192.0.2.10");
	struct ip_addr s = v6 ? pkt_addr6("2001:db8:53::1") : pkt_addr4("198.51.100.53");
	uint8_t framed[600];
	size_t flen;

	q->dns_len = dns_build_query1(q->dns, sizeof(q->dns), 0x4242, "chatgpt.com", 1, true);
	assert_true(q->dns_len > 0);
	if (tcp) {
		flen = dns_build_tcp_frame(framed, sizeof(framed), q->dns, q->dns_len);
		assert_true(flen > 0);
		q->len = pkt_build_tcp(q->buf, sizeof(q->buf), &c, 40000, &s, 53, seq, ack,
				       TCPF_PSH | TCPF_ACK, framed, flen);
	} else {
		q->len = pkt_build_udp(q->buf, sizeof(q->buf), &c, 40000, &s, 53, q->dns, q->dns_len);
	}
	assert_true(q->len > 0);
	assert_int_equal(ip_parse(bytes_make(q->buf, q->len), &q->info), PARSE_OK);
}

static size_t block_answer(const struct query_pkt *q, uint8_t *out, size_t cap)
{
	struct dns_block_spec spec;
	struct dns_query dq;
	size_t n;

	assert_int_equal(dns_parse_query(bytes_make(q->dns, q->dns_len), &dq), PARSE_OK);
	memset(&spec, 0, sizeof(spec));
	spec.kind = DNS_BLOCK_KIND_NXDOMAIN;
	spec.ede_text = "Blocked by aigate (test)";
	spec.ttl = 60;
	n = dns_build_block_response(bytes_make(q->dns, q->dns_len), &dq, &spec, out, cap);
	assert_true(n > 12);
	return n;
}

static void assert_addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	assert_int_equal(a->family, b->family);
	assert_memory_equal(a->b, b->b, a->family == 4 ? 4 : 16);
}

/* Every cap below the full length gives 0; the full length gives it. */
static void sweep_caps(const struct query_pkt *q, const uint8_t *ans, size_t ans_len, size_t full)
{
	uint8_t buf[CAP];
	size_t cap;

	for (cap = 0; cap < full; cap++)
		assert_int_equal(packet_build_dns_answer(buf, cap, &q->info, ans, ans_len), 0);
	assert_int_equal(packet_build_dns_answer(buf, full, &q->info, ans, ans_len), full);
}

/* --- tests ----------------------------------------------------------------- */

/* RFC 1071 s3 example: the words 0001 f203 f4f5 f6f7 sum to ddf2. */
static void test_checksum_rfc1071(void **state)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(packet_checksum(d, sizeof(d), 0), (uint16_t)~0xddf2);
	/* Odd length: the last byte is padded with zero. */
	assert_int_equal(packet_checksum(d, 3, 0), (uint16_t)~(0x0001 + 0xf200));
	assert_int_equal(packet_checksum(NULL, 0, 0), 0xffff);
}

static void dns_udp_case(bool v6)
{
	struct query_pkt q;
	struct packet_info back;
	uint8_t ans[CAP], out[CAP];
	size_t ans_len, len;

	make_query(&q, v6, false, 0, 0);
	ans_len = block_answer(&q, ans, sizeof(ans));
	len = packet_build_dns_answer(out, sizeof(out), &q.info, ans, ans_len);
	assert_int_equal(len, (v6 ? 40u : 20u) + 8 + ans_len);
	assert_true(checksums_ok(out, len));
	/* The checker itself notices one changed payload byte. */
	out[len - 1] ^= 0x01;
	assert_false(checksums_ok(out, len));
	out[len - 1] ^= 0x01;
	assert_int_equal(ip_parse(bytes_make(out, len), &back), PARSE_OK);
	assert_addr_eq(&back.src, &q.info.dst);
	assert_addr_eq(&back.dst, &q.info.src);
	assert_int_equal(back.l4_proto, IPPROTO_NUM_UDP);
	assert_int_equal(back.src_port, 53);
	assert_int_equal(back.dst_port, 40000);
	assert_int_equal(back.ttl, PACKET_TTL);
	assert_int_equal(back.l4_payload.len, ans_len);
	assert_memory_equal(back.l4_payload.ptr, ans, ans_len);
	/* The payload is the core's answer: same ID, QR set, NXDOMAIN. */
	assert_int_equal(back.l4_payload.ptr[0], 0x42);
	assert_int_equal(back.l4_payload.ptr[1], 0x42);
	assert_true(back.l4_payload.ptr[2] & 0x80);
	assert_int_equal(back.l4_payload.ptr[3] & 0x0f, 3);
	/* A response is not a query: the core's parser says so. */
	{
		struct dns_query dq;
		assert_int_equal(dns_parse_query(back.l4_payload, &dq), PARSE_NOT_MINE);
	}
	if (!v6) {
		/* DF set, never fragmented. */
		assert_int_equal(out[6] & 0x40, 0x40);
	}
	sweep_caps(&q, ans, ans_len, len);
}

static void test_dns_udp_v4(void **state) { (void)state; dns_udp_case(false); }
static void test_dns_udp_v6(void **state) { (void)state; dns_udp_case(true); }

static void dns_tcp_case(bool v6)
{
	const uint32_t cseq = 0xfffffff0u, cack = 0x12345678u; /* seq wraps */
	struct query_pkt q;
	struct packet_info back;
	uint8_t ans[CAP], out[CAP];
	size_t ans_len, len;
	struct bytes stream, msg;

	make_query(&q, v6, true, cseq, cack);
	ans_len = block_answer(&q, ans, sizeof(ans));
	len = packet_build_dns_answer(out, sizeof(out), &q.info, ans, ans_len);
	assert_int_equal(len, (v6 ? 40u : 20u) + 20 + 2 + ans_len);
	assert_true(checksums_ok(out, len));
	assert_int_equal(ip_parse(bytes_make(out, len), &back), PARSE_OK);
	assert_addr_eq(&back.src, &q.info.dst);
	assert_addr_eq(&back.dst, &q.info.src);
	assert_int_equal(back.l4_proto, IPPROTO_NUM_TCP);
	assert_int_equal(back.src_port, 53);
	assert_int_equal(back.dst_port, 40000);
	assert_int_equal(back.tcp_flags, TCPF_PSH | TCPF_ACK | TCPF_FIN);
	/* seq: what the client expects from the server; ack: all it sent. */
	assert_int_equal(back.tcp_seq, cack);
	assert_int_equal(back.tcp_ack, (uint32_t)(cseq + q.info.l4_payload.len));
	stream = back.l4_payload;
	assert_int_equal(dns_tcp_next(&stream, &msg), PARSE_OK);
	assert_int_equal(stream.len, 0);
	assert_int_equal(msg.len, ans_len);
	assert_memory_equal(msg.ptr, ans, ans_len);
	sweep_caps(&q, ans, ans_len, len);
}

static void test_dns_tcp_v4(void **state) { (void)state; dns_tcp_case(false); }
static void test_dns_tcp_v6(void **state) { (void)state; dns_tcp_case(true); }

static void reset_case(bool v6)
{
	struct ip_addr c = v6 ? pkt_addr6("2001:db8::10") : pkt_addr4("192.0.2.10");
	struct ip_addr s = v6 ? pkt_addr6("2001:db8:443::1") : pkt_addr4("198.51.100.7");
	static const uint8_t hello[300] = { 0x16, 0x03, 0x01 };
	uint8_t in[CAP], out[CAP];
	struct packet_info q, back;
	size_t in_len, len, cap;

	in_len = pkt_build_tcp(in, sizeof(in), &c, 51000, &s, 443, 1000, 777777,
			       TCPF_PSH | TCPF_ACK, hello, sizeof(hello));
	assert_int_equal(ip_parse(bytes_make(in, in_len), &q), PARSE_OK);

	/* To the client, from the server. */
	len = packet_build_reset_to_client(out, sizeof(out), &q);
	assert_int_equal(len, (v6 ? 40u : 20u) + 20);
	assert_true(checksums_ok(out, len));
	assert_int_equal(ip_parse(bytes_make(out, len), &back), PARSE_OK);
	assert_addr_eq(&back.src, &s);
	assert_addr_eq(&back.dst, &c);
	assert_int_equal(back.src_port, 443);
	assert_int_equal(back.dst_port, 51000);
	assert_int_equal(back.tcp_flags, TCPF_RST | TCPF_ACK);
	assert_int_equal(back.tcp_seq, 777777);       /* RFC 5961: exactly rcv_nxt */
	assert_int_equal(back.tcp_ack, 1000 + sizeof(hello));
	assert_int_equal(back.l4_payload.len, 0);
	for (cap = 0; cap < len; cap++)
		assert_int_equal(packet_build_reset_to_client(out, cap, &q), 0);

	/* To the server, from the client. */
	len = packet_build_reset_to_server(out, sizeof(out), &q);
	assert_int_equal(len, (v6 ? 40u : 20u) + 20);
	assert_true(checksums_ok(out, len));
	assert_int_equal(ip_parse(bytes_make(out, len), &back), PARSE_OK);
	assert_addr_eq(&back.src, &c);
	assert_addr_eq(&back.dst, &s);
	assert_int_equal(back.src_port, 51000);
	assert_int_equal(back.dst_port, 443);
	assert_int_equal(back.tcp_flags, TCPF_RST | TCPF_ACK);
	assert_int_equal(back.tcp_seq, 1000);         /* the dropped segment's seq */
	assert_int_equal(back.tcp_ack, 777777);
}

static void test_reset_v4(void **state) { (void)state; reset_case(false); }
static void test_reset_v6(void **state) { (void)state; reset_case(true); }

/* A SYN or FIN counts one in sequence space. */
static void test_reset_counts_syn_fin(void **state)
{
	struct ip_addr c = pkt_addr4("192.0.2.10"), s = pkt_addr4("198.51.100.7");
	uint8_t in[CAP], out[CAP];
	struct packet_info q, back;
	size_t n;

	(void)state;
	n = pkt_build_tcp(in, sizeof(in), &c, 1, &s, 443, 500, 900, TCPF_FIN | TCPF_ACK, "ab", 2);
	assert_int_equal(ip_parse(bytes_make(in, n), &q), PARSE_OK);
	n = packet_build_reset_to_client(out, sizeof(out), &q);
	assert_int_equal(ip_parse(bytes_make(out, n), &back), PARSE_OK);
	assert_int_equal(back.tcp_ack, 503);
	/* A bare SYN (no ACK): no sequence number of ours to use but 0. */
	n = pkt_build_tcp(in, sizeof(in), &c, 1, &s, 443, 500, 0, TCPF_SYN, NULL, 0);
	assert_int_equal(ip_parse(bytes_make(in, n), &q), PARSE_OK);
	n = packet_build_reset_to_client(out, sizeof(out), &q);
	assert_int_equal(ip_parse(bytes_make(out, n), &back), PARSE_OK);
	assert_int_equal(back.tcp_seq, 0);
	assert_int_equal(back.tcp_ack, 501);
	assert_true(checksums_ok(out, n));
}

static void test_refusals(void **state)
{
	struct ip_addr c4 = pkt_addr4("192.0.2.10"), s6 = pkt_addr6("2001:db8::1");
	struct ip_addr none;
	struct packet_tcp t;
	struct query_pkt q;
	struct packet_info u;
	uint8_t out[CAP];
	static const uint8_t msg[20];

	(void)state;
	memset(&none, 0, sizeof(none));
	/* Mixed families and no address. */
	assert_int_equal(packet_build_udp(out, sizeof(out), &c4, 1, &s6, 2, msg, 4), 0);
	assert_int_equal(packet_build_udp(out, sizeof(out), &none, 1, &none, 2, msg, 4), 0);
	memset(&t, 0, sizeof(t));
	t.src = s6;
	t.dst = c4;
	assert_int_equal(packet_build_tcp(out, sizeof(out), &t, NULL, 0), 0);
	/* A reset for a UDP packet makes no sense. */
	make_query(&q, false, false, 0, 0);
	assert_int_equal(packet_build_reset_to_client(out, sizeof(out), &q.info), 0);
	assert_int_equal(packet_build_reset_to_server(out, sizeof(out), &q.info), 0);
	/* A TCP query without ACK has no sequence number to answer with. */
	{
		uint8_t in[CAP];
		struct ip_addr s4 = pkt_addr4("198.51.100.53");
		size_t n = pkt_build_tcp(in, sizeof(in), &c4, 40000, &s4, 53, 1, 0, TCPF_PSH,
					 msg, sizeof(msg));
		assert_int_equal(ip_parse(bytes_make(in, n), &u), PARSE_OK);
		assert_int_equal(packet_build_dns_answer(out, sizeof(out), &u, msg, sizeof(msg)), 0);
	}
	/* Over TCP, answers beyond PACKET_DNS_TCP_MAX are refused. */
	{
		static uint8_t big[PACKET_DNS_TCP_MAX + 1];
		static uint8_t huge_out[PACKET_DNS_TCP_MAX + 200];
		make_query(&q, false, true, 1, 2);
		assert_int_equal(packet_build_dns_answer(huge_out, sizeof(huge_out), &q.info, big,
							 sizeof(big)), 0);
		assert_true(packet_build_dns_answer(huge_out, sizeof(huge_out), &q.info, big,
						    PACKET_DNS_TCP_MAX) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_rfc1071),
		cmocka_unit_test(test_dns_udp_v4),
		cmocka_unit_test(test_dns_udp_v6),
		cmocka_unit_test(test_dns_tcp_v4),
		cmocka_unit_test(test_dns_tcp_v6),
		cmocka_unit_test(test_reset_v4),
		cmocka_unit_test(test_reset_v6),
		cmocka_unit_test(test_reset_counts_syn_fin),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
