/* log.c: diagnostics to stderr or journald; see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

static int log_verbose;
static int log_to_journal;

/* systemd connects stderr to the journal and says so in JOURNAL_STREAM
 * ("device:inode"); then structured entries with a priority are better
 * than plain lines. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(int verbose)
{
	log_verbose = verbose;
	log_to_journal = stderr_is_journal();
}

static void log_emit(int pri, const char *fmt, va_list ap, int errnum)
	__attribute__((format(printf, 2, 0)));

static void log_emit(int pri, const char *fmt, va_list ap, int errnum)
{
	char msg[1024];
	char line[1200];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, ": %s", strerror(errnum));
	}
	if (log_to_journal) {
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", pri,
				"SYSLOG_IDENTIFIER=aigated", NULL);
		return;
	}
	n = snprintf(line, sizeof(line), "aigated: %s\n", msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	/* One write per line: threads never interleave within a line. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void log_warnx_rl(struct log_rate *r, const char *fmt, ...)
{
	struct timespec ts;
	int64_t now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec;
	if (now - r->window_start >= LOG_RATE_WINDOW_S) {
		if (r->n_suppressed > 0)
			log_warnx("%llu similar messages suppressed",
				  (unsigned long long)r->n_suppressed);
		r->window_start = now;
		r->n_logged = 0;
		r->n_suppressed = 0;
	}
	if (r->n_logged >= LOG_RATE_BURST) {
		r->n_suppressed++;
		return;
	}
	r->n_logged++;
	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}
