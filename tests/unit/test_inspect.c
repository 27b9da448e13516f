/* test_inspect.c: the inspection entry point over built packets: DNS over
 * UDP and TCP, TLS in one and several segments, out of order, with
 * retransmissions, tunnels and fragments; the flow table's bounds; the
 * decision carried to later packets of a flow; verdicts per mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "dns_build.h"
#include "inspect.h"
#include "pkt_build.h"
#include "quic_build.h"
#include "tls_build.h"

static const uint8_t seed[16] = { 7, 7, 7 };

/* Resident memory of this process now, KiB (/proc/self/statm), or 0. */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}
static const int64_t T0 = 1764489600LL * 1000000; /* 2025-11-30 */

struct fx {
	struct aigate_config *cfg;
	struct inspector *in;
	struct inspect_result res;
	struct ip_addr c4, s4, c6, s6;
	uint8_t pkt[70000];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct diag d = { 0 };
	fx->cfg = config_load(NULL, "rules", "/nonexistent", &d);
	assert_non_null(fx->cfg);
	fx->in = inspector_new(NULL, seed);
	assert_non_null(fx->in);
	fx->c4 = pkt_addr4("192.0.2.10");
	fx->s4 = pkt_addr4("198.51.100.7");
	fx->c6 = pkt_addr6("2001:db8::10");
	fx->s6 = pkt_addr6("2001:db8:1::7");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	inspector_free(fx->in);
	config_free(fx->cfg);
	free(fx);
	return 0;
}

static const struct inspect_result *feed(struct fx *fx, size_t len, int64_t t)
{
	assert_true(len > 0);
	inspect_packet(fx->in, fx->cfg->policy, bytes_make(fx->pkt, len), t, &fx->res);
	assert_int_equal(fx->res.ip_result, PARSE_OK);
	return &fx->res;
}

static const struct inspect_result *udp_dns(struct fx *fx, const struct ip_addr *c,
					    const struct ip_addr *s, const char *name)
{
	uint8_t q[600];
	size_t qlen = dns_build_query1(q, sizeof(q), 0x1234, name, 1, true);
	assert_true(qlen > 0);
	return feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), c, 40000, s, 53, q, qlen), T0);
}

static const struct inspect_result *tcp_seg(struct fx *fx, uint16_t sport, uint16_t dport,
					    uint32_t seq, uint8_t flags, const uint8_t *data,
					    size_t len)
{
	return feed(fx, pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, sport, &fx->s4, dport,
				      seq, 1, flags, data, len), T0);
}

static void assert_name(const struct inspect_result *r, unsigned i, const char *name,
			enum app_proto proto, enum action action)
{
	assert_true(i < r->n_names);
	assert_int_equal(r->names[i].app_proto, proto);
	assert_true(r->names[i].has_name);
	assert_string_equal(r->names[i].name, name);
	assert_int_equal(r->names[i].decision.action, action);
}

static void test_dns_udp_blocked_and_unlisted(void **state)
{
	struct fx *fx = *state;
	const struct inspect_result *r = udp_dns(fx, &fx->c4, &fx->s4, "WWW.ChatGPT.com.");
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "www.chatgpt.com", APP_DNS, ACTION_BLOCK);
	assert_int_equal(r->state, FLOW_PER_MESSAGE);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_int_equal(r->names[0].dns_id, 0x1234);
	assert_int_equal(r->names[0].dns_qtype, 1);
	assert_true(r->dns_msg.len > 0);
	assert_string_equal(r->names[0].decision.match.service->id, "chatgpt");

	r = udp_dns(fx, &fx->c4, &fx->s4, "notchatgpt.com");
	assert_name(r, 0, "notchatgpt.com", APP_DNS, ACTION_ALLOW);
	assert_null(r->names[0].decision.match.entry);
	r = udp_dns(fx, &fx->c4, &fx->s4, "chatgpt.com.evil.example");
	assert_null(r->names[0].decision.match.entry);
	r = udp_dns(fx, &fx->c6, &fx->s6, "claude.ai");
	assert_name(r, 0, "claude.ai", APP_DNS, ACTION_BLOCK);
	assert_int_equal(r->pkt.src.family, 6);
}

static void test_dns_two_questions(void **state)
{
	struct fx *fx = *state;
	struct dns_build_question qs[2] = { { "chatgpt.com", 1, 1 }, { "example.org", 28, 1 } };
	uint8_t q[600];
	size_t qlen = dns_build_query(q, sizeof(q), 7, 0x0100, qs, 2, NULL);
	const struct inspect_result *r =
		feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 1, &fx->s4, 53, q, qlen), T0);
	assert_int_equal(r->n_names, 2);
	assert_name(r, 0, "chatgpt.com", APP_DNS, ACTION_BLOCK);
	assert_name(r, 1, "example.org", APP_DNS, ACTION_ALLOW);
	assert_true(r->names[1].flags & FLAG_MULTI_QUESTION);
	assert_int_equal(r->action, ACTION_BLOCK); /* the worst of the two */
}

static void test_dns_response_ignored(void **state)
{
	struct fx *fx = *state;
	uint8_t q[600];
	struct dns_build_question qs[1] = { { "chatgpt.com", 1, 1 } };
	size_t qlen = dns_build_query(q, sizeof(q), 7, 0x8180, qs, 1, NULL); /* QR=1 */
	const struct inspect_result *r =
		feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->s4, 53, &fx->c4, 53, q, qlen), T0);
	assert_int_equal(r->n_names, 0);
}

