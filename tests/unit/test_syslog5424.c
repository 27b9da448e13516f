/* test_syslog5424.c: events as RFC 5424 messages: a golden message, the
 * header fields (PRI by action, NILVALUEs, PRINTUSASCII), SD-PARAM
 * escaping of '"', '\' and ']' for a hostile name, the MSG being exactly
 * the JSON event (valid JSON, no BOM unless asked), and the snprintf
 * truncation contract at every buffer size.
 *
 * With `--send SOCKET` it instead sends the messages of send_events()
 * to a unix datagram socket, one per datagram, for
 * tests/cli/report-syslog.sh, whose receiver checks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "syslog5424.h"

#define TS_EXAMPLE (INT64_C(1796022585) * 1000000 + 123456)  /* 2026-11-30T07:09:45.123456Z */

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

static struct ip_addr ip(const char *s)
{
	struct cidr c;
	if (!cidr_parse(s, &c))
		abort();
	return c.addr;
}

/* chatgpt.com (shared, block) and a hostile exact name (consumer). */
static struct policy *make_policy(void)
{
	struct list *l = list_new();
	struct list_service svc;
	const struct list_entry *dup;
	memset(&svc, 0, sizeof svc);
	svc.id = dup_str("chatgpt");
	svc.vendor = dup_str("OpenAI");
	if (l == NULL || list_add_service(l, &svc, NULL) != 0)
		abort();
	memset(&svc, 0, sizeof svc);
	svc.id = dup_str("odd");
	svc.vendor = dup_str("Odd \"] Corp");
	if (list_add_service(l, &svc, NULL) != 1 ||
	    list_add_entry(l, 0, "chatgpt.com", false, TERMS_SHARED, 1, &dup) != 0 ||
	    list_add_entry(l, 1, "odd.example", false, TERMS_CONSUMER, 2, &dup) != 0)
		abort();
	list_set_serial(l, 2026113001);
	list_finish(l);
	struct policy *p = policy_new(l);
	if (p == NULL)
		abort();
	return p;
}

static void base_event(struct event *ev, const struct decision *d, const char *name, size_t len)
{
	memset(ev, 0, sizeof *ev);
	ev->ts_us = TS_EXAMPLE;
	ev->sensor = "gw1";
	ev->src = ip("192.0.2.10");
	ev->dst = ip("198.51.100.7");
	ev->src_port = 53124;
	ev->dst_port = 443;
	ev->l4_proto = 6;
	ev->app_proto = APP_TLS;
	ev->name = name;
	ev->name_len = len;
	ev->has_name = true;
	ev->decision = d;
	ev->verdict = VERDICT_RESET;
	ev->mode = MODE_ENFORCE;
	ev->list_serial = 2026113001;
	ev->pcap_cnt = -1;
	ev->count = 1;
}

/* A name with every character SD-PARAM must escape, a control byte and
 * a byte that is not UTF-8, below the hostile listed suffix. */
static const char hostile[] = "a\"b]c\\d\x01\xff.odd.example";

static void test_golden(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	struct event ev;
	policy_decide(p, NULL, "chatgpt.com", 11, TS_EXAMPLE / 1000000, &d);
	base_event(&ev, &d, "chatgpt.com", 11);

	struct syslog5424_header h = { SYSLOG5424_FAC_LOCAL0, "gw1.example", NULL, 4242, false, NULL };
	char buf[4096];
	size_t n = syslog5424_format(&ev, &h, buf, sizeof buf);
	const char *want =
		"<132>1 2026-11-30T07:09:45.123456Z gw1.example aigated 4242 event "
		"[aigate@32473 name=\"chatgpt.com\" action=\"block\" verdict=\"reset\" "
		"service=\"chatgpt\" terms=\"shared\" reason=\"terms\" app_proto=\"tls\" "
		"src_ip=\"192.0.2.10\"] "
		"{\"v\":1,\"timestamp\":\"2026-11-30T07:09:45.123456Z\",\"sensor\":\"gw1\","
		"\"src_ip\":\"192.0.2.10\",\"src_port\":53124,\"dest_ip\":\"198.51.100.7\",\"dest_port\":443,"
		"\"proto\":\"TCP\",\"app_proto\":\"tls\",\"name\":\"chatgpt.com\","
		"\"service\":\"chatgpt\",\"vendor\":\"OpenAI\",\"terms\":\"shared\","
		"\"action\":\"block\",\"verdict\":\"reset\",\"reason\":\"terms\",\"mode\":\"enforce\","
		"\"zone\":null,\"contract\":null,\"list_serial\":2026113001,\"flags\":[]}";
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	policy_free(p);
}

