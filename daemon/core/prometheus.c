/* prometheus.c: counters in the Prometheus text format; see prometheus.h.
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/
 * (text format 0.0.4): "# HELP name text", "# TYPE name counter|gauge",
 * then "name{label="value",...} number" lines, '\n' line ends. */
#include "prometheus.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "outbuf.h"

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%" PRIu64, v);
	put_str(o, tmp);
}

static void put_i64(struct out *o, int64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%" PRId64, v);
	put_str(o, tmp);
}

static void put_meta(struct out *o, const char *name, const char *type, const char *help)
{
	put_str(o, "# HELP ");
	put_str(o, name);
	put_char(o, ' ');
	put_str(o, help);
	put_str(o, "\n# TYPE ");
	put_str(o, name);
	put_char(o, ' ');
	put_str(o, type);
	put_char(o, '\n');
}

/* Label values: backslash, double quote and line feed are escaped as
 * \\, \" and \n; anything else is taken as it is (UTF-8). */
static void put_label_value(struct out *o, const char *v)
{
	put_char(o, '"');
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			put_char(o, '\\');
		if (*v == '\n') {
			put_str(o, "\\n");
			continue;
		}
		put_char(o, *v);
	}
	put_char(o, '"');
}

/* One sample: name{queue="q"[,k="v"]} value. */
static void put_queue_sample(struct out *o, const char *name, unsigned queue,
			     const char *k, const char *v, uint64_t value)
{
	char q[16];
	snprintf(q, sizeof q, "%u", queue);
	put_str(o, name);
	put_str(o, "{queue=");
	put_label_value(o, q);
	if (k != NULL) {
		put_char(o, ',');
		put_str(o, k);
		put_char(o, '=');
		put_label_value(o, v);
	}
	put_str(o, "} ");
	put_u64(o, value);
	put_char(o, '\n');
}

/* A per-queue metric whose value sits at byte offset `off` of struct
 * prom_queue, so the list below stays a table. */
struct queue_metric {
	const char *name, *type, *help;
	size_t off;
};

static const struct queue_metric queue_metrics[] = {
	{ "aigate_packets_total", "counter", "Packets received from the netfilter queue.",
	  offsetof(struct prom_queue, packets) },
	{ "aigate_dns_answers_total", "counter", "DNS block answers injected.",
	  offsetof(struct prom_queue, dns_answers) },
	{ "aigate_tcp_resets_total", "counter", "TCP resets injected towards clients.",
	  offsetof(struct prom_queue, tcp_resets) },
	{ "aigate_inject_errors_total", "counter", "Block answers or resets that could not be sent.",
	  offsetof(struct prom_queue, inject_errors) },
	{ "aigate_packet_errors_total", "counter", "Queued packets that could not be inspected (given the default verdict).",
	  offsetof(struct prom_queue, errors) },
	{ "aigate_missed_packets_total", "counter", "Packets the kernel queued that never reached the daemon (gaps in packet ids).",
	  offsetof(struct prom_queue, missed) },
	{ "aigate_enobufs_total", "counter", "Netlink receive buffer overruns (ENOBUFS).",
	  offsetof(struct prom_queue, enobufs) },
	{ "aigate_verdict_errors_total", "counter", "Verdicts the kernel refused or that failed.",
	  offsetof(struct prom_queue, verdict_errors) },
	{ "aigate_flows_active", "gauge", "Flows in the worker's flow table.",
	  offsetof(struct prom_queue, flows_active) },
	{ "aigate_flows_created_total", "counter", "Flows created.",
	  offsetof(struct prom_queue, flows_created) },
	{ "aigate_flows_evicted_total", "counter", "Flows evicted before a decision because the table or buffer budget was full.",
	  offsetof(struct prom_queue, flows_evicted) },
	{ "aigate_flows_expired_total", "counter", "Flows expired after being idle.",
	  offsetof(struct prom_queue, flows_expired) },
};

static const char *const verdict_labels[PROM_VERDICT_COUNT_] = { "accept", "allow", "block", "drop" };
static const char *const parser_labels[PROM_PARSER_COUNT_] = { "ip", "dns", "tls", "quic" };

static uint64_t queue_value(const struct prom_queue *q, size_t off)
{
	uint64_t v;
	memcpy(&v, (const char *)q + off, sizeof v);
	return v;
}

static void put_simple(struct out *o, const char *name, const char *type, const char *help,
		       const char *k, const char *const *vals, const uint64_t *values, size_t n)
{
	put_meta(o, name, type, help);
	for (size_t i = 0; i < n; i++) {
		put_str(o, name);
		if (k != NULL) {
			put_char(o, '{');
			put_str(o, k);
			put_char(o, '=');
			put_label_value(o, vals[i]);
			put_char(o, '}');
		}
		put_char(o, ' ');
		put_u64(o, values[i]);
		put_char(o, '\n');
	}
}

