/* inspect.c: from one IP packet to names and decisions; see inspect.h.
 *
 * Which bytes are looked at:
 *  - UDP to port 53: each datagram is one DNS message, decided on its own;
 *  - TCP to port 53: the client's byte stream, framed by 2-byte lengths;
 *  - TCP to any other port: the client's byte stream, if it starts like
 *    TLS, up to its first ClientHello; then the flow is decided;
 *  - UDP carrying a QUIC long-header Initial: its CRYPTO data up to the
 *    ClientHello (quic.c); then the flow is decided.
 * Flows are directional (client to server); the reverse direction of a
 * connection never starts with a query or a ClientHello and is ignored
 * after its first payload. */
#include "inspect.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "siphash.h"
#include "name.h"
#include "quic.h"
#include "tls.h"

#define DNS_PORT 53
#define DOT_PORT 853
#define QUIC_PORT 443
#define DDR_NAME "_dns.resolver.arpa"
/* Segments to wait for the real start of a stream whose SYN was not seen. */
#define TLS_START_GRACE_PACKETS 3
#define EVICTED_SLOTS 4096
/* Datagrams of a UDP flow without a complete ClientHello before giving up. */
#define QUIC_GIVE_UP_DATAGRAMS 16

struct inspector {
	struct inspect_limits lim;
	struct flow_table *flows;
	struct inspect_stats stats;
	uint8_t *scratch;          /* TLS handshake reassembly, lim.max_flow_buffer */
	uint8_t *dns_copy;         /* DNS-over-TCP message handed out in a result */
	uint8_t seed[16];
	/* Keys of pending handshake flows evicted for lack of room, so that
	 * their continuation is not mistaken for a new, unknown flow (an
	 * attacker could otherwise flood the table to shed a half-sent
	 * ClientHello).  Direct-mapped by a keyed hash; 0 = empty. */
	uint64_t evicted[EVICTED_SLOTS];
};

static uint64_t evicted_tag(const struct inspector *in, const struct flow_key *k)
{
	return siphash24(in->seed, k, sizeof(*k)) | 1;
}

static void remember_evicted(struct inspector *in, const struct flow_key *k)
{
	uint64_t t = evicted_tag(in, k);
	in->evicted[t % EVICTED_SLOTS] = t;
}

/* True (and forgotten) when k is a recently evicted pending flow. */
static bool was_evicted(struct inspector *in, const struct flow_key *k)
{
	uint64_t t = evicted_tag(in, k);
	if (in->evicted[t % EVICTED_SLOTS] != t)
		return false;
	in->evicted[t % EVICTED_SLOTS] = 0;
	return true;
}

/* QUIC state hangs off the flow; its memory counts against the same
 * budget as TCP reassembly. */
static size_t quic_mem(const struct quic_ch_state *q)
{
	return sizeof(*q) + quic_ch_state_bytes(q);
}

static void quic_drop(struct inspector *in, struct flow *f)
{
	if (!f->quic)
		return;
	flow_table_budget(in->flows)->used -= quic_mem(f->quic);
	quic_ch_state_cleanup(f->quic);
	free(f->quic);
	f->quic = NULL;
}

static void release_flow(void *ctx, struct flow *f, bool evicted)
{
	struct inspector *in = ctx;
	if (evicted) {
		in->stats.flows_evicted++;
		if (f->state == FLOW_ST_PENDING) {
			in->stats.flows_evicted_undecided++;
			if (f->kind == FLOW_KIND_TLS && f->n_packets > 0)
				remember_evicted(in, &f->key);
		}
	}
	quic_drop(in, f);
}

