/* test_event.c: event schema v1 (DESIGN.md s3): golden lines for a TLS
 * and a DNS event, escaping of hostile names and strings, the snprintf
 * truncation contract, the time format, and that every line is valid
 * JSON (parsed back with jansson). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "event.h"

#define TS_EXAMPLE (INT64_C(1796022585) * 1000000 + 123456)  /* 2026-11-30T07:09:45.123456Z */

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static struct ip_addr ip(const char *s)
{
	struct cidr c;
	if (!cidr_parse(s, &c))
		fail_msg("bad address %s", s);
	return c.addr;
}

/* A policy with chatgpt (shared, OpenAI) on its list. */
static struct policy *make_policy(void)
{
	struct list *l = list_new();
	assert_non_null(l);
	struct list_service svc;
	memset(&svc, 0, sizeof svc);
	svc.id = dup_str("chatgpt");
	svc.vendor = dup_str("OpenAI");
	assert_int_equal(list_add_service(l, &svc, NULL), 0);
	memset(&svc, 0, sizeof svc);
	svc.id = dup_str("odd");
	svc.vendor = dup_str("Q\"uote \\ Corp\x01 \xc3\xa9\xff");
	assert_int_equal(list_add_service(l, &svc, NULL), 1);
	const struct list_entry *dup;
	assert_int_equal(list_add_entry(l, 0, "chatgpt.com", false, TERMS_SHARED, 1, &dup), 0);
	assert_int_equal(list_add_entry(l, 1, "odd.example", true, TERMS_CONSUMER, 2, &dup), 0);
	list_set_serial(l, 2026113001);
	assert_true(list_finish(l));
	struct policy *p = policy_new(l);
	assert_non_null(p);
	return p;
}

static void check_json(const char *line, size_t len)
{
	assert_true(len > 0);
	assert_int_equal(line[len - 1], '\n');
	assert_null(memchr(line, '\n', len - 1));
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] >= 0x80 || ((unsigned char)line[i] < 0x20 && i != len - 1))
			fail_msg("byte 0x%02x at %zu is not plain ASCII", (unsigned char)line[i], i);
	json_error_t err;
	json_t *j = json_loadb(line, len, 0, &err);
	if (j == NULL)
		fail_msg("invalid JSON (%s at %d): %s", err.text, err.position, line);
	json_decref(j);
}

static void test_golden_tls(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	policy_decide(p, NULL, "chatgpt.com", 11, TS_EXAMPLE / 1000000, &d);

	struct event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts_us = TS_EXAMPLE;
	ev.sensor = "gw1";
	ev.src = ip("192.0.2.10");
	ev.dst = ip("198.51.100.7");
	ev.src_port = 53124;
	ev.dst_port = 443;
	ev.l4_proto = 6;
	ev.app_proto = APP_TLS;
	ev.name = "chatgpt.com";
	ev.name_len = 11;
	ev.has_name = true;
	ev.decision = &d;
	ev.verdict = VERDICT_RESET;
	ev.mode = MODE_ENFORCE;
	ev.list_serial = list_serial(p->list);
	ev.flags = FLAG_ECH;
	ev.pcap_cnt = -1;
	ev.count = 1;

	char buf[2048];
	size_t n = event_format_json(&ev, buf, sizeof buf);
	const char *want =
		"{\"v\":1,\"timestamp\":\"2026-11-30T07:09:45.123456Z\",\"sensor\":\"gw1\","
		"\"src_ip\":\"192.0.2.10\",\"src_port\":53124,\"dest_ip\":\"198.51.100.7\",\"dest_port\":443,"
		"\"proto\":\"TCP\",\"app_proto\":\"tls\",\"name\":\"chatgpt.com\","
		"\"service\":\"chatgpt\",\"vendor\":\"OpenAI\",\"terms\":\"shared\","
		"\"action\":\"block\",\"verdict\":\"reset\",\"reason\":\"terms\",\"mode\":\"enforce\","
		"\"zone\":null,\"contract\":null,\"list_serial\":2026113001,\"flags\":[\"ech\"]}\n";
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	check_json(buf, n);

	/* No SNI: "name":null; no sensor: the key is left out; a zone and a
	 * contract are named; other protocols print their number. */
	struct zone z = { .name = dup_str("sandbox"), .action = ACTION_LOG };
	struct contract c = { .id = dup_str("openai-2025") };
	d.zone = &z;
	d.contract = &c;
	ev.has_name = false;
	ev.sensor = NULL;
	ev.flags = FLAG_NO_SNI | FLAG_ECH | FLAG_ECH_FRONT;
	ev.l4_proto = 132;
	n = event_format_json(&ev, buf, sizeof buf);
	check_json(buf, n);
	assert_null(strstr(buf, "\"sensor\""));
	assert_non_null(strstr(buf, "\"timestamp\":\"2026-11-30T07:09:45.123456Z\",\"src_ip\""));
	assert_non_null(strstr(buf, "\"proto\":\"132\""));
	assert_non_null(strstr(buf, "\"name\":null,"));
	assert_non_null(strstr(buf, "\"zone\":\"sandbox\",\"contract\":\"openai-2025\""));
	assert_non_null(strstr(buf, "\"flags\":[\"ech\",\"no_sni\",\"ech_front\"]}\n"));
	free(z.name);
	free(c.id);
	policy_free(p);
}

