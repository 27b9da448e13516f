/* status.c: the status report; see status.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef AIGATE_VERSION_STRING
#define AIGATE_VERSION_STRING "0.1.0"
#endif

#include "event.h"
#include "evlog.h"
#include "list.h"
#include "prometheus.h"
#include "status.h"
#include "worker.h"

/* The kernel's view of one queue (/proc/net/netfilter/nfnetlink_queue):
 * packets waiting, dropped because the queue was full (fail-closed) or
 * because we could not take them (netlink overrun), and the last id. */
struct kernel_queue {
	bool found;
	unsigned long waiting, dropped, user_dropped, id_sequence;
};

int status_open_kernel_stats(void)
{
	return open("/proc/net/netfilter/nfnetlink_queue", O_RDONLY | O_CLOEXEC);
}

static void kernel_queue_read(int fd, unsigned num, struct kernel_queue *out)
{
	char buf[8192], *line, *save = NULL;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (fd == -1)
		return;
	/* A seq_file: reading from offset 0 again gives fresh numbers. */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		unsigned q, portid, mode, range;
		unsigned long total, dropped, udropped, idseq;

		if (sscanf(line, "%u %u %lu %u %u %lu %lu %lu", &q, &portid, &total, &mode,
			   &range, &dropped, &udropped, &idseq) != 8 || q != num)
			continue;
		out->found = true;
		out->waiting = total;
		out->dropped = dropped;
		out->user_dropped = udropped;
		out->id_sequence = idseq;
	}
}

static uint64_t ld(const atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

bool status_fw_compare(const struct aigated *d, struct fw_compare *c)
{
	uint64_t kdropped = 0;

	memset(c, 0, sizeof(*c));
	if (d->fw == NULL || fwcount_read(d->fw, &c->rules) != 0)
		return false;
	for (unsigned i = 0; i < d->n_workers; i++) {
		struct kernel_queue k;
		kernel_queue_read(d->kernel_stats_fd, worker_queue(d->workers[i]), &k);
		if (!k.found)
			return false;
		c->ids += k.id_sequence;
		c->waiting += k.waiting;
		c->queue_full += k.dropped;
		kdropped += k.dropped + k.user_dropped;
		c->received += ld(&worker_stats(d->workers[i])->packets);
	}
	uint64_t seen = c->received + c->waiting;
	c->uninspected = c->rules > seen ? c->rules - seen : 0; /* read a moment apart */
	c->dropped = kdropped < c->uninspected ? kdropped : c->uninspected;
	c->passed = c->uninspected - c->dropped;
	return true;
}

static void json_str(struct sbuf *out, const char *s)
{
	char buf[2048];
	size_t n;

	if (s == NULL) {
		sbuf_printf(out, "null");
		return;
	}
	n = json_write_string(s, strlen(s), buf, sizeof(buf));
	if (n < sizeof(buf))
		sbuf_append(out, buf, n);
	else
		sbuf_printf(out, "\"?\"");
}

static void fmt_duration(int64_t s, char *buf, size_t cap)
{
	if (s >= 86400)
		snprintf(buf, cap, "%lldd%02lldh%02lldm", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, cap, "%lldh%02lldm%02llds", (long long)(s / 3600),
			 (long long)(s % 3600 / 60), (long long)(s % 60));
}

static int64_t uptime_s(const struct aigated *d)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - d->started_mono_us) / 1000000;
}

#define QUEUE_FIELDS(X) \
	X(packets) X(v_accept) X(v_allow) X(v_block) X(v_drop) X(dns_answers) X(resets) \
	X(inject_errors) X(errors) X(missed) X(enobufs) X(verdict_errors) X(bad_messages) \
	X(names) X(flows_active) X(flows_created) X(flows_evicted) X(flows_expired) \
	X(ip_malformed) X(dns_malformed) X(tls_malformed) X(quic_malformed) \
	X(bad_checksum) X(fragments) X(fragments_first) X(overlap_mismatches) \
	X(tls_out_of_window) X(tls_multi_hello) X(tls_unreadable) X(flows_given_up) \
	X(flows_evicted_undecided) X(dns_overflow) X(quic_unparsed) X(buffer_bytes)

