/* test_prometheus.c: the Prometheus text exposition of the daemon's
 * counters: every metric has exactly one HELP and one TYPE line before
 * its samples, counters end in _total, label values are escaped, the
 * samples carry the values given (per queue, per verdict, per protocol
 * and action), every line has the grammar of the text format, and the
 * snprintf truncation contract holds. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prometheus.h"

static struct prom_queue queues[2];

static void fill(struct prom_counters *c)
{
	memset(c, 0, sizeof *c);
	memset(queues, 0, sizeof queues);
	queues[0].queue = 0;
	queues[0].packets = 1000;
	queues[0].verdicts[PROM_VERDICT_ACCEPT] = 900;
	queues[0].verdicts[PROM_VERDICT_BLOCK] = 60;
	queues[0].verdicts[PROM_VERDICT_ALLOW] = 40;
	queues[0].enobufs = 2;
	queues[0].missed = 7;
	queues[0].flows_active = 33;
	queues[0].malformed[PROM_PARSER_TLS] = 4;
	queues[1].queue = 1;
	queues[1].packets = 5;
	c->queues = queues;
	c->n_queues = 2;
	c->names[APP_DNS][ACTION_BLOCK] = 12;
	c->names[APP_TLS][ACTION_ALLOW] = 30;
	c->names[APP_QUIC][ACTION_LOG] = 1;
	c->events_written = 99;
	c->reloads_ok = 3;
	c->reloads_failed = 1;
	c->have_not_queued = true;
	c->not_queued = 22;
	c->list_serial = 2026113001;
	c->start_time_s = 1796022585;
	c->mode = MODE_MONITOR;
	c->version = "0.1.0";
	c->sensor = "gw\"1\\\n";
}

static char *format(const struct prom_counters *c)
{
	size_t n = prom_format(c, NULL, 0);
	char *buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(prom_format(c, buf, n + 1), n);
	assert_int_equal(strlen(buf), n);
	return buf;
}

static void expect_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("line not found: %s", line);
}

static void test_samples(void **state)
{
	(void)state;
	struct prom_counters c;
	fill(&c);
	char *t = format(&c);
	expect_line(t, "aigate_packets_total{queue=\"0\"} 1000");
	expect_line(t, "aigate_packets_total{queue=\"1\"} 5");
	expect_line(t, "aigate_verdicts_total{queue=\"0\",verdict=\"accept\"} 900");
	expect_line(t, "aigate_verdicts_total{queue=\"0\",verdict=\"block\"} 60");
	expect_line(t, "aigate_verdicts_total{queue=\"0\",verdict=\"allow\"} 40");
	expect_line(t, "aigate_verdicts_total{queue=\"1\",verdict=\"drop\"} 0");
	expect_line(t, "aigate_enobufs_total{queue=\"0\"} 2");
	expect_line(t, "aigate_missed_packets_total{queue=\"0\"} 7");
	expect_line(t, "aigate_not_queued_packets_total 22");
	expect_line(t, "aigate_flows_active{queue=\"0\"} 33");
	expect_line(t, "aigate_malformed_total{queue=\"0\",proto=\"tls\"} 4");
	expect_line(t, "aigate_names_total{app_proto=\"dns\",action=\"block\"} 12");
	expect_line(t, "aigate_names_total{app_proto=\"tls\",action=\"allow\"} 30");
	expect_line(t, "aigate_names_total{app_proto=\"quic\",action=\"log\"} 1");
	expect_line(t, "aigate_names_total{app_proto=\"quic\",action=\"block\"} 0");
	expect_line(t, "aigate_events_written_total 99");
	expect_line(t, "aigate_reloads_total{result=\"ok\"} 3");
	expect_line(t, "aigate_reloads_total{result=\"failed\"} 1");
	expect_line(t, "aigate_list_serial 2026113001");
	expect_line(t, "aigate_start_time_seconds 1796022585");
	expect_line(t, "# TYPE aigate_list_serial gauge");
	expect_line(t, "# TYPE aigate_flows_active gauge");
	expect_line(t, "# TYPE aigate_packets_total counter");
	/* Label values escaped: \" \\ \n. */
	expect_line(t, "aigate_info{mode=\"monitor\",version=\"0.1.0\",sensor=\"gw\\\"1\\\\\\n\"} 1");
	/* Never reloaded: the gauge is left out. */
	assert_null(strstr(t, "aigate_last_reload_time_seconds"));
	free(t);
}

/* Every line: a comment "# HELP name text" / "# TYPE name counter|gauge"
 * or a sample "name[{labels}] value"; each metric's HELP then TYPE come
 * once, before its first sample; counter names end in _total. */
static void test_grammar(void **state)
{
	(void)state;
	struct prom_counters c;
	fill(&c);
	char *t = format(&c);
	char seen_type[64][64];
	size_t n_types = 0;
	char last_help[64] = "";
	assert_int_equal(t[strlen(t) - 1], '\n');
	for (char *line = strtok(t, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char name[64], kind[16];
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%63s", name), 1);
			strcpy(last_help, name);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%63s %15s", name, kind), 2);
			assert_string_equal(name, last_help);
			for (size_t i = 0; i < n_types; i++)
				assert_string_not_equal(seen_type[i], name);
			assert_true(n_types < 64);
			strcpy(seen_type[n_types++], name);
			size_t nl = strlen(name);
			if (strcmp(kind, "counter") == 0)
				assert_true(nl > 6 && strcmp(name + nl - 6, "_total") == 0);
			else
				assert_string_equal(kind, "gauge");
			continue;
		}
		size_t i = 0;
		while (isalnum((unsigned char)line[i]) || line[i] == '_')
			i++;
		assert_true(i > 0 && i < sizeof name);
		memcpy(name, line, i);
		name[i] = '\0';
		assert_true(n_types > 0);
		assert_string_equal(seen_type[n_types - 1], name);
		if (line[i] == '{') {
			const char *end = strstr(line + i, "} ");
			assert_non_null(end);
			i = (size_t)(end - line) + 1;
		}
		assert_int_equal(line[i], ' ');
		char *stop;
		strtod(line + i + 1, &stop);
		assert_int_equal(*stop, '\0');
		assert_true(stop > line + i + 1);
	}
	assert_true(n_types >= 20);
	free(t);
}

static void test_truncation_and_empty(void **state)
{
	(void)state;
	struct prom_counters c;
	fill(&c);
	char *full = format(&c);
	size_t n = strlen(full);
	char *buf = malloc(n + 2);
	assert_non_null(buf);
	for (size_t cap = 1; cap <= n + 1; cap += 37) {
		assert_int_equal(prom_format(&c, buf, cap), n);
		assert_int_equal(strlen(buf), cap - 1);
		assert_memory_equal(buf, full, cap - 1);
	}
	free(buf);
	free(full);
	/* No queues: metadata still there, no per-queue samples. */
	memset(&c, 0, sizeof c);
	char *t = format(&c);
	assert_non_null(strstr(t, "# TYPE aigate_packets_total counter\n"));
	assert_null(strstr(t, "queue=\""));
	expect_line(t, "aigate_info{mode=\"enforce\"} 1");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_truncation_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