static void test_tls_one_segment_then_decided(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "chatgpt.com", 500);
	tcp_seg(fx, 50000, 443, 1000, TCPF_SYN, NULL, 0);
	const struct inspect_result *r = tcp_seg(fx, 50000, 443, 1001, TCPF_ACK | TCPF_PSH, ch, len);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_int_equal(r->state, FLOW_DECIDED);
	/* Later packets of the flow carry the decision, no name again. */
	r = tcp_seg(fx, 50000, 443, 1001 + (uint32_t)len, TCPF_ACK, (const uint8_t *)"xyz", 3);
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	/* A bare ACK too. */
	r = tcp_seg(fx, 50000, 443, 1004 + (uint32_t)len, TCPF_ACK, NULL, 0);
	assert_int_equal(r->state, FLOW_DECIDED);
}

static void test_tls_chrome_two_segments(void **state)
{
	struct fx *fx = *state;
	uint8_t hs[4096], rec[4200];
	struct tls_build_opts o;
	memset(&o, 0, sizeof(o));
	o.sni = "gemini.google.com";
	o.alpn = "h2,http/1.1";
	o.key_share_len = 1216;
	o.pad_to = 1800;
	size_t hs_len = tls_build_client_hello(hs, sizeof(hs), &o);
	size_t len = tls_build_records(rec, sizeof(rec), hs, hs_len, 16384);
	assert_true(len > 1750);
	/* Cut inside the host name, so that neither segment holds it whole. */
	const uint8_t *at = memmem(rec, len, "gemini", 6);
	assert_non_null(at);
	size_t cut = (size_t)(at - rec) + 3;
	const struct inspect_result *r = tcp_seg(fx, 50001, 443, 5000, TCPF_ACK, rec, cut);
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->state, FLOW_PENDING);
	r = tcp_seg(fx, 50001, 443, 5000 + (uint32_t)cut, TCPF_ACK | TCPF_PSH, rec + cut, len - cut);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "gemini.google.com", APP_TLS, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_REASSEMBLED);
}

static void test_tls_out_of_order_without_syn(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "claude.ai", 1800);
	size_t cut = 700;
	/* Second half first: no SYN was seen, so the stream start is a guess
	 * that the first half then moves back. */
	const struct inspect_result *r = tcp_seg(fx, 50002, 443, 9000 + (uint32_t)cut, TCPF_ACK,
						 ch + cut, len - cut);
	assert_int_equal(r->n_names, 0);
	r = tcp_seg(fx, 50002, 443, 9000, TCPF_ACK, ch, cut);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "claude.ai", APP_TLS, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_OUT_OF_ORDER);
}

static void test_tls_gap_never_decides(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "claude.ai", 1800);
	tcp_seg(fx, 50003, 443, 99, TCPF_SYN, NULL, 0);
	const struct inspect_result *r = tcp_seg(fx, 50003, 443, 100, TCPF_ACK, ch, 500);
	assert_int_equal(r->state, FLOW_PENDING);
	/* 500..1000 never arrives. */
	r = tcp_seg(fx, 50003, 443, 1100, TCPF_ACK, ch + 1000, len - 1000);
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->state, FLOW_PENDING);
}

static void test_tls_retransmission_differs(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096], fake[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "chatgpt.com", 1200);
	memcpy(fake, ch, len);
	char *p = memmem(fake, len, "chatgpt", 7);
	assert_non_null(p);
	memcpy(p, "example", 7);
	size_t cut = 600;
	tcp_seg(fx, 50004, 443, 1, TCPF_SYN, NULL, 0);
	tcp_seg(fx, 50004, 443, 2, TCPF_ACK, ch, cut);
	/* A copy of the whole hello with other bytes where they overlap:
	 * the server may read either, so both are read and the worst wins. */
	const struct inspect_result *r = tcp_seg(fx, 50004, 443, 2, TCPF_ACK, fake, len);
	assert_int_equal(r->n_names, 2);
	assert_name(r, 0, "example.com", APP_TLS, ACTION_ALLOW);
	assert_true(r->names[0].flags & FLAG_OVERLAP_MISMATCH);
	assert_name(r, 1, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_true(r->names[1].flags & FLAG_OVERLAP_MISMATCH);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_int_equal(inspector_stats(fx->in)->overlap_mismatches, 1);
}

static void test_tls_one_byte_records(void **state)
{
	struct fx *fx = *state;
	uint8_t hs[2048], rec[16384];
	struct tls_build_opts o;
	memset(&o, 0, sizeof(o));
	o.sni = "chat.mistral.ai";
	size_t hs_len = tls_build_client_hello(hs, sizeof(hs), &o);
	size_t len = tls_build_records(rec, sizeof(rec), hs, hs_len, 1);
	assert_true(len == hs_len * 6);
	/* ...each in its own segment of 6 bytes; more segments than the
	 * undecided-packet limit: the flow is given up, not waited on. */
	tcp_seg(fx, 50005, 443, 0, TCPF_SYN, NULL, 0);
	const struct inspect_result *r = NULL;
	for (size_t off = 0; off < len; off += 600)
		r = tcp_seg(fx, 50005, 443, 1 + (uint32_t)off, TCPF_ACK, rec + off,
			    len - off < 600 ? len - off : 600);
	assert_non_null(r);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "chat.mistral.ai", APP_TLS, ACTION_BLOCK);
}

