/* inspect.c: from one IP packet to names and decisions; see inspect.h.
 *
 * Which bytes are looked at:
 *  - UDP to port 53: each datagram is one DNS message, decided on its own;
 *  - TCP to port 53: the client's byte stream, framed by 2-byte lengths;
 *  - TCP to any other port: the client's byte stream, if it starts like
 *    TLS, through its ClientHellos: a blocked name decides the flow at
 *    once; otherwise the flow stays pending until the client's stream
 *    shows that the handshake has moved on (see tls_after_hello), so
 *    that a second ClientHello, or a differing copy of the first, is
 *    still read and the worst action taken;
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
/* RFC 8446 s5.1 content types. */
#define TLS_CONTENT_CCS 20
#define TLS_CONTENT_ALERT 21
#define TLS_CONTENT_DATA 23
#define TLS_HS_SERVER_HELLO 2 /* the server's direction: not ours */
/* Bits of flow->flags private to this file, above the event flags. */
#define FLOWF_ALT_UNRESOLVED (1u << 31) /* a differing copy that could not be read */
#define FLOWF_PRIVATE FLOWF_ALT_UNRESOLVED
/* Datagrams of a UDP flow without a complete ClientHello before giving up. */
#define QUIC_GIVE_UP_DATAGRAMS 16