static void test_golden_dns(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	policy_decide(p, NULL, "example.org", 11, 0, &d);

	struct event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts_us = 1;
	ev.src = ip("2001:db8::10");
	ev.dst = ip("2001:db8::53");
	ev.src_port = 5353;
	ev.dst_port = 53;
	ev.l4_proto = 17;
	ev.app_proto = APP_DNS;
	ev.name = "example.org";
	ev.name_len = 11;
	ev.has_name = true;
	ev.decision = &d;
	ev.verdict = VERDICT_ACCEPT;
	ev.mode = MODE_MONITOR;
	ev.list_serial = 0;
	ev.flags = FLAG_MULTI_QUESTION | FLAG_NAME_ODD_CHARS;
	ev.has_dns = true;
	ev.dns_id = 0x1234;
	ev.dns_qtype = 65;
	ev.pcap_cnt = 7;
	ev.count = 3;

	char buf[2048];
	size_t n = event_format_json(&ev, buf, sizeof buf);
	const char *want =
		"{\"v\":1,\"timestamp\":\"1970-01-01T00:00:00.000001Z\","
		"\"src_ip\":\"2001:db8::10\",\"src_port\":5353,\"dest_ip\":\"2001:db8::53\",\"dest_port\":53,"
		"\"proto\":\"UDP\",\"app_proto\":\"dns\",\"name\":\"example.org\","
		"\"service\":null,\"vendor\":null,\"terms\":null,"
		"\"action\":\"allow\",\"verdict\":\"accept\",\"reason\":\"unlisted\",\"mode\":\"monitor\","
		"\"zone\":null,\"contract\":null,\"list_serial\":0,"
		"\"flags\":[\"name_odd_chars\",\"multi_question\"],"
		"\"dns\":{\"id\":4660,\"rrtype\":\"HTTPS\"},\"pcap_cnt\":7,\"count\":3}\n";
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	check_json(buf, n);

	/* A type without a mnemonic; pcap_cnt 0 is printed, count 1 is not. */
	ev.dns_qtype = 65280;
	ev.pcap_cnt = 0;
	ev.count = 1;
	ev.flags = 0;
	n = event_format_json(&ev, buf, sizeof buf);
	check_json(buf, n);
	assert_non_null(strstr(buf, "\"flags\":[],\"dns\":{\"id\":4660,\"rrtype\":\"TYPE65280\"},"
				    "\"pcap_cnt\":0}\n"));
	policy_free(p);
}

static void test_hostile_name(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	policy_decide(p, NULL, "odd.example", 11, 0, &d);

	const char raw[] = "a\"b\\c\n\0\xff \xc3\xa9z\x7f";
	struct event ev;
	memset(&ev, 0, sizeof ev);
	ev.sensor = "gw\"1\\\x02\xe2\x82";
	ev.src = ip("192.0.2.1");
	ev.dst = ip("192.0.2.2");
	ev.l4_proto = 17;
	ev.app_proto = APP_QUIC;
	ev.name = raw;
	ev.name_len = sizeof raw - 1;
	ev.has_name = true;
	ev.decision = &d;
	ev.pcap_cnt = -1;

	char buf[2048];
	size_t n = event_format_json(&ev, buf, sizeof buf);
	check_json(buf, n);
	assert_non_null(strstr(buf, "\"name\":\"a\\\"b\\\\x5cc\\\\x0a\\\\x00\\\\xff\\\\x20"
				    "\\\\xc3\\\\xa9z\\\\x7f\","));
	assert_non_null(strstr(buf, "\"sensor\":\"gw\\\"1\\\\\\u0002\\ufffd\\ufffd\","));
	assert_non_null(strstr(buf, "\"vendor\":\"Q\\\"uote \\\\ Corp\\u0001 \\u00e9\\ufffd\""));

	/* What a reader gets back: the name as text with \xNN for every byte
	 * outside printable ASCII, so the raw bytes are recoverable. */
	json_error_t err;
	json_t *j = json_loadb(buf, n, 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")),
			    "a\"b\\x5cc\\x0a\\x00\\xff\\x20\\xc3\\xa9z\\x7f");
	assert_string_equal(json_string_value(json_object_get(j, "sensor")),
			    "gw\"1\\\x02\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(j, "app_proto")), "quic");
	assert_string_equal(json_string_value(json_object_get(j, "terms")), "consumer");
	assert_string_equal(json_string_value(json_object_get(j, "vendor")),
			    "Q\"uote \\ Corp\x01 \xc3\xa9\xef\xbf\xbd");
	json_decref(j);
	policy_free(p);
}

struct str_case {
	const char *in;
	size_t len;
	const char *out;
};

static void test_json_write_string(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "q\"b\\s/", 6, "\"q\\\"b\\\\s/\"" },
		{ "\x01\n\t\x1f\x7f", 5, "\"\\u0001\\u000a\\u0009\\u001f\\u007f\"" },
		{ "n\0l", 3, "\"n\\u0000l\"" },
		/* valid UTF-8 comes out as \u escapes: the line stays ASCII */
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", 9, "\"\\u00e9\\u20ac\\ud834\\udd1e\"" },
		{ "\xf4\x8f\xbf\xbf\xef\xbf\xbf", 7, "\"\\udbff\\udfff\\uffff\"" },
		{ "\xff", 1, "\"\\ufffd\"" },
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },              /* overlong '/' */
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },    /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
		{ "\xe2\x82", 2, "\"\\ufffd\\ufffd\"" },              /* cut short */
		{ "a\xc3", 2, "\"a\\ufffd\"" },
		{ "\x80z", 2, "\"\\ufffdz\"" },
	};
	char buf[128];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = json_write_string(cases[i].in, cases[i].len, buf, sizeof buf);
		if (strcmp(buf, cases[i].out) != 0 || n != strlen(cases[i].out))
			fail_msg("case %zu: got %s want %s", i, buf, cases[i].out);
		json_error_t err;
		json_t *j = json_loadb(buf, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (j == NULL)
			fail_msg("case %zu: invalid JSON %s", i, buf);
		json_decref(j);
	}
}

