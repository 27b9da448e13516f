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

/* The kernel's totals over aigated's queues: the last packet ids handed
 * out and the packets dropped because a queue was full.  false when the
 * kernel's counters cannot be read. */
bool status_kernel_totals(const struct aigated *d, uint64_t *id_sequence,
			  uint64_t *queue_full_dropped);

/* Append the report to out.  Never fails (an allocation failure shows
 * in out->failed).  Main thread only. */
void status_format(const struct aigated *d, bool json, struct sbuf *out);

/* The counters in the Prometheus text exposition format (prometheus.h),
 * for `aigatectl status --prometheus` and the metrics textfile. */
void status_format_prometheus(const struct aigated *d, struct sbuf *out);

/* One line for systemd's STATUS= into buf. */
void status_line(const struct aigated *d, char *buf, size_t cap);

#endif
