/* fuzz_report_read.c: the event-log reader of `aigatectl report`
 * (tools/report_read.c) on arbitrary file contents, plain or gzip.  The
 * input is written to an anonymous memory file and read by path, as
 * `report` reads a log; every delivered event is checked for the
 * invariants the aggregation relies on.
 * fuzz-build: tools/report_read.c -Itools -ljansson -lz */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(void *ctx, const struct report_event *ev)
{
	unsigned long *n = ctx;
	(*n)++;
	if (ev->count < 1)
		__builtin_trap();
	/* The strings are read by the aggregation: they must be valid C strings. */
	const char *s[] = { ev->src_ip, ev->name, ev->service, ev->vendor, ev->terms,
			    ev->action, ev->verdict, ev->reason, ev->mode, ev->zone,
			    ev->contract, ev->app_proto };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i] != NULL)
			(void)strlen(s[i]);
	char buf[32];
	report_format_day(ev->ts_us, buf, sizeof(buf));
	report_format_second(ev->ts_us, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-report", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct report_read_stats st;
	memset(&st, 0, sizeof(st));
	unsigned long n = 0;
	(void)report_read_path(path, on_event, &n, &st);
	if (n != st.records)
		__builtin_trap();
	/* The time parser on the same bytes, as --since/--until take it. */
	char t[64];
	size_t tl = size < sizeof(t) - 1 ? size : sizeof(t) - 1;
	memcpy(t, data, tl);
	t[tl] = '\0';
	int64_t us;
	bool date_only;
	(void)report_parse_time(t, true, &us, &date_only);
	(void)report_parse_time(t, false, &us, &date_only);
	close(fd);
	return 0;
}