static void test_tls_tiny_segments(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "claude.ai", 600);
	const struct inspect_result *r = NULL;
	/* A ClientHello in 1-byte segments is still read to its name. */
	for (size_t off = 0; off < len; off++) {
		r = tcp_seg(fx, 50010, 443, 7 + (uint32_t)off, TCPF_ACK, ch + off, 1);
		if (off + 1 < len)
			assert_int_equal(r->state, FLOW_PENDING);
	}
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_name(r, 0, "claude.ai", APP_TLS, ACTION_BLOCK);

	/* Beyond the undecided-packet bound the flow gets the undecided
	 * action, not a free pass. */
	struct inspect_limits lim = { .max_undecided_packets = 24 };
	struct inspector *strict = inspector_new(&lim, seed);
	unsigned decided_at = 0;
	for (size_t off = 0; off < len && !decided_at; off += 5) {
		size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, 50011, &fx->s4, 443,
					  7 + (uint32_t)off, 1, TCPF_ACK, ch + off,
					  len - off < 5 ? len - off : 5);
		inspect_packet(strict, fx->cfg->policy, bytes_make(fx->pkt, pl), T0, &fx->res);
		if (fx->res.state == FLOW_DECIDED)
			decided_at = (unsigned)(off / 5) + 1;
	}
	assert_int_equal(decided_at, 24);
	assert_int_equal(fx->res.n_names, 1);
	assert_false(fx->res.names[0].has_name);
	assert_int_equal(fx->res.names[0].decision.reason, REASON_UNDECIDED);
	assert_int_equal(fx->res.action, ACTION_BLOCK);
	inspector_free(strict);
}

static void test_evicted_handshake_stays_suspect(void **state)
{
	struct fx *fx = *state;
	struct inspect_limits lim = { .max_flows = 4 };
	struct inspector *small = inspector_new(&lim, seed);
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "claude.ai", 1500);
	size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, 999, &fx->s4, 443, 1, 1,
				  TCPF_ACK, ch, 700);
	inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0, &fx->res);
	assert_int_equal(fx->res.state, FLOW_PENDING);
	/* Other clients' flows push the half-sent hello out of the table. */
	for (uint16_t port = 1; port <= 8; port++) {
		pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, port, &fx->s4, 443, 1, 1,
				   TCPF_ACK, ch, 100);
		inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + port, &fx->res);
	}
	/* The rest of the hello: not a new unknown flow to wave through. */
	pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, 999, &fx->s4, 443, 701, 1,
			   TCPF_ACK, ch + 700, len - 700);
	inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + 20, &fx->res);
	assert_int_equal(fx->res.state, FLOW_DECIDED);
	assert_int_equal(fx->res.action, ACTION_BLOCK);
	assert_int_equal(fx->res.names[0].decision.reason, REASON_UNDECIDED);
	inspector_free(small);
}

static void test_evicted_allowed_hello_is_not_suspect(void **state)
{
	struct fx *fx = *state;
	struct inspect_limits lim = { .max_flows = 4 };
	struct inspector *small = inspector_new(&lim, seed);
	uint8_t ch[4096];
	/* An allowed hello, read to its end; the client never sends more
	 * (it closed after the server's first bytes), so the flow waits. */
	size_t len = tls_build_simple(ch, sizeof(ch), "www.example.org", 600);
	size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, 999, &fx->s4, 443, 1, 1,
				  TCPF_ACK, ch, len);
	inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0, &fx->res);
	assert_int_equal(fx->res.n_names, 1);
	for (uint16_t port = 1; port <= 8; port++) {
		pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, port, &fx->s4, 443, 1, 1,
				   TCPF_ACK, ch, 100);
		inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + port, &fx->res);
	}
	/* A later connection from the same port to an unlisted name is read
	 * by its name, not given the undecided action. */
	pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, 999, &fx->s4, 443, 5555, 1,
			   TCPF_ACK, ch, len);
	inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + 20, &fx->res);
	assert_int_equal(fx->res.n_names, 1);
	assert_true(fx->res.names[0].has_name);
	assert_int_equal(fx->res.names[0].decision.action, ACTION_ALLOW);
	inspector_free(small);
}

static void test_not_tls(void **state)
{
	struct fx *fx = *state;
	static const char get[] = "GET / HTTP/1.1\r\nHost: chatgpt.com\r\n\r\n";
	/* With the SYN seen, the first payload byte settles it at once: not
	 * TLS, so decided "allow" without a name (the kernel then stops
	 * queueing the connection). */
	tcp_seg(fx, 50006, 8080, 0, TCPF_SYN, NULL, 0);
	const struct inspect_result *r =
		tcp_seg(fx, 50006, 8080, 1, TCPF_ACK, (const uint8_t *)get, sizeof(get) - 1);
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_ALLOW);
	/* Without it, a few segments are waited for (one may have overtaken
	 * the real start), then the flow is left alone the same way. */
	uint32_t seq = 1000;
	for (int i = 0; i < 3; i++) {
		r = tcp_seg(fx, 50008, 8080, seq, TCPF_ACK, (const uint8_t *)get, sizeof(get) - 1);
		seq += sizeof(get) - 1;
	}
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_ALLOW);
}

