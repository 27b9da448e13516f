/* bench_parse.c: QUIC Initials decrypted per second against TLS
 * ClientHellos parsed per second, through the whole inspection entry
 * point, over the same number of flows in the same run (issue 4).
 *
 *   bench_parse [FLOWS] [ROUNDS]
 *
 * Every flow is new (its own client port), so every QUIC packet pays
 * the Initial key derivation, as a gateway does for each connection.
 * Prints one line per protocol: flows, seconds, per second per core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "inspect.h"
#include "pkt_build.h"
#include "quic.h"
#include "quic_build.h"
#include "tls_build.h"

#define PKT_CAP 2048

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n packets, each PKT_CAP bytes apart, with their lengths. */
struct batch {
	uint8_t *pkts;
	size_t *lens;
	size_t n;
};

static const char *const names[] = { "chatgpt.com", "www.example.org", "claude.ai",
				     "api.business.githubcopilot.com", "news.example.net" };

static void build_tls(struct batch *b, size_t n)
{
	struct ip_addr c = pkt_addr4("10.1.0.5"), s = pkt_addr4("198.51.100.7");
	uint8_t ch[4096];
	for (size_t i = 0; i < n; i++) {
		size_t chl = tls_build_simple(ch, sizeof(ch), names[i % 5], 1800);
		size_t first = chl > 1400 ? 1400 : chl;
		/* Chrome-sized: the hello in one 1,400-byte segment and the rest. */
		b->lens[2 * i] = pkt_build_tcp(b->pkts + 2 * i * PKT_CAP, PKT_CAP, &c,
					       (uint16_t)(1024 + i % 60000), &s, 443, 1000, 1,
					       0x18, ch, first);
		b->lens[2 * i + 1] = pkt_build_tcp(b->pkts + (2 * i + 1) * PKT_CAP, PKT_CAP, &c,
						   (uint16_t)(1024 + i % 60000), &s, 443,
						   1000 + (uint32_t)first, 1, 0x18, ch + first,
						   chl - first);
	}
	b->n = 2 * n;
}

static void build_quic(struct batch *b, size_t n)
{
	struct ip_addr c = pkt_addr4("10.1.0.6"), s = pkt_addr4("198.51.100.7");
	uint8_t ch[2048], payload[1200], q[1500];
	for (size_t i = 0; i < n; i++) {
		uint8_t dcid[8] = { (uint8_t)i, (uint8_t)(i >> 8), 3, 4, 5, 6, 7, 8 };
		size_t chl = quic_build_client_hello(ch, sizeof(ch), names[i % 5], 0);
		size_t fl = quic_build_crypto_frame(payload, sizeof(payload), 0, ch, chl);
		size_t plen = 1200 - 64;
		memset(payload + fl, 0, plen - fl);
		struct quic_build_params p;
		memset(&p, 0, sizeof(p));
		p.version = QUIC_VERSION_1;
		p.dcid = dcid;
		p.dcid_len = sizeof(dcid);
		p.scid = dcid;
		p.scid_len = 4;
		p.pn_len = 2;
		size_t ql = quic_build_initial(q, sizeof(q), &p, payload, plen);
		b->lens[i] = pkt_build_udp(b->pkts + i * PKT_CAP, PKT_CAP, &c,
					   (uint16_t)(1024 + i % 60000), &s, 443, q, ql);
	}
	b->n = n;
}

static double run(const struct batch *b, const struct policy *p, size_t *names_out)
{
	static const uint8_t seed[16] = { 9 };
	struct inspect_limits lim = { .max_flows = (uint32_t)b->n + 16 };
	struct inspector *in = inspector_new(&lim, seed);
	static struct inspect_result r;
	size_t n_names = 0;
	double t0 = now_s();
	for (size_t i = 0; i < b->n; i++) {
		inspect_packet(in, p, bytes_make(b->pkts + i * PKT_CAP, b->lens[i]), 1, &r);
		n_names += r.n_names;
	}
	double t = now_s() - t0;
	inspector_free(in);
	*names_out = n_names;
	return t;
}

int main(int argc, char **argv)
{
	size_t flows = argc > 1 ? (size_t)atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	struct diag d = { 0 };
	struct aigate_config *cfg = config_load(NULL, "rules", "/nonexistent", &d);
	if (!cfg || flows == 0 || flows > 60000) {
		fprintf(stderr, "bench_parse: run from the repository root; FLOWS 1..60000\n");
		return 1;
	}
	struct batch tls = { calloc(2 * flows, PKT_CAP), calloc(2 * flows, sizeof(size_t)), 0 };
	struct batch quic = { calloc(flows, PKT_CAP), calloc(flows, sizeof(size_t)), 0 };
	build_tls(&tls, flows);
	build_quic(&quic, flows);
	double best_tls = 1e9, best_quic = 1e9;
	size_t nt = 0, nq = 0;
	for (int k = 0; k < rounds; k++) {
		double t = run(&tls, cfg->policy, &nt);
		if (t < best_tls)
			best_tls = t;
		t = run(&quic, cfg->policy, &nq);
		if (t < best_quic)
			best_quic = t;
	}
	printf("tls  %zu flows (2 segments each, %zu names): %.3f s, %.0f ClientHellos/s\n", flows,
	       nt, best_tls, (double)flows / best_tls);
	printf("quic %zu flows (1 Initial each, %zu names): %.3f s, %.0f Initials/s\n", flows, nq,
	       best_quic, (double)flows / best_quic);
	printf("ratio: a QUIC Initial costs %.1f TLS ClientHellos\n", best_quic / best_tls);
	config_free(cfg);
	free(tls.pkts);
	free(tls.lens);
	free(quic.pkts);
	free(quic.lens);
	return nt == flows && nq == flows ? 0 : 1;
}
