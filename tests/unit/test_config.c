/* test_config.c: the configuration, list and contract loaders
 * (daemon/config.c).
 *
 * The shipped rules/list.conf and etc/aigate.conf must load cleanly and
 * agree with the built-in defaults.  Every broken fixture in
 * tests/data/config/ marks its offending line with "# ERROR" (and, for
 * errors that name an earlier line, that line with "# FIRST"); the tests
 * check that loading fails with NULL and that an error is reported at
 * exactly that file:line.  Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "core/ip.h"
#include "core/list.h"
#include "core/policy.h"

#define DATA "tests/data/config/"

/* ------------------------------------------------------------------ */
/* Capturing diagnostics                                               */

struct msg {
	char severity[16];
	char file[256];
	unsigned line;
	char text[768];
};

struct capture {
	struct msg m[64];
	size_t n;
};

static void capture_emit(void *ctx, const char *severity, const char *file,
			 unsigned line, const char *text)
{
	struct capture *c = ctx;
	if (c->n >= sizeof c->m / sizeof c->m[0])
		return;
	struct msg *m = &c->m[c->n++];
	snprintf(m->severity, sizeof m->severity, "%s", severity);
	snprintf(m->file, sizeof m->file, "%s", file ? file : "");
	m->line = line;
	snprintf(m->text, sizeof m->text, "%s", text);
}

static void capture_init(struct diag *d, struct capture *c)
{
	memset(c, 0, sizeof *c);
	memset(d, 0, sizeof *d);
	d->emit = capture_emit;
	d->ctx = c;
}

static void capture_print(const struct capture *c)
{
	for (size_t i = 0; i < c->n; i++)
		print_message("  %s:%u: %s: %s\n", c->m[i].file, c->m[i].line,
			      c->m[i].severity, c->m[i].text);
}

