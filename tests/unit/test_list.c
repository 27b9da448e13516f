/* test_list.c: the list matcher (DESIGN.md s1): exact beats suffix, the
 * longest suffix wins, suffixes match on label boundaries only, and the
 * bookkeeping (services, duplicates, iteration) around it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "list.h"
#include "name.h"

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static long add_service(struct list *l, const char *id, const char *vendor, unsigned line)
{
	struct list_service svc;
	memset(&svc, 0, sizeof svc);
	svc.id = dup_str(id);
	svc.name = dup_str(id);
	svc.vendor = dup_str(vendor);
	svc.jurisdiction = dup_str("US");
	svc.sources = calloc(1, sizeof(char *));
	assert_non_null(svc.sources);
	svc.sources[0] = dup_str("https://example.org/source");
	svc.n_sources = 1;
	svc.verified = dup_str("2025-11-30");
	svc.line = line;
	unsigned dup_line = 0;
	return list_add_service(l, &svc, &dup_line);
}

static void add(struct list *l, size_t svc, const char *name, bool exact, enum terms t)
{
	const struct list_entry *dup = NULL;
	assert_int_equal(list_add_entry(l, svc, name, exact, t, 0, &dup), 0);
}

/* A list like the shipped one, small. */
static struct list *sample_list(void)
{
	struct list *l = list_new();
	assert_non_null(l);
	long chatgpt = add_service(l, "chatgpt", "OpenAI", 10);
	long copilot = add_service(l, "github-copilot", "GitHub", 20);
	long copilot_biz = add_service(l, "github-copilot-business", "GitHub", 30);
	long azure = add_service(l, "azure-openai", "Microsoft", 40);
	long quad9 = add_service(l, "quad9-doh", "Quad9", 50);
	assert_true(chatgpt >= 0 && copilot >= 0 && copilot_biz >= 0 && azure >= 0 && quad9 >= 0);

	add(l, (size_t)chatgpt, "chatgpt.com", false, TERMS_SHARED);
	add(l, (size_t)chatgpt, "api.openai.com", true, TERMS_API);
	add(l, (size_t)chatgpt, "openai.com", false, TERMS_SHARED);
	add(l, (size_t)copilot, "githubcopilot.com", false, TERMS_SHARED);
	add(l, (size_t)copilot_biz, "api.business.githubcopilot.com", false, TERMS_ENTERPRISE);
	add(l, (size_t)azure, "openai.azure.com", false, TERMS_ENTERPRISE);
	add(l, (size_t)quad9, "dns.quad9.net", true, TERMS_DNS_BYPASS);
	add(l, (size_t)quad9, "localhost", true, TERMS_CONSUMER);  /* a 1-label exact entry */
	add(l, (size_t)quad9, "internal", false, TERMS_CONSUMER);  /* a 1-label suffix entry */
	list_set_serial(l, 2026113001);
	assert_true(list_finish(l));
	return l;
}

/* Match a raw name as the inspector does: normalise, then look up. */
static bool classify(const struct list *l, const char *raw, struct list_match *m)
{
	char norm[NAME_BUF_LEN];
	size_t norm_len;
	(void)name_normalize(raw, strlen(raw), norm, &norm_len);
	return list_match(l, norm, norm_len, m);
}

struct match_case {
	const char *name;
	const char *entry;     /* NULL: unlisted */
	bool exact;
	enum terms terms;
	const char *service;
};