static void test_header_defaults(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	struct event ev;
	char buf[4096];
	/* Unlisted and allowed: severity 6 under daemon (3): <30>; the
	 * sensor is the host name; no procid; service and terms absent. */
	policy_decide(p, NULL, "example.org", 11, 0, &d);
	base_event(&ev, &d, "example.org", 11);
	ev.verdict = VERDICT_ACCEPT;
	ev.src = ip("2001:db8::10");
	syslog5424_format(&ev, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "<30>1 2026-11-30T07:09:45.123456Z gw1 aigated - event "
				    "[aigate@32473 name=\"example.org\" action=\"allow\" verdict=\"accept\" "
				    "reason=\"unlisted\" app_proto=\"tls\" src_ip=\"2001:db8::10\"] {"));
	assert_int_equal(syslog5424_severity(&ev), 6);
	/* No sensor and an empty host name: "-"; a host name with a space
	 * and a non-ASCII byte: '_'; an out-of-range facility: daemon. */
	ev.sensor = NULL;
	struct syslog5424_header h = { 99, "", "", 0, false, NULL };
	syslog5424_format(&ev, &h, buf, sizeof buf);
	assert_non_null(strstr(buf, "<30>1 2026-11-30T07:09:45.123456Z - aigated - event ["));
	h.src_ip_text = "p-sob7b6jzbdj3wd4u";
	syslog5424_format(&ev, &h, buf, sizeof buf);
	assert_non_null(strstr(buf, " src_ip=\"p-sob7b6jzbdj3wd4u\"] {"));
	h.src_ip_text = NULL;
	h.hostname = "gw 1\xc3";
	h.app_name = "x";
	syslog5424_format(&ev, &h, buf, sizeof buf);
	assert_non_null(strstr(buf, " gw_1_ x - event ["));
	/* No name (ClientHello without SNI): the name param is left out. */
	ev.has_name = false;
	syslog5424_format(&ev, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "event [aigate@32473 action=\"allow\""));
	policy_free(p);
}

static void test_hostile_name_escaped(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	struct event ev;
	char buf[4096];
	size_t len = sizeof hostile - 1;
	policy_decide(p, NULL, hostile, len, 0, &d);
	assert_non_null(d.match.service);
	base_event(&ev, &d, hostile, len);
	ev.dns_id = 1;
	size_t n = syslog5424_format(&ev, NULL, buf, sizeof buf);
	assert_true(n < sizeof buf);
	/* s6.3.3: '"' -> \", ']' -> \], '\' -> \\; the name's own \xNN text
	 * (from the control byte and 0xff) has its backslash escaped too. */
	assert_non_null(strstr(buf, " name=\"a\\\"b\\]c\\\\x5cd\\\\x01\\\\xff.odd.example\" action=\"block\""));
	assert_int_equal(syslog5424_severity(&ev), 4);
	/* The SD element closes at the first unescaped ']'. */
	const char *sd = strstr(buf, "[aigate@32473");
	assert_non_null(sd);
	const char *q = sd + 1;
	while (*q != '\0' && !(*q == ']' && q[-1] != '\\'))
		q++;
	assert_string_equal(q, buf + (strstr(buf, "] {\"v\":1") - buf));
	/* Plain ASCII throughout. */
	for (size_t i = 0; i < n; i++)
		assert_true((unsigned char)buf[i] >= 0x20 && (unsigned char)buf[i] < 0x7f);
	policy_free(p);
}

