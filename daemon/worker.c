/* worker.c: the per-queue worker thread; see worker.h.
 *
 * Verdicts (issue 3, "every queued packet gets exactly one verdict"):
 * on_packet ends every path with exactly one nfqueue_verdict call.
 *   - nothing to inspect, pending flows, allowed DNS: NF_ACCEPT, no mark;
 *   - enforce, DNS query for a blocked name: answer injected, NF_DROP;
 *   - enforce, the packet that decides a blocked TLS/QUIC flow: NF_DROP
 *     (and, for TLS with block.tcp_reset, a RST|ACK injected to the
 *     client, and one to the server so that it does not wait for the
 *     dropped ClientHello);  a blocked DNS query over TCP also resets
 *     the server's side, after the answer (with FIN) to the client;
 *   - a decided flow otherwise (allowed, logged, or any flow in monitor
 *     mode): NF_REPEAT with the allow mark, and later packets of a
 *     blocked flow: NF_REPEAT with the block mark.  The firewall rules
 *     save the mark to the connection and accept or drop it in the
 *     kernel from then on. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include "dns.h"
#include "event.h"
#include "evlog.h"
#include "inject.h"
#include "inspect.h"
#include "list.h"
#include "log.h"
#include "nfq.h"
#include "packet.h"
#include "worker.h"

#define TICK_US 1000000          /* housekeeping once a second */
#define MISSED_WARN_US 10000000  /* at most one missed-packets warning per 10 s */
#define ROUNDS_PER_WAKE 64       /* recvmmsg rounds before housekeeping */

static _Atomic(struct aigate_config *) g_cfg;
static atomic_uint_fast64_t g_gen = 1;

struct worker {
	unsigned index, queue_num;
	struct nfqueue *q;
	struct inspector *insp;
	struct evfold *fold;
	struct injector *inj;
	int wake_fd;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	atomic_uint_fast64_t quiescent_gen;
	struct worker_stats st;

	/* Private to the thread. */
	const struct aigate_config *cfg;   /* during a round only */
	uint64_t seen_gen;
	int64_t now_us;
	int64_t next_tick_mono;
	bool have_last_id;
	uint32_t last_id;
	uint64_t missed_total, missed_unreported;
	int64_t last_missed_warn_us;
	uint64_t enobufs_logged;
	struct log_rate rl_inject, rl_packet, rl_queue;
	struct inspect_result res;
	uint8_t answer[1500];
	uint8_t out_pkt[1600];
};

static int64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void inc(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void set(atomic_uint_fast64_t *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

const struct worker_stats *worker_stats(const struct worker *w) { return &w->st; }
unsigned worker_queue(const struct worker *w) { return w->queue_num; }

struct worker *worker_new(unsigned index, unsigned queue_num,
			  const struct daemon_settings *s, struct injector *inj)
{
	struct inspect_limits lim;
	uint8_t seed[32];
	struct worker *w;

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		log_warn("queue %u: worker", queue_num);
		return NULL;
	}
	w->index = index;
	w->queue_num = queue_num;
	w->inj = inj;
	w->wake_fd = -1;
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
		log_warn("getrandom");
		goto fail;
	}
	memset(&lim, 0, sizeof(lim));
	lim.max_flows = s->max_flows;
	lim.idle_timeout_s = s->flow_idle_s;
	lim.max_flow_buffer = s->max_flow_buffer;
	lim.max_buffer_total = s->max_buffer_total;
	w->insp = inspector_new(&lim, seed);
	w->fold = evfold_new(seed + 16);
	if (w->insp == NULL || w->fold == NULL) {
		log_warnx("queue %u: out of memory for the flow table", queue_num);
		goto fail;
	}
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_fd == -1) {
		log_warn("eventfd");
		goto fail;
	}
	w->q = nfqueue_open(queue_num, s->queue_maxlen, s->rcvbuf_bytes, s->fail_open != 0);
	if (w->q == NULL)
		goto fail;
	/* A queue bound anew numbers its packets from 1. */
	w->have_last_id = true;
	w->last_id = 0;
	return w;
fail:
	worker_free(w);
	return NULL;
}

void worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	nfqueue_close(w->q);
	inspector_free(w->insp);
	evfold_free(w->fold);
	if (w->wake_fd != -1)
		close(w->wake_fd);
	free(w);
}

static void wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the worker is awake anyway */
	}
}

/* --- deciding one packet ---------------------------------------------- */

static enum dns_block_kind block_kind(enum dns_block_answer a)
{
	switch (a) {
	case DNS_BLOCK_REFUSED: return DNS_BLOCK_KIND_REFUSED;
	case DNS_BLOCK_SINKHOLE: return DNS_BLOCK_KIND_SINKHOLE;
	case DNS_BLOCK_NXDOMAIN: break;
	}
	return DNS_BLOCK_KIND_NXDOMAIN;
}

static enum verdict dns_verdict(enum dns_block_kind k)
{
	switch (k) {
	case DNS_BLOCK_KIND_REFUSED: return VERDICT_REFUSED;
	case DNS_BLOCK_KIND_SINKHOLE: return VERDICT_SINKHOLE;
	case DNS_BLOCK_KIND_NXDOMAIN: break;
	}
	return VERDICT_NXDOMAIN;
}

static void inject_failed(struct worker *w, const char *what, const char *why)
{
	inc(&w->st.inject_errors);
	log_warnx_rl(&w->rl_inject, "queue %u: cannot inject %s: %s", w->queue_num, what, why);
}

/* Answer a blocked DNS query.  Returns the event verdict: the answer's
 * kind, or VERDICT_DROP when no answer could be sent (the query is
 * dropped all the same: the client times out instead). */
static enum verdict answer_dns(struct worker *w, const struct daemon_settings *s)
{
	const struct inspect_result *r = &w->res;
	struct dns_block_spec spec;
	size_t cap, len, plen;

	if (r->dns_msg.len == 0) {
		inject_failed(w, "DNS answer", "query message not available");
		return VERDICT_DROP;
	}
	memset(&spec, 0, sizeof(spec));
	spec.kind = block_kind(s->dns_answer);
	spec.ede_text = s->ede_text;
	spec.sinkhole_v4 = s->sinkhole_v4;
	spec.sinkhole_v6 = s->sinkhole_v6;
	/* RFC 9462 discovery (_dns.resolver.arpa): "no data", so that the
	 * client keeps the resolver it has: a sinkhole answer without an
	 * address is exactly that. */
	bool nodata = false;
	for (unsigned i = 0; i < r->n_names; i++)
		nodata |= r->names[i].dns_nodata;
	if (nodata) {
		spec.kind = DNS_BLOCK_KIND_SINKHOLE;
		memset(&spec.sinkhole_v4, 0, sizeof(spec.sinkhole_v4));
		memset(&spec.sinkhole_v6, 0, sizeof(spec.sinkhole_v6));
	}
	spec.ttl = s->dns_ttl;
	cap = sizeof(w->answer);
	if (!r->dns_is_tcp) {
		size_t lim = dns_udp_answer_limit(&r->dns);
		if (lim < cap)
			cap = lim;
	}
	len = dns_build_block_response(r->dns_msg, &r->dns, &spec, w->answer, cap);
	if (len == 0) {
		inject_failed(w, "DNS answer", "answer does not fit");
		return VERDICT_DROP;
	}
	plen = packet_build_dns_answer(w->out_pkt, sizeof(w->out_pkt), &r->pkt, w->answer, len);
	if (plen == 0) {
		inject_failed(w, "DNS answer", "cannot build the packet");
		return VERDICT_DROP;
	}
	if (inject_send(w->inj, w->out_pkt, plen) == -1) {
		inject_failed(w, "DNS answer", strerror(errno));
		return VERDICT_DROP;
	}
	inc(&w->st.dns_answers);
	return nodata ? VERDICT_NODATA : dns_verdict(spec.kind);
}

/* Reset the client's side (to_client) or the server's side of the
 * connection whose packet is being dropped. */