static void test_port_reuse_starts_over(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	/* A connection to an unlisted name, decided and finished... */
	size_t len = tls_build_simple(ch, sizeof(ch), "www.example.org", 600);
	tcp_seg(fx, 50020, 443, 100, TCPF_ACK, ch, len);
	static const uint8_t appdata[] = { 23, 3, 3, 0, 2, 0xab, 0xcd };
	const struct inspect_result *r =
		tcp_seg(fx, 50020, 443, 100 + (uint32_t)len, TCPF_ACK, appdata, sizeof(appdata));
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_ALLOW);
	/* ...then a new connection from the same client port (the daemon
	 * never sees its SYN) with a hello for a blocked name: it must not
	 * inherit "allow". */
	len = tls_build_simple(ch, sizeof(ch), "chatgpt.com", 600);
	r = tcp_seg(fx, 50020, 443, 987654321, TCPF_ACK, ch, len);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(inspector_stats(fx->in)->flows_restarted, 1);

	/* The same when the first connection's allowed hello is still
	 * waiting for the client to move on (it closed without sending
	 * more), and the new hello comes in two segments. */
	len = tls_build_simple(ch, sizeof(ch), "www.example.org", 600);
	tcp_seg(fx, 50021, 443, 100, TCPF_ACK, ch, len);
	len = tls_build_simple(ch, sizeof(ch), "www.example.com", 1800);
	r = tcp_seg(fx, 50021, 443, 3000000000u, TCPF_ACK, ch, 700);
	assert_int_equal(r->n_names, 0);
	r = tcp_seg(fx, 50021, 443, 3000000700u, TCPF_ACK, ch + 700, len - 700);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "www.example.com", APP_TLS, ACTION_ALLOW);
	assert_int_equal(inspector_stats(fx->in)->flows_restarted, 2);
}

static void test_dns_tcp_pipelined_and_split(void **state)
{
	struct fx *fx = *state;
	uint8_t buf[2048], msg[600];
	size_t off = 0;
	const char *names[3] = { "chatgpt.com", "example.org", "perplexity.ai" };
	for (int i = 0; i < 3; i++) {
		size_t ml = dns_build_query1(msg, sizeof(msg), (uint16_t)i, names[i], 1, false);
		off += dns_build_tcp_frame(buf + off, sizeof(buf) - off, msg, ml);
	}
	const struct inspect_result *r = tcp_seg(fx, 50007, 53, 1, TCPF_ACK, buf, off);
	assert_int_equal(r->n_names, 3);
	assert_name(r, 0, "chatgpt.com", APP_DNS, ACTION_BLOCK);
	assert_name(r, 1, "example.org", APP_DNS, ACTION_ALLOW);
	assert_name(r, 2, "perplexity.ai", APP_DNS, ACTION_BLOCK);
	assert_true(r->dns_is_tcp);
	assert_true(r->dns_msg.len > 0);
	assert_int_equal(r->dns.id, 0);

	/* The next message split over two segments. */
	size_t ml = dns_build_query1(msg, sizeof(msg), 9, "claude.ai", 28, false);
	size_t fl = dns_build_tcp_frame(buf, sizeof(buf), msg, ml);
	r = tcp_seg(fx, 50007, 53, 1 + (uint32_t)off, TCPF_ACK, buf, 5);
	assert_int_equal(r->n_names, 0);
	r = tcp_seg(fx, 50007, 53, 1 + (uint32_t)off + 5, TCPF_ACK, buf + 5, fl - 5);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "claude.ai", APP_DNS, ACTION_BLOCK);
	assert_int_equal(r->names[0].dns_qtype, 28);
}

static void test_tunnel_and_fragment(void **state)
{
	struct fx *fx = *state;
	uint8_t q[600], inner[1500];
	size_t qlen = dns_build_query1(q, sizeof(q), 1, "chatgpt.com", 1, false);
	size_t ilen = pkt_build_udp(inner, sizeof(inner), &fx->c6, 1000, &fx->s6, 53, q, qlen);
	struct ip_addr o1 = pkt_addr4("203.0.113.1"), o2 = pkt_addr4("203.0.113.2");
	size_t len = pkt_wrap(fx->pkt, sizeof(fx->pkt), &o1, &o2, inner, ilen);
	const struct inspect_result *r = feed(fx, len, T0);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "chatgpt.com", APP_DNS, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_TUNNEL);
	assert_int_equal(r->pkt.src.family, 6);

	/* A non-first fragment is not inspected, and says so. */
	uint8_t whole[3000], frags[6000];
	uint8_t big[1400];
	memset(big, 'a', sizeof(big));
	size_t wl = pkt_build_udp(whole, sizeof(whole), &fx->c4, 1, &fx->s4, 9999, big, sizeof(big));
	size_t fl = pkt_fragment(frags, sizeof(frags), whole, wl, 600, 800, 77);
	assert_true(fl > 0);
	inspect_packet(fx->in, fx->cfg->policy, bytes_make(frags, fl), T0, &fx->res);
	assert_true(fx->res.flags & FLAG_FRAGMENT);
	assert_int_equal(fx->res.n_names, 0);
	assert_true(inspector_stats(fx->in)->fragments >= 1);
}

static void test_flow_table_bounds(void **state)
{
	struct fx *fx = *state;
	struct inspect_limits lim = { .max_flows = 4, .max_flow_buffer = 4096,
				      .max_buffer_total = 3 * 4096 };
	struct inspector *small = inspector_new(&lim, seed);
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "chatgpt.com", 3000);
	for (uint16_t port = 1; port <= 20; port++) {
		size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, port, &fx->s4, 443, 1,
					  1, TCPF_ACK, ch, 2000);
		inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + port, &fx->res);
		const struct inspect_stats *st = inspector_stats(small);
		assert_true(st->flows_active <= 4);
		assert_true(st->buffer_bytes <= 3 * 4096);
	}
	const struct inspect_stats *st = inspector_stats(small);
	assert_int_equal(st->flows_created, 20);
	assert_true(st->flows_evicted >= 16);
	assert_true(st->flows_evicted_undecided >= 16);
	/* The last flow still completes. */
	size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &fx->c4, 20, &fx->s4, 443, 2001, 1,
				  TCPF_ACK, ch + 2000, len - 2000);
	inspect_packet(small, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + 30, &fx->res);
	assert_int_equal(fx->res.n_names, 1);
	/* Idle flows expire. */
	inspector_expire(small, T0 + 1000LL * 1000000);
	assert_int_equal(inspector_stats(small)->flows_active, 0);
	inspector_free(small);
}


