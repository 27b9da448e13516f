/* cmd_report.c: `aigatectl report`: summaries of event logs for
 * security teams, as text, JSON or one self-contained HTML page.
 *
 * The logs are streamed (report_read), aggregated into bounded tables
 * (report_agg, report_table) and rendered (report_text, report_html).
 * A corrupt line is reported with its file and line number and
 * skipped; the exit status is 0 unless no input could be read. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "ctl_common.h"
#include "report_agg.h"
#include "report_read.h"
#include "report_write.h"

static const char report_usage[] =
	"usage: aigatectl report [--since DATE] [--until DATE] [--format text|json|html]\n"
	"                        [-o FILE] [--html FILE] [--list FILE|DIR] [--top N] LOG...\n"
	"\n"
	"Summarise event logs (JSON lines, schema v1; rotated and .gz files too; a\n"
	"directory means its files; - is standard input): totals per action and\n"
	"verdict, services and vendors with jurisdiction and EU share, terms classes,\n"
	"top clients by blocked attempts, a timeline, sandbox zones, contracts, list\n"
	"serials, and unlisted AI-looking names to review.\n"
	"\n"
	"  --since, --until DATE   YYYY-MM-DD (until: through the end of that day) or\n"
	"                          YYYY-MM-DDTHH:MM[:SS][Z] (UTC; until inclusive)\n"
	"  --format FMT            text (default), json or html\n"
	"  -o FILE                 write there instead of standard output\n"
	"  --html FILE             the same as --format html -o FILE\n"
	"  --list FILE|DIR         vendor facts from this list (default: the installed\n"
	"                          list if readable, else the events' own fields)\n"
	"  --top N                 rows in top lists (default 20)\n";

enum fmt { FMT_TEXT, FMT_JSON, FMT_HTML };

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "aigatectl report: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", report_usage);
	return 2;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { INT64_MIN, INT64_MAX, NULL, NULL, 20, 10000 };
	enum fmt fmt = FMT_TEXT;
	const char *out_path = NULL, *list_path = NULL;
	char **logs = calloc((size_t)argc, sizeof *logs);
	int n_logs = 0;
	bool opts_done = false;
	int rc = 1;
	struct list *list = NULL;

	if (logs == NULL)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		if (opts_done || a[0] != '-' || strcmp(a, "-") == 0) {
			logs[n_logs++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(report_usage, stdout);
			free(logs);
			return 0;
		} else if ((v = ctl_opt_value("--since", argc, argv, &i, &missing)) != NULL ||
			   (v = ctl_opt_value("--until", argc, argv, &i, &missing)) != NULL) {
			bool until = strncmp(a, "--until", 7) == 0, date_only;
			int64_t t;
			if (!report_parse_time(v, true, &t, &date_only)) {
				free(logs);
				return usage_error("not a date or time: '%s'", v);
			}
			if (until)
				o.until_us = date_only ? t + INT64_C(86400) * 1000000 - 1 : t;
			else
				o.since_us = t;
		} else if ((v = ctl_opt_value("--format", argc, argv, &i, &missing)) != NULL) {
			if (strcmp(v, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(v, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(v, "html") == 0)
				fmt = FMT_HTML;
			else {
				free(logs);
				return usage_error("unknown format '%s' (text, json or html)", v);
			}
		} else if ((v = ctl_opt_value("-o", argc, argv, &i, &missing)) != NULL ||
			   (v = ctl_opt_value("--output", argc, argv, &i, &missing)) != NULL) {
			out_path = v;
		} else if ((v = ctl_opt_value("--html", argc, argv, &i, &missing)) != NULL) {
			out_path = v;
			fmt = FMT_HTML;
		} else if ((v = ctl_opt_value("--list", argc, argv, &i, &missing)) != NULL) {
			list_path = v;
		} else if ((v = ctl_opt_value("--top", argc, argv, &i, &missing)) != NULL) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end != '\0' || n < 1 || n > 100000) {
				free(logs);
				return usage_error("--top needs a number from 1 to 100000, not '%s'", v);
			}
			o.top_n = (size_t)n;
		} else {
			free(logs);
			if (missing)
				return usage_error("%s needs a value", a);
			return usage_error("unknown option '%s'", a);
		}
		if (missing) {
			free(logs);
			return usage_error("%s needs a value", a);
		}
	}
	if (n_logs == 0) {
		free(logs);
		return usage_error("%s", "no log files given");
	}
	if (o.since_us > o.until_us) {
		free(logs);
		return usage_error("%s", "--since is after --until");
	}

	/* Vendor facts: the list given, else the installed one if readable. */
	if (list_path == NULL && access(AIGATE_LIST_PATH, R_OK) == 0)
		list_path = AIGATE_LIST_PATH;
	if (list_path != NULL) {
		struct diag d;
		diag_init_stderr(&d);
		list = config_load_list(list_path, &d);
		if (list == NULL) {
			ctl_errorx("report", "could not load the list %s", list_path);
			free(logs);
			return 1;
		}
		o.list = list;
		o.list_source = list_path;
	}

	struct report_agg *agg = report_agg_new(&o);
	struct report_read_stats st;
	memset(&st, 0, sizeof st);
	if (agg == NULL) {
		ctl_errorx("report", "out of memory");
		goto out;
	}
	for (int i = 0; i < n_logs; i++)
		report_read_path(logs[i], report_agg_add, agg, &st);
	if (st.corrupt > REPORT_MAX_CORRUPT_MESSAGES)
		fprintf(stderr, "aigatectl report: %llu corrupt lines skipped in all (the first %d shown)\n",
			(unsigned long long)st.corrupt, REPORT_MAX_CORRUPT_MESSAGES);
	if (st.files_read == 0) {
		ctl_errorx("report", "no log could be read");
		goto out;
	}
	json_t *model = report_agg_result(agg, &st, logs, n_logs);
	if (model == NULL) {
		ctl_errorx("report", "out of memory");
		goto out;
	}
	FILE *f = stdout;
	if (out_path != NULL && strcmp(out_path, "-") != 0 && (f = fopen(out_path, "w")) == NULL) {
		ctl_errorx("report", "%s: %s", out_path, strerror(errno));
		json_decref(model);
		goto out;
	}
	bool ok = fmt == FMT_HTML ? report_write_html(f, model)
		: fmt == FMT_JSON ? report_write_json(f, model) : report_write_text(f, model);
	if (f != stdout) {
		if (fclose(f) != 0)
			ok = false;
	} else if (fflush(f) != 0) {
		ok = false;
	}
	if (!ok)
		ctl_errorx("report", "writing %s failed: %s", out_path ? out_path : "the report", strerror(errno));
	json_decref(model);
	rc = ok ? 0 : 1;
out:
	report_agg_free(agg);
	list_free(list);
	free(logs);
	return rc;
}