static const struct match_case match_cases[] = {
	{ "chatgpt.com", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "ws.chatgpt.com", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "a.b.c.chatgpt.com", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "notchatgpt.com", NULL, false, 0, NULL },
	{ "chatgpt.com.evil.example", NULL, false, 0, NULL },
	{ "chatgpt.co", NULL, false, 0, NULL },
	{ "hatgpt.com", NULL, false, 0, NULL },
	{ "com", NULL, false, 0, NULL },
	/* exact beats the suffix openai.com */
	{ "api.openai.com", "api.openai.com", true, TERMS_API, "chatgpt" },
	/* exact entries do not cover names below them */
	{ "x.api.openai.com", "openai.com", false, TERMS_SHARED, "chatgpt" },
	{ "cdn.openai.com", "openai.com", false, TERMS_SHARED, "chatgpt" },
	/* longest suffix wins */
	{ "githubcopilot.com", "githubcopilot.com", false, TERMS_SHARED, "github-copilot" },
	{ "proxy.githubcopilot.com", "githubcopilot.com", false, TERMS_SHARED, "github-copilot" },
	{ "api.business.githubcopilot.com", "api.business.githubcopilot.com", false,
	  TERMS_ENTERPRISE, "github-copilot-business" },
	{ "x.api.business.githubcopilot.com", "api.business.githubcopilot.com", false,
	  TERMS_ENTERPRISE, "github-copilot-business" },
	{ "business.githubcopilot.com", "githubcopilot.com", false, TERMS_SHARED, "github-copilot" },
	{ "xapi.business.githubcopilot.com", "githubcopilot.com", false, TERMS_SHARED,
	  "github-copilot" },
	{ "agency.openai.azure.com", "openai.azure.com", false, TERMS_ENTERPRISE, "azure-openai" },
	{ "dns.quad9.net", "dns.quad9.net", true, TERMS_DNS_BYPASS, "quad9-doh" },
	{ "x.dns.quad9.net", NULL, false, 0, NULL },
	{ "quad9.net", NULL, false, 0, NULL },
	/* one-label names */
	{ "localhost", "localhost", true, TERMS_CONSUMER, "quad9-doh" },
	{ "a.localhost", NULL, false, 0, NULL },
	{ "internal", "internal", false, TERMS_CONSUMER, "quad9-doh" },
	{ "printer.internal", "internal", false, TERMS_CONSUMER, "quad9-doh" },
	{ "notinternal", NULL, false, 0, NULL },
	/* case and the trailing dot go through name_normalize */
	{ "ChatGPT.COM.", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "WS.CHATGPT.COM", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "API.OpenAI.Com.", "api.openai.com", true, TERMS_API, "chatgpt" },
	/* hostile shapes */
	{ "", NULL, false, 0, NULL },
	{ ".", NULL, false, 0, NULL },
	{ "..chatgpt.com", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "x chatgpt.com", NULL, false, 0, NULL },
	{ "x .chatgpt.com", "chatgpt.com", false, TERMS_SHARED, "chatgpt" },
	{ "example.org", NULL, false, 0, NULL },
};

static void test_match_table(void **state)
{
	struct list *l = *state;
	for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
		const struct match_case *c = &match_cases[i];
		struct list_match m = { (const void *)1, (const void *)1 };
		bool listed = classify(l, c->name, &m);
		if (c->entry == NULL) {
			if (listed || m.entry != NULL || m.service != NULL)
				fail_msg("\"%s\" matched \"%s\", want unlisted", c->name,
					 m.entry ? m.entry->name : "?");
			continue;
		}
		if (!listed || m.entry == NULL)
			fail_msg("\"%s\" unlisted, want \"%s\"", c->name, c->entry);
		if (strcmp(m.entry->name, c->entry) != 0 || m.entry->exact != c->exact ||
		    m.entry->terms != c->terms || strcmp(m.service->id, c->service) != 0)
			fail_msg("\"%s\" matched %s \"%s\" (%s, %s), want %s \"%s\" (%s, %s)", c->name,
				 m.entry->exact ? "exact" : "suffix", m.entry->name,
				 terms_name(m.entry->terms), m.service->id, c->exact ? "exact" : "suffix",
				 c->entry, terms_name(c->terms), c->service);
	}
}

static void test_raw_bytes_and_lengths(void **state)
{
	struct list *l = *state;
	struct list_match m;

	/* A NUL or high byte inside a label is just another byte. */
	const char nul_name[] = "chat\0gpt.com";
	assert_false(list_match(l, nul_name, sizeof nul_name - 1, &m));
	const char nul_label[] = "a\0b.chatgpt.com";
	assert_true(list_match(l, nul_label, sizeof nul_label - 1, &m));
	assert_string_equal(m.entry->name, "chatgpt.com");
	/* The length bounds the name, not a NUL. */
	assert_false(list_match(l, "chatgpt.com", 7, &m));
	assert_true(list_match(l, "chatgpt.comXYZ", 11, &m));
	/* Over-long or empty input is unlisted without being read. */
	assert_false(list_match(l, "chatgpt.com", NAME_MAX_LEN + 1, &m));
	assert_null(m.entry);
	assert_false(list_match(l, NULL, 0, &m));
	assert_false(list_match(NULL, "chatgpt.com", 11, &m));
	assert_null(m.service);
}

