/* cmd_impact.c: `aigatectl impact --log EVENTS LIST`: what a candidate
 * list (with the configuration and contracts) would change for the
 * traffic an event log recorded: the names and clients newly blocked and
 * newly allowed, compared with the action each event recorded.
 *
 * The log is JSON lines, event schema v1 (README.md): "name", "src_ip"
 * and "action" are used; lines that are not such events are counted and
 * skipped.  Names are normalised as the daemon does; each is decided for
 * its client (zones apply) at the time given by --at (default now).
 * Exit status: 0 nothing changes, 1 something changes (or an error),
 * 2 usage: like diff(1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "core/ip.h"
#include "core/name.h"
#include "core/policy.h"
#include "ctl_common.h"
#include "lifecycle.h"

#define LOG_MAX_BYTES (1u << 30)

struct rec {
	char *name;
	char *client;
	enum action old_action, new_action;
	size_t events;
	const char *service;   /* borrowed from the candidate list */
	enum terms terms;
};

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c != 0)
		return c;
	c = strcmp(x->client, y->client);
	if (c != 0)
		return c;
	if (x->old_action != y->old_action)
		return x->old_action < y->old_action ? -1 : 1;
	return 0;
}

static void impact_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl impact --log EVENTS [--config FILE] [--contracts DIR] [--at DATE] LIST\n"
		"Replays the names and clients of an event log (JSON lines, schema v1)\n"
		"against the candidate LIST with the configuration and contracts, and\n"
		"reports the names and clients that would be newly blocked or newly\n"
		"allowed compared with the recorded actions.  Exit status: 0 no change,\n"
		"1 changes (or an error), 2 usage.\n");
}

/* One section: the records (sorted) with want_block as the new outcome. */
static size_t report(const struct rec *v, size_t n, bool want_block, FILE *out)
{
	size_t names = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, events = 0, clients = 0;
		bool any = false;
		for (; j < n && strcmp(v[j].name, v[i].name) == 0; j++) {
			bool nb = v[j].new_action == ACTION_BLOCK, ob = v[j].old_action == ACTION_BLOCK;
			if (nb == ob || nb != want_block)
				continue;
			any = true;
		}
		if (!any) {
			i = j;
			continue;
		}
		names++;
		char shown[NAME_BUF_LEN * 4];
		ctl_name_text(v[i].name, strlen(v[i].name), shown, sizeof shown);
		fprintf(out, "  %-40s %-10s %-22s clients:", shown,
			v[i].service ? terms_name(v[i].terms) : "unlisted",
			v[i].service ? v[i].service : "-");
		for (size_t k = i; k < j; k++) {
			bool nb = v[k].new_action == ACTION_BLOCK, ob = v[k].old_action == ACTION_BLOCK;
			if (nb == ob || nb != want_block)
				continue;
			/* the same client may appear with several old actions */
			if (k == i || strcmp(v[k - 1].client, v[k].client) != 0 ||
			    (v[k - 1].new_action == ACTION_BLOCK) == (v[k - 1].old_action == ACTION_BLOCK)) {
				fprintf(out, " %s", v[k].client);
				clients++;
			}
			events += v[k].events;
		}
		fprintf(out, "  (%zu client%s, %zu event%s, was %s)\n", clients, clients == 1 ? "" : "s",
			events, events == 1 ? "" : "s", want_block ? "allowed" : "blocked");
		i = j;
	}
	return names;
}