static void test_msg_is_the_json_event(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	struct event ev;
	char buf[4096], json[4096];
	policy_decide(p, NULL, hostile, sizeof hostile - 1, 0, &d);
	base_event(&ev, &d, hostile, sizeof hostile - 1);
	ev.count = 5;
	size_t n = syslog5424_format(&ev, NULL, buf, sizeof buf);
	size_t jn = event_format_json(&ev, json, sizeof json);
	json[jn - 1] = '\0';
	const char *msg = strstr(buf, "] {");
	assert_non_null(msg);
	msg += 2;
	assert_string_equal(msg, json);
	assert_int_equal(n, (size_t)(msg - buf) + jn - 1);
	json_error_t err;
	json_t *j = json_loads(msg, 0, &err);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 5);
	json_decref(j);
	/* With a BOM: exactly three bytes more, right before the '{'. */
	struct syslog5424_header h = { SYSLOG5424_FAC_DAEMON, NULL, NULL, 0, true, NULL };
	size_t nb = syslog5424_format(&ev, &h, buf, sizeof buf);
	assert_int_equal(nb, n + 3);
	assert_non_null(strstr(buf, "] \xef\xbb\xbf{\"v\":1"));
	policy_free(p);
}

static void test_truncation(void **state)
{
	(void)state;
	struct policy *p = make_policy();
	struct decision d;
	struct event ev;
	char full[4096], buf[4096];
	policy_decide(p, NULL, hostile, sizeof hostile - 1, 0, &d);
	base_event(&ev, &d, hostile, sizeof hostile - 1);
	size_t n = syslog5424_format(&ev, NULL, full, sizeof full);
	assert_int_equal(syslog5424_format(&ev, NULL, NULL, 0), n);
	for (size_t cap = 1; cap <= n + 1; cap++) {
		memset(buf, 'Z', sizeof buf);
		size_t m = syslog5424_format(&ev, NULL, buf, cap);
		assert_int_equal(m, n);
		assert_int_equal(strlen(buf), cap - 1 < n ? cap - 1 : n);
		assert_memory_equal(buf, full, strlen(buf));
		assert_int_equal(buf[cap], 'Z');
	}
	policy_free(p);
}

/* --send SOCKET: the messages tests/cli/report-syslog.sh expects, in
 * this order: chatgpt.com blocked, the hostile name blocked, an unlisted
 * name from IPv6 allowed. */
static int send_events(const char *path)
{
	struct policy *p = make_policy();
	struct decision d[3];
	struct event ev[3];
	policy_decide(p, NULL, "chatgpt.com", 11, 0, &d[0]);
	base_event(&ev[0], &d[0], "chatgpt.com", 11);
	policy_decide(p, NULL, hostile, sizeof hostile - 1, 0, &d[1]);
	base_event(&ev[1], &d[1], hostile, sizeof hostile - 1);
	ev[1].count = 3;
	policy_decide(p, NULL, "example.org", 11, 0, &d[2]);
	base_event(&ev[2], &d[2], "example.org", 11);
	ev[2].verdict = VERDICT_ACCEPT;
	ev[2].src = ip("2001:db8::10");
	ev[2].app_proto = APP_DNS;
	ev[2].l4_proto = 17;

	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (fd < 0 || strlen(path) >= sizeof sa.sun_path) {
		perror("socket");
		return 1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror(path);
		return 1;
	}
	struct syslog5424_header h = { SYSLOG5424_FAC_LOCAL0, NULL, NULL, (long)getpid(), false, NULL };
	for (unsigned i = 0; i < 3; i++) {
		char buf[4096];
		size_t n = syslog5424_format(&ev[i], &h, buf, sizeof buf);
		if (n >= sizeof buf || send(fd, buf, n, 0) != (ssize_t)n) {
			perror("send");
			return 1;
		}
	}
	close(fd);
	policy_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--send") == 0)
		return send_events(argv[2]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_header_defaults),
		cmocka_unit_test(test_hostile_name_escaped),
		cmocka_unit_test(test_msg_is_the_json_event),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