static void test_longest_name(void **state)
{
	(void)state;
	/* 127 one-letter labels: 253 characters; the list holds its last
	 * two labels as a suffix and the whole name as an exact entry. */
	char name[NAME_BUF_LEN];
	size_t n = 0;
	for (int i = 0; i < 127; i++) {
		if (i > 0)
			name[n++] = '.';
		name[n++] = (char)('a' + i % 26);
	}
	name[n] = '\0';
	assert_int_equal(n, 253);

	struct list *l = list_new();
	assert_non_null(l);
	assert_int_equal(add_service(l, "svc", "V", 0), 0);
	const char *last2 = name + n - 3;  /* "v.w" */
	add(l, 0, last2, false, TERMS_CONSUMER);
	add(l, 0, name, true, TERMS_ENTERPRISE);
	assert_true(list_finish(l));

	struct list_match m;
	assert_true(list_match(l, name, n, &m));
	assert_true(m.entry->exact);
	assert_int_equal(m.entry->terms, TERMS_ENTERPRISE);
	/* Drop the first label: only the suffix covers it now, 125 probes in. */
	assert_true(list_match(l, name + 2, n - 2, &m));
	assert_false(m.entry->exact);
	assert_string_equal(m.entry->name, last2);
	/* Change the last byte: nothing matches any more. */
	name[n - 1] = 'x';
	assert_false(list_match(l, name, n, &m));
	list_free(l);
}

/* The lookup hashes every suffix of a name in one pass, 8 bytes at a
 * time, and must find each suffix exactly where adding it put it: for
 * names of every length up to 70 (every alignment of every dot in the
 * 8-byte groups) with labels of varied lengths, a list holding only the
 * k-th suffix finds it from the whole name and from itself, and not
 * from itself with its first label one byte longer. */
static void test_every_suffix_position(void **state)
{
	(void)state;
	char name[80];
	for (size_t len = 1; len <= 70; len++) {
		for (unsigned pattern = 0; pattern < 3; pattern++) {
			/* labels of lengths 1, 2, 3, ... (pattern 0), 7 (1), 1 and 9 (2) */
			size_t label = 0, which = 0;
			for (size_t i = 0; i < len; i++) {
				size_t want = pattern == 0 ? which + 1 : pattern == 1 ? 7 : (which % 2 ? 9 : 1);
				if (label == want && i + 1 < len && i > 0) {
					name[i] = '.';
					label = 0;
					which++;
				} else {
					name[i] = (char)('a' + (i * 7 + pattern) % 26);
					label++;
				}
			}
			name[len] = '\0';
			for (size_t dot = 0; dot < len; dot++) {
				if (name[dot] != '.')
					continue;
				const char *suffix = &name[dot + 1];
				struct list *l = list_new();
				assert_non_null(l);
				assert_int_equal(add_service(l, "svc", "V", 0), 0);
				add(l, 0, suffix, false, TERMS_CONSUMER);
				assert_true(list_finish(l));
				struct list_match m;
				if (!list_match(l, name, len, &m))
					fail_msg("%s: suffix %s not found", name, suffix);
				assert_string_equal(m.entry->name, suffix);
				assert_true(list_match(l, suffix, strlen(suffix), &m));
				/* Its first label widened by one byte on the left: not
				 * on a label boundary, not the entry. */
				char wider[90];
				snprintf(wider, sizeof wider, "x%s", suffix);
				assert_false(list_match(l, wider, strlen(wider), &m));
				list_free(l);
			}
		}
	}
}