/* --- evasion (issue 7) --------------------------------------------------- */

/* One TLS segment from c4:sport to s4:443 with TTL and checksum chosen,
 * inspected with the daemon's checksum verification on. */
static const struct inspect_result *tcp_seg_meta(struct fx *fx, uint16_t sport, uint32_t seq,
						 const uint8_t *data, size_t len, uint8_t ttl,
						 bool bad_checksum, bool verify)
{
	struct pkt_spec sp;
	memset(&sp, 0, sizeof(sp));
	sp.src = fx->c4;
	sp.dst = fx->s4;
	sp.proto = 6;
	sp.sport = sport;
	sp.dport = 443;
	sp.seq = seq;
	sp.ack = 1;
	sp.tcp_flags = TCPF_ACK | TCPF_PSH;
	sp.payload = data;
	sp.payload_len = len;
	sp.ttl = ttl;
	sp.bad_checksum = bad_checksum;
	size_t pl = pkt_build(fx->pkt, sizeof(fx->pkt), &sp);
	struct inspect_meta m = { .csum_verify = verify };
	inspect_packet_meta(fx->in, fx->cfg->policy, bytes_make(fx->pkt, pl), &m, T0, &fx->res);
	return &fx->res;
}

/* An allowed ClientHello does not decide the flow: what follows it in
 * the client's stream might be another ClientHello.  Application data
 * (or an alert, or another handshake message) ends that. */
static void test_tls_allowed_pending_until_moved_on(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "example.org", 600);
	const struct inspect_result *r = tcp_seg(fx, 51000, 443, 100, TCPF_ACK, ch, len);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "example.org", APP_TLS, ACTION_ALLOW);
	assert_int_equal(r->state, FLOW_PENDING);
	/* TLS 1.3 middlebox compatibility: change_cipher_spec is skipped. */
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	r = tcp_seg(fx, 51000, 443, 100 + (uint32_t)len, TCPF_ACK, ccs, sizeof(ccs));
	assert_int_equal(r->state, FLOW_PENDING);
	assert_int_equal(r->n_names, 0);
	static const uint8_t data[] = { 23, 3, 3, 0, 2, 0xaa, 0xbb };
	r = tcp_seg(fx, 51000, 443, 106 + (uint32_t)len, TCPF_ACK, data, sizeof(data));
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->action, ACTION_ALLOW);

	/* TLS 1.2: a ClientKeyExchange (handshake type 16) moves on too. */
	r = tcp_seg(fx, 51001, 443, 100, TCPF_ACK, ch, len);
	assert_int_equal(r->state, FLOW_PENDING);
	static const uint8_t cke[] = { 22, 3, 3, 0, 5, 16, 0, 0, 1, 0 };
	r = tcp_seg(fx, 51001, 443, 100 + (uint32_t)len, TCPF_ACK, cke, sizeof(cke));
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_ALLOW);
}

/* Two ClientHellos in one flow (a fake then the real one, or the second
 * hello after a HelloRetryRequest, behind a change_cipher_spec): the
 * worst decides. */
static void test_tls_two_hellos(void **state)
{
	struct fx *fx = *state;
	uint8_t a[4096], b[4096];
	size_t alen = tls_build_simple(a, sizeof(a), "example.org", 600);
	size_t blen = tls_build_simple(b, sizeof(b), "claude.ai", 600);
	const struct inspect_result *r = tcp_seg(fx, 51010, 443, 1, TCPF_ACK, a, alen);
	assert_int_equal(r->state, FLOW_PENDING);
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	r = tcp_seg(fx, 51010, 443, 1 + (uint32_t)alen, TCPF_ACK, ccs, sizeof(ccs));
	assert_int_equal(r->state, FLOW_PENDING);
	r = tcp_seg(fx, 51010, 443, 7 + (uint32_t)alen, TCPF_ACK, b, blen);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "claude.ai", APP_TLS, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_MULTI_HELLO);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);

	/* Both in one segment. */
	uint8_t both[8192];
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	r = tcp_seg(fx, 51011, 443, 1, TCPF_ACK, both, alen + blen);
	assert_int_equal(r->n_names, 2);
	assert_name(r, 1, "claude.ai", APP_TLS, ACTION_BLOCK);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_true(inspector_stats(fx->in)->tls_multi_hello >= 2);
}

/* A fake ClientHello for a harmless name that the server never reads
 * (TTL too low to reach it, bad checksum), then the real one at the same
 * sequence number. */
