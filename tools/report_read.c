/* report_read.c: streaming reader of event logs; see report_read.h. */
#include "report_read.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "event.h"

/* Lines longer than this are not events (an event with the longest name
 * is under 2 KiB); they are skipped as corrupt. */
#define LINE_MAX_LEN 65536

static unsigned n_messages;

static void corrupt(struct report_read_stats *st, const char *path, uint64_t line, const char *why)
{
	st->corrupt++;
	if (n_messages++ < REPORT_MAX_CORRUPT_MESSAGES)
		fprintf(stderr, "%s:%" PRIu64 ": skipped: %s\n", path, line, why);
}

/* --- time ------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (the inverse of
 * event.c's civil_from_days). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool digits(const char **p, unsigned n, unsigned *out)
{
	unsigned v = 0;
	for (unsigned i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool lit(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool report_parse_time(const char *s, bool allow_short, int64_t *out_us, bool *date_only)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac_us = 0, offset_s = 0;
	const char *p = s;
	if (date_only != NULL)
		*date_only = false;
	if (!digits(&p, 4, &y) || !lit(&p, '-') || !digits(&p, 2, &mo) || !lit(&p, '-') ||
	    !digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	if (*p == '\0') {
		if (!allow_short)
			return false;
		if (date_only != NULL)
			*date_only = true;
		goto done;
	}
	if (!(lit(&p, 'T') || lit(&p, 't') || lit(&p, ' ')) || !digits(&p, 2, &h) ||
	    !lit(&p, ':') || !digits(&p, 2, &mi) || h > 23 || mi > 59)
		return false;
	if (lit(&p, ':')) {
		/* RFC 3339 s5.6 allows a leap second 60; it is folded into :59. */
		if (!digits(&p, 2, &sec) || sec > 60)
			return false;
		if (sec == 60)
			sec = 59;
		if (lit(&p, '.')) {
			unsigned n = 0;
			while (*p >= '0' && *p <= '9') {
				if (n < 6)
					frac_us = frac_us * 10 + (*p - '0');
				n++;
				p++;
			}
			if (n == 0)
				return false;
			for (; n < 6; n++)
				frac_us *= 10;
		}
	} else if (!allow_short) {
		return false;
	}
	if (lit(&p, 'Z') || lit(&p, 'z')) {
		/* UTC */
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		unsigned oh, om;
		p++;
		if (!digits(&p, 2, &oh) || !lit(&p, ':') || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
		offset_s = sign * (int64_t)(oh * 3600 + om * 60);
	} else if (!allow_short) {
		return false;
	}
	if (*p != '\0')
		return false;
done:;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
	*out_us = secs * 1000000 + frac_us;
	return true;
}

void report_format_day(int64_t ts_us, char *buf, size_t cap)
{
	char tmp[40];
	event_format_time(ts_us, tmp, sizeof tmp);
	tmp[10] = '\0';
	snprintf(buf, cap, "%s", tmp);
}

void report_format_second(int64_t ts_us, char *buf, size_t cap)
{
	char tmp[40];
	event_format_time(ts_us, tmp, sizeof tmp);
	tmp[19] = '\0';
	snprintf(buf, cap, "%sZ", tmp);
}

/* --- events ----------------------------------------------------------- */

/* A string member, or NULL when absent or null; false when present
 * with another type. */
static bool get_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	*out = json_string_value(v);
	return true;
}

