/* cmd_list.c: `aigatectl list` and `aigatectl show SERVICE`: browse the
 * list with what the configured policy does to each class (DESIGN.md
 * s3).  --json prints one object per line (jansson). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "core/list.h"
#include "core/policy.h"
#include "ctl_common.h"
#include "lifecycle.h"

struct browse_opts {
	struct ctl_policy_opts po;
	bool json;
	const char *terms, *category;
};

/* Bit set of the terms classes a service's entries use. */
static unsigned service_terms(const struct list *l, size_t idx, size_t *n_names)
{
	unsigned set = 0;
	*n_names = 0;
	for (size_t i = 0; i < list_n_entries(l); i++) {
		const struct list_entry *e = list_entry_at(l, i);
		if (e->service != idx)
			continue;
		set |= 1u << e->terms;
		(*n_names)++;
	}
	return set;
}

static void terms_text(unsigned set, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int t = 0; t < TERMS_COUNT_; t++) {
		if (!(set & (1u << t)))
			continue;
		int n = snprintf(buf + o, cap - o, "%s%s", o > 0 ? "," : "", terms_name((enum terms)t));
		if (n < 0 || (size_t)n >= cap - o)
			break;
		o += (size_t)n;
	}
}

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(o);
}

/* Options common to list and show; returns the index of the first
 * operand, or -1 (usage printed, *rc set). */
static int browse_options(const char *verb, int argc, char **argv, struct browse_opts *o,
			  int *rc)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		bool missing = false;
		const char *v;
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: aigatectl list [--json] [--terms T] [--category C] [--list FILE|DIR] [--config FILE]\n"
			       "       aigatectl show [--json] [--list FILE|DIR] [--config FILE] SERVICE...\n"
			       "list: one line per service: id, classes, action under the configuration,\n"
			       "category, vendor, jurisdiction (EU vendors marked), open weights, names.\n"
			       "show: everything the list says about a service, with sources.\n");
			*rc = 0;
			return -1;
		}
		if (strcmp(verb, "list") == 0 &&
		    ((v = ctl_opt_value("--terms", argc, argv, &i, &missing)) != NULL || missing)) {
			if (missing || terms_from_name(v) < 0) {
				ctl_errorx(verb, "--terms: consumer, shared, api, enterprise or dns-bypass");
				*rc = 2;
				return -1;
			}
			o->terms = v;
			continue;
		}
		if (strcmp(verb, "list") == 0 &&
		    ((v = ctl_opt_value("--category", argc, argv, &i, &missing)) != NULL || missing)) {
			if (missing) {
				ctl_errorx(verb, "--category needs a value");
				*rc = 2;
				return -1;
			}
			o->category = v;
			continue;
		}
		int r = ctl_policy_option(verb, argc, argv, &i, &o->po);
		if (r <= 0) {
			if (r == 0)
				ctl_errorx(verb, "unknown option %s", argv[i]);
			*rc = 2;
			return -1;
		}
	}
	return i;
}

int cmd_list(int argc, char **argv)
{
	struct browse_opts o = { 0 };
	int rc = 0;
	int first = browse_options("list", argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first < argc) {
		ctl_errorx("list", "unexpected argument %s (show SERVICE describes one)", argv[first]);
		return 2;
	}
	struct aigate_config *c = ctl_load_config("list", &o.po);
	if (c == NULL)
		return 1;
	const struct policy *p = c->policy;
	const struct list *l = p->list;
	size_t shown = 0;
	if (!o.json)
		printf("%-26s %-22s %-7s %-12s %-28s %-6s %-4s %s\n", "SERVICE", "TERMS", "ACTION",
		       "CATEGORY", "VENDOR", "JUR", "OPEN", "NAMES");
	for (size_t i = 0; i < list_n_services(l); i++) {
		const struct list_service *s = list_service_at(l, i);
		size_t n_names;
		unsigned set = service_terms(l, i, &n_names);
		if (o.terms != NULL && !(set & (1u << terms_from_name(o.terms))))
			continue;
		if (o.category != NULL && (s->category == NULL || strcmp(s->category, o.category) != 0))
			continue;
		char tt[80], act[40] = "";
		terms_text(set, tt, sizeof tt);
		/* the action of each class the service uses, joined when they differ */
		unsigned acts = 0;
		for (int t = 0; t < TERMS_COUNT_; t++)
			if (set & (1u << t))
				acts |= 1u << p->terms_action[t];
		for (int a = 0; a < 3; a++)
			if (acts & (1u << a))
				snprintf(act + strlen(act), sizeof act - strlen(act), "%s%s",
					 act[0] ? "," : "", action_name((enum action)a));
		shown++;
		if (o.json) {
			json_t *j = json_object();
			json_object_set_new(j, "id", json_string(s->id));
			json_object_set_new(j, "name", json_string(s->name));
			json_object_set_new(j, "vendor", json_string(s->vendor));
			json_object_set_new(j, "jurisdiction", json_string(s->jurisdiction));
			json_object_set_new(j, "eu", json_boolean(s->eu));
			json_object_set_new(j, "open_weights", json_boolean(s->open_weights));
			json_object_set_new(j, "category", s->category ? json_string(s->category) : json_null());
			json_object_set_new(j, "terms", json_string(tt));
			json_object_set_new(j, "action", json_string(act));
			json_object_set_new(j, "names", json_integer((json_int_t)n_names));
			print_json(j);
		} else {
			char jur[8];
			snprintf(jur, sizeof jur, "%s%s", s->jurisdiction, s->eu ? "/EU" : "");
			printf("%-26s %-22s %-7s %-12s %-28.28s %-6s %-4s %zu\n", s->id, tt, act,
			       s->category ? s->category : "-", s->vendor, jur,
			       s->open_weights ? "yes" : "no", n_names);
		}
	}
	if (!o.json)
		printf("%zu of %zu services, list serial %llu\n", shown, list_n_services(l),
		       (unsigned long long)list_serial(l));
	config_free(c);
	return 0;
}