struct inspector *inspector_new(const struct inspect_limits *limits, const uint8_t seed[16])
{
	struct inspector *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	if (limits)
		in->lim = *limits;
	if (!in->lim.max_flows)
		in->lim.max_flows = 65536;
	if (!in->lim.idle_timeout_s)
		in->lim.idle_timeout_s = 120;
	if (!in->lim.max_flow_buffer)
		in->lim.max_flow_buffer = 16384;
	if (!in->lim.max_buffer_total)
		in->lim.max_buffer_total = 64u << 20;
	/* High enough that a ClientHello sent one byte per segment still
	 * completes (and is judged by its name); what goes beyond is an
	 * evasion or a broken client and gets the undecided action. */
	if (!in->lim.max_undecided_packets)
		in->lim.max_undecided_packets = 4096;
	memcpy(in->seed, seed, sizeof(in->seed));
	in->scratch = malloc(in->lim.max_flow_buffer);
	in->dns_copy = malloc(in->lim.max_flow_buffer);
	in->flows = flow_table_new(in->lim.max_flows, in->lim.max_flow_buffer,
				   in->lim.max_buffer_total, seed, release_flow, in);
	if (!in->scratch || !in->dns_copy || !in->flows) {
		inspector_free(in);
		return NULL;
	}
	return in;
}

void inspector_free(struct inspector *in)
{
	if (!in)
		return;
	flow_table_free(in->flows);
	free(in->scratch);
	free(in->dns_copy);
	free(in);
}

const struct inspect_stats *inspector_stats(const struct inspector *in)
{
	/* Derived gauges are refreshed on read. */
	struct inspector *m = (struct inspector *)in;
	m->stats.flows_active = flow_table_count(in->flows);
	m->stats.buffer_bytes = flow_table_budget(m->flows)->used;
	return &in->stats;
}

void inspector_expire(struct inspector *in, int64_t now_us)
{
	int64_t cutoff = now_us - (int64_t)in->lim.idle_timeout_s * 1000000;
	in->stats.flows_expired += flow_expire(in->flows, cutoff, 0);
}

static enum action worse(enum action a, enum action b)
{
	return a > b ? a : b; /* ALLOW < LOG < BLOCK */
}

/* Classify one name and append it to the result; false when full. */
/* raw == NULL: nothing to match (no SNI, QUIC without a readable
 * Initial, an unfinished handshake): `nameless` says which. */
static bool add_name(struct inspect_result *out, const struct policy *p,
		     enum app_proto proto, const char *raw, size_t raw_len,
		     enum reason nameless, uint32_t flags, int64_t now_us)
{
	bool has_name = raw != NULL;
	if (out->n_names == INSPECT_MAX_NAMES)
		return false;
	struct inspect_name *n = &out->names[out->n_names++];
	memset(n, 0, sizeof(*n));
	n->app_proto = proto;
	n->has_name = has_name;
	n->flags = flags;
	if (has_name)
		n->flags |= name_normalize(raw, raw_len, n->name, &n->name_len);
	if (p) {
		if (has_name)
			policy_decide(p, &out->pkt.src, n->name, n->name_len, now_us / 1000000,
				      &n->decision);
		else
			policy_decide_nameless(p, nameless, &n->decision);
		const struct list_entry *e = n->decision.match.entry;
		if ((n->flags & FLAG_ECH) && e && e->terms == TERMS_ECH_FRONT)
			n->flags |= FLAG_ECH_FRONT;
		/* RFC 7858 / RFC 9250: DNS over TLS and over QUIC use port 853. */
		if (proto != APP_DNS && out->pkt.dst_port == DOT_PORT)
			policy_apply_dot(p, &out->pkt.dst, &n->decision);
		/* RFC 9462 s4: discovery of designated resolvers; answer "no
		 * data" so that clients keep the resolver they have. */
		if (proto == APP_DNS && n->decision.action == ACTION_BLOCK &&
		    n->name_len == sizeof(DDR_NAME) - 1 && memcmp(n->name, DDR_NAME, n->name_len) == 0)
			n->dns_nodata = true;
	} else {
		n->decision.action = ACTION_ALLOW;
		n->decision.reason = REASON_UNLISTED;
	}
	out->action = worse(out->action, n->decision.action);
	return true;
}

/* Add every question of a parsed DNS query. */
static void add_dns_names(struct inspector *in, struct inspect_result *out,
			  const struct policy *p, const struct dns_query *q,
			  uint32_t extra_flags, int64_t now_us)
{
	for (unsigned i = 0; i < q->n_questions; i++) {
		const struct dns_question *qu = &q->questions[i];
		if (!add_name(out, p, APP_DNS, qu->name, qu->name_len, REASON_UNLISTED,
			      q->flags_anomaly | extra_flags, now_us)) {
			in->stats.dns_overflow++;
			continue;
		}
		struct inspect_name *n = &out->names[out->n_names - 1];
		n->dns_id = q->id;
		n->dns_qtype = qu->qtype;
		n->dns_question = i;
	}
}

