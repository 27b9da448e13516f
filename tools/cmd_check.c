/* cmd_check.c: `aigatectl check`: how names are classified, with the
 * precedence walk of DESIGN.md s1 (zone, contract, terms, unlisted). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "ctl_common.h"
#include "event.h"
#include "ip.h"
#include "name.h"

static void check_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl check [--from IP] [--json] [--at DATE] [--list FILE|DIR]\n"
		"                       [--config FILE] [--contracts DIR] NAME...\n"
		"Explains how each NAME is classified: the list entry that matches it,\n"
		"its service and terms class, and the precedence walk (zone, contract,\n"
		"terms, unlisted) that gives the action, for a client at --from IP\n"
		"(zones apply only with --from) at the current time or --at DATE (UTC).\n"
		"  --json   one object per name, in the order given\n"
		"Exit status: 0 done, 1 the policy could not be loaded, 2 usage.\n");
}

static void date_text(int64_t t, char *buf, size_t cap)
{
	if (t == 0) {
		snprintf(buf, cap, "never");
		return;
	}
	char full[40];
	event_format_time(t * 1000000, full, sizeof(full));
	snprintf(buf, cap, "%.10s", full);
}

static const char *zone_state(const struct zone *z, int64_t now)
{
	if (z->starts && now < z->starts)
		return "not yet active";
	if (z->expires && now > z->expires)
		return "expired";
	return "active";
}

static void print_text(const char *input, const char *name, size_t name_len, uint32_t flags,
		       const struct decision *d, const struct aigate_config *cfg,
		       bool have_client, const char *client_text, int64_t now)
{
	char text[NAME_BUF_LEN * 4 + 1], d1[16];
	ctl_name_text(name, name_len, text, sizeof(text));
	const struct policy *p = cfg->policy;
	const struct list_match *m = &d->match;
	/* The input is echoed escaped too: a name pasted from a log may
	 * hold control bytes that would drive the terminal. */
	char shown[NAME_BUF_LEN * 4 + 1];
	ctl_name_text(input, strnlen(input, NAME_BUF_LEN * 4), shown, sizeof(shown));
	printf("%s\n", shown);
	if (strcmp(input, text) != 0)
		printf("  normalised: %s\n", text);
	if (flags) {
		printf("  flags:");
		for (unsigned b = 0; b < FLAG_COUNT_; b++)
			if (flags & (1u << b))
				printf(" %s", flag_name(1u << b));
		printf("\n");
	}
	if (m->entry) {
		printf("  list:     %s entry %s%s (terms %s)\n", m->entry->exact ? "exact" : "suffix",
		       m->entry->name, m->entry->exact ? "" : " and below", terms_name(m->entry->terms));
		printf("  service:  %s (%s; vendor %s, %s%s)\n", m->service->id, m->service->name,
		       m->service->vendor, m->service->jurisdiction, m->service->eu ? ", EU" : "");
	} else {
		printf("  list:     not listed (serial %" PRIu64 ")\n", list_serial(p->list));
	}
	printf("  walk:\n");
	/* 1. zone */
	if (!have_client)
		printf("    1 zone:     no client address given (--from): zones not considered\n");
	else if (d->zone)
		printf("    1 zone:     %s contains %s: action %s\n", d->zone->name, client_text,
		       action_name(d->zone->action));
	else if (d->zone_inactive)
		printf("    1 zone:     %s contains %s but is %s: skipped\n", d->zone_inactive->name,
		       client_text, zone_state(d->zone_inactive, now));
	else if (!m->entry)
		printf("    1 zone:     not applied to unlisted names\n");
	else
		printf("    1 zone:     no zone contains %s\n", client_text);
	/* 2. contract */
	if (d->reason == REASON_ZONE)
		printf("    2 contract: not reached\n");
	else if (d->contract) {
		date_text(d->contract->expires, d1, sizeof(d1));
		printf("    2 contract: %s (%s) covers it until %s: allow\n", d->contract->id,
		       d->contract->reference ? d->contract->reference : "", d1);
	} else if (d->contract_inactive) {
		date_text(d->contract_inactive->expires, d1, sizeof(d1));
		printf("    2 contract: %s would cover it but is not in force (expires %s): skipped\n",
		       d->contract_inactive->id, d1);
	} else {
		printf("    2 contract: none covers it\n");
	}
	/* 3. terms / 4. unlisted */
	if (d->reason == REASON_TERMS)
		printf("    3 terms:    %s -> %s\n", terms_name(m->entry->terms), action_name(d->action));
	else if (d->reason == REASON_UNLISTED)
		printf("    4 unlisted: -> %s\n", action_name(d->action));
	else
		printf("    3 terms:    not reached\n");
	printf("  action:   %s (reason %s, mode %s)\n", action_name(d->action),
	       reason_name(d->reason), mode_name(p->mode));
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void print_json(const char *name, size_t name_len, uint32_t flags,
		       const struct decision *d, const struct aigate_config *cfg,
		       const char *client_text)
{
	char text[NAME_BUF_LEN * 4 + 1];
	ctl_name_text(name, name_len, text, sizeof(text));
	const struct list_match *m = &d->match;
	json_t *o = json_object();
	json_t *fl = json_array();
	for (unsigned b = 0; b < FLAG_COUNT_; b++)
		if (flags & (1u << b))
			json_array_append_new(fl, json_string(flag_name(1u << b)));
	json_object_set_new(o, "name", json_string(text));
	json_object_set_new(o, "listed", json_boolean(m->entry != NULL));
	json_object_set_new(o, "match", m->entry ? json_string(m->entry->name) : json_null());
	json_object_set_new(o, "match_kind", m->entry ? json_string(m->entry->exact ? "exact" : "suffix") : json_null());
	json_object_set_new(o, "service", str_or_null(m->service ? m->service->id : NULL));
	json_object_set_new(o, "vendor", str_or_null(m->service ? m->service->vendor : NULL));
	json_object_set_new(o, "jurisdiction", str_or_null(m->service ? m->service->jurisdiction : NULL));
	json_object_set_new(o, "terms", m->entry ? json_string(terms_name(m->entry->terms)) : json_null());
	json_object_set_new(o, "action", json_string(action_name(d->action)));
	json_object_set_new(o, "reason", json_string(reason_name(d->reason)));
	json_object_set_new(o, "mode", json_string(mode_name(cfg->policy->mode)));
	json_object_set_new(o, "src_ip", str_or_null(client_text));
	json_object_set_new(o, "zone", str_or_null(d->zone ? d->zone->name : NULL));
	json_object_set_new(o, "contract", str_or_null(d->contract ? d->contract->id : NULL));
	json_object_set_new(o, "zone_inactive", str_or_null(d->zone_inactive ? d->zone_inactive->name : NULL));
	json_object_set_new(o, "contract_inactive", str_or_null(d->contract_inactive ? d->contract_inactive->id : NULL));
	json_object_set_new(o, "list_serial", json_integer((json_int_t)list_serial(cfg->policy->list)));
	json_object_set_new(o, "flags", fl);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		printf("%s\n", s);
		free(s);
	}
	json_decref(o);
}