static void show_one(const struct policy *p, const struct list_service *s, size_t idx, bool json,
		     int64_t now)
{
	const struct list *l = p->list;
	json_t *j = json ? json_object() : NULL;
	json_t *eps = json ? json_array() : NULL;
	if (!json) {
		printf("%s: %s\n", s->id, s->name);
		printf("  vendor:       %s\n", s->vendor);
		printf("  jurisdiction: %s%s\n", s->jurisdiction, s->eu ? " (EU)" : "");
		printf("  open weights: %s\n", s->open_weights ? "yes" : "no");
		printf("  category:     %s\n", s->category ? s->category : "-");
		printf("  verified:     %s\n", s->verified);
		for (size_t i = 0; i < s->n_sources; i++)
			printf("  source:       %s\n", s->sources[i]);
		if (s->notes != NULL)
			printf("  notes:        %s\n", s->notes);
		printf("  names:\n");
	}
	for (size_t i = 0; i < list_n_entries(l); i++) {
		const struct list_entry *e = list_entry_at(l, i);
		if (e->service != idx)
			continue;
		struct decision dec;
		policy_decide(p, NULL, e->name, strlen(e->name), now, &dec);
		if (json) {
			json_t *x = json_object();
			json_object_set_new(x, "name", json_string(e->name));
			json_object_set_new(x, "match", json_string(e->exact ? "exact" : "suffix"));
			json_object_set_new(x, "terms", json_string(terms_name(e->terms)));
			json_object_set_new(x, "action", json_string(action_name(dec.action)));
			json_array_append_new(eps, x);
		} else {
			printf("    %-6s %-44s %-10s %s%s%s\n", e->exact ? "exact" : "suffix", e->name,
			       terms_name(e->terms), action_name(dec.action),
			       dec.contract ? " (contract " : "",
			       dec.contract ? dec.contract->id : "");
			if (dec.contract)
				fputs(")\n", stdout);
			else
				fputs("\n", stdout);
		}
	}
	if (json) {
		json_object_set_new(j, "id", json_string(s->id));
		json_object_set_new(j, "name", json_string(s->name));
		json_object_set_new(j, "vendor", json_string(s->vendor));
		json_object_set_new(j, "jurisdiction", json_string(s->jurisdiction));
		json_object_set_new(j, "eu", json_boolean(s->eu));
		json_object_set_new(j, "open_weights", json_boolean(s->open_weights));
		json_object_set_new(j, "category", s->category ? json_string(s->category) : json_null());
		json_object_set_new(j, "verified", json_string(s->verified));
		json_t *src = json_array();
		for (size_t i = 0; i < s->n_sources; i++)
			json_array_append_new(src, json_string(s->sources[i]));
		json_object_set_new(j, "sources", src);
		json_object_set_new(j, "notes", s->notes ? json_string(s->notes) : json_null());
		json_object_set_new(j, "endpoints", eps);
		print_json(j);
	}
}

int cmd_show(int argc, char **argv)
{
	struct browse_opts o = { 0 };
	int rc = 0;
	int first = browse_options("show", argc, argv, &o, &rc);
	if (first < 0)
		return rc;
	if (first == argc) {
		ctl_errorx("show", "name a service (aigatectl list shows them)");
		return 2;
	}
	struct aigate_config *c = ctl_load_config("show", &o.po);
	if (c == NULL)
		return 1;
	const struct list *l = c->policy->list;
	int64_t now = lc_now();
	for (int i = first; i < argc; i++) {
		const struct list_service *s = list_find_service(l, argv[i]);
		if (s == NULL) {
			ctl_errorx("show", "no service '%s' in the list", argv[i]);
			rc = 1;
			continue;
		}
		size_t idx = 0;
		while (list_service_at(l, idx) != s)
			idx++;
		show_one(c->policy, s, idx, o.json, now);
	}
	config_free(c);
	return rc;
}