int cmd_impact(int argc, char **argv)
{
	struct ctl_policy_opts po = { 0 };
	const char *logp = NULL, *at = NULL, *cand = NULL;

	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			impact_usage(stdout);
			return 0;
		}
		if ((v = ctl_opt_value("--log", argc, argv, &i, &missing)) != NULL) {
			logp = v;
			continue;
		}
		if (!missing && (v = ctl_opt_value("--at", argc, argv, &i, &missing)) != NULL) {
			at = v;
			continue;
		}
		if (!missing && argv[i][0] != '-') {
			if (cand != NULL) {
				impact_usage(stderr);
				return 2;
			}
			cand = argv[i];
			continue;
		}
		int r = missing ? -1 : ctl_policy_option("impact", argc, argv, &i, &po);
		if (r <= 0) {
			ctl_errorx("impact", r < 0 ? "%s needs a value" : "unknown argument %s", argv[i]);
			return 2;
		}
	}
	if (po.list != NULL && cand == NULL)
		cand = po.list;
	if (logp == NULL || cand == NULL) {
		impact_usage(stderr);
		return 2;
	}
	int64_t now = lc_now();
	if (at != NULL && !date_parse(at, &now)) {
		ctl_errorx("impact", "--at '%s' is not a date (YYYY-MM-DD)", at);
		return 2;
	}
	po.list = cand;
	struct aigate_config *c = ctl_load_config("impact", &po);
	if (c == NULL)
		return 1;
	char *data = NULL, err[512];
	size_t len = 0;
	if (!lc_read_file(logp, LOG_MAX_BYTES, &data, &len, NULL, err, sizeof err)) {
		ctl_errorx("impact", "%s", err);
		config_free(c);
		return 1;
	}
	struct rec *v = NULL;
	size_t n = 0, cap = 0, total = 0, skipped = 0;
	unsigned line = 0;
	for (char *p = data, *nl; p != NULL && *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		line++;
		if (*p == '\0')
			continue;
		json_error_t jerr;
		json_t *ev = json_loads(p, JSON_REJECT_DUPLICATES, &jerr);
		const char *name = ev ? json_string_value(json_object_get(ev, "name")) : NULL;
		const char *client = ev ? json_string_value(json_object_get(ev, "src_ip")) : NULL;
		const char *act = ev ? json_string_value(json_object_get(ev, "action")) : NULL;
		int old = act != NULL ? action_from_name(act) : -1;
		if (name == NULL || old < 0) {
			skipped++;
			json_decref(ev);
			continue;
		}
		total++;
		char norm[NAME_BUF_LEN];
		size_t norm_len;
		name_normalize(name, strlen(name), norm, &norm_len);
		struct ip_addr ip;
		bool have_ip = client != NULL && ip_addr_parse(client, &ip);
		struct decision d;
		policy_decide(c->policy, have_ip ? &ip : NULL, norm, norm_len, now, &d);
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct rec *nv = realloc(v, cap * sizeof *nv);
			if (nv == NULL) {
				json_decref(ev);
				break;
			}
			v = nv;
		}
		v[n] = (struct rec){
			.name = strdup(norm), .client = strdup(client != NULL ? client : "-"),
			.old_action = (enum action)old, .new_action = d.action, .events = 1,
			.service = d.match.service ? d.match.service->id : NULL,
			.terms = d.match.entry ? d.match.entry->terms : TERMS_NONE,
		};
		json_decref(ev);
		if (v[n].name == NULL || v[n].client == NULL) {
			free(v[n].name);
			free(v[n].client);
			break;
		}
		n++;
	}
	free(data);
	if (n > 0)
		qsort(v, n, sizeof *v, rec_cmp);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && rec_cmp(&v[w - 1], &v[i]) == 0) {
			v[w - 1].events++;
			free(v[i].name);
			free(v[i].client);
			continue;
		}
		v[w++] = v[i];
	}
	n = w;
	printf("impact of %s (serial %llu) on %s: %zu events, %zu lines skipped\n", cand,
	       (unsigned long long)list_serial(c->policy->list), logp, total, skipped);
	printf("newly blocked:\n");
	size_t nb = report(v, n, true, stdout);
	if (nb == 0)
		printf("  (none)\n");
	printf("newly allowed:\n");
	size_t na = report(v, n, false, stdout);
	if (na == 0)
		printf("  (none)\n");
	printf("%zu name%s newly blocked, %zu newly allowed\n", nb, nb == 1 ? "" : "s", na);
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].client);
	}
	free(v);
	config_free(c);
	return nb + na > 0 ? 1 : 0;
}
