/* evlog.h: where decision events go: the event file (JSON lines, one
 * write() per line, O_APPEND) and journald, with repeats folded.
 *
 * The sink (file descriptor, journald switch, counters) is process-wide
 * and safe to use from every worker at once without locks: each line is
 * a single write() to an O_APPEND file, and a reopen replaces the file
 * under the same descriptor number with dup2(), so a worker writes
 * either to the old or to the new file, never to a closed descriptor.
 *
 * Folding: each worker owns a struct evfold, a small bounded table of
 * (client, name, action).  The first event of a key is written at once;
 * repeats within the fold window are counted and written as one event
 * with "count" when the window closes (evfold_flush).  Folded entries
 * keep pointers into the policy snapshot that produced them (service,
 * contract, zone, sensor), so a worker must flush all of them before it
 * lets a reload free that snapshot (see worker.c).  With several queues
 * the same client may reach several workers, so a window can yield one
 * event per worker: folding bounds the flood, it does not deduplicate
 * exactly. */
#ifndef AIGATE_EVLOG_H
#define AIGATE_EVLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"

/* Open the event file (O_WRONLY|O_APPEND|O_CREAT, mode 0640); path NULL
 * means no event file.  0, or -1 with errno (nothing changed). */
int evlog_open(const char *path);

/* Reopen for logrotate: open path anew and put it in place of the
 * current file.  On failure the current file stays in use: -1, errno.
 * path NULL closes the event file. */
int evlog_reopen(const char *path);

/* Close the event file (after the workers have stopped). */
void evlog_close(void);

/* Also send events to journald (fields AIGATE_*). */
void evlog_set_syslog(bool on);

/* Also send every event as an RFC 5424 message (structured data with
 * the key fields, the JSON event as MSG) to the unix datagram socket at
 * path (e.g. /dev/log or an rsyslog imuxsock socket), with facility
 * 0..23; path NULL stops it.  Opened now, so it can be called before
 * privileges are dropped.  0, or -1 with errno (the old socket stays). */
int evlog_set_syslog5424(const char *path, unsigned facility);

/* Read the pseudonym key (log.pseudonym_key: at least 16 bytes, owned by
 * root and not readable by group or others) and turn pseudonymisation
 * on: from then on every event's src_ip is the keyed pseudonym of the
 * client for the period of period_s seconds (0: one period forever).
 * The key is read once, as root, before privileges are dropped: a
 * reload can change the period but not the key.  0, or -1 with a
 * diagnostic in *why (nothing changed). */
int evlog_pseudonymize(const char *key_path, uint32_t period_s, const char **why);

/* Change the period of an active pseudonymisation (reload). */
void evlog_set_pseudonym_period(uint32_t period_s);

/* True when pseudonymisation is on. */
bool evlog_pseudonymizing(void);

/* Process-wide counters. */
struct evlog_stats {
	uint64_t written;       /* event lines written */
	uint64_t folded;        /* repeats folded into a later "count" */
	uint64_t write_errors;  /* lines the file refused (disk full, ...) */
	uint64_t warnings;      /* warning lines (missed packets) */
};
void evlog_get_stats(struct evlog_stats *out);

/* A per-worker fold table; key seeds its hash.  NULL when out of memory. */
struct evfold *evfold_new(const uint8_t key[16]);
/* Free without writing (call evfold_flush(f, 0, true) first). */
void evfold_free(struct evfold *f);

/* Write one decision event, or fold it into an earlier one with the same
 * (client, name, action) when that one's window (window_s seconds from
 * its first event; 0 disables folding) is still open.  ev and everything
 * it points to are copied or must outlive the fold entry (see above).
 * Never fails: a write error is counted and logged rate-limited. */
void evlog_decision(struct evfold *f, const struct event *ev, uint32_t window_s);

/* Write the folded events whose window closed before now_us, or all of
 * them (on exit, reopen and reload). */
void evfold_flush(struct evfold *f, int64_t now_us, bool all);

/* A warning line in the event stream (not a decision):
 * {"v":1,"timestamp":..,"sensor":..,"warning":KIND,"queue":Q,"count":N,"total":T}
 * Used for packets the kernel passed or dropped without showing them to
 * aigated (gaps in packet ids). */
void evlog_warning(int64_t now_us, const char *sensor, const char *kind, unsigned queue,
		   uint64_t count, uint64_t total);

#endif