/* The 1-based line of `path` that contains `marker`; 0 when none. */
static unsigned marker_line(const char *path, const char *marker)
{
	FILE *f = fopen(path, "r");
	char buf[1024];
	unsigned line = 0, found = 0;

	assert_non_null(f);
	while (fgets(buf, sizeof buf, f) != NULL) {
		line++;
		if (strstr(buf, marker) != NULL) {
			found = line;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Assert that an error was reported at path:line containing `text`. */
static void expect_error(const struct diag *d, const struct capture *c, const char *path,
			 unsigned line, const char *text)
{
	bool found = false;

	for (size_t i = 0; i < c->n && !found; i++)
		found = strcmp(c->m[i].severity, "error") == 0 &&
			strcmp(c->m[i].file, path) == 0 && c->m[i].line == line &&
			strstr(c->m[i].text, text) != NULL;
	if (!found) {
		print_message("expected error at %s:%u containing \"%s\"; got:\n", path,
			      line, text);
		capture_print(c);
	}
	assert_true(found);
	assert_true(d->n_errors >= 1);
}

/* ------------------------------------------------------------------ */
/* Dates                                                               */

static void test_date_parse(void **state)
{
	int64_t t;
	(void)state;

	assert_true(date_parse("1970-01-01", &t));
	assert_int_equal(t, 0);
	assert_true(date_parse("2026-01-01", &t));
	assert_int_equal(t, 1767225600);
	assert_int_equal(date_end_of_day(t), 1767225600 + 86399);
	assert_true(date_parse("2024-02-29", &t)); /* leap year */
	assert_int_equal(t, 1709164800);
	assert_true(date_parse("2000-02-29", &t)); /* 400-year leap */
	assert_true(date_parse("2027-12-31", &t));
	assert_int_equal(t, 1830211200);

	static const char *const bad[] = {
		"", "2026", "2026-1-01", "2026-01-1", "2026/01/01", "2026-01-01x",
		" 2026-01-01", "2026-00-10", "2026-13-01", "2026-01-00", "2026-01-32",
		"2026-02-29", "1900-02-29", "2100-02-29", "1969-12-31", "2026-04-31",
		"20a6-01-01", "+026-01-01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 42;
		if (date_parse(bad[i], &t))
			fail_msg("date_parse accepted \"%s\"", bad[i]);
		assert_int_equal(t, 42); /* untouched on failure */
	}
	assert_false(date_parse(NULL, &t));
}

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */

static void test_diag_counts(void **state)
{
	struct diag d = { 0 };
	struct capture c;
	(void)state;

	diag_error(&d, "f", 1, "no emit: %d", 1); /* emit NULL: only counted */
	diag_warn(&d, "f", 2, "no emit");
	assert_int_equal(d.n_errors, 1);
	assert_int_equal(d.n_warnings, 1);
	capture_init(&d, &c);
	diag_error(&d, "a.conf", 7, "bad %s", "thing");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.m[0].file, "a.conf");
	assert_int_equal(c.m[0].line, 7);
	assert_string_equal(c.m[0].severity, "error");
	assert_string_equal(c.m[0].text, "bad thing");
	diag_error(NULL, "x", 1, "ignored"); /* no crash */
	diag_init_stderr(&d);
	assert_non_null(d.emit);
	assert_int_equal(d.n_errors, 0);
}

/* ------------------------------------------------------------------ */
/* The shipped list and configuration                                  */

static const struct list_entry *match(const struct list *l, const char *name,
				      const char **service)
{
	struct list_match m;
	list_match(l, name, strlen(name), &m);
	if (service != NULL)
		*service = m.service != NULL ? m.service->id : NULL;
	return m.entry;
}

static void expect_class(const struct list *l, const char *name, enum terms t,
			 const char *service)
{
	const char *sid;
	const struct list_entry *e = match(l, name, &sid);
	if (t == TERMS_NONE) {
		if (e != NULL)
			fail_msg("%s should be unlisted, is %s (%s)", name,
				 terms_name(e->terms), sid);
		return;
	}
	if (e == NULL)
		fail_msg("%s should be listed", name);
	if (e->terms != t || strcmp(sid, service) != 0)
		fail_msg("%s: expected %s/%s, got %s/%s", name, terms_name(t), service,
			 terms_name(e->terms), sid);
}

static void test_shipped_list(void **state)
{
	struct diag d;
	struct capture c;
	(void)state;

	capture_init(&d, &c);
	struct list *l = config_load_list("rules", &d); /* a directory: rules/list.conf */
	if (l == NULL)
		capture_print(&c);
	assert_non_null(l);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(d.n_warnings, 0);
	assert_true(list_serial(l) >= 2026113001); /* the shipped serial only rises */
	assert_true(list_n_services(l) >= 100);
	assert_true(list_n_entries(l) >= 250);

	/* Every service carries its provenance. */
	for (size_t i = 0; i < list_n_services(l); i++) {
		const struct list_service *s = list_service_at(l, i);
		int64_t t;
		assert_true(s->n_sources >= 1);
		assert_true(date_parse(s->verified, &t));
		assert_non_null(s->category);
		assert_true(s->line > 0);
	}

	expect_class(l, "chatgpt.com", TERMS_SHARED, "chatgpt");
	expect_class(l, "ws.chatgpt.com", TERMS_SHARED, "chatgpt");
	expect_class(l, "notchatgpt.com", TERMS_NONE, NULL);
	expect_class(l, "api.openai.com", TERMS_API, "openai-api");
	expect_class(l, "eu.api.openai.com", TERMS_API, "openai-api");
	expect_class(l, "auth.openai.com", TERMS_SHARED, "openai-web");
	expect_class(l, "api.anthropic.com", TERMS_API, "anthropic-api");
	expect_class(l, "githubcopilot.com", TERMS_SHARED, "github-copilot");
	expect_class(l, "api.individual.githubcopilot.com", TERMS_CONSUMER, "github-copilot");
	expect_class(l, "api.business.githubcopilot.com", TERMS_ENTERPRISE, "github-copilot");
	expect_class(l, "models.inference.ai.azure.com", TERMS_SHARED, "github-models");
	expect_class(l, "x.inference.ai.azure.com", TERMS_ENTERPRISE, "azure-ai-foundry");
	expect_class(l, "agency.openai.azure.com", TERMS_ENTERPRISE, "azure-openai");
	expect_class(l, "api-free.deepl.com", TERMS_CONSUMER, "deepl-api-free");
	expect_class(l, "www.deepl.com", TERMS_SHARED, "deepl");
	expect_class(l, "api.eu.residency.elevenlabs.io", TERMS_ENTERPRISE, "elevenlabs");
	expect_class(l, "dns.google", TERMS_DNS_BYPASS, "google-public-dns");
	expect_class(l, "mozilla.cloudflare-dns.com", TERMS_DNS_BYPASS, "cloudflare-dns");
	expect_class(l, "dns.quad9.net", TERMS_DNS_BYPASS, "quad9");
	expect_class(l, "doh.opendns.com", TERMS_DNS_BYPASS, "opendns");
	expect_class(l, "abc123.dns.nextdns.io", TERMS_DNS_BYPASS, "nextdns");
	/* The hard cases: hosts that serve much more than AI are not listed. */
	expect_class(l, "huggingface.co", TERMS_NONE, NULL);
	expect_class(l, "hf.co", TERMS_NONE, NULL);
	expect_class(l, "github.com", TERMS_NONE, NULL);
	expect_class(l, "outlook.cloud.microsoft", TERMS_NONE, NULL);
	expect_class(l, "www.google.com", TERMS_NONE, NULL);
	expect_class(l, "www.bing.com", TERMS_NONE, NULL);
	expect_class(l, "notion.so", TERMS_NONE, NULL);
	expect_class(l, "acme.ghe.com", TERMS_NONE, NULL);
	/* but the AI-only hosts of those vendors are */
	expect_class(l, "router.huggingface.co", TERMS_API, "hf-inference");
	expect_class(l, "m365.cloud.microsoft", TERMS_ENTERPRISE, "m365-copilot");

	const struct list_service *s = list_find_service(l, "mistral-lechat");
	assert_non_null(s);
	assert_true(s->eu);
	assert_string_equal(s->jurisdiction, "FR");
	s = list_find_service(l, "chatgpt");
	assert_non_null(s);
	assert_false(s->eu);
	assert_true(s->open_weights);
	assert_string_equal(s->name, "ChatGPT");
	assert_string_equal(s->vendor, "OpenAI");
	s = list_find_service(l, "stability");
	assert_non_null(s);
	assert_string_equal(s->jurisdiction, "GB");
	list_free(l);
}

static void expect_defaults(const struct aigate_config *c)
{
	const struct daemon_settings *s = &c->daemon;
	const struct policy *p = c->policy;
	char buf[64];

	assert_int_equal(p->mode, MODE_ENFORCE);
	assert_int_equal(p->terms_action[TERMS_CONSUMER], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_SHARED], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_API], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_ENTERPRISE], ACTION_ALLOW);
	assert_int_equal(p->terms_action[TERMS_DNS_BYPASS], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_NONE], ACTION_ALLOW);
	assert_false(p->log_unlisted);
	assert_int_equal(p->n_zones, 0);
	assert_int_equal(s->queue_first, 0);
	assert_int_equal(s->n_queues, 1);
	assert_int_equal(s->queue_maxlen, 4096);
	assert_int_equal(s->rcvbuf_bytes, 8388608);
	assert_true(s->fail_open);
	assert_int_equal(s->mark_allow, 0x100);
	assert_int_equal(s->mark_block, 0x200);
	assert_int_equal(s->mark_mask, 0x300);
	assert_int_equal(s->mark_inject, 0x400);
	assert_int_equal(s->n_tls_ports, 2);
	assert_int_equal(s->tls_ports[0], 443);
	assert_int_equal(s->tls_ports[1], 853);
	assert_int_equal(s->dns_answer, DNS_BLOCK_NXDOMAIN);
	assert_int_equal(s->sinkhole_v4.family, 4);
	ip_addr_format(&s->sinkhole_v4, buf, sizeof buf);
	assert_string_equal(buf, "0.0.0.0");
	assert_int_equal(s->sinkhole_v6.family, 6);
	ip_addr_format(&s->sinkhole_v6, buf, sizeof buf);
	assert_string_equal(buf, "::");
	assert_int_equal(s->dns_ttl, 60);
	assert_string_equal(s->ede_text, "Blocked by aigate: generative-AI service under "
					 "consumer terms (agency AI policy)");
	assert_true(s->tcp_reset);
	assert_string_equal(s->event_file, "/var/log/aigate/events.json");
	assert_true(s->log_syslog);
	assert_int_equal(s->fold_window_s, 60);
	assert_string_equal(s->control_socket, "/run/aigate/control.sock");
	assert_string_equal(s->user, "aigate");
	assert_int_equal(s->max_flows, 65536);
	assert_int_equal(s->flow_idle_s, 120);
	assert_int_equal(s->max_flow_buffer, 16384);
	assert_int_equal(s->max_buffer_total, 67108864);
}