static void inspect_dns_udp(struct inspector *in, const struct policy *p,
			    struct inspect_result *out, int64_t now_us)
{
	struct dns_query q;
	enum parse_result r = dns_parse_query(out->pkt.l4_payload, &q);
	out->state = FLOW_PER_MESSAGE;
	if (r == PARSE_NOT_MINE)
		return;
	if (r != PARSE_OK) {
		in->stats.dns_malformed++;
		return;
	}
	in->stats.dns_queries++;
	out->dns = q;
	out->dns_msg = out->pkt.l4_payload;
	add_dns_names(in, out, p, &q, out->pkt.flags & FLAG_TUNNEL, now_us);
}

static void key_from_packet(const struct packet_info *pi, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, pi->src.b, sizeof(k->src));
	memcpy(k->dst, pi->dst.b, sizeof(k->dst));
	k->src_port = pi->src_port;
	k->dst_port = pi->dst_port;
	k->family = pi->src.family;
	k->proto = pi->l4_proto;
}

/* Flags that describe how the flow's bytes arrived. */
static uint32_t stream_flags(const struct flow *f)
{
	uint32_t fl = f->flags;
	if (f->stream.n_segments > 1)
		fl |= FLAG_REASSEMBLED;
	if (f->stream.out_of_order)
		fl |= FLAG_OUT_OF_ORDER;
	if (f->stream.overlap_mismatch)
		fl |= FLAG_OVERLAP_MISMATCH;
	return fl;
}

/* The flow will not be looked at again: free its buffers, keep its slot
 * so that later packets are recognised cheaply. */
static void flow_finish(struct inspector *in, struct flow *f, enum flow_state st)
{
	f->state = (uint8_t)st;
	stream_cleanup(&f->stream, flow_table_budget(in->flows));
	quic_drop(in, f);
}

static void decide_flow(struct inspector *in, struct flow *f, struct inspect_result *out)
{
	f->action = (uint8_t)out->action;
	flow_finish(in, f, FLOW_ST_DECIDED);
	out->state = FLOW_DECIDED;
}

/* A TLS flow that will not be decided by its name: the undecided action. */
static void decide_undecided(struct inspector *in, const struct policy *p, struct flow *f,
			     struct inspect_result *out, int64_t now_us)
{
	add_name(out, p, APP_TLS, NULL, 0, REASON_UNDECIDED,
		 stream_flags(f) | (out->pkt.flags & FLAG_TUNNEL), now_us);
	decide_flow(in, f, out);
}

static void inspect_tls_stream(struct inspector *in, const struct policy *p,
			       struct flow *f, struct inspect_result *out, int64_t now_us)
{
	struct bytes data = stream_contiguous(&f->stream);
	struct tls_client_hello ch;
	size_t consumed = 0;
	enum parse_result r = PARSE_NEED_MORE;
	if (data.len > 0)
		r = tls_parse_stream(data, in->scratch, in->lim.max_flow_buffer, &ch, &consumed);
	switch (r) {
	case PARSE_OK: {
		in->stats.tls_client_hellos++;
		if (!ch.has_sni)
			in->stats.tls_no_sni++;
		uint32_t fl = ch.flags | stream_flags(f) | (out->pkt.flags & FLAG_TUNNEL);
		add_name(out, p, APP_TLS, ch.has_sni ? ch.sni : NULL, ch.sni_len, REASON_NO_SNI,
			 fl, now_us);
		decide_flow(in, f, out);
		return;
	}
	case PARSE_NEED_MORE:
		if (stream_full(&f->stream) || f->stream.truncated ||
		    f->n_packets >= in->lim.max_undecided_packets) {
			/* A handshake too big or too fragmented to complete within
			 * our bounds: no real client does that, an evasion does. */
			in->stats.flows_given_up++;
			decide_undecided(in, p, f, out, now_us);
			return;
		}
		out->state = FLOW_PENDING;
		return;
	case PARSE_MALFORMED:
	case PARSE_NOT_MINE:
		/* Without the SYN the start of the stream is a guess: the first
		 * segment seen may be a later one that overtook the first.  Wait
		 * a few segments for an earlier one before judging. */
		if (!f->stream.syn_seen && f->n_packets < TLS_START_GRACE_PACKETS &&
		    !f->stream.truncated) {
			out->state = FLOW_PENDING;
			return;
		}
		if (r == PARSE_MALFORMED)
			in->stats.tls_malformed++;
		flow_finish(in, f, FLOW_ST_IGNORED);
		out->state = FLOW_NOT_INSPECTED;
		return;
	}
}

