/* status.h: the answer to `aigatectl status` (text or one JSON object),
 * from the daemon's state, the workers' counters, the event sink's
 * counters and the kernel's per-queue counters
 * (/proc/net/netfilter/nfnetlink_queue). */
#ifndef AIGATE_STATUS_H
#define AIGATE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "aigated.h"
#include "control.h"

/* Open the kernel's queue counters while still root (the file is mode
 * 0440 root): the descriptor is read again for every report.  -1 when
 * not available (the report then leaves them out). */
int status_open_kernel_stats(void);

/* The queue rules' packet counter (fwcount.h) against what the queues
 * took.  A packet the rules sent that aigated never received was dropped
 * by the kernel (fail-closed: queue full, or undeliverable; the kernel
 * counts those), let through uninspected (fail-open: a full queue or a
 * stopped daemon leaves no other trace, NFQUEUE-NOTES), or is still
 * waiting.  The rules' counters start at zero with the daemon
 * (aigated.service zeroes them).  false when they cannot be read. */
struct fw_compare {
	uint64_t rules;        /* packets the queue rules sent */
	uint64_t ids;          /* packet ids the kernel handed out */
	uint64_t queue_full;   /* dropped by the kernel: queue full (fail-closed) */
	uint64_t received, waiting;
	uint64_t uninspected;  /* rules - received - waiting */
	uint64_t dropped;      /* of those, dropped by the kernel */
	uint64_t passed;       /* of those, let through */
};
bool status_fw_compare(const struct aigated *d, struct fw_compare *c);

/* Append the report to out.  Never fails (an allocation failure shows
 * in out->failed).  Main thread only. */
void status_format(const struct aigated *d, bool json, struct sbuf *out);

/* The counters in the Prometheus text exposition format (prometheus.h),
 * for `aigatectl status --prometheus` and the metrics textfile. */
void status_format_prometheus(const struct aigated *d, struct sbuf *out);

/* One line for systemd's STATUS= into buf. */
void status_line(const struct aigated *d, char *buf, size_t cap);

#endif