static bool send_reset(struct worker *w, bool to_client)
{
	size_t plen = to_client ?
		packet_build_reset_to_client(w->out_pkt, sizeof(w->out_pkt), &w->res.pkt) :
		packet_build_reset_to_server(w->out_pkt, sizeof(w->out_pkt), &w->res.pkt);

	if (plen == 0) {
		inject_failed(w, "TCP reset", "cannot build the packet");
		return false;
	}
	if (inject_send(w->inj, w->out_pkt, plen) == -1) {
		inject_failed(w, "TCP reset", strerror(errno));
		return false;
	}
	inc(&w->st.resets);
	return true;
}

static void emit_events(struct worker *w, enum verdict v)
{
	const struct aigate_config *cfg = w->cfg;
	const struct inspect_result *r = &w->res;
	const struct policy *p = cfg->policy;
	unsigned i;

	for (i = 0; i < r->n_names; i++) {
		const struct inspect_name *n = &r->names[i];
		struct event ev;

		/* Unlisted names are many and uninteresting unless asked for;
		 * nameless decisions (no SNI, QUIC) and port rules are kept. */
		if (n->decision.reason == REASON_UNLISTED && !p->log_unlisted)
			continue;
		inspect_event(&ev, r, n, p, w->now_us, v);
		ev.sensor = cfg->sensor;
		evlog_decision(w->fold, &ev, cfg->daemon.fold_window_s);
	}
}

static void track_id(struct worker *w, uint32_t id)
{
	if (w->have_last_id) {
		uint32_t d = id - w->last_id;
		/* Ids are consecutive per queue; a jump means the kernel
		 * could not deliver packets to us (netlink overrun) and
		 * passed (fail-open) or dropped them uninspected. */
		if (d > 1 && d < 0x80000000u) {
			w->missed_total += d - 1;
			w->missed_unreported += d - 1;
			set(&w->st.missed, w->missed_total);
		}
	}
	w->have_last_id = true;
	w->last_id = id;
}

static void on_packet(void *ctx, const struct nfqueue_packet *pk)
{
	struct worker *w = ctx;
	const struct aigate_config *cfg = w->cfg;
	const struct daemon_settings *s = &cfg->daemon;
	const struct inspect_result *r = &w->res;
	bool enforce = cfg->policy->mode == MODE_ENFORCE;
	enum verdict ev_verdict = VERDICT_ACCEPT;
	uint32_t nf = NF_ACCEPT, mark = 0;
	bool set_mark = false;

	inc(&w->st.packets);
	track_id(w, pk->id);
	if (pk->data == NULL || pk->len == 0) {
		inc(&w->st.errors);
		log_warnx_rl(&w->rl_packet, "queue %u: packet %u without payload: accepted",
			     w->queue_num, pk->id);
		nfqueue_verdict(w->q, pk->id, NF_ACCEPT, false, 0);
		inc(&w->st.v_accept);
		return;
	}
	struct inspect_meta meta = { .csum_verify = !pk->csum_not_ready };
	inspect_packet_meta(w->insp, cfg->policy, bytes_make(pk->data, pk->len), &meta,
			    w->now_us, &w->res);
	if (r->bad_checksum && enforce) {
		/* The server discards it anyway; it was not inspected. */
		nfqueue_verdict(w->q, pk->id, NF_DROP, false, 0);
		inc(&w->st.v_drop);
		return;
	}
	if (r->n_names > 0)
		atomic_fetch_add_explicit(&w->st.names, r->n_names, memory_order_relaxed);
	for (unsigned k = 0; k < r->n_names; k++) {
		unsigned app = (unsigned)r->names[k].app_proto, act = (unsigned)r->names[k].decision.action;
		if (app <= APP_QUIC && act < ACTION_COUNT_)
			atomic_fetch_add_explicit(&w->st.names_by[app][act], 1, memory_order_relaxed);
	}

	switch (r->state) {
	case FLOW_PER_MESSAGE:
		if (enforce && r->action == ACTION_BLOCK && r->n_names > 0) {
			ev_verdict = answer_dns(w, s);
			nf = NF_DROP;
			/* Over TCP the answer ends the client's side (FIN); the
			 * server would wait for the dropped query. */
			if (r->pkt.l4_proto == IPPROTO_NUM_TCP)
				(void)send_reset(w, false);
		}
		break;
	case FLOW_DECIDED:
		if (enforce && r->action == ACTION_BLOCK) {
			if (r->n_names > 0) {
				/* The packet that decided: it must not pass. */
				nf = NF_DROP;
				ev_verdict = VERDICT_DROP;
				if (r->pkt.l4_proto == IPPROTO_NUM_TCP && s->tcp_reset) {
					if (send_reset(w, true))
						ev_verdict = VERDICT_RESET;
					(void)send_reset(w, false);
				}
			} else {
				nf = NF_REPEAT;
				set_mark = true;
				mark = (pk->mark & ~s->mark_mask) | s->mark_block;
			}
		} else {
			nf = NF_REPEAT;
			set_mark = true;
			mark = (pk->mark & ~s->mark_mask) | s->mark_allow;
		}
		break;
	case FLOW_NOT_INSPECTED:
	case FLOW_PENDING:
		break;
	}

	nfqueue_verdict(w->q, pk->id, nf, set_mark, mark);
	if (nf == NF_DROP)
		inc(&w->st.v_drop);
	else if (!set_mark)
		inc(&w->st.v_accept);
	else if (enforce && r->action == ACTION_BLOCK)
		inc(&w->st.v_block);
	else
		inc(&w->st.v_allow);
	if (r->n_names > 0)
		emit_events(w, ev_verdict);
}