struct qsnap {
#define F(n) uint64_t n;
	QUEUE_FIELDS(F)
#undef F
};

static void snap(const struct worker_stats *s, struct qsnap *q)
{
#define F(n) q->n = ld(&s->n);
	QUEUE_FIELDS(F)
#undef F
}

static void add(struct qsnap *t, const struct qsnap *q)
{
#define F(n) t->n += q->n;
	QUEUE_FIELDS(F)
#undef F
}

/* Ids the kernel handed out that never reached us: gaps we saw plus
 * those at the end that no later packet revealed yet.  The kernel's
 * counter is 32 bits; ours are 64: compare modulo 2^32. */
static uint64_t unseen(const struct qsnap *q, const struct kernel_queue *k)
{
	uint32_t d = (uint32_t)k->id_sequence - (uint32_t)q->packets;

	return d < 0x80000000u ? d : 0;
}

static void text_queue(struct sbuf *out, const char *label, const struct qsnap *q,
		       const struct kernel_queue *k)
{
	sbuf_printf(out,
		    "%s: packets %llu, names %llu\n"
		    "  verdicts: accept %llu, allow-mark %llu, block-mark %llu, drop %llu\n"
		    "  injected: dns answers %llu, tcp resets %llu, failed %llu\n"
		    "  problems: errors %llu, missed ids %llu, enobufs %llu, verdict errors %llu, "
		    "bad messages %llu\n"
		    "  malformed: ip %llu, dns %llu, tls %llu, quic %llu\n"
		    "  flows: tracked %llu, created %llu, evicted %llu, expired %llu\n"
		    "  evasion: bad checksum %llu, fragments %llu (first, unjudged %llu), "
		    "differing copies %llu, out of window %llu, further hellos %llu, "
		    "unreadable %llu\n"
		    "  bounds: given up %llu, evicted undecided %llu, dns names over %llu, "
		    "quic unparsed %llu, reassembly bytes %llu\n",
		    label, (unsigned long long)q->packets, (unsigned long long)q->names,
		    (unsigned long long)q->v_accept, (unsigned long long)q->v_allow,
		    (unsigned long long)q->v_block, (unsigned long long)q->v_drop,
		    (unsigned long long)q->dns_answers, (unsigned long long)q->resets,
		    (unsigned long long)q->inject_errors, (unsigned long long)q->errors,
		    (unsigned long long)q->missed, (unsigned long long)q->enobufs,
		    (unsigned long long)q->verdict_errors, (unsigned long long)q->bad_messages,
		    (unsigned long long)q->ip_malformed, (unsigned long long)q->dns_malformed,
		    (unsigned long long)q->tls_malformed, (unsigned long long)q->quic_malformed,
		    (unsigned long long)q->flows_active, (unsigned long long)q->flows_created,
		    (unsigned long long)q->flows_evicted, (unsigned long long)q->flows_expired,
		    (unsigned long long)q->bad_checksum, (unsigned long long)q->fragments,
		    (unsigned long long)q->fragments_first, (unsigned long long)q->overlap_mismatches,
		    (unsigned long long)q->tls_out_of_window, (unsigned long long)q->tls_multi_hello,
		    (unsigned long long)q->tls_unreadable, (unsigned long long)q->flows_given_up,
		    (unsigned long long)q->flows_evicted_undecided,
		    (unsigned long long)q->dns_overflow, (unsigned long long)q->quic_unparsed,
		    (unsigned long long)q->buffer_bytes);
	if (k != NULL && k->found)
		sbuf_printf(out, "  kernel: waiting %lu, dropped (queue full) %lu, "
			    "dropped (not delivered) %lu, last id %lu, ids not received %llu\n",
			    k->waiting, k->dropped, k->user_dropped, k->id_sequence,
			    (unsigned long long)unseen(q, k));
}