static void inspect_dns_stream(struct inspector *in, const struct policy *p,
			       struct flow *f, struct inspect_result *out, int64_t now_us)
{
	out->state = FLOW_PER_MESSAGE;
	out->dns_is_tcp = true;
	bool have_msg = false;
	for (;;) {
		struct bytes data = stream_contiguous(&f->stream);
		struct bytes rest = data, msg;
		enum parse_result r = dns_tcp_next(&rest, &msg);
		if (r == PARSE_NEED_MORE) {
			if (stream_full(&f->stream) || f->stream.truncated) {
				in->stats.dns_malformed++;
				flow_finish(in, f, FLOW_ST_IGNORED);
			}
			return;
		}
		if (r != PARSE_OK) {
			in->stats.dns_malformed++;
			flow_finish(in, f, FLOW_ST_IGNORED);
			return;
		}
		struct dns_query q;
		enum parse_result qr = dns_parse_query(msg, &q);
		if (qr == PARSE_NOT_MINE) {
			/* A response stream (server to client): not ours. */
			flow_finish(in, f, FLOW_ST_IGNORED);
			return;
		}
		if (qr == PARSE_OK) {
			in->stats.dns_queries++;
			if (!have_msg && msg.len <= in->lim.max_flow_buffer) {
				/* The first message is kept for a synthesized answer;
				 * it is copied (and parsed again from the copy) because
				 * the stream buffer moves on. */
				struct bytes src = msg;
				if (bytes_copy(&src, in->dns_copy, msg.len)) {
					out->dns_msg = bytes_make(in->dns_copy, msg.len);
					have_msg = dns_parse_query(out->dns_msg, &out->dns) == PARSE_OK;
				}
			}
			uint32_t fl = stream_flags(f) | (out->pkt.flags & FLAG_TUNNEL);
			add_dns_names(in, out, p, &q, fl, now_us);
		} else {
			in->stats.dns_malformed++;
		}
		stream_consume(&f->stream, (uint32_t)(data.len - rest.len));
		f->stream.n_segments = 0;
	}
}

