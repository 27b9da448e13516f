/* test_policy.c: the precedence walk of DESIGN.md s1 (zone, contract,
 * terms, unlisted), dates, CIDR parsing and matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

#define DAY 86400
/* 2025-12-31 00:00:00 UTC and 2026-01-01 00:00:00 UTC. */
#define D_2025_12_31 INT64_C(1767139200)
#define D_2026_01_01 INT64_C(1767225600)
#define END_OF(d) ((d) + DAY - 1)

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	return d;
}

static char **str_array(size_t n, const char *const *v)
{
	char **a = calloc(n ? n : 1, sizeof *a);
	assert_non_null(a);
	for (size_t i = 0; i < n; i++)
		a[i] = dup_str(v[i]);
	return a;
}

static long add_service(struct list *l, const char *id)
{
	struct list_service svc;
	memset(&svc, 0, sizeof svc);
	svc.id = dup_str(id);
	svc.vendor = dup_str("Vendor");
	return list_add_service(l, &svc, NULL);
}

static struct ip_addr addr(const char *s)
{
	struct cidr c;
	if (!cidr_parse(s, &c))
		fail_msg("bad address %s", s);
	return c.addr;
}

/* chatgpt (shared), copilot (shared) with business (enterprise),
 * claude (shared), quad9 (dns-bypass), a consumer app. */
static struct policy *make_policy(void)
{
	struct list *l = list_new();
	assert_non_null(l);
	assert_int_equal(add_service(l, "chatgpt"), 0);
	assert_int_equal(add_service(l, "github-copilot"), 1);
	assert_int_equal(add_service(l, "github-copilot-business"), 2);
	assert_int_equal(add_service(l, "claude"), 3);
	assert_int_equal(add_service(l, "quad9"), 4);
	assert_int_equal(add_service(l, "character-ai"), 5);
	const struct list_entry *dup;
	assert_int_equal(list_add_entry(l, 0, "chatgpt.com", false, TERMS_SHARED, 1, &dup), 0);
	assert_int_equal(list_add_entry(l, 1, "githubcopilot.com", false, TERMS_SHARED, 2, &dup), 0);
	assert_int_equal(list_add_entry(l, 2, "api.business.githubcopilot.com", false,
					TERMS_ENTERPRISE, 3, &dup), 0);
	assert_int_equal(list_add_entry(l, 3, "claude.ai", false, TERMS_SHARED, 4, &dup), 0);
	assert_int_equal(list_add_entry(l, 4, "dns.quad9.net", true, TERMS_DNS_BYPASS, 5, &dup), 0);
	assert_int_equal(list_add_entry(l, 5, "character.ai", false, TERMS_CONSUMER, 6, &dup), 0);
	assert_true(list_finish(l));

	struct policy *p = policy_new(l);
	assert_non_null(p);

	/* Zones: a sandbox (log) in force through 2025-12-31, an IPv6 lab
	 * (log, unbounded) and an expired block zone. */
	p->n_zones = 3;
	p->zones = calloc(3, sizeof *p->zones);
	assert_non_null(p->zones);
	p->zones[0].name = dup_str("sandbox");
	p->zones[0].n_networks = 2;
	p->zones[0].networks = calloc(2, sizeof(struct cidr));
	assert_non_null(p->zones[0].networks);
	assert_true(cidr_parse("10.20.0.0/16", &p->zones[0].networks[0]));
	assert_true(cidr_parse("192.0.2.128/25", &p->zones[0].networks[1]));
	p->zones[0].action = ACTION_LOG;
	p->zones[0].expires = END_OF(D_2025_12_31);
	p->zones[1].name = dup_str("lab6");
	p->zones[1].n_networks = 1;
	p->zones[1].networks = calloc(1, sizeof(struct cidr));
	assert_non_null(p->zones[1].networks);
	assert_true(cidr_parse("2001:db8:aa::/48", &p->zones[1].networks[0]));
	p->zones[1].action = ACTION_LOG;
	p->zones[2].name = dup_str("old");
	p->zones[2].n_networks = 1;
	p->zones[2].networks = calloc(1, sizeof(struct cidr));
	assert_non_null(p->zones[2].networks);
	assert_true(cidr_parse("172.16.0.0/12", &p->zones[2].networks[0]));
	p->zones[2].action = ACTION_ALLOW;
	p->zones[2].expires = END_OF(D_2025_12_31 - 365 * DAY);

