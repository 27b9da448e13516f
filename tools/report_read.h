/* report_read.h: reading event logs (schema v1, one JSON object per
 * line) for `aigatectl report` and `aigatectl reveal`: plain, rotated
 * and gzip-compressed files alike (zlib reads uncompressed files
 * transparently), one line at a time, so memory does not grow with the
 * log.  A line that is not a schema-v1 event is reported on stderr as
 * "FILE:LINE: skipped: why" and skipped. */
#ifndef AIGATE_REPORT_READ_H
#define AIGATE_REPORT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One event as the aggregation sees it.  The strings are NULL when the
 * field is null or absent, and point into the parsed line: they are
 * valid only during the callback. */
struct report_event {
	int64_t ts_us;            /* microseconds since the epoch, UTC */
	const char *src_ip;       /* an address, or a pseudonym */
	const char *name;         /* as written: odd bytes as the text \xNN */
	const char *service, *vendor, *terms;
	const char *action, *verdict, *reason, *mode;
	const char *zone, *contract, *app_proto;
	uint64_t list_serial;
	bool has_serial;
	uint64_t count;           /* folded repeats: >= 1 */
};

typedef void (*report_event_fn)(void *ctx, const struct report_event *ev);

/* What was read, over all files. */
struct report_read_stats {
	uint64_t files_read;      /* files opened and read to the end */
	uint64_t files_failed;    /* could not be opened or read */
	uint64_t lines;           /* non-empty lines */
	uint64_t records;         /* lines that were events */
	uint64_t corrupt;         /* lines skipped */
};

/* Read the file at path ("-": standard input; a directory: its regular
 * files, in name order, not starting with '.'), calling fn for every
 * event.  Corrupt lines are reported on stderr (at most max_messages
 * lines in all; a final count follows from the caller) and counted.
 * Returns false when the file could not be opened or a read failed
 * (message on stderr; events before the failure were delivered). */
bool report_read_path(const char *path, report_event_fn fn, void *ctx,
		      struct report_read_stats *st);

/* How many corrupt-line messages report_read_path prints at most
 * (after that it only counts them). */
#define REPORT_MAX_CORRUPT_MESSAGES 50

/* Parse an RFC 3339 time "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 * (also with a space for 'T'), or, with allow_short, "YYYY-MM-DD" and
 * "YYYY-MM-DDTHH:MM[:SS]" without zone (UTC), into microseconds since
 * the epoch.  *date_only says whether only a date was given.  False
 * when malformed. */
bool report_parse_time(const char *s, bool allow_short, int64_t *out_us, bool *date_only);

/* "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SSZ" of a time (buf >= 32). */
void report_format_day(int64_t ts_us, char *buf, size_t cap);
void report_format_second(int64_t ts_us, char *buf, size_t cap);

#endif