static void json_queue(struct sbuf *out, const struct qsnap *q, const struct kernel_queue *k)
{
	const char *sep = "";

#define F(n) sbuf_printf(out, "%s\"" #n "\":%llu", sep, (unsigned long long)q->n); sep = ",";
	QUEUE_FIELDS(F)
#undef F
	if (k != NULL && k->found)
		sbuf_printf(out, ",\"kernel\":{\"waiting\":%lu,\"dropped\":%lu,"
			    "\"user_dropped\":%lu,\"id_sequence\":%lu,\"ids_not_received\":%llu}",
			    k->waiting, k->dropped, k->user_dropped, k->id_sequence,
			    (unsigned long long)unseen(q, k));
}

void status_format(const struct aigated *d, bool json, struct sbuf *out)
{
	const struct aigate_config *c = d->cfg;
	const struct policy *p = c->policy;
	uint64_t serial = p->list != NULL ? list_serial(p->list) : 0;
	size_t n_services = p->list != NULL ? list_n_services(p->list) : 0;
	size_t n_entries = p->list != NULL ? list_n_entries(p->list) : 0;
	struct evlog_stats es;
	struct qsnap total, q;
	struct fw_compare fc;
	char since[40], up[32], last[40];
	unsigned i;

	evlog_get_stats(&es);
	memset(&total, 0, sizeof(total));
	event_format_time(d->started_us, since, sizeof(since));
	if (d->last_reload_us != 0)
		event_format_time(d->last_reload_us, last, sizeof(last));
	else
		strcpy(last, "never");
	if (json) {
		sbuf_printf(out, "{\"pid\":%ld,\"started\":\"%s\",\"uptime_s\":%lld,\"config\":",
			    (long)getpid(), since, (long long)uptime_s(d));
		json_str(out, c->path);
		sbuf_printf(out, ",\"sensor\":");
		json_str(out, c->sensor);
		sbuf_printf(out, ",\"mode\":\"%s\",\"list_serial\":%llu,\"list_services\":%zu,"
			    "\"list_entries\":%zu,\"contracts\":%zu,\"zones\":%zu,",
			    mode_name(p->mode), (unsigned long long)serial, n_services, n_entries,
			    p->n_contracts, p->n_zones);
		sbuf_printf(out, "\"reloads\":{\"ok\":%llu,\"failed\":%llu,\"last\":%s%s%s},"
			    "\"restart_needed\":",
			    (unsigned long long)d->reloads_ok, (unsigned long long)d->reloads_failed,
			    d->last_reload_us ? "\"" : "", d->last_reload_us ? last : "null",
			    d->last_reload_us ? "\"" : "");
		json_str(out, d->restart_needed);
		/* Packets a full fail-open queue let through (main.c,
		 * check_not_queued); null when the rules' counters cannot be
		 * read. */
		if (d->fw != NULL && d->fw_have_base)
			sbuf_printf(out, ",\"not_queued\":%llu", (unsigned long long)d->fw_total);
		else
			sbuf_printf(out, ",\"not_queued\":null");
		if (status_fw_compare(d, &fc))
			sbuf_printf(out, ",\"firewall\":{\"queued_by_rules\":%llu,\"queued_by_kernel\":%llu,"
				    "\"received\":%llu,\"waiting\":%llu,\"uninspected\":%llu,"
				    "\"dropped_uninspected\":%llu,\"passed_uninspected\":%llu}",
				    (unsigned long long)fc.rules, (unsigned long long)fc.ids,
				    (unsigned long long)fc.received, (unsigned long long)fc.waiting,
				    (unsigned long long)fc.uninspected, (unsigned long long)fc.dropped,
				    (unsigned long long)fc.passed);
		else
			sbuf_printf(out, ",\"firewall\":null");
		sbuf_printf(out, ",\"events\":{\"file\":");
		json_str(out, d->event_path);
		sbuf_printf(out, ",\"written\":%llu,\"folded\":%llu,\"write_errors\":%llu,"
			    "\"warnings\":%llu},\"queues\":[",
			    (unsigned long long)es.written, (unsigned long long)es.folded,
			    (unsigned long long)es.write_errors, (unsigned long long)es.warnings);
		for (i = 0; i < d->n_workers; i++) {
			struct kernel_queue k;

			snap(worker_stats(d->workers[i]), &q);
			add(&total, &q);
			kernel_queue_read(d->kernel_stats_fd, worker_queue(d->workers[i]), &k);
			sbuf_printf(out, "%s{\"queue\":%u,", i ? "," : "", worker_queue(d->workers[i]));
			json_queue(out, &q, &k);
			sbuf_printf(out, "}");
		}
		sbuf_printf(out, "],\"total\":{");
		json_queue(out, &total, NULL);
		sbuf_printf(out, "}}\n");
		return;
	}
	fmt_duration(uptime_s(d), up, sizeof(up));
	sbuf_printf(out, "aigated: up %s (since %s), pid %ld\n", up, since, (long)getpid());
	sbuf_printf(out, "config: %s, sensor %s\n", c->path != NULL ? c->path : "(built-in)",
		    c->sensor != NULL ? c->sensor : "-");
	sbuf_printf(out, "mode: %s\n", mode_name(p->mode));
	sbuf_printf(out, "list: serial %llu, %zu services, %zu entries (%s)\n",
		    (unsigned long long)serial, n_services, n_entries,
		    c->list_path != NULL ? c->list_path : "-");
	sbuf_printf(out, "contracts: %zu, zones: %zu\n", p->n_contracts, p->n_zones);
	sbuf_printf(out, "reloads: %llu ok, %llu failed, last %s\n",
		    (unsigned long long)d->reloads_ok, (unsigned long long)d->reloads_failed, last);
	if (d->restart_needed != NULL)
		sbuf_printf(out, "restart needed for: %s\n", d->restart_needed);
	if (d->fw != NULL && d->fw_have_base)
		sbuf_printf(out, "not queued (a full fail-open queue let them through): %llu\n",
			    (unsigned long long)d->fw_total);
	else
		sbuf_printf(out, "not queued: not watched (the queue rules' counters cannot be read)\n");
	if (status_fw_compare(d, &fc))
		sbuf_printf(out, "firewall: the queue rules sent %llu packets (since aigated started), "
			    "the kernel queued %llu, aigated received %llu, %llu waiting; uninspected "
			    "%llu: dropped by the kernel %llu, passed (fail-open queue full, or "
			    "aigated not running) %llu\n",
			    (unsigned long long)fc.rules, (unsigned long long)fc.ids,
			    (unsigned long long)fc.received, (unsigned long long)fc.waiting,
			    (unsigned long long)fc.uninspected, (unsigned long long)fc.dropped,
			    (unsigned long long)fc.passed);
	sbuf_printf(out, "events: %s, written %llu, folded %llu, write errors %llu, warnings %llu\n",
		    d->event_path != NULL ? d->event_path : "(no file)",
		    (unsigned long long)es.written, (unsigned long long)es.folded,
		    (unsigned long long)es.write_errors, (unsigned long long)es.warnings);
	for (i = 0; i < d->n_workers; i++) {
		struct kernel_queue k;
		char label[32];

		snap(worker_stats(d->workers[i]), &q);
		add(&total, &q);
		kernel_queue_read(d->kernel_stats_fd, worker_queue(d->workers[i]), &k);
		snprintf(label, sizeof(label), "queue %u", worker_queue(d->workers[i]));
		text_queue(out, label, &q, &k);
	}
	if (d->n_workers > 1)
		text_queue(out, "total", &total, NULL);
}