	/* Contracts: ChatGPT Enterprise (service, through 2025-12-31), a
	 * Claude host (exact), an expired Copilot one, one not yet started. */
	p->n_contracts = 4;
	p->contracts = calloc(4, sizeof *p->contracts);
	assert_non_null(p->contracts);
	static const char *const svc_chatgpt[] = { "chatgpt" };
	static const char *const host_claude[] = { "claude.ai" };
	static const char *const svc_copilot[] = { "github-copilot" };
	static const char *const svc_character[] = { "character-ai" };
	struct contract *c = &p->contracts[0];
	c->id = dup_str("openai-2025");
	c->reference = dup_str("REF-1");
	c->approved_by = dup_str("CIO");
	c->services = str_array(1, svc_chatgpt);
	c->n_services = 1;
	c->expires = END_OF(D_2025_12_31);
	c->file = dup_str("contracts.d/openai.conf");
	c = &p->contracts[1];
	c->id = dup_str("anthropic-host");
	c->hosts = str_array(1, host_claude);
	c->n_hosts = 1;
	c = &p->contracts[2];
	c->id = dup_str("copilot-old");
	c->services = str_array(1, svc_copilot);
	c->n_services = 1;
	c->starts = D_2025_12_31 - 400 * DAY;
	c->expires = END_OF(D_2025_12_31 - 35 * DAY);
	c = &p->contracts[3];
	c->id = dup_str("character-future");
	c->services = str_array(1, svc_character);
	c->n_services = 1;
	c->starts = D_2026_01_01 + 31 * DAY;
	return p;
}

static int setup(void **state)
{
	*state = make_policy();
	return 0;
}

static int teardown(void **state)
{
	policy_free(*state);
	return 0;
}

static struct decision decide(const struct policy *p, const char *from, const char *name,
			      int64_t now)
{
	struct decision d;
	struct ip_addr a;
	if (from != NULL)
		a = addr(from);
	policy_decide(p, from != NULL ? &a : NULL, name, strlen(name), now, &d);
	return d;
}

#define NOON_DEC31 (D_2025_12_31 + 12 * 3600)

static void test_terms_and_unlisted(void **state)
{
	struct policy *p = *state;
	struct decision d = decide(p, "192.0.2.1", "ws.character.ai", NOON_DEC31);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_string_equal(d.match.service->id, "character-ai");
	assert_null(d.zone);
	assert_null(d.contract);

	d = decide(p, "192.0.2.1", "dns.quad9.net", NOON_DEC31);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_int_equal(d.match.entry->terms, TERMS_DNS_BYPASS);

	/* enterprise (longest suffix) is allowed by its terms, not a contract */
	d = decide(p, "192.0.2.1", "api.business.githubcopilot.com", NOON_DEC31);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_string_equal(d.match.service->id, "github-copilot-business");

	d = decide(p, "192.0.2.1", "example.org", NOON_DEC31);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_int_equal(d.reason, REASON_UNLISTED);
	assert_null(d.match.entry);
	assert_null(d.match.service);

	/* the actions come from the policy, not from constants */
	p->terms_action[TERMS_NONE] = ACTION_LOG;
	p->terms_action[TERMS_CONSUMER] = ACTION_LOG;
	assert_int_equal(decide(p, NULL, "example.org", NOON_DEC31).action, ACTION_LOG);
	assert_int_equal(decide(p, NULL, "character.ai", NOON_DEC31).action, ACTION_LOG);
}