/* snprintf contract: the needed length always, a NUL-terminated prefix
 * of the full line in whatever fits, never a byte past cap. */
static void test_truncation(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	policy_decide(p, NULL, "chatgpt.com", 11, 0, &d);
	struct event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts_us = TS_EXAMPLE;
	ev.sensor = "gw1";
	ev.src = ip("192.0.2.10");
	ev.dst = ip("2001:db8::1");
	ev.l4_proto = 6;
	ev.app_proto = APP_DNS;
	ev.name = "a\\b\x01.chatgpt.com";
	ev.name_len = strlen(ev.name);
	ev.has_name = true;
	ev.decision = &d;
	ev.flags = FLAG_ECH | FLAG_REASSEMBLED;
	ev.has_dns = true;
	ev.dns_qtype = 1;
	ev.pcap_cnt = 12;
	ev.count = 9;

	char full[2048];
	size_t n = event_format_json(&ev, full, sizeof full);
	assert_true(n < sizeof full);
	check_json(full, n);
	assert_int_equal(event_format_json(&ev, NULL, 0), n);
	for (size_t cap = 1; cap <= n + 2; cap++) {
		char *buf = malloc(cap);  /* exact size: ASan catches any overrun */
		assert_non_null(buf);
		size_t got = event_format_json(&ev, buf, cap);
		assert_int_equal(got, n);
		size_t kept = cap > n ? n : cap - 1;
		assert_int_equal(strlen(buf), kept);
		assert_memory_equal(buf, full, kept);
		free(buf);
	}
	for (size_t cap = 0; cap < 12; cap++) {
		char buf[16];
		memset(buf, 'X', sizeof buf);
		assert_int_equal(json_write_string("a\"\xff", 3, cap ? buf : NULL, cap),
				 strlen("\"a\\\"\\ufffd\""));
		if (cap > 0) {
			assert_int_equal(strlen(buf), cap - 1);
			assert_memory_equal(buf, "\"a\\\"\\ufffd\"", cap - 1);
			assert_int_equal(buf[cap], 'X');
		}
	}
	policy_free(p);
}

static void test_time(void **state)
{
	(void)state;
	static const struct {
		int64_t us;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ 1, "1970-01-01T00:00:00.000001Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ TS_EXAMPLE, "2026-11-30T07:09:45.123456Z" },
		{ INT64_C(951782400) * 1000000, "2000-02-29T00:00:00.000000Z" },
		{ INT64_C(4107542399) * 1000000 + 999999, "2100-02-28T23:59:59.999999Z" },
		{ INT64_C(4107542400) * 1000000, "2100-03-01T00:00:00.000000Z" },
		{ INT64_C(253402300799) * 1000000 + 999999, "9999-12-31T23:59:59.999999Z" },
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		event_format_time(cases[i].us, buf, sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
	event_format_time(0, buf, 28);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
	event_format_time(0, buf, 11);
	assert_string_equal(buf, "1970-01-01");

	/* Against the C library over a spread of seconds (1900..2200). */
	uint64_t x = 88172645463325252u;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		int64_t secs = (int64_t)(x % UINT64_C(9467280000)) - INT64_C(2208988800);
		time_t t = (time_t)secs;
		struct tm tm;
		assert_non_null(gmtime_r(&t, &tm));
		char want[64];
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		strcat(want, ".000042Z");
		event_format_time(secs * 1000000 + 42, buf, sizeof buf);
		if (strcmp(buf, want) != 0)
			fail_msg("%lld: got %s want %s", (long long)secs, buf, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_tls),
		cmocka_unit_test(test_golden_dns),
		cmocka_unit_test(test_hostile_name),
		cmocka_unit_test(test_json_write_string),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