void status_line(const struct aigated *d, char *buf, size_t cap)
{
	struct qsnap total, q;
	unsigned i;

	memset(&total, 0, sizeof(total));
	for (i = 0; i < d->n_workers; i++) {
		snap(worker_stats(d->workers[i]), &q);
		add(&total, &q);
	}
	snprintf(buf, cap, "%s, list %llu: %llu packets, %llu names, %llu dropped, %llu missed",
		 mode_name(d->cfg->policy->mode),
		 (unsigned long long)(d->cfg->policy->list ? list_serial(d->cfg->policy->list) : 0),
		 (unsigned long long)total.packets, (unsigned long long)total.names,
		 (unsigned long long)total.v_drop, (unsigned long long)total.missed);
}

void status_format_prometheus(const struct aigated *d, struct sbuf *out)
{
	const struct aigate_config *c = d->cfg;
	struct prom_queue qs[64];
	struct prom_counters pc;
	struct evlog_stats es;
	unsigned n = d->n_workers < 64 ? d->n_workers : 64;

	memset(&pc, 0, sizeof(pc));
	memset(qs, 0, sizeof(qs));
	evlog_get_stats(&es);
	for (unsigned i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(d->workers[i]);
		struct prom_queue *q = &qs[i];
		q->queue = worker_queue(d->workers[i]);
		q->packets = ld(&s->packets);
		q->verdicts[PROM_VERDICT_ACCEPT] = ld(&s->v_accept);
		q->verdicts[PROM_VERDICT_ALLOW] = ld(&s->v_allow);
		q->verdicts[PROM_VERDICT_BLOCK] = ld(&s->v_block);
		q->verdicts[PROM_VERDICT_DROP] = ld(&s->v_drop);
		q->dns_answers = ld(&s->dns_answers);
		q->tcp_resets = ld(&s->resets);
		q->inject_errors = ld(&s->inject_errors);
		q->errors = ld(&s->errors);
		q->missed = ld(&s->missed);
		q->enobufs = ld(&s->enobufs);
		q->verdict_errors = ld(&s->verdict_errors);
		q->flows_active = ld(&s->flows_active);
		q->flows_created = ld(&s->flows_created);
		q->flows_evicted = ld(&s->flows_evicted);
		q->flows_expired = ld(&s->flows_expired);
		q->malformed[PROM_PARSER_IP] = ld(&s->ip_malformed);
		q->malformed[PROM_PARSER_DNS] = ld(&s->dns_malformed);
		q->malformed[PROM_PARSER_TLS] = ld(&s->tls_malformed);
		q->malformed[PROM_PARSER_QUIC] = ld(&s->quic_malformed);
		for (unsigned a = 0; a <= APP_QUIC; a++)
			for (unsigned b = 0; b < ACTION_COUNT_; b++)
				pc.names[a][b] += ld(&s->names_by[a][b]);
	}
	pc.queues = qs;
	pc.n_queues = n;
	pc.events_written = es.written;
	pc.events_folded = es.folded;
	pc.event_write_errors = es.write_errors;
	pc.have_not_queued = d->fw != NULL && d->fw_have_base;
	pc.not_queued = d->fw_total;
	pc.reloads_ok = d->reloads_ok;
	pc.reloads_failed = d->reloads_failed;
	pc.list_serial = c->policy->list != NULL ? list_serial(c->policy->list) : 0;
	pc.start_time_s = d->started_us / 1000000;
	pc.last_reload_s = d->last_reload_us / 1000000;
	pc.mode = c->policy->mode;
	pc.version = AIGATE_VERSION_STRING;
	pc.sensor = c->sensor;
	size_t need = prom_format(&pc, NULL, 0);
	char *buf = malloc(need + 1);
	if (buf == NULL) {
		sbuf_printf(out, "# out of memory\n");
		return;
	}
	prom_format(&pc, buf, need + 1);
	sbuf_printf(out, "%s", buf);
	free(buf);
}