static void test_duplicates(void **state)
{
	(void)state;
	struct list *l = list_new();
	assert_non_null(l);
	assert_int_equal(add_service(l, "chatgpt", "OpenAI", 7), 0);
	assert_int_equal(add_service(l, "claude", "Anthropic", 8), 1);
	/* the same service id again: refused, and the first one's line given */
	struct list_service again;
	memset(&again, 0, sizeof again);
	again.id = dup_str("chatgpt");
	again.vendor = dup_str("Someone else");
	unsigned dup_line = 0;
	assert_int_equal(list_add_service(l, &again, &dup_line), -1);
	assert_int_equal(dup_line, 7);
	assert_int_equal(list_n_services(l), 2);

	const struct list_entry *dup = NULL;
	assert_int_equal(list_add_entry(l, 0, "chatgpt.com", false, TERMS_SHARED, 11, &dup), 0);
	assert_int_equal(list_add_entry(l, 0, "chatgpt.com", false, TERMS_SHARED, 12, &dup), 1);
	assert_non_null(dup);
	assert_int_equal(dup->line, 11);
	assert_string_equal(dup->name, "chatgpt.com");
	/* same name, other service, same kind: still a duplicate */
	dup = NULL;
	assert_int_equal(list_add_entry(l, 1, "chatgpt.com", false, TERMS_CONSUMER, 13, &dup), 1);
	assert_int_equal(dup->line, 11);
	/* same name as exact: allowed, and the exact entry wins */
	assert_int_equal(list_add_entry(l, 1, "chatgpt.com", true, TERMS_CONSUMER, 14, &dup), 0);
	assert_int_equal(list_add_entry(l, 1, "chatgpt.com", true, TERMS_CONSUMER, 15, &dup), 1);
	assert_int_equal(dup->line, 14);
	/* not a valid list name, or an unknown service: refused */
	assert_int_equal(list_add_entry(l, 0, "ChatGPT.com", false, TERMS_SHARED, 16, &dup), -1);
	assert_int_equal(list_add_entry(l, 0, "chatgpt.com.", false, TERMS_SHARED, 16, &dup), -1);
	assert_int_equal(list_add_entry(l, 2, "claude.ai", false, TERMS_SHARED, 17, &dup), -1);
	assert_int_equal(list_n_entries(l), 2);
	assert_true(list_finish(l));
	/* immutable after finish */
	assert_int_equal(list_add_entry(l, 0, "claude.ai", false, TERMS_SHARED, 18, &dup), -1);

	struct list_match m;
	assert_true(list_match(l, "chatgpt.com", 11, &m));
	assert_true(m.entry->exact);
	assert_string_equal(m.service->id, "claude");
	assert_true(list_match(l, "ws.chatgpt.com", 14, &m));
	assert_false(m.entry->exact);
	assert_string_equal(m.service->id, "chatgpt");
	list_free(l);
}

static void test_services_and_iteration(void **state)
{
	struct list *l = *state;
	assert_int_equal(list_n_services(l), 5);
	assert_int_equal(list_n_entries(l), 9);
	assert_int_equal(list_serial(l), 2026113001);
	const struct list_service *s = list_find_service(l, "azure-openai");
	assert_non_null(s);
	assert_string_equal(s->vendor, "Microsoft");
	assert_int_equal(s->line, 40);
	assert_ptr_equal(s, list_service_at(l, 3));
	assert_null(list_find_service(l, "azure"));
	assert_null(list_service_at(l, 5));
	assert_null(list_entry_at(l, 9));
	/* entries come back in the order they were added, names intact */
	assert_string_equal(list_entry_at(l, 0)->name, "chatgpt.com");
	assert_string_equal(list_entry_at(l, 8)->name, "internal");
	assert_int_equal(list_entry_at(l, 4)->service, 2);
	list_free(NULL);
}

/* 100,000 synthetic names, every other one a suffix entry: each is
 * found with its own entry, a name below a suffix entry finds it, and a
 * name below an exact entry does not. */
static void test_many_names(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct list *l = list_new();
	assert_non_null(l);
	assert_int_equal(add_service(l, "svc-a", "A", 0), 0);
	assert_int_equal(add_service(l, "svc-b", "B", 0), 1);
	char name[NAME_BUF_LEN];
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof name, "host%u.zone%u.example", i, i % 97);
		add(l, i % 2, name, i % 2 == 0, (enum terms)(1 + i % 5));
	}
	assert_true(list_finish(l));
	assert_int_equal(list_n_entries(l), N);

	struct list_match m;
	for (unsigned i = 0; i < N; i++) {
		int n = snprintf(name, sizeof name, "host%u.zone%u.example", i, i % 97);
		if (!list_match(l, name, (size_t)n, &m))
			fail_msg("%s not found", name);
		if (strcmp(m.entry->name, name) != 0 || m.entry->terms != (enum terms)(1 + i % 5) ||
		    m.entry->exact != (i % 2 == 0) || m.service != list_service_at(l, i % 2))
			fail_msg("%s matched %s", name, m.entry->name);
		n = snprintf(name, sizeof name, "www.host%u.zone%u.example", i, i % 97);
		bool listed = list_match(l, name, (size_t)n, &m);
		if (listed != (i % 2 == 1))
			fail_msg("%s: listed %d", name, listed);
		n = snprintf(name, sizeof name, "host%u.zone%u.example", i + N, i % 97);
		if (list_match(l, name, (size_t)n, &m))
			fail_msg("%s found", name);
	}
	list_free(l);
}

static int setup(void **state)
{
	*state = sample_list();
	return 0;
}

static int teardown(void **state)
{
	list_free(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_match_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_bytes_and_lengths, setup, teardown),
		cmocka_unit_test(test_longest_name),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_every_suffix_position),
		cmocka_unit_test_setup_teardown(test_services_and_iteration, setup, teardown),
		cmocka_unit_test(test_many_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