/* Parse one line into ev; NULL on success (*root to be freed), else why. */
static const char *parse_line(const char *line, size_t len, json_t **root, struct report_event *ev)
{
	json_error_t err;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	*root = o;
	if (o == NULL)
		return "not valid JSON";
	if (!json_is_object(o))
		return "not a JSON object";
	json_t *v = json_object_get(o, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return "not a schema-v1 event (\"v\":1 missing)";
	const char *ts;
	memset(ev, 0, sizeof *ev);
	if (!get_str(o, "timestamp", &ts) || ts == NULL ||
	    !report_parse_time(ts, false, &ev->ts_us, NULL))
		return "missing or invalid timestamp";
	if (!get_str(o, "src_ip", &ev->src_ip) || !get_str(o, "name", &ev->name) ||
	    !get_str(o, "service", &ev->service) || !get_str(o, "vendor", &ev->vendor) ||
	    !get_str(o, "terms", &ev->terms) || !get_str(o, "action", &ev->action) ||
	    !get_str(o, "verdict", &ev->verdict) || !get_str(o, "reason", &ev->reason) ||
	    !get_str(o, "mode", &ev->mode) || !get_str(o, "zone", &ev->zone) ||
	    !get_str(o, "contract", &ev->contract) || !get_str(o, "app_proto", &ev->app_proto))
		return "a field has the wrong type";
	if (ev->action == NULL)
		return "missing action";
	v = json_object_get(o, "list_serial");
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		ev->list_serial = (uint64_t)json_integer_value(v);
		ev->has_serial = true;
	} else if (v != NULL && !json_is_null(v)) {
		return "list_serial is not a number";
	}
	ev->count = 1;
	v = json_object_get(o, "count");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return "count is not a positive number";
		ev->count = (uint64_t)json_integer_value(v);
	}
	return NULL;
}

static bool read_stream(gzFile f, const char *path, report_event_fn fn, void *ctx,
			struct report_read_stats *st)
{
	static char line[LINE_MAX_LEN + 2];
	uint64_t lineno = 0;
	bool ok = true;

	for (;;) {
		if (gzgets(f, line, sizeof line) == NULL)
			break;
		lineno++;
		size_t len = strlen(line);
		bool too_long = false;
		/* No newline and not at the end: the rest of this line is too long. */
		while (len > 0 && line[len - 1] != '\n' && !gzeof(f)) {
			too_long = true;
			if (gzgets(f, line, sizeof line) == NULL)
				break;
			len = strlen(line);
		}
		if (too_long) {
			st->lines++;
			corrupt(st, path, lineno, "line too long");
			continue;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		st->lines++;
		json_t *root;
		struct report_event ev;
		const char *why = parse_line(line, len, &root, &ev);
		if (why != NULL) {
			corrupt(st, path, lineno, why);
		} else {
			st->records++;
			fn(ctx, &ev);
		}
		json_decref(root);
	}
	int zerr = Z_OK;
	const char *msg = gzerror(f, &zerr);
	if (zerr != Z_OK && zerr != Z_STREAM_END) {
		/* A truncated .gz (a log rotated while being compressed) still
		 * gave its complete lines; say so and count the file as failed. */
		fprintf(stderr, "%s:%" PRIu64 ": read error: %s\n", path, lineno,
			zerr == Z_ERRNO ? strerror(errno) : msg);
		ok = false;
	}
	return ok;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool read_dir(const char *path, report_event_fn fn, void *ctx, struct report_read_stats *st)
{
	DIR *d = opendir(path);
	if (d == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		st->files_failed++;
		return false;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	bool ok = true;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (nn == NULL) {
				ok = false;
				break;
			}
			names = nn;
		}
		size_t pl = strlen(path) + strlen(de->d_name) + 2;
		names[n] = malloc(pl);
		if (names[n] == NULL) {
			ok = false;
			break;
		}
		snprintf(names[n], pl, "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (names != NULL)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
		    !report_read_path(names[i], fn, ctx, st))
			ok = false;
		free(names[i]);
	}
	free(names);
	return ok;
}

bool report_read_path(const char *path, report_event_fn fn, void *ctx, struct report_read_stats *st)
{
	struct stat sb;
	bool is_stdin = strcmp(path, "-") == 0;
	if (!is_stdin && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return read_dir(path, fn, ctx, st);
	gzFile f = is_stdin ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, errno != 0 ? strerror(errno) : "cannot open");
		st->files_failed++;
		return false;
	}
	gzbuffer(f, 1 << 17);
	bool ok = read_stream(f, is_stdin ? "(stdin)" : path, fn, ctx, st);
	gzclose(f);
	if (ok)
		st->files_read++;
	else
		st->files_failed++;
	return ok;
}
