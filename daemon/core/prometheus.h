/* prometheus.h: the daemon's counters in the Prometheus text exposition
 * format (version 0.0.4), for `aigatectl status --prometheus` and for a
 * node_exporter textfile-collector file (docs/siem.md).
 *
 * The caller fills a struct prom_counters from whatever it keeps
 * (worker stats, event sink, reload state) and formats it; this module
 * only formats.  Every metric gets its # HELP and # TYPE lines once,
 * followed by one sample per label set, with the label values escaped
 * (\\, \" and \n).  Counters end in _total; gauges do not.
 *
 * Pure: no I/O, no clock, no globals. */
#ifndef AIGATE_PROMETHEUS_H
#define AIGATE_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

/* Verdicts as the worker gives them to the kernel (label verdict=). */
enum prom_verdict {
	PROM_VERDICT_ACCEPT = 0,  /* "accept": NF_ACCEPT, no mark */
	PROM_VERDICT_ALLOW,       /* "allow": repeat with the allow mark */
	PROM_VERDICT_BLOCK,       /* "block": repeat with the block mark */
	PROM_VERDICT_DROP,        /* "drop": NF_DROP */
	PROM_VERDICT_COUNT_
};

/* Parsers whose malformed inputs are counted (label proto=). */
enum prom_parser { PROM_PARSER_IP = 0, PROM_PARSER_DNS, PROM_PARSER_TLS, PROM_PARSER_QUIC,
		   PROM_PARSER_COUNT_ };

/* The counters of one queue (one worker). */
struct prom_queue {
	unsigned queue;                        /* queue number (label queue=) */
	uint64_t packets;                      /* packets received from the queue */
	uint64_t verdicts[PROM_VERDICT_COUNT_];
	uint64_t dns_answers;                  /* block answers injected */
	uint64_t tcp_resets;                   /* resets injected */
	uint64_t inject_errors;
	uint64_t errors;                       /* packets that could not be inspected */
	uint64_t missed;                       /* gaps in packet ids */
	uint64_t enobufs;                      /* netlink receive overruns */
	uint64_t verdict_errors;
	uint64_t flows_active;                 /* gauge */
	uint64_t flows_created, flows_evicted, flows_expired;
	uint64_t malformed[PROM_PARSER_COUNT_];
};

/* Everything one exposition holds.  Index names by enum app_proto
 * (APP_DNS, APP_TLS, APP_QUIC; the APP_NONE row is "none") and enum
 * action. */
struct prom_counters {
	const struct prom_queue *queues;       /* n_queues of them, may be NULL if 0 */
	size_t n_queues;
	uint64_t names[APP_QUIC + 1][ACTION_COUNT_];
	uint64_t events_written, events_folded, event_write_errors;
	uint64_t reloads_ok, reloads_failed;
	bool have_not_queued;                  /* the queue rules' counters could be read */
	uint64_t not_queued;                   /* packets a full fail-open queue let through */
	uint64_t list_serial;                  /* gauge: the list in force */
	int64_t start_time_s;                  /* gauge: daemon start, Unix seconds (0: omitted) */
	int64_t last_reload_s;                 /* gauge: last reload attempt (0: omitted) */
	enum mode mode;                        /* aigate_info{mode=} */
	const char *version;                   /* aigate_info{version=}; NULL: omitted */
	const char *sensor;                    /* aigate_info{sensor=}; NULL: omitted */
};

/* Write the exposition into buf (cap bytes), NUL-terminated, with the
 * snprintf convention: returns the full length; when it is >= cap, buf
 * holds a truncated prefix (cap 0: buf may be NULL).  Never fails
 * otherwise.  Reads c; keeps nothing. */
size_t prom_format(const struct prom_counters *c, char *buf, size_t cap);

#endif