static void test_defaults(void **state)
{
	struct diag d;
	struct capture c;
	char host[256] = "";
	(void)state;

	capture_init(&d, &c);
	struct aigate_config *cfg = config_load(NULL, "rules", NULL, &d);
	if (cfg == NULL)
		capture_print(&c);
	assert_non_null(cfg);
	assert_int_equal(d.n_errors, 0);
	assert_null(cfg->path);
	assert_string_equal(cfg->list_path, "rules");
	assert_string_equal(cfg->contracts_dir, "/etc/aigate/contracts.d");
	assert_int_equal(gethostname(host, sizeof host - 1), 0);
	assert_string_equal(cfg->sensor, host);
	assert_true(list_serial(cfg->policy->list) >= 2026113001);
	expect_defaults(cfg);
	config_free(cfg);
}

/* The shipped etc/aigate.conf says what the built-in defaults say. */
static void test_shipped_config(void **state)
{
	struct diag d;
	struct capture c;
	(void)state;

	capture_init(&d, &c);
	struct aigate_config *cfg = config_load("etc/aigate.conf", "rules", NULL, &d);
	if (cfg == NULL)
		capture_print(&c);
	assert_non_null(cfg);
	assert_int_equal(d.n_errors, 0);
	assert_int_equal(d.n_warnings, 0);
	assert_string_equal(cfg->path, "etc/aigate.conf");
	assert_string_equal(cfg->list_path, "rules");
	expect_defaults(cfg);
	config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* A full configuration                                                */

static void test_good_config(void **state)
{
	struct diag d;
	struct capture c;
	char buf[64];
	int64_t t;
	(void)state;

	capture_init(&d, &c);
	struct aigate_config *cfg = config_load(DATA "conf-good.conf", NULL, NULL, &d);
	if (cfg == NULL)
		capture_print(&c);
	assert_non_null(cfg);
	assert_int_equal(d.n_errors, 0);

	/* relative paths are relative to the directory of the file */
	assert_string_equal(cfg->list_path, DATA "list-small.conf");
	assert_string_equal(cfg->contracts_dir, DATA "contracts-good");
	assert_string_equal(cfg->daemon.event_file, DATA "events.json");
	assert_string_equal(cfg->daemon.control_socket, "/tmp/aigate-test.sock");
	assert_string_equal(cfg->sensor, "gw-test");

	const struct policy *p = cfg->policy;
	assert_int_equal(p->mode, MODE_MONITOR);
	assert_int_equal(p->terms_action[TERMS_SHARED], ACTION_LOG);
	assert_int_equal(p->terms_action[TERMS_CONSUMER], ACTION_BLOCK);
	assert_true(p->log_unlisted);
	assert_int_equal(list_serial(p->list), 2026010101);
	assert_true(list_find_service(p->list, "le-chat")->eu);   /* FR: from jurisdiction */
	assert_false(list_find_service(p->list, "tldv")->eu);     /* eu = false overrides */
	assert_null(list_find_service(p->list, "le-chat")->category);
	assert_string_equal(list_find_service(p->list, "chatgpt")->notes, "Test entry.");

	assert_int_equal(p->n_zones, 2);
	assert_string_equal(p->zones[0].name, "sandbox");
	assert_int_equal(p->zones[0].action, ACTION_LOG);
	assert_int_equal(p->zones[0].n_networks, 2);
	assert_int_equal(p->zones[0].networks[0].prefix_len, 16);
	assert_int_equal(p->zones[0].networks[1].prefix_len, 48);
	assert_int_equal(p->zones[0].networks[1].addr.family, 6);
	assert_true(date_parse("2026-01-01", &t));
	assert_int_equal(p->zones[0].starts, t);
	assert_true(date_parse("2027-06-30", &t));
	assert_int_equal(p->zones[0].expires, date_end_of_day(t));
	assert_true(p->zones[0].line > 0);
	assert_string_equal(p->zones[1].name, "lab");
	assert_int_equal(p->zones[1].action, ACTION_ALLOW);
	assert_int_equal(p->zones[1].networks[0].prefix_len, 32);
	assert_int_equal(p->zones[1].starts, 0);
	assert_int_equal(p->zones[1].expires, 0);

	const struct daemon_settings *s = &cfg->daemon;
	assert_int_equal(s->queue_first, 10);
	assert_int_equal(s->n_queues, 4);
	assert_int_equal(s->queue_maxlen, 1024);
	assert_int_equal(s->rcvbuf_bytes, 0);
	assert_false(s->fail_open);
	assert_int_equal(s->mark_allow, 0x10);
	assert_int_equal(s->mark_block, 0x20);
	assert_int_equal(s->mark_mask, 0x30);
	assert_int_equal(s->mark_inject, 0x40);
	assert_int_equal(s->n_tls_ports, 3);
	assert_int_equal(s->tls_ports[1], 8443);
	assert_int_equal(s->dns_answer, DNS_BLOCK_SINKHOLE);
	ip_addr_format(&s->sinkhole_v4, buf, sizeof buf);
	assert_string_equal(buf, "192.0.2.1");
	ip_addr_format(&s->sinkhole_v6, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(s->dns_ttl, 30);
	assert_string_equal(s->ede_text, "Geblokkeerd: AI-beleid van de organisatie");
	assert_false(s->tcp_reset);
	assert_false(s->log_syslog);
	assert_int_equal(s->fold_window_s, 0);
	assert_string_equal(s->user, "nobody");
	assert_int_equal(s->max_flows, 16);
	assert_int_equal(s->flow_idle_s, 1);
	assert_int_equal(s->max_flow_buffer, 2048);
	assert_int_equal(s->max_buffer_total, 2048);

	/* contracts.d: sorted, README and dot files ignored, the expired
	 * contract loaded but not in force */
	assert_int_equal(p->n_contracts, 2);
	const struct contract *az = &p->contracts[0], *old = &p->contracts[1];
	assert_string_equal(az->id, "azure-openai-agency");
	assert_string_equal(az->reference, "Contract 2026/123 with Microsoft");
	assert_string_equal(az->approved_by, "CISO");
	assert_int_equal(az->n_services, 1);
	assert_string_equal(az->services[0], "azure-openai");
	assert_int_equal(az->n_hosts, 2);
	assert_string_equal(az->hosts[0], "agency.openai.azure.com"); /* normalised */
	assert_string_equal(az->hosts[1], "agency-weu.openai.azure.com");
	assert_string_equal(az->file, DATA "contracts-good/10-azure.conf");
	assert_true(date_parse("2026-01-01", &t));
	assert_int_equal(az->starts, t);
	assert_true(date_parse("2099-12-31", &t));
	assert_int_equal(az->expires, date_end_of_day(t));
	assert_string_equal(old->id, "chatgpt-pilot-2020");
	assert_int_equal(old->starts, 0);
	assert_int_equal(old->n_hosts, 0);

	int64_t now = (int64_t)time(NULL);
	assert_true(contract_active(az, now));
	assert_false(contract_active(old, now));
	assert_true(date_parse("2020-12-31", &t));
	assert_true(contract_active(old, t + 86399)); /* through the end of the day */
	assert_false(contract_active(old, t + 86400));
	config_free(cfg);
}

static void test_minimal_config(void **state)
{
	struct diag d;
	struct capture c;
	(void)state;

	capture_init(&d, &c);
	struct aigate_config *cfg = config_load(DATA "conf-minimal.conf", NULL, NULL, &d);
	if (cfg == NULL)
		capture_print(&c);
	assert_non_null(cfg);
	assert_int_equal(d.n_errors, 0);
	assert_null(cfg->daemon.event_file); /* events = "": no event file */
	assert_int_equal(cfg->policy->n_contracts, 0); /* missing directory */
	assert_int_equal(cfg->daemon.n_queues, 1);
	assert_int_equal(cfg->daemon.max_flows, 65536);
	config_free(cfg);

	/* overrides win over the file's settings and are taken as given */
	capture_init(&d, &c);
	cfg = config_load(DATA "conf-minimal.conf", "rules/list.conf",
			  DATA "contracts-empty-does-not-exist", &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->list_path, "rules/list.conf");
	assert_true(list_serial(cfg->policy->list) >= 2026113001);
	config_free(cfg);
}

/* ------------------------------------------------------------------ */
/* Broken files                                                        */

struct bad_case {
	const char *file;   /* the fixture with the "# ERROR" marker */
	const char *text;   /* part of the expected message */
	const char *dir;    /* contracts directory, for contract cases */
};

static void check_bad(const char *marked_file, const char *text,
		      const struct diag *d, const struct capture *c)
{
	unsigned line = marker_line(marked_file, "# ERROR");
	expect_error(d, c, marked_file, line, text);
	/* An error that names an earlier line names it as file:line. */
	unsigned first = marker_line(marked_file, "# FIRST");
	if (first != 0) {
		char where[300];
		snprintf(where, sizeof where, "%s:%u", marked_file, first);
		expect_error(d, c, marked_file, line, where);
	}
}

static void test_broken_lists(void **state)
{
	static const struct bad_case cases[] = {
		{ DATA "list-unknown-key.conf", "colour: unknown setting", NULL },
		{ DATA "list-unknown-key-endpoint.conf", "regex: unknown setting", NULL },
		{ DATA "list-wrong-type.conf", "must be a boolean", NULL },
		{ DATA "list-bad-terms.conf", "unknown terms class 'business'", NULL },
		{ DATA "list-bad-name.conf", "'b..example' is not a valid list name", NULL },
		{ DATA "list-upper-name.conf", "'Chat.Example' is not a valid list name", NULL },
		{ DATA "list-dup-entry.conf", "duplicate suffix entry 'a.example'", NULL },
		{ DATA "list-two-classes.conf", "listed as api here and as shared", NULL },
		{ DATA "list-missing-sources.conf", "'sources' is required", NULL },
		{ DATA "list-empty-sources.conf", "at least one source", NULL },
		{ DATA "list-bad-date.conf", "'2026-02-29' is not a date", NULL },
		{ DATA "list-dup-service.conf", "duplicate service id 'a'", NULL },
		{ DATA "list-bad-id.conf", "service id 'Chat_GPT'", NULL },
		{ DATA "list-bad-category.conf", "unknown category 'fun'", NULL },
		{ DATA "list-no-names.conf", "at least one name", NULL },
		{ DATA "list-tld-suffix.conf", "whole top-level domain", NULL },
		{ DATA "list-bad-version.conf", "out of range", NULL },
		{ DATA "list-syntax.conf", "syntax error", NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct diag d;
		struct capture c;
		capture_init(&d, &c);
		struct list *l = config_load_list(cases[i].file, &d);
		assert_null(l);
		check_bad(cases[i].file, cases[i].text, &d, &c);

		/* the same list through config_load also fails as a whole */
		capture_init(&d, &c);
		struct aigate_config *cfg = config_load(DATA "conf-minimal.conf",
							cases[i].file, NULL, &d);
		assert_null(cfg);
		check_bad(cases[i].file, cases[i].text, &d, &c);
	}
}

static void test_broken_configs(void **state)
{
	static const struct bad_case cases[] = {
		{ DATA "conf-unknown-key.conf", "colour: unknown setting", NULL },
		{ DATA "conf-unknown-key-nested.conf", "queue.threads: unknown setting", NULL },
		{ DATA "conf-wrong-type.conf", "queue.count: must be an integer", NULL },
		{ DATA "conf-wrong-type-group.conf", "flows: must be a group", NULL },
		{ DATA "conf-bad-mode.conf", "unknown mode 'audit'", NULL },
		{ DATA "conf-bad-action.conf", "unknown action 'deny'", NULL },
		{ DATA "conf-bad-cidr.conf", "'10.98.0.1/16' is not a network", NULL },
		{ DATA "conf-bad-zone-date.conf", "'2027-13-01' is not a date", NULL },
		{ DATA "conf-marks-overlap.conf", "allow and marks.block share bits", NULL },
		{ DATA "conf-marks-inject-in-mask.conf", "inject must lie outside", NULL },
		{ DATA "conf-marks-outside-mask.conf", "allow has bits outside", NULL },
		{ DATA "conf-marks-zero.conf", "out of range", NULL },
		{ DATA "conf-queue-range.conf", "numbers go up to 65535", NULL },
		{ DATA "conf-tls-port.conf", "port 70000 is out of range", NULL },
		{ DATA "conf-sinkhole-family.conf", "not an IPv4 address", NULL },
		{ DATA "conf-dns-answer.conf", "unknown answer 'drop'", NULL },
		{ DATA "conf-ede-long.conf", "at most 200", NULL },
		{ DATA "conf-ede-control.conf", "printable", NULL },
		{ DATA "conf-flows-total.conf", "below max_buffer", NULL },
		{ DATA "conf-flows-small.conf", "flows.max: 8 is out of range", NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct diag d;
		struct capture c;
		capture_init(&d, &c);
		struct aigate_config *cfg = config_load(cases[i].file, NULL, NULL, &d);
		assert_null(cfg);
		check_bad(cases[i].file, cases[i].text, &d, &c);
	}
}

static void test_broken_contracts(void **state)
{
	static const struct bad_case cases[] = {
		{ DATA "contracts-unknown-service/a.conf",
		  "service 'copilot-for-everyone' is not in the list",
		  DATA "contracts-unknown-service" },
		{ DATA "contracts-dup-id/b.conf", "duplicate contract id 'same'",
		  DATA "contracts-dup-id" },
		{ DATA "contracts-bad-host/a.conf", "not a valid host name",
		  DATA "contracts-bad-host" },
		{ DATA "contracts-bad-date/a.conf", "'2027-02-30' is not a date",
		  DATA "contracts-bad-date" },
		{ DATA "contracts-unknown-key/a.conf", "budget: unknown setting",
		  DATA "contracts-unknown-key" },
		{ DATA "contracts-empty/a.conf", "at least one service or host",
		  DATA "contracts-empty" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct diag d;
		struct capture c;
		capture_init(&d, &c);
		struct aigate_config *cfg = config_load(DATA "conf-minimal.conf", NULL,
							cases[i].dir, &d);
		assert_null(cfg);
		check_bad(cases[i].file, cases[i].text, &d, &c);
	}

	/* `expires` is required; a missing key has no line of its own */
	struct diag d;
	struct capture c;
	capture_init(&d, &c);
	assert_null(config_load(DATA "conf-minimal.conf", NULL,
				DATA "contracts-no-expiry", &d));
	expect_error(&d, &c, DATA "contracts-no-expiry/a.conf", 0, "'expires' is required");
	/* the duplicate names the file that had the id first */
	capture_init(&d, &c);
	assert_null(config_load(DATA "conf-minimal.conf", NULL, DATA "contracts-dup-id", &d));
	expect_error(&d, &c, DATA "contracts-dup-id/b.conf", 1, DATA "contracts-dup-id/a.conf");
}

static void test_load_contract(void **state)
{
	struct diag d;
	struct capture c;
	struct contract k;
	(void)state;

	/* without a list, service ids are only checked for syntax */
	capture_init(&d, &c);
	assert_int_equal(config_load_contract(DATA "contracts-unknown-service/a.conf",
					      NULL, &k, &d), 0);
	assert_int_equal(d.n_errors, 0);
	assert_string_equal(k.id, "x");
	assert_int_equal(k.n_services, 2);
	contract_cleanup(&k);
	assert_null(k.id);
	contract_cleanup(&k); /* twice is fine */

	capture_init(&d, &c);
	assert_int_equal(config_load_contract(DATA "contracts-bad-host/a.conf", NULL, &k, &d),
			 -1);
	assert_null(k.id); /* nothing half-loaded */
	assert_null(k.hosts);

	capture_init(&d, &c);
	assert_int_equal(config_load_contract(DATA "no-such-contract.conf", NULL, &k, &d), -1);
	expect_error(&d, &c, DATA "no-such-contract.conf", 0, "cannot open");
}

static void test_missing_files(void **state)
{
	struct diag d;
	struct capture c;
	(void)state;

	capture_init(&d, &c);
	assert_null(config_load(DATA "conf-missing-list.conf", NULL, NULL, &d));
	expect_error(&d, &c, DATA "no-such-list.conf", 0, "cannot open");

	capture_init(&d, &c);
	assert_null(config_load(DATA "no-such.conf", NULL, NULL, &d));
	expect_error(&d, &c, DATA "no-such.conf", 0, "cannot open");
	assert_int_equal(d.n_errors, 1); /* and nothing about a default list */

	capture_init(&d, &c);
	assert_null(config_load_list(DATA "no-such-dir/", &d));
	assert_int_equal(d.n_errors, 1);

	/* a contracts path that is a file, not a directory */
	capture_init(&d, &c);
	assert_null(config_load(DATA "conf-minimal.conf", NULL, DATA "list-small.conf", &d));
	expect_error(&d, &c, DATA "list-small.conf", 0, "contracts directory");

	/* a NULL diag is allowed: errors are then only detected */
	assert_null(config_load_list(DATA "list-bad-name.conf", NULL));
	struct list *l = config_load_list(DATA "list-small.conf", NULL);
	assert_non_null(l);
	list_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_diag_counts),
		cmocka_unit_test(test_shipped_list),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_config),
		cmocka_unit_test(test_good_config),
		cmocka_unit_test(test_minimal_config),
		cmocka_unit_test(test_broken_lists),
		cmocka_unit_test(test_broken_configs),
		cmocka_unit_test(test_broken_contracts),
		cmocka_unit_test(test_load_contract),
		cmocka_unit_test(test_missing_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