struct inspector {
	struct inspect_limits lim;
	struct flow_table *flows;
	struct inspect_stats stats;
	uint8_t *scratch;          /* TLS handshake reassembly, lim.max_flow_buffer */
	uint8_t *dns_copy;         /* DNS-over-TCP message handed out in a result */
	uint8_t *alt;              /* the other version of a stream (differing copy) */
	uint8_t seed[16];
	struct quic_crypto *quic_crypto;  /* shared by this inspector's QUIC flows */
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
			/* Only a handshake not read to its end is suspect when it
			 * comes back; a flow whose hello was read and allowed
			 * (waiting for the client to move on) is not: a further
			 * hello on it is read as a new flow anyway. */
			if (f->kind == FLOW_KIND_TLS && f->n_packets > 0 && f->hello_end == 0)
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
	in->alt = malloc(in->lim.max_flow_buffer);
	in->flows = flow_table_new(in->lim.max_flows, in->lim.max_flow_buffer,
				   in->lim.max_buffer_total, seed, release_flow, in);
	in->quic_crypto = quic_crypto_new();
	if (!in->scratch || !in->dns_copy || !in->alt || !in->flows || !in->quic_crypto) {
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
	quic_crypto_free(in->quic_crypto);
	free(in->scratch);
	free(in->dns_copy);
	free(in->alt);
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
		if (out->pkt.frag_first && r == PARSE_MALFORMED) {
			/* A query cut by IP fragmentation before its questions end
			 * (the daemon sees whole packets: conntrack defragments
			 * first; captures do not): the undecided action, nameless. */
			in->stats.fragments_first++;
			add_name(out, p, APP_DNS, NULL, 0, REASON_UNDECIDED,
				 FLAG_FRAGMENT | (out->pkt.flags & FLAG_TUNNEL), now_us);
		}
		return;
	}
	in->stats.dns_queries++;
	out->dns = q;
	out->dns_msg = out->pkt.l4_payload;
	if (out->pkt.frag_first) {
		/* Only the first fragment of the query is here; more questions
		 * would have made it malformed, so its names are all there is.
		 * No answer is built from a partial message. */
		out->dns_msg = bytes_make(NULL, 0);
	}
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
	uint32_t fl = f->flags & ~FLOWF_PRIVATE;
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
	/* f->action holds the worst action seen so far on a pending flow
	 * (every ClientHello and copy read): the decision is the worst. */
	out->action = worse(out->action, (enum action)f->action);
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

/* Add the name of a ClientHello read from a TLS flow. */
static void add_hello(struct inspector *in, const struct policy *p, struct inspect_result *out,
		      const struct tls_client_hello *ch, uint32_t flags, int64_t now_us)
{
	in->stats.tls_client_hellos++;
	if (!ch->has_sni)
		in->stats.tls_no_sni++;
	add_name(out, p, APP_TLS, ch->has_sni ? ch->sni : NULL, ch->sni_len, REASON_NO_SNI,
		 ch->flags | flags, now_us);
}

/* What a client's stream shows after a ClientHello. */
enum tls_next {
	TLS_NEXT_PENDING,    /* nothing yet, or a record not yet complete */
	TLS_NEXT_MOVED_ON,   /* the handshake went on: no ClientHello can follow */
	TLS_NEXT_UNREADABLE, /* bytes that are no TLS a client sends here */
};

/* Read the client's stream `data` from *from, the end of a ClientHello:
 * every further ClientHello is added to out (FLAG_MULTI_HELLO) and
 * *from moves past it.  RFC 8446 s4.1.4 / D.4: after a
 * HelloRetryRequest the client sends a second ClientHello, possibly
 * after a change_cipher_spec record (middlebox compatibility), which is
 * skipped; application data (the encrypted Finished in TLS 1.3), an
 * alert, or a handshake message other than client_hello (TLS 1.2
 * ClientKeyExchange, Certificate) means no ClientHello can follow. */
static enum tls_next tls_walk(struct inspector *in, const struct policy *p,
			      struct inspect_result *out, struct bytes data, size_t *from,
			      uint32_t flags, int64_t now_us)
{
	for (;;) {
		struct bytes rest = data;
		uint8_t type, hs;
		uint16_t rec_len;
		if (!bytes_skip(&rest, *from) || !bytes_peek_u8(&rest, 0, &type))
			return TLS_NEXT_PENDING;
		if (type == TLS_CONTENT_DATA || type == TLS_CONTENT_ALERT)
			return TLS_NEXT_MOVED_ON;
		if (type == TLS_CONTENT_CCS) {
			struct bytes rec = rest, body;
			if (!bytes_skip(&rec, 3) || !bytes_get_u16(&rec, &rec_len))
				return TLS_NEXT_PENDING;
			if (rec_len != 1)
				return TLS_NEXT_UNREADABLE; /* RFC 8446 s5: one byte, 0x01 */
			if (!bytes_get_bytes(&rec, rec_len, &body))
				return TLS_NEXT_PENDING;
			*from += 5 + rec_len;
			continue;
		}
		if (type != TLS_CONTENT_HANDSHAKE)
			return TLS_NEXT_UNREADABLE;
		/* The handshake type is the first byte of the record's body
		 * (records are never empty: RFC 8446 s5.1). */
		if (!bytes_peek_u8(&rest, 5, &hs))
			return TLS_NEXT_PENDING;
		if (hs != TLS_HS_CLIENT_HELLO)
			return TLS_NEXT_MOVED_ON;
		struct tls_client_hello ch;
		size_t consumed = 0;
		enum parse_result r = tls_parse_stream(rest, in->scratch, in->lim.max_flow_buffer,
						       &ch, &consumed);
		if (r == PARSE_NEED_MORE)
			return TLS_NEXT_PENDING;
		if (r != PARSE_OK || consumed == 0)
			return TLS_NEXT_UNREADABLE;
		in->stats.tls_multi_hello++;
		add_hello(in, p, out, &ch, flags | FLAG_MULTI_HELLO, now_us);
		*from += consumed;
	}
}

/* Apply the undecided action (a nameless event) to a pending TLS flow
 * without deciding it yet; the flow remembers the worst action. */
static void add_undecided(struct inspector *in, const struct policy *p, struct flow *f,
			  struct inspect_result *out, uint32_t extra, int64_t now_us)
{
	in->stats.tls_unreadable++;
	add_name(out, p, APP_TLS, NULL, 0, REASON_UNDECIDED,
		 stream_flags(f) | extra | (out->pkt.flags & FLAG_TUNNEL), now_us);
	f->action = (uint8_t)worse((enum action)f->action, out->action);
}

/* After the first ClientHello: read what follows.  The flow is decided
 * (and marked in the kernel) only when no later packet of it can change
 * the decision: at once for a blocked name; otherwise once the client's
 * stream has moved on past its ClientHellos.  Until then the flow stays
 * pending (its packets pass unmarked and keep coming to us). */
static void tls_after_hello(struct inspector *in, const struct policy *p, struct flow *f,
			    struct inspect_result *out, int64_t now_us)
{
	uint32_t fl = stream_flags(f) | (out->pkt.flags & FLAG_TUNNEL);
	size_t from = f->hello_end;
	enum tls_next next = tls_walk(in, p, out, stream_contiguous(&f->stream), &from, fl, now_us);
	f->hello_end = (uint32_t)from;
	f->action = (uint8_t)worse((enum action)f->action, out->action);
	if (f->flags & FLOWF_ALT_UNRESOLVED) {
		f->flags &= ~FLOWF_ALT_UNRESOLVED;
		add_undecided(in, p, f, out, FLAG_OVERLAP_MISMATCH, now_us);
	}
	if (f->action == ACTION_BLOCK || next == TLS_NEXT_MOVED_ON) {
		decide_flow(in, f, out);
		return;
	}
	if (next == TLS_NEXT_UNREADABLE) {
		add_undecided(in, p, f, out, 0, now_us);
		decide_flow(in, f, out);
		return;
	}
	if (stream_full(&f->stream) || f->stream.truncated ||
	    f->n_packets >= in->lim.max_undecided_packets) {
		/* What follows the ClientHello cannot be read within our
		 * bounds: it might be another ClientHello. */
		in->stats.flows_given_up++;
		add_undecided(in, p, f, out, 0, now_us);
		decide_flow(in, f, out);
		return;
	}
	out->state = FLOW_PENDING;
}

static void inspect_tls_stream(struct inspector *in, const struct policy *p,
			       struct flow *f, struct inspect_result *out, int64_t now_us)
{
	if (f->hello_end > 0) {
		tls_after_hello(in, p, f, out, now_us);
		return;
	}
	struct bytes data = stream_contiguous(&f->stream);
	struct tls_client_hello ch;
	size_t consumed = 0;
	enum parse_result r = PARSE_NEED_MORE;
	if (data.len > 0)
		r = tls_parse_stream(data, in->scratch, in->lim.max_flow_buffer, &ch, &consumed);
	switch (r) {
	case PARSE_OK: {
		uint32_t fl = stream_flags(f) | (out->pkt.flags & FLAG_TUNNEL);
		add_hello(in, p, out, &ch, fl, now_us);
		f->hello_end = consumed > 0 ? (uint32_t)consumed : 1;
		tls_after_hello(in, p, f, out, now_us);
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
		if (f->flags & FLOWF_ALT_UNRESOLVED && f->action == ACTION_BLOCK) {
			decide_flow(in, f, out);
			return;
		}
		out->state = FLOW_PENDING;
		return;
	case PARSE_MALFORMED:
	case PARSE_NOT_MINE: {
		/* A stream that starts as a TLS handshake record but is no
		 * valid ClientHello (another handshake message first, two
		 * messages in one record, a broken extension): a lenient server
		 * might still read a name from it, so it gets the undecided
		 * action rather than a free pass.  The server's direction
		 * (ServerHello) is not ours. */
		uint8_t t0 = 0, t1 = 0, hs = 0;
		bool tls_like = r == PARSE_MALFORMED && bytes_peek_u8(&data, 0, &t0) &&
				bytes_peek_u8(&data, 1, &t1) && t0 == TLS_CONTENT_HANDSHAKE &&
				t1 == 3 &&
				!(bytes_peek_u8(&data, 5, &hs) && hs == TLS_HS_SERVER_HELLO);
		/* Without the SYN the start of the stream is a guess: the first
		 * segment seen may be a later one that overtook the first.  Wait
		 * a few segments for an earlier one before judging, unless it
		 * plainly starts a TLS handshake. */
		if (!tls_like && !f->stream.syn_seen && f->n_packets < TLS_START_GRACE_PACKETS &&
		    !f->stream.truncated) {
			out->state = FLOW_PENDING;
			return;
		}
		if (r == PARSE_MALFORMED)
			in->stats.tls_malformed++;
		if (tls_like) {
			add_undecided(in, p, f, out, 0, now_us);
			decide_flow(in, f, out);
			return;
		}
		/* Not TLS: nothing to judge by name; decided "allow" without an
		 * event so that the kernel stops queueing the connection. */
		flow_finish(in, f, FLOW_ST_IGNORED);
		out->state = FLOW_DECIDED;
		out->action = ACTION_ALLOW;
		return;
	}
	}
}

/* True when the TLS flow's bytes so far are a TLS handshake: then its
 * segments must lie near the stream's start. */
static bool tls_started(const struct flow *f)
{
	if (f->hello_end > 0)
		return true;
	struct bytes d = stream_contiguous(&f->stream);
	uint8_t t0, t1;
	return bytes_peek_u8(&d, 0, &t0) && bytes_peek_u8(&d, 1, &t1) &&
	       t0 == TLS_CONTENT_HANDSHAKE && t1 == 3;
}

/* A segment whose start lies a whole reassembly window (or more) before
 * or after the start of a TLS handshake's stream: the server drops it
 * as outside its receive window (RFC 9293 s3.10.7.4), or it is a fake
 * meant to shift our idea of where the stream starts.  No real client
 * sends its handshake bytes that far apart. */
static bool tls_out_of_window(const struct flow *f, uint32_t seq, uint32_t max)
{
	if (!f->stream.have_base)
		return false;
	int64_t rel = (int32_t)(seq - f->stream.base_seq);
	return rel >= (int64_t)max || rel < -(int64_t)max;
}

/* The segment overlaps bytes already held with other bytes: the server
 * may read either copy (a fake with a low TTL or a bad checksum that we
 * could not verify, then the real one).  Read the other version, the
 * held bytes with the segment laid over them, as a TLS stream too; its
 * names join the result and the flow takes the worst.  When it cannot
 * be read the flow is marked, and gets the undecided action as well. */
static void tls_other_copy(struct inspector *in, const struct policy *p, struct flow *f,
			   struct inspect_result *out, uint32_t seq, struct bytes seg,
			   int64_t now_us)
{
	struct bytes have = stream_contiguous(&f->stream);
	if (!f->stream.have_base || have.len == 0 || seg.len == 0)
		return;
	int64_t rel = (int32_t)(seq - f->stream.base_seq);
	if (rel < 0 || (uint64_t)rel >= have.len)
		return;
	size_t off = (size_t)rel;
	size_t ov = have.len - off < seg.len ? have.len - off : seg.len;
	struct bytes held = have, mine = seg;
	if (!bytes_skip(&held, off))
		return;
	if (memcmp(held.ptr, mine.ptr, ov) == 0)
		return;
	if (!(f->flags & FLAG_OVERLAP_MISMATCH)) {
		f->flags |= FLAG_OVERLAP_MISMATCH;
		in->stats.overlap_mismatches++;
	}
	/* alt = have, then seg from off (clipped to the per-flow bound). */
	size_t cap = in->lim.max_flow_buffer;
	size_t seg_n = seg.len < cap - off ? seg.len : cap - off;
	size_t alt_len = off + seg_n > have.len ? off + seg_n : have.len;
	struct bytes a = have, b = seg;
	if (!bytes_copy(&a, in->alt, have.len) || !bytes_copy(&b, &in->alt[off], seg_n))
		return;
	struct bytes alt = bytes_make(in->alt, alt_len);
	uint32_t fl = stream_flags(f) | FLAG_OVERLAP_MISMATCH | (out->pkt.flags & FLAG_TUNNEL);
	struct tls_client_hello ch;
	size_t consumed = 0;
	enum parse_result r = tls_parse_stream(alt, in->scratch, in->lim.max_flow_buffer, &ch,
					       &consumed);
	unsigned before = out->n_names;
	if (r == PARSE_OK) {
		add_hello(in, p, out, &ch, fl, now_us);
		if (tls_walk(in, p, out, alt, &consumed, fl, now_us) == TLS_NEXT_UNREADABLE)
			f->flags |= FLOWF_ALT_UNRESOLVED;
	} else {
		f->flags |= FLOWF_ALT_UNRESOLVED;
	}
	for (unsigned i = before; i < out->n_names; i++)
		f->action = (uint8_t)worse((enum action)f->action, out->names[i].decision.action);
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

/* Does this segment start a TLS record carrying a ClientHello (RFC 8446
 * s5.1: content type 22, legacy version 3.x, then handshake type 1)? */
static bool starts_client_hello(struct bytes payload)
{
	uint8_t type, major, hs_type;
	return bytes_peek_u8(&payload, 0, &type) && type == 22 &&
	       bytes_peek_u8(&payload, 1, &major) && major == 3 &&
	       bytes_peek_u8(&payload, 5, &hs_type) && hs_type == 1;
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
	} else if (f->kind == FLOW_KIND_TLS &&
		   (f->state != FLOW_ST_PENDING ||
		    (f->hello_end > 0 && tls_out_of_window(f, pi->tcp_seq, in->lim.max_flow_buffer))) &&
		   (syn || starts_client_hello(pi->l4_payload))) {
		/* A finished flow (or one whose hello was read and allowed,
		 * waiting for the client to move on) that starts again far
		 * from its sequence numbers: a new connection on the
		 * same addresses and ports (the client reused its port; the
		 * daemon never sees the SYN) or a new hello.  It must not
		 * inherit the old verdict: start over. */
		bool far = f->state == FLOW_ST_PENDING;
		flow_remove(in->flows, f);
		f = flow_create(in->flows, &key, now_us);
		f->kind = FLOW_KIND_TLS;
		in->stats.flows_created++;
		in->stats.flows_restarted++;
		if (far) {
			/* Also what a fake far out of window looks like: say so. */
			in->stats.tls_out_of_window++;
			f->flags |= FLAG_OUT_OF_WINDOW;
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
		/* Not TLS (or a broken hello no server accepts): nothing to
		 * decide by name.  A TLS-port flow is decided "allow" without an
		 * event, so that the kernel stops queueing it. */
		if (f->kind == FLOW_KIND_TLS) {
			out->state = FLOW_DECIDED;
			out->action = ACTION_ALLOW;
		} else {
			out->state = FLOW_NOT_INSPECTED;
		}
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
	if (f->kind == FLOW_KIND_TLS && pi->frag_first) {
		/* The segment's bytes continue in fragments that carry no TCP
		 * header (the daemon normally sees whole packets: conntrack
		 * defragments before the queue; a capture does not). */
		in->stats.fragments_first++;
		add_undecided(in, p, f, out, FLAG_FRAGMENT, now_us);
		decide_flow(in, f, out);
		return;
	}
	if (f->kind == FLOW_KIND_TLS && tls_started(f) &&
	    tls_out_of_window(f, pi->tcp_seq, in->lim.max_flow_buffer)) {
		in->stats.tls_out_of_window++;
		f->flags |= FLAG_OUT_OF_WINDOW;
		/* It may be the real ClientHello or a fake: read it on its
		 * own, and take the worst of it and what was seen. */
		struct tls_client_hello ch;
		size_t consumed = 0;
		if (tls_parse_stream(pi->l4_payload, in->scratch, in->lim.max_flow_buffer, &ch,
				     &consumed) == PARSE_OK)
			add_hello(in, p, out, &ch, stream_flags(f) | (pi->flags & FLAG_TUNNEL), now_us);
		else
			add_undecided(in, p, f, out, 0, now_us);
		decide_flow(in, f, out);
		return;
	}
	if (f->kind == FLOW_KIND_TLS) {
		tls_other_copy(in, p, f, out, pi->tcp_seq, pi->l4_payload, now_us);
		if (f->action == ACTION_BLOCK) {
			decide_flow(in, f, out);
			return;
		}
	}
	struct stream_budget *budget = flow_table_budget(in->flows);
	if (!stream_add(&f->stream, budget, pi->tcp_seq, pi->l4_payload)) {
		/* Out of reassembly memory: evict the oldest pending flows. */
		flow_make_room(in->flows, f, flow_table_per_flow_buffer(in->flows));
		if (!stream_add(&f->stream, budget, pi->tcp_seq, pi->l4_payload)) {
			/* No room even after evicting: memory pressure must not
			 * let a handshake through unread. */
			in->stats.flows_given_up++;
			if (f->kind == FLOW_KIND_TLS) {
				decide_undecided(in, p, f, out, now_us);
			} else {
				flow_finish(in, f, FLOW_ST_IGNORED);
				out->state = FLOW_NOT_INSPECTED;
			}
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
	/* After an allowed ClientHello the flow waits for the client to move
	 * on: a datagram that does not start with an Initial (a Handshake or
	 * 1-RTT packet) means no further ClientHello can come; until then
	 * every Initial is read again, so that a harmless first Initial
	 * cannot carry the flow past a second one with another name. */
	if (f->hello_end != 0 && !quic_looks_like_initial(pi->l4_payload)) {
		decide_flow(in, f, out);
		return;
	}
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
		f->quic->crypto = in->quic_crypto;
		budget->used += quic_mem(f->quic);
	}
	size_t before = quic_mem(f->quic);
	struct tls_client_hello ch;
	uint32_t qflags = 0;
	enum parse_result r = quic_feed_datagram(f->quic, pi->l4_payload, &ch, &qflags);
	budget->used = budget->used - before + quic_mem(f->quic);
	switch (r) {
	case PARSE_OK: {
		in->stats.quic_initials++;
		/* The name's tag tells a retransmitted ClientHello (same name,
		 * no second event) from another one. */
		uint32_t tag = (uint32_t)siphash24(in->seed, ch.sni, ch.has_sni ? ch.sni_len : 0) | 1;
		if (tag != f->hello_end) {
			if (f->hello_end != 0)
				in->stats.tls_multi_hello++;
			add_name(out, p, APP_QUIC, ch.has_sni ? ch.sni : NULL, ch.sni_len,
				 REASON_NO_SNI, ch.flags | qflags | FLAG_QUIC |
				 (f->hello_end != 0 ? FLAG_MULTI_HELLO : 0) |
				 (pi->flags & FLAG_TUNNEL), now_us);
		}
		f->action = (uint8_t)worse((enum action)f->action, out->action);
		if (f->action == ACTION_BLOCK) {
			decide_flow(in, f, out);
			return;
		}
		f->hello_end = tag;
		/* Read further Initials from scratch. */
		size_t held = quic_mem(f->quic);
		quic_ch_state_cleanup(f->quic);
		quic_ch_state_init(f->quic, in->lim.max_flow_buffer);
		f->quic->crypto = in->quic_crypto;
		budget->used = budget->used - held + quic_mem(f->quic);
		out->state = FLOW_PENDING;
		break;
	}
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
		if (f->hello_end != 0) {
			decide_flow(in, f, out); /* a ClientHello was read: its action */
			return;
		}
		in->stats.flows_given_up++;
		quic_give_up(in, p, f, out, now_us);
	}
}

void inspect_packet(struct inspector *in, const struct policy *p,
		    struct bytes pkt, int64_t now_us, struct inspect_result *out)
{
	inspect_packet_meta(in, p, pkt, NULL, now_us, out);
}

void inspect_packet_meta(struct inspector *in, const struct policy *p, struct bytes pkt,
			 const struct inspect_meta *meta, int64_t now_us,
			 struct inspect_result *out)
{
	out->n_names = 0;
	out->bad_checksum = false;
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
	/* A segment with a wrong checksum never reaches the server's
	 * stack, so it must not shape what we think the stream holds (a
	 * fake ClientHello with a bad checksum, then the real one).  Only
	 * checked when the adapter says the checksum is final. */
	if (meta && meta->csum_verify && !out->pkt.frag_first && !out->pkt.truncated &&
	    (out->pkt.l4_proto == IPPROTO_NUM_TCP || out->pkt.l4_proto == IPPROTO_NUM_UDP) &&
	    !ip_l4_checksum_ok(pkt)) {
		in->stats.bad_checksum++;
		out->bad_checksum = true;
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

void inspect_event(struct event *ev, const struct inspect_result *r,
		   const struct inspect_name *n, const struct policy *p, int64_t ts_us,
		   enum verdict v)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_us = ts_us;
	ev->src = r->pkt.src;
	ev->dst = r->pkt.dst;
	ev->src_port = r->pkt.src_port;
	ev->dst_port = r->pkt.dst_port;
	ev->l4_proto = r->pkt.l4_proto;
	ev->app_proto = n->app_proto;
	ev->name = n->name;
	ev->name_len = n->name_len;
	ev->has_name = n->has_name;
	ev->decision = &n->decision;
	ev->verdict = v;
	ev->mode = p->mode;
	ev->list_serial = p->list != NULL ? list_serial(p->list) : 0;
	ev->flags = n->flags | r->flags;
	ev->has_dns = n->app_proto == APP_DNS;
	ev->dns_id = n->dns_id;
	ev->dns_qtype = n->dns_qtype;
	ev->pcap_cnt = -1;
}