static void test_tls_fake_hello_first(void **state)
{
	struct fx *fx = *state;
	uint8_t fake[4096], real[4096];
	size_t flen = tls_build_simple(fake, sizeof(fake), "example.org", 700);
	size_t rlen = tls_build_simple(real, sizeof(real), "chatgpt.com", 700);

	/* Low TTL (nothing to verify): the differing copy is read too. */
	const struct inspect_result *r = tcp_seg_meta(fx, 51020, 1000, fake, flen, 1, false, true);
	assert_int_equal(r->state, FLOW_PENDING);
	assert_name(r, 0, "example.org", APP_TLS, ACTION_ALLOW);
	r = tcp_seg_meta(fx, 51020, 1000, real, rlen, 64, false, true);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_name(r, 0, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_OVERLAP_MISMATCH);

	/* Bad checksum, verified: the fake is not even looked at. */
	r = tcp_seg_meta(fx, 51021, 1000, fake, flen, 64, true, true);
	assert_true(r->bad_checksum);
	assert_int_equal(r->state, FLOW_NOT_INSPECTED);
	assert_int_equal(r->n_names, 0);
	r = tcp_seg_meta(fx, 51021, 1000, real, rlen, 64, false, true);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_int_equal(inspector_stats(fx->in)->bad_checksum, 1);

	/* Bad checksum that cannot be verified (NFQA_SKB_CSUMNOTREADY, a
	 * capture): as with the low TTL. */
	r = tcp_seg_meta(fx, 51022, 1000, fake, flen, 64, true, false);
	assert_int_equal(r->state, FLOW_PENDING);
	r = tcp_seg_meta(fx, 51022, 1000, real, rlen, 64, false, false);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_int_equal(r->state, FLOW_DECIDED);

	/* The fake shorter than the real one, and the real one in two
	 * segments: the second copy cannot be read whole at first, so the
	 * flow takes the undecided action as well. */
	uint8_t tiny[512];
	size_t tlen = tls_build_simple(tiny, sizeof(tiny), "a.example", 0);
	r = tcp_seg_meta(fx, 51023, 1, tiny, tlen, 1, false, true);
	assert_int_equal(r->state, FLOW_PENDING);
	r = tcp_seg_meta(fx, 51023, 1, real, 300, 64, false, true);
	r = tcp_seg_meta(fx, 51023, 301, real + 300, rlen - 300, 64, false, true);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
}

/* A fake ClientHello far outside the window (which the server drops),
 * before or after the real one's sequence numbers. */
static void test_tls_out_of_window_fake(void **state)
{
	struct fx *fx = *state;
	uint8_t fake[4096], real[4096];
	size_t flen = tls_build_simple(fake, sizeof(fake), "example.org", 700);
	size_t rlen = tls_build_simple(real, sizeof(real), "chatgpt.com", 700);
	uint32_t isn1 = 7000000;
	const struct inspect_result *r = tcp_seg(fx, 51030, 443, isn1 - 100000, TCPF_ACK, fake, flen);
	assert_int_equal(r->state, FLOW_PENDING);
	r = tcp_seg(fx, 51030, 443, isn1, TCPF_ACK, real, rlen);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_true(r->n_names >= 1);
	assert_name(r, 0, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_OUT_OF_WINDOW);

	r = tcp_seg(fx, 51031, 443, isn1 + 100000, TCPF_ACK, fake, flen);
	assert_int_equal(r->state, FLOW_PENDING);
	r = tcp_seg(fx, 51031, 443, isn1, TCPF_ACK, real, rlen);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	/* A whole hello far from the allowed one starts the flow over (it
	 * may be a new connection on the same port) and is judged on its
	 * own; a partial segment there is read as a fake (out_of_window). */
	assert_int_equal(inspector_stats(fx->in)->flows_restarted, 2);
	r = tcp_seg(fx, 51032, 443, isn1, TCPF_ACK, fake, flen);
	r = tcp_seg(fx, 51032, 443, isn1 + 200000, TCPF_ACK, real + 10, rlen - 10);
	assert_true(r->flags & FLAG_OUT_OF_WINDOW || (r->n_names && r->names[0].flags & FLAG_OUT_OF_WINDOW));
	assert_int_equal(inspector_stats(fx->in)->tls_out_of_window, 3);
}

/* Handshake data before the ClientHello (a HelloRequest-like message),
 * two messages in one record: no valid client, maybe a lenient server:
 * the undecided action. */
static void test_tls_handshake_before_hello(void **state)
{
	struct fx *fx = *state;
	uint8_t buf[4096];
	static const uint8_t hello_request[] = { 22, 3, 1, 0, 4, 0, 0, 0, 0 };
	memcpy(buf, hello_request, sizeof(hello_request));
	size_t len = sizeof(hello_request) +
		     tls_build_simple(buf + sizeof(hello_request), sizeof(buf) - sizeof(hello_request),
				      "chatgpt.com", 600);
	tcp_seg(fx, 51040, 443, 0, TCPF_SYN, NULL, 0);
	const struct inspect_result *r = tcp_seg(fx, 51040, 443, 1, TCPF_ACK, buf, len);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);
	assert_int_equal(r->n_names, 1);
	assert_false(r->names[0].has_name);
	assert_int_equal(r->names[0].decision.reason, REASON_UNDECIDED);
}

/* SNI in odd case and with a trailing dot is the same name. */
static void test_tls_sni_case_and_dot(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "ChatGPT.COM.", 600);
	const struct inspect_result *r = tcp_seg(fx, 51050, 443, 1, TCPF_ACK, ch, len);
	assert_name(r, 0, "chatgpt.com", APP_TLS, ACTION_BLOCK);
	assert_int_equal(r->state, FLOW_DECIDED);
}

/* DNS: an unusual class, 0x20 case, several questions with the blocked
 * one last. */
static void test_dns_class_case_questions(void **state)
{
	struct fx *fx = *state;
	struct dns_build_question qs[3] = { { "example.org", 1, 1 }, { "ExAmPlE.net", 28, 1 },
					    { "cHaTgPt.CoM", 1, 3 } };
	uint8_t q[600];
	size_t qlen = dns_build_query(q, sizeof(q), 9, 0x0100, qs, 3, NULL);
	const struct inspect_result *r =
		feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 2, &fx->s4, 53, q, qlen), T0);
	assert_int_equal(r->n_names, 3);
	assert_name(r, 2, "chatgpt.com", APP_DNS, ACTION_BLOCK);
	assert_int_equal(r->action, ACTION_BLOCK);
	/* CHAOS class alone. */
	qlen = dns_build_query(q, sizeof(q), 10, 0x0100, &qs[2], 1, NULL);
	r = feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 3, &fx->s4, 53, q, qlen), T0);
	assert_name(r, 0, "chatgpt.com", APP_DNS, ACTION_BLOCK);
}