static void inspect_tcp(struct inspector *in, const struct policy *p,
			struct inspect_result *out, int64_t now_us)
{
	const struct packet_info *pi = &out->pkt;
	struct flow_key key;
	key_from_packet(pi, &key);
	struct flow *f = flow_lookup(in->flows, &key);
	bool syn = (pi->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;

	if (!f) {
		if (pi->l4_payload.len == 0 && !syn)
			return; /* nothing to start a flow with */
		f = flow_create(in->flows, &key, now_us);
		f->kind = pi->dst_port == DNS_PORT ? FLOW_KIND_DNS_TCP : FLOW_KIND_TLS;
		in->stats.flows_created++;
		if (f->kind == FLOW_KIND_TLS && was_evicted(in, &key)) {
			f->n_packets = 1;
			decide_undecided(in, p, f, out, now_us);
			return;
		}
	} else {
		flow_touch(in->flows, f, now_us);
	}
	if (syn)
		stream_syn(&f->stream, pi->tcp_seq);

	switch ((enum flow_state)f->state) {
	case FLOW_ST_DECIDED:
		out->state = FLOW_DECIDED;
		out->action = (enum action)f->action;
		return;
	case FLOW_ST_IGNORED:
		out->state = FLOW_NOT_INSPECTED;
		return;
	case FLOW_ST_PENDING:
		break;
	}
	if (pi->l4_payload.len == 0) {
		out->state = f->kind == FLOW_KIND_DNS_TCP ? FLOW_PER_MESSAGE : FLOW_PENDING;
		return;
	}
	if (f->n_packets < UINT16_MAX)
		f->n_packets++;
	struct stream_budget *budget = flow_table_budget(in->flows);
	if (!stream_add(&f->stream, budget, pi->tcp_seq, pi->l4_payload)) {
		/* Out of reassembly memory: evict the oldest pending flows. */
		flow_make_room(in->flows, f, flow_table_per_flow_buffer(in->flows));
		if (!stream_add(&f->stream, budget, pi->tcp_seq, pi->l4_payload)) {
			in->stats.flows_given_up++;
			flow_finish(in, f, FLOW_ST_IGNORED);
			out->state = FLOW_NOT_INSPECTED;
			return;
		}
	}
	if (f->stream.overlap_mismatch && !(f->flags & FLAG_OVERLAP_MISMATCH)) {
		f->flags |= FLAG_OVERLAP_MISMATCH;
		in->stats.overlap_mismatches++;
	}
	if (f->kind == FLOW_KIND_DNS_TCP)
		inspect_dns_stream(in, p, f, out, now_us);
	else
		inspect_tls_stream(in, p, f, out, now_us);
}

/* A QUIC flow that gets a nameless decision (blocked by configuration,
 * or unparsable): one event, then the flow is decided. */
static void decide_quic_nameless(struct inspector *in, const struct policy *p, struct flow *f,
				 struct inspect_result *out, int64_t now_us)
{
	add_name(out, p, APP_QUIC, NULL, 0, REASON_QUIC, out->pkt.flags & FLAG_TUNNEL, now_us);
	decide_flow(in, f, out);
}

/* UDP/443 gives up on a flow whose Initial could not be read: the
 * unparsed-QUIC action decides it (pass, or drop to force TCP). */
static void quic_give_up(struct inspector *in, const struct policy *p, struct flow *f,
			 struct inspect_result *out, int64_t now_us)
{
	if (out->pkt.dst_port == QUIC_PORT && p) {
		in->stats.quic_unparsed++;
		decide_quic_nameless(in, p, f, out, now_us);
		return;
	}
	flow_finish(in, f, FLOW_ST_IGNORED);
	out->state = FLOW_NOT_INSPECTED;
}

static void inspect_quic(struct inspector *in, const struct policy *p,
			 struct inspect_result *out, int64_t now_us)
{
	const struct packet_info *pi = &out->pkt;
	struct flow_key key;
	key_from_packet(pi, &key);
	struct flow *f = flow_lookup(in->flows, &key);
	if (!f) {
		/* Flows to UDP/443 are tracked even when their first datagram is
		 * not an Initial (a connection older than the daemon), so that
		 * they are decided after a few datagrams instead of being
		 * looked at forever. */
		if (pi->dst_port != QUIC_PORT && !quic_looks_like_initial(pi->l4_payload))
			return;
		f = flow_create(in->flows, &key, now_us);
		f->kind = FLOW_KIND_QUIC;
		in->stats.flows_created++;
		if (p && p->quic_block && pi->dst_port == QUIC_PORT) {
			decide_quic_nameless(in, p, f, out, now_us);
			return;
		}
	} else {
		flow_touch(in->flows, f, now_us);
	}
	if (f->state == FLOW_ST_DECIDED) {
		out->state = FLOW_DECIDED;
		out->action = (enum action)f->action;
		return;
	}
	if (f->state == FLOW_ST_IGNORED) {
		out->state = FLOW_NOT_INSPECTED;
		return;
	}
	if (f->n_packets < UINT16_MAX)
		f->n_packets++;
	struct stream_budget *budget = flow_table_budget(in->flows);
	/* The CRYPTO buffer may grow by up to the per-flow bound in one
	 * datagram: make room for that before feeding it. */
	size_t worst = sizeof(struct quic_ch_state) + in->lim.max_flow_buffer +
		       (in->lim.max_flow_buffer + 7) / 8;
	if (budget->used + worst > budget->limit)
		flow_make_room(in->flows, f, worst);
	if (!f->quic) {
		if (budget->used + worst > budget->limit ||
		    !(f->quic = malloc(sizeof(*f->quic)))) {
			in->stats.flows_given_up++;
			quic_give_up(in, p, f, out, now_us);
			return;
		}
		quic_ch_state_init(f->quic, in->lim.max_flow_buffer);
		budget->used += quic_mem(f->quic);
	}
	size_t before = quic_mem(f->quic);
	struct tls_client_hello ch;
	uint32_t qflags = 0;
	enum parse_result r = quic_feed_datagram(f->quic, pi->l4_payload, &ch, &qflags);
	budget->used = budget->used - before + quic_mem(f->quic);
	switch (r) {
	case PARSE_OK:
		in->stats.quic_initials++;
		add_name(out, p, APP_QUIC, ch.has_sni ? ch.sni : NULL, ch.sni_len, REASON_NO_SNI,
			 ch.flags | qflags | FLAG_QUIC | (pi->flags & FLAG_TUNNEL), now_us);
		decide_flow(in, f, out);
		return;
	case PARSE_NEED_MORE:
		out->state = FLOW_PENDING;
		break;
	case PARSE_MALFORMED:
		in->stats.quic_malformed++;
		out->state = FLOW_PENDING;
		break;
	case PARSE_NOT_MINE:
		out->state = FLOW_NOT_INSPECTED;
		break;
	}
	/* A flow that never completes a ClientHello is given up after a few
	 * datagrams: a client's Initials come first, and a QUIC ClientHello
	 * spans at most a handful of them. */
	if (f->n_packets >= QUIC_GIVE_UP_DATAGRAMS) {
		in->stats.flows_given_up++;
		quic_give_up(in, p, f, out, now_us);
	}
}

void inspect_packet(struct inspector *in, const struct policy *p,
		    struct bytes pkt, int64_t now_us, struct inspect_result *out)
{
	out->n_names = 0;
	out->state = FLOW_NOT_INSPECTED;
	out->action = ACTION_ALLOW;
	out->flags = 0;
	out->dns_is_tcp = false;
	out->dns_msg = bytes_make(NULL, 0);
	in->stats.packets++;

