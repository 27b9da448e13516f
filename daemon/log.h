/* log.h: diagnostics of aigated (not events: those are events.h).
 *
 * A tiny OpenBSD-style API.  Lines go to stderr, or to journald with
 * their priority when stderr is connected to the journal (systemd sets
 * JOURNAL_STREAM).  Every function may be called from any thread; each
 * line is written with one write() so that threads never interleave.
 * Per-packet problems go through a struct log_rate so that a flood of
 * bad packets cannot flood the journal. */
#ifndef AIGATE_LOG_H
#define AIGATE_LOG_H

#include <stdbool.h>
#include <stdint.h>

/* Choose the sink (journald when stderr is the journal) and whether
 * log_debug prints.  Never fails: without a journal, stderr is used. */
void log_init(int verbose);

/* Warning with ": strerror(errno)" appended; errno is preserved. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning without errno. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only with -v. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log (with / without errno) and exit(1).  For start-up only. */
__attribute__((noreturn)) void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A rate limiter for one kind of per-packet message, owned by one
 * thread (no locking): at most LOG_RATE_BURST lines per
 * LOG_RATE_WINDOW_S seconds; the number suppressed is reported when the
 * next window opens. */
#define LOG_RATE_BURST 5
#define LOG_RATE_WINDOW_S 10
struct log_rate {
	int64_t window_start;   /* seconds, CLOCK_MONOTONIC */
	unsigned n_logged;
	uint64_t n_suppressed;
};

/* log_warnx through the limiter `r` (caller storage, zeroed at first). */
void log_warnx_rl(struct log_rate *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