/* IP fragments: the core never sees a whole handshake or query it could
 * judge in a first fragment that ends early: the undecided action. */
static void test_fragmented_handshake_and_query(void **state)
{
	struct fx *fx = *state;
	uint8_t ch[4096], whole[5000], frag[5000];
	size_t len = tls_build_simple(ch, sizeof(ch), "chatgpt.com", 900);
	const struct ip_addr *cs[2][2] = { { &fx->c4, &fx->s4 }, { &fx->c6, &fx->s6 } };
	for (int fam = 0; fam < 2; fam++) {
		size_t wl = pkt_build_tcp(whole, sizeof(whole), cs[fam][0], (uint16_t)(51060 + fam),
					  cs[fam][1], 443, 1, 1, TCPF_ACK, ch, len);
		size_t fl = pkt_fragment(frag, sizeof(frag), whole, wl, 0, 64, 99);
		assert_true(fl > 0);
		inspect_packet(fx->in, fx->cfg->policy, bytes_make(frag, fl), T0, &fx->res);
		assert_int_equal(fx->res.state, FLOW_DECIDED);
		assert_int_equal(fx->res.action, ACTION_BLOCK);
		assert_true(fx->res.names[0].flags & FLAG_FRAGMENT);
		/* The rest: non-first fragments, not inspected. */
		fl = pkt_fragment(frag, sizeof(frag), whole, wl, 64, 4000, 99);
		inspect_packet(fx->in, fx->cfg->policy, bytes_make(frag, fl), T0, &fx->res);
		assert_int_equal(fx->res.n_names, 0);

		/* A DNS query cut inside its question. */
		uint8_t q[600];
		size_t qlen = dns_build_query1(q, sizeof(q), 5, "chatgpt.com", 1, true);
		wl = pkt_build_udp(whole, sizeof(whole), cs[fam][0], 5353, cs[fam][1], 53, q, qlen);
		fl = pkt_fragment(frag, sizeof(frag), whole, wl, 0, 24, 100);
		inspect_packet(fx->in, fx->cfg->policy, bytes_make(frag, fl), T0, &fx->res);
		assert_int_equal(fx->res.n_names, 1);
		assert_int_equal(fx->res.names[0].decision.reason, REASON_UNDECIDED);
		assert_int_equal(fx->res.action, ACTION_BLOCK);
		/* Whole question in the first fragment: judged by its name. */
		fl = pkt_fragment(frag, sizeof(frag), whole, wl, 0, 40, 101);
		inspect_packet(fx->in, fx->cfg->policy, bytes_make(frag, fl), T0, &fx->res);
		assert_int_equal(fx->res.n_names, 1);
		assert_name(&fx->res, 0, "chatgpt.com", APP_DNS, ACTION_BLOCK);
	}
}

/* A flood of a million half-open flows with partial ClientHellos stays
 * within the configured bounds (flows and reassembly memory, measured as
 * resident memory), and every evicted undecided flow is counted. */
static void test_flood_million_flows(void **state)
{
	struct fx *fx = *state;
	struct inspect_limits lim = { .max_flows = 65536, .max_buffer_total = 32u << 20 };
	struct inspector *in = inspector_new(&lim, seed);
	assert_non_null(in);
	uint8_t ch[4096];
	size_t len = tls_build_simple(ch, sizeof(ch), "chatgpt.com", 1800);
	long rss0 = rss_kib();
	const unsigned n = 1000000;
	struct ip_addr src = fx->c4;
	for (unsigned i = 0; i < n; i++) {
		src.b[2] = (uint8_t)(i >> 16);
		src.b[3] = (uint8_t)(i >> 8);
		size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &src, (uint16_t)(1024 + (i & 0xff)),
					  &fx->s4, 443, 1, 1, TCPF_ACK, ch, 700 + (i % 600));
		inspect_packet(in, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + i, &fx->res);
		assert_int_equal(fx->res.state, FLOW_PENDING);
	}
	const struct inspect_stats *st = inspector_stats(in);
	long grown = rss_kib() - rss0;
	print_message("flood: %u flows, %llu active, %llu evicted undecided, buffer %llu bytes, "
		      "RSS grew %ld KiB (peak %ld KiB)\n", n, (unsigned long long)st->flows_active,
		      (unsigned long long)st->flows_evicted_undecided,
		      (unsigned long long)st->buffer_bytes, grown, rss_kib());
	assert_int_equal(st->flows_created, n);
	assert_true(st->flows_active <= 65536);
	assert_true(st->buffer_bytes <= 32u << 20);
	assert_int_equal(st->flows_evicted_undecided, st->flows_evicted);
	assert_true(st->flows_evicted >= n - 65536);
	/* Slots (a few hundred bytes each) plus the reassembly budget plus
	 * allocator slack: far below what a million flows would take.  (Not
	 * under AddressSanitizer, whose quarantine keeps freed memory.) */
#if !defined(__SANITIZE_ADDRESS__)
	assert_true(grown < (long)(32 + 65536 * 600 / 1048576 + 48) * 1024);