size_t prom_format(const struct prom_counters *c, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	size_t nq = c->queues != NULL ? c->n_queues : 0;

	/* aigate_info: constant 1, the facts as labels (a Prometheus idiom). */
	put_meta(&o, "aigate_info", "gauge", "Facts about the running daemon, as labels; the value is always 1.");
	put_str(&o, "aigate_info{mode=");
	put_label_value(&o, mode_name(c->mode));
	if (c->version != NULL) {
		put_str(&o, ",version=");
		put_label_value(&o, c->version);
	}
	if (c->sensor != NULL) {
		put_str(&o, ",sensor=");
		put_label_value(&o, c->sensor);
	}
	put_str(&o, "} 1\n");

	for (size_t m = 0; m < sizeof queue_metrics / sizeof queue_metrics[0]; m++) {
		const struct queue_metric *qm = &queue_metrics[m];
		put_meta(&o, qm->name, qm->type, qm->help);
		for (size_t i = 0; i < nq; i++)
			put_queue_sample(&o, qm->name, c->queues[i].queue, NULL, NULL,
					 queue_value(&c->queues[i], qm->off));
	}
	put_meta(&o, "aigate_verdicts_total", "counter", "Verdicts given to queued packets, by kind.");
	for (size_t i = 0; i < nq; i++)
		for (unsigned v = 0; v < PROM_VERDICT_COUNT_; v++)
			put_queue_sample(&o, "aigate_verdicts_total", c->queues[i].queue, "verdict",
					 verdict_labels[v], c->queues[i].verdicts[v]);
	put_meta(&o, "aigate_malformed_total", "counter", "Malformed inputs seen by each parser.");
	for (size_t i = 0; i < nq; i++)
		for (unsigned p = 0; p < PROM_PARSER_COUNT_; p++)
			put_queue_sample(&o, "aigate_malformed_total", c->queues[i].queue, "proto",
					 parser_labels[p], c->queues[i].malformed[p]);

	put_meta(&o, "aigate_names_total", "counter", "Names decided, by protocol and policy action.");
	for (unsigned p = APP_DNS; p <= APP_QUIC; p++)
		for (unsigned a = 0; a < ACTION_COUNT_; a++) {
			put_str(&o, "aigate_names_total{app_proto=");
			put_label_value(&o, app_proto_name((enum app_proto)p));
			put_str(&o, ",action=");
			put_label_value(&o, action_name((enum action)a));
			put_str(&o, "} ");
			put_u64(&o, c->names[p][a]);
			put_char(&o, '\n');
		}

	uint64_t ev[] = { c->events_written };
	put_simple(&o, "aigate_events_written_total", "counter", "Event lines written.", NULL, NULL, ev, 1);
	ev[0] = c->events_folded;
	put_simple(&o, "aigate_events_folded_total", "counter", "Repeated events folded into a later line's count.", NULL, NULL, ev, 1);
	ev[0] = c->event_write_errors;
	put_simple(&o, "aigate_event_write_errors_total", "counter", "Event lines that could not be written.", NULL, NULL, ev, 1);
	static const char *const results[] = { "ok", "failed" };
	uint64_t rl[] = { c->reloads_ok, c->reloads_failed };
	put_simple(&o, "aigate_reloads_total", "counter", "Configuration and list reloads, by result.", "result", results, rl, 2);
	if (c->have_not_queued) {
		ev[0] = c->not_queued;
		put_simple(&o, "aigate_not_queued_packets_total", "counter",
			   "Packets the queue rules sent that a full fail-open queue let through uninspected.",
			   NULL, NULL, ev, 1);
	}
	ev[0] = c->list_serial;
	put_simple(&o, "aigate_list_serial", "gauge", "Serial of the list in force.", NULL, NULL, ev, 1);
	if (c->start_time_s != 0) {
		put_meta(&o, "aigate_start_time_seconds", "gauge", "Start time of the daemon, Unix seconds.");
		put_str(&o, "aigate_start_time_seconds ");
		put_i64(&o, c->start_time_s);
		put_char(&o, '\n');
	}
	if (c->last_reload_s != 0) {
		put_meta(&o, "aigate_last_reload_time_seconds", "gauge", "Time of the last reload attempt, Unix seconds.");
		put_str(&o, "aigate_last_reload_time_seconds ");
		put_i64(&o, c->last_reload_s);
		put_char(&o, '\n');
	}
	return out_finish(&o);
}