static void test_defaults(void **state)
{
	(void)state;
	struct policy *p = policy_new(NULL);
	assert_non_null(p);
	assert_int_equal(p->mode, MODE_ENFORCE);
	assert_false(p->log_unlisted);
	assert_int_equal(p->terms_action[TERMS_CONSUMER], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_SHARED], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_API], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_DNS_BYPASS], ACTION_BLOCK);
	assert_int_equal(p->terms_action[TERMS_ENTERPRISE], ACTION_ALLOW);
	assert_int_equal(p->terms_action[TERMS_NONE], ACTION_ALLOW);
	/* no list: everything is unlisted */
	struct decision d = decide(p, "10.0.0.1", "chatgpt.com", 0);
	assert_int_equal(d.reason, REASON_UNLISTED);
	assert_int_equal(d.action, ACTION_ALLOW);
	policy_free(p);
	policy_free(NULL);
}

static void test_contract_by_service_and_expiry(void **state)
{
	struct policy *p = *state;
	/* the service contract covers every name of the service */
	struct decision d = decide(p, "192.0.2.1", "chatgpt.com", NOON_DEC31);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_int_equal(d.reason, REASON_CONTRACT);
	assert_string_equal(d.contract->id, "openai-2025");
	d = decide(p, "192.0.2.1", "ab.chatgpt.com", NOON_DEC31);
	assert_int_equal(d.reason, REASON_CONTRACT);

	/* valid through the last second of its expiry day ... */
	d = decide(p, "192.0.2.1", "chatgpt.com", END_OF(D_2025_12_31));
	assert_int_equal(d.reason, REASON_CONTRACT);
	assert_true(contract_active(&p->contracts[0], END_OF(D_2025_12_31)));
	/* ... and not a second longer: back to the terms, noted as inactive */
	d = decide(p, "192.0.2.1", "chatgpt.com", D_2026_01_01);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_null(d.contract);
	assert_non_null(d.contract_inactive);
	assert_string_equal(d.contract_inactive->id, "openai-2025");
	assert_false(contract_active(&p->contracts[0], D_2026_01_01));

	/* a contract that has not started yet */
	d = decide(p, "192.0.2.1", "character.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_string_equal(d.contract_inactive->id, "character-future");
	d = decide(p, "192.0.2.1", "character.ai", D_2026_01_01 + 31 * DAY);
	assert_int_equal(d.reason, REASON_CONTRACT);

	/* an expired contract for copilot does not cover it */
	d = decide(p, "192.0.2.1", "githubcopilot.com", NOON_DEC31);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_string_equal(d.contract_inactive->id, "copilot-old");
	/* a service contract does not cover another service under the same suffix */
	d = decide(p, "192.0.2.1", "api.business.githubcopilot.com", NOON_DEC31);
	assert_null(d.contract_inactive);
	assert_false(contract_active(NULL, 0));
}

static void test_contract_by_host(void **state)
{
	struct policy *p = *state;
	struct decision d = decide(p, "192.0.2.1", "claude.ai", NOON_DEC31);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_int_equal(d.reason, REASON_CONTRACT);
	assert_string_equal(d.contract->id, "anthropic-host");
	/* hosts are exact: a name below it is not covered */
	d = decide(p, "192.0.2.1", "api.claude.ai", NOON_DEC31);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_null(d.contract);
	/* nor is a prefix of it */
	struct ip_addr a = addr("192.0.2.1");
	policy_decide(p, &a, "claude.ai", 6, NOON_DEC31, &d);
	assert_int_not_equal(d.reason, REASON_CONTRACT);
}

static void test_zone_precedence(void **state)
{
	struct policy *p = *state;
	/* in the sandbox the zone beats the contract and the terms */
	struct decision d = decide(p, "10.20.3.4", "chatgpt.com", NOON_DEC31);
	assert_int_equal(d.action, ACTION_LOG);
	assert_int_equal(d.reason, REASON_ZONE);
	assert_string_equal(d.zone->name, "sandbox");
	assert_null(d.contract);
	d = decide(p, "192.0.2.200", "character.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_ZONE);
	assert_int_equal(d.action, ACTION_LOG);
	/* just outside the zone's networks */
	d = decide(p, "192.0.2.127", "character.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_TERMS);
	d = decide(p, "10.21.0.1", "character.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_null(d.zone);
	/* no client address: no zone */
	d = decide(p, NULL, "character.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_TERMS);

	/* unlisted names keep the unlisted action inside a zone */
	d = decide(p, "10.20.3.4", "example.org", NOON_DEC31);
	assert_int_equal(d.reason, REASON_UNLISTED);
	assert_int_equal(d.action, ACTION_ALLOW);
	assert_null(d.zone);

	/* the zone expires at the end of its day: then the contract, then terms */
	d = decide(p, "10.20.3.4", "chatgpt.com", END_OF(D_2025_12_31));
	assert_int_equal(d.reason, REASON_ZONE);
	d = decide(p, "10.20.3.4", "character.ai", D_2026_01_01);
	assert_int_equal(d.reason, REASON_TERMS);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_null(d.zone);
	assert_string_equal(d.zone_inactive->name, "sandbox");

	/* an expired zone is skipped */
	d = decide(p, "172.16.5.5", "character.ai", NOON_DEC31);
	assert_int_equal(d.action, ACTION_BLOCK);
	assert_string_equal(d.zone_inactive->name, "old");
}

static void test_ipv6_zone(void **state)
{
	struct policy *p = *state;
	struct decision d = decide(p, "2001:db8:aa:ffff::1", "claude.ai", D_2026_01_01 + 900 * DAY);
	assert_int_equal(d.reason, REASON_ZONE);
	assert_string_equal(d.zone->name, "lab6");
	d = decide(p, "2001:db8:ab::1", "claude.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_CONTRACT);
	/* an IPv4 client never matches an IPv6 zone, nor the reverse */
	d = decide(p, "::ffff:10.20.3.4", "character.ai", NOON_DEC31);
	assert_int_equal(d.reason, REASON_TERMS);
}

static void test_cidr(void **state)
{
	(void)state;
	struct cidr c;
	assert_true(cidr_parse("10.0.0.0/8", &c));
	assert_int_equal(c.addr.family, 4);
	assert_int_equal(c.prefix_len, 8);
	assert_int_equal(c.addr.b[0], 10);
	assert_true(cidr_parse("192.0.2.1", &c));
	assert_int_equal(c.prefix_len, 32);
	assert_true(cidr_parse("0.0.0.0/0", &c));
	assert_int_equal(c.prefix_len, 0);
	assert_true(cidr_parse("2001:db8::/32", &c));
	assert_int_equal(c.addr.family, 6);
	assert_int_equal(c.prefix_len, 32);
	assert_true(cidr_parse("2001:db8::1", &c));
	assert_int_equal(c.prefix_len, 128);
	assert_true(cidr_parse("::/0", &c));
	assert_true(cidr_parse("10.0.0.0/7", &c));
	assert_false(cidr_parse("11.0.0.0/7", &c));  /* the 8th bit is a host bit */

	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.1/8", "10.0.0/8", "10.0.0.256/32",
		"2001:db8::1/64", "2001:db8::/129", "2001:db8::/1x", "example.org",
		"10.0.0.0 /8", "2001:db8:0:0:0:0:0:0:0/64",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cidr_parse(bad[i], &c))
			fail_msg("\"%s\" parsed", bad[i]);
	assert_false(cidr_parse(NULL, &c));

	struct cidr net;
	assert_true(cidr_parse("192.0.2.128/25", &net));
	struct ip_addr a = addr("192.0.2.128");
	assert_true(cidr_contains(&net, &a));
	a = addr("192.0.2.255");
	assert_true(cidr_contains(&net, &a));
	a = addr("192.0.2.127");
	assert_false(cidr_contains(&net, &a));
	assert_true(cidr_parse("0.0.0.0/0", &net));
	assert_true(cidr_contains(&net, &a));
	a = addr("::1");
	assert_false(cidr_contains(&net, &a));
	assert_true(cidr_parse("2001:db8::/33", &net));
	a = addr("2001:db8:7fff::1");
	assert_true(cidr_contains(&net, &a));
	a = addr("2001:db8:8000::");
	assert_false(cidr_contains(&net, &a));
	struct ip_addr none = { 0 };
	assert_false(cidr_contains(&net, &none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_terms_and_unlisted, setup, teardown),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_contract_by_service_and_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contract_by_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_zone, setup, teardown),
		cmocka_unit_test(test_cidr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