/* --- the thread --------------------------------------------------------- */

static void publish_stats(struct worker *w)
{
	const struct inspect_stats *is = inspector_stats(w->insp);
	const struct nfqueue_counters *qc = nfqueue_counters(w->q);

	set(&w->st.flows_active, is->flows_active);
	set(&w->st.flows_created, is->flows_created);
	set(&w->st.flows_evicted, is->flows_evicted);
	set(&w->st.flows_expired, is->flows_expired);
	set(&w->st.ip_malformed, is->ip_malformed);
	set(&w->st.dns_malformed, is->dns_malformed);
	set(&w->st.tls_malformed, is->tls_malformed);
	set(&w->st.quic_malformed, is->quic_malformed);
	set(&w->st.bad_checksum, is->bad_checksum);
	set(&w->st.fragments, is->fragments);
	set(&w->st.fragments_first, is->fragments_first);
	set(&w->st.overlap_mismatches, is->overlap_mismatches);
	set(&w->st.tls_out_of_window, is->tls_out_of_window);
	set(&w->st.tls_multi_hello, is->tls_multi_hello);
	set(&w->st.tls_unreadable, is->tls_unreadable);
	set(&w->st.flows_given_up, is->flows_given_up);
	set(&w->st.flows_evicted_undecided, is->flows_evicted_undecided);
	set(&w->st.dns_overflow, is->dns_overflow);
	set(&w->st.quic_unparsed, is->quic_unparsed);
	set(&w->st.buffer_bytes, is->buffer_bytes);
	set(&w->st.enobufs, qc->enobufs);
	set(&w->st.verdict_errors, qc->verdict_errors);
	set(&w->st.bad_messages, qc->bad_messages);
}

static void housekeeping(struct worker *w)
{
	const struct nfqueue_counters *qc = nfqueue_counters(w->q);
	const struct aigate_config *cfg = w->cfg;

	inspector_expire(w->insp, w->now_us);
	evfold_flush(w->fold, w->now_us, false);
	if (qc->enobufs > w->enobufs_logged) {
		log_warnx_rl(&w->rl_queue, "queue %u: netlink receive buffer overrun (ENOBUFS, "
			     "%llu so far): packets went by uninspected; raise queue.rcvbuf",
			     w->queue_num, (unsigned long long)qc->enobufs);
		w->enobufs_logged = qc->enobufs;
	}
	if (w->missed_unreported > 0 &&
	    w->now_us - w->last_missed_warn_us >= MISSED_WARN_US) {
		log_warnx("queue %u: %llu packets were never shown to aigated (%llu in all): "
			  "the kernel %s them uninspected", w->queue_num,
			  (unsigned long long)w->missed_unreported,
			  (unsigned long long)w->missed_total,
			  cfg->daemon.fail_open ? "passed" : "dropped");
		evlog_warning(w->now_us, cfg->sensor, "missed_packets", w->queue_num,
			      w->missed_unreported, w->missed_total);
		w->missed_unreported = 0;
		w->last_missed_warn_us = w->now_us;
	}
	publish_stats(w);
}