#endif
	/* A recently evicted flow that comes back gets the undecided action
	 * (the remembered evicted keys are a bounded set: long-gone ones are
	 * forgotten, and their continuation looks like a stream we joined
	 * late). */
	unsigned i = n - (unsigned)st->flows_active - 1;
	src.b[2] = (uint8_t)(i >> 16);
	src.b[3] = (uint8_t)(i >> 8);
	size_t pl = pkt_build_tcp(fx->pkt, sizeof(fx->pkt), &src, (uint16_t)(1024 + (i & 0xff)),
				  &fx->s4, 443, 1 + 700 + (i % 600), 1, TCPF_ACK, ch + 700 + (i % 600),
				  len - 700 - (i % 600));
	inspect_packet(in, fx->cfg->policy, bytes_make(fx->pkt, pl), T0 + n, &fx->res);
	assert_int_equal(fx->res.state, FLOW_DECIDED);
	assert_int_equal(fx->res.action, ACTION_BLOCK);
	inspector_free(in);
}

/* A protected QUIC v1 Initial datagram to s4:443 with one CRYPTO frame
 * carrying a ClientHello for sni, padded to 1200 bytes. */
static size_t quic_initial_for(uint8_t *out, size_t cap, const char *sni, uint8_t dcid0)
{
	uint8_t ch[1200], payload[1300];
	uint8_t dcid[8] = { dcid0, 1, 2, 3, 4, 5, 6, 7 };
	size_t chl = quic_build_client_hello(ch, sizeof(ch), sni, 0);
	size_t fl = quic_build_crypto_frame(payload, sizeof(payload), 0, ch, chl);
	assert_true(fl > 0 && fl < 1150);
	memset(payload + fl, 0, 1150 - fl);
	struct quic_build_params qp = { .version = 1, .dcid = dcid, .dcid_len = 8, .pn = 0,
					.pn_len = 2 };
	return quic_build_initial(out, cap, &qp, payload, 1150);
}

/* QUIC: a harmless Initial first, then one for a blocked name in the same
 * UDP flow: the worst decides; a retransmitted Initial with the same
 * name adds nothing; a 1-RTT packet ends the wait. */
static void test_quic_two_initials(void **state)
{
	struct fx *fx = *state;
	uint8_t d[1500];
	size_t n = quic_initial_for(d, sizeof(d), "example.org", 1);
	const struct inspect_result *r =
		feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 51100, &fx->s4, 443, d, n), T0);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "example.org", APP_QUIC, ACTION_ALLOW);
	assert_int_equal(r->state, FLOW_PENDING);
	r = feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 51100, &fx->s4, 443, d, n), T0);
	assert_int_equal(r->n_names, 0);
	assert_int_equal(r->state, FLOW_PENDING);
	n = quic_initial_for(d, sizeof(d), "chatgpt.com", 2);
	r = feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 51100, &fx->s4, 443, d, n), T0);
	assert_int_equal(r->n_names, 1);
	assert_name(r, 0, "chatgpt.com", APP_QUIC, ACTION_BLOCK);
	assert_true(r->names[0].flags & FLAG_MULTI_HELLO);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_BLOCK);

	/* Allowed, then a short-header (1-RTT) packet: decided, allowed. */
	n = quic_initial_for(d, sizeof(d), "example.org", 3);
	r = feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 51101, &fx->s4, 443, d, n), T0);
	assert_int_equal(r->state, FLOW_PENDING);
	static const uint8_t short_hdr[] = { 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					     16, 17, 18, 19, 20, 21 };
	r = feed(fx, pkt_build_udp(fx->pkt, sizeof(fx->pkt), &fx->c4, 51101, &fx->s4, 443, short_hdr,
				   sizeof(short_hdr)), T0);
	assert_int_equal(r->state, FLOW_DECIDED);
	assert_int_equal(r->action, ACTION_ALLOW);
}

static void test_verdicts(void **state)
{
	(void)state;
	assert_int_equal(inspect_verdict(ACTION_BLOCK, APP_DNS, MODE_ENFORCE, DNS_BLOCK_KIND_NXDOMAIN, true),
			 VERDICT_NXDOMAIN);
	assert_int_equal(inspect_verdict(ACTION_BLOCK, APP_DNS, MODE_ENFORCE, DNS_BLOCK_KIND_REFUSED, true),
			 VERDICT_REFUSED);
	assert_int_equal(inspect_verdict(ACTION_BLOCK, APP_TLS, MODE_ENFORCE, DNS_BLOCK_KIND_NXDOMAIN, true),
			 VERDICT_RESET);
	assert_int_equal(inspect_verdict(ACTION_BLOCK, APP_TLS, MODE_ENFORCE, DNS_BLOCK_KIND_NXDOMAIN, false),
			 VERDICT_DROP);
	assert_int_equal(inspect_verdict(ACTION_BLOCK, APP_QUIC, MODE_ENFORCE, DNS_BLOCK_KIND_NXDOMAIN, true),
			 VERDICT_DROP);
	assert_int_equal(inspect_verdict(ACTION_BLOCK, APP_TLS, MODE_MONITOR, DNS_BLOCK_KIND_NXDOMAIN, true),
			 VERDICT_ACCEPT);
	assert_int_equal(inspect_verdict(ACTION_LOG, APP_DNS, MODE_ENFORCE, DNS_BLOCK_KIND_NXDOMAIN, true),
			 VERDICT_ACCEPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dns_udp_blocked_and_unlisted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_two_questions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_response_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_one_segment_then_decided, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_chrome_two_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_out_of_order_without_syn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_gap_never_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_retransmission_differs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_one_byte_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_tiny_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evicted_handshake_stays_suspect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evicted_allowed_hello_is_not_suspect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_reuse_starts_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_tcp_pipelined_and_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_and_fragment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_table_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_allowed_pending_until_moved_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_two_hellos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_fake_hello_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_out_of_window_fake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_handshake_before_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_sni_case_and_dot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_class_case_questions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragmented_handshake_and_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_million_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quic_two_initials, setup, teardown),
		cmocka_unit_test(test_verdicts),
	};
	return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