	/* Idle flows are expired a few at a time, so no packet pays for many. */
	int64_t cutoff = now_us - (int64_t)in->lim.idle_timeout_s * 1000000;
	in->stats.flows_expired += flow_expire(in->flows, cutoff, 4);

	out->ip_result = ip_parse(pkt, &out->pkt);
	if (out->ip_result != PARSE_OK) {
		memset(&out->pkt, 0, sizeof(out->pkt));
		in->stats.ip_malformed++;
		return;
	}
	out->flags = out->pkt.flags;
	if (out->pkt.flags & FLAG_FRAGMENT) {
		in->stats.fragments++;
		return;
	}
	if (out->pkt.l4_proto == IPPROTO_NUM_UDP) {
		if (out->pkt.dst_port == DNS_PORT)
			inspect_dns_udp(in, p, out, now_us);
		else
			inspect_quic(in, p, out, now_us);
	} else if (out->pkt.l4_proto == IPPROTO_NUM_TCP) {
		inspect_tcp(in, p, out, now_us);
	}
}

enum verdict inspect_name_verdict(const struct inspect_name *n, enum mode mode,
				  enum dns_block_kind dns_kind, bool tcp_reset)
{
	if (n->dns_nodata && mode == MODE_ENFORCE && n->decision.action == ACTION_BLOCK)
		return VERDICT_NODATA;
	return inspect_verdict(n->decision.action, n->app_proto, mode, dns_kind, tcp_reset);
}

enum verdict inspect_verdict(enum action action, enum app_proto proto, enum mode mode,
			     enum dns_block_kind dns_kind, bool tcp_reset)
{
	if (mode == MODE_MONITOR || action != ACTION_BLOCK)
		return VERDICT_ACCEPT;
	switch (proto) {
	case APP_DNS:
		switch (dns_kind) {
		case DNS_BLOCK_KIND_REFUSED: return VERDICT_REFUSED;
		case DNS_BLOCK_KIND_SINKHOLE: return VERDICT_SINKHOLE;
		case DNS_BLOCK_KIND_NXDOMAIN: break;
		}
		return VERDICT_NXDOMAIN;
	case APP_TLS:
		return tcp_reset ? VERDICT_RESET : VERDICT_DROP;
	case APP_QUIC:
	case APP_NONE:
		break;
	}
	return VERDICT_DROP;
}