int cmd_check(int argc, char **argv)
{
	struct ctl_policy_opts po = { 0 };
	const char *from = NULL, *at = NULL;
	bool json = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		bool missing = false;
		const char *v;
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			check_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			continue;
		}
		if ((v = ctl_opt_value("--from", argc, argv, &i, &missing))) {
			from = v;
			continue;
		}
		if (!missing && (v = ctl_opt_value("--at", argc, argv, &i, &missing))) {
			at = v;
			continue;
		}
		int r = missing ? -1 : ctl_policy_option("check", argc, argv, &i, &po);
		if (r < 0) {
			ctl_errorx("check", "%s needs a value", argv[i]);
			return 2;
		}
		if (r == 0) {
			ctl_errorx("check", "unknown option %s", argv[i]);
			check_usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		check_usage(stderr);
		return 2;
	}
	struct ip_addr client;
	memset(&client, 0, sizeof(client));
	if (from && !ip_addr_parse(from, &client)) {
		ctl_errorx("check", "--from %s: not an IPv4 or IPv6 address", from);
		return 2;
	}
	int64_t now = (int64_t)time(NULL);
	if (at && !date_parse(at, &now)) {
		ctl_errorx("check", "--at %s: not a date (YYYY-MM-DD)", at);
		return 2;
	}
	struct aigate_config *cfg = ctl_load_config("check", &po);
	if (!cfg)
		return 1;
	char client_text[64] = "";
	if (from)
		ip_addr_format(&client, client_text, sizeof(client_text));
	for (; i < argc; i++) {
		char name[NAME_BUF_LEN];
		size_t name_len;
		uint32_t flags = name_normalize(argv[i], strlen(argv[i]), name, &name_len);
		struct decision d;
		policy_decide(cfg->policy, from ? &client : NULL, name, name_len, now, &d);
		if (json)
			print_json(name, name_len, flags, &d, cfg, from ? client_text : NULL);
		else
			print_text(argv[i], name, name_len, flags, &d, cfg, from != NULL, client_text, now);
	}
	config_free(cfg);
	return 0;
}