/* No pointer into any configuration is held past this point. */
static void quiescent(struct worker *w)
{
	uint64_t g = atomic_load(&g_gen);

	if (g != w->seen_gen) {
		/* Folded events point into the configuration they came
		 * from: write them before it may be freed. */
		evfold_flush(w->fold, 0, true);
		w->seen_gen = g;
	}
	w->cfg = NULL;
	atomic_store(&w->quiescent_gen, g);
}

static void drain(struct worker *w)
{
	unsigned rounds;

	for (rounds = 0; rounds < ROUNDS_PER_WAKE; rounds++) {
		w->now_us = realtime_us();
		if (nfqueue_receive(w->q, on_packet, w) == 0)
			break;
		if (!nfqueue_batch_full(w->q))
			break; /* drained: the verdicts go out below */
		nfqueue_flush_verdicts(w->q);
	}
	nfqueue_flush_verdicts(w->q);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd[2];

	w->seen_gen = atomic_load(&g_gen);
	w->next_tick_mono = monotonic_us() + TICK_US;
	pfd[0].fd = nfqueue_fd(w->q);
	pfd[0].events = POLLIN;
	pfd[1].fd = w->wake_fd;
	pfd[1].events = POLLIN;
	while (!atomic_load(&w->stop)) {
		int64_t mono;
		int timeout = (int)((w->next_tick_mono - monotonic_us()) / 1000);

		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR) {
			log_warn("queue %u: poll", w->queue_num);
			usleep(10000);
		}
		if (pfd[1].revents & POLLIN) {
			uint64_t v;
			if (read(w->wake_fd, &v, sizeof(v)) < 0) {
				/* EAGAIN: someone else read it */
			}
		}
		w->cfg = atomic_load(&g_cfg);
		/* POLLERR: a pending ENOBUFS, reported by the next receive. */
		if (pfd[0].revents & (POLLIN | POLLERR))
			drain(w);
		mono = monotonic_us();
		if (mono >= w->next_tick_mono) {
			w->now_us = realtime_us();
			housekeeping(w);
			w->next_tick_mono = mono + TICK_US;
		}
		quiescent(w);
	}
	/* Verdicts for whatever is already waiting, then the folded events. */
	w->cfg = atomic_load(&g_cfg);
	drain(w);
	evfold_flush(w->fold, 0, true);
	publish_stats(w);
	w->cfg = NULL;
	atomic_store(&w->quiescent_gen, UINT64_MAX);
	return NULL;
}

int worker_start(struct worker *w)
{
	int e = pthread_create(&w->thread, NULL, worker_main, w);

	if (e != 0) {
		errno = e;
		return -1;
	}
	w->started = true;
	return 0;
}

void worker_stop(struct worker *w)
{
	if (w == NULL || !w->started)
		return;
	atomic_store(&w->stop, true);
	wake(w);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void workers_set_config(struct aigate_config *cfg)
{
	atomic_store(&g_cfg, cfg);
}

struct aigate_config *workers_swap_config(struct worker **ws, unsigned n,
					  struct aigate_config *cfg)
{
	struct aigate_config *old = atomic_exchange(&g_cfg, cfg);
	uint64_t gen = atomic_fetch_add(&g_gen, 1) + 1;
	unsigned i;

	for (i = 0; i < n; i++)
		wake(ws[i]);
	for (i = 0; i < n; i++) {
		/* A worker that has stopped (UINT64_MAX) holds nothing. */
		while (ws[i]->started && atomic_load(&ws[i]->quiescent_gen) < gen)
			usleep(200);
	}
	return old;
}

void workers_flush_events(struct worker **ws, unsigned n)
{
	struct aigate_config *cur = atomic_load(&g_cfg);

	/* A new generation with the same configuration: every worker
	 * writes its folded events at its next quiescent point. */
	(void)workers_swap_config(ws, n, cur);
}
