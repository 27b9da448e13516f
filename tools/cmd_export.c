/* cmd_export.c: `aigatectl export`: the names the configured policy
 * blocks, for agencies that also filter at their resolver:
 *
 *   dnsmasq  address=/NAME/ (NXDOMAIN for NAME and below) and
 *            server=/NAME/# ("use the standard servers") for allowed
 *            names inside a blocked domain (dnsmasq(8), --server)
 *   unbound  local-zone: "NAME." always_nxdomain / transparent
 *   rpz      a response-policy zone: "NAME CNAME ." (NXDOMAIN) and
 *            "*.NAME CNAME ." for the names below, rpz-passthru. for
 *            exceptions (BIND, Unbound, Knot Resolver, PowerDNS)
 *   hosts    "0.0.0.0 NAME": hosts files hold single names only, so the
 *            names below a blocked suffix are not covered
 *
 * The decision for each name is policy_decide's, with contracts in
 * force at the time (AIGATE_NOW for tests); zones are per client and do
 * not apply to a resolver.  dnsmasq and unbound rules always cover the
 * names below, so an `exact` entry blocks its subdomains there too; rpz
 * expresses both.  An allowed name below a blocked one (an enterprise
 * host inside a shared domain, a contracted host) becomes an exception. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/list.h"
#include "core/policy.h"
#include "ctl_common.h"
#include "lifecycle.h"

/* A label that no list name uses, to ask the matcher about "the names
 * below" a name. */
#define PROBE_LABEL "_aigate-export-probe"

enum fmt { FMT_DNSMASQ, FMT_UNBOUND, FMT_RPZ, FMT_HOSTS };

struct node {
	const char *name;
	size_t labels;
	bool self_block;   /* the name itself is blocked */
	bool sub_block;    /* the names below it are blocked */
	bool rule;         /* effective subtree rule (dnsmasq/unbound: self, rpz: sub) */
};

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->name, ((const struct node *)b)->name);
}

static size_t count_labels(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		n += *s == '.';
	return n;
}

static bool decide_block(const struct policy *p, const char *name, int64_t now)
{
	struct decision d;
	policy_decide(p, NULL, name, strlen(name), now, &d);
	return d.action == ACTION_BLOCK;
}

/* The effective subtree rule of the nearest ancestor of v[i] in v
 * (sorted by name), or allow. */
static bool inherited(const struct node *v, size_t n, const char *name)
{
	for (const char *p = strchr(name, '.'); p != NULL; p = strchr(p + 1, '.')) {
		struct node key = { .name = p + 1 };
		const struct node *a = bsearch(&key, v, n, sizeof *v, node_cmp);
		if (a != NULL)
			return a->rule;
	}
	return false;
}

static int depth_cmp(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	if (x->labels != y->labels)
		return x->labels < y->labels ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void export_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl export --format dnsmasq|unbound|rpz|hosts [-o FILE]\n"
		"                        [--list FILE|DIR] [--config FILE] [--contracts DIR]\n"
		"Writes the names the configured actions block (with the contracts in force\n"
		"today) in a resolver's syntax, with exceptions for allowed names inside\n"
		"blocked domains.  Exit status: 0 written, 1 failure, 2 usage.\n");
}

int cmd_export(int argc, char **argv)
{
	struct ctl_policy_opts po = { 0 };
	const char *fmt_s = NULL, *outp = NULL;
	enum fmt fmt;

	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			export_usage(stdout);
			return 0;
		}
		if ((v = ctl_opt_value("--format", argc, argv, &i, &missing)) != NULL) {
			fmt_s = v;
			continue;
		}
		if (!missing && (v = ctl_opt_value("-o", argc, argv, &i, &missing)) != NULL) {
			outp = v;
			continue;
		}
		int r = missing ? -1 : ctl_policy_option("export", argc, argv, &i, &po);
		if (r <= 0) {
			ctl_errorx("export", r < 0 ? "%s needs a value" : "unknown argument %s", argv[i]);
			return 2;
		}
	}
	if (fmt_s == NULL) {
		export_usage(stderr);
		return 2;
	}
	if (strcmp(fmt_s, "dnsmasq") == 0)
		fmt = FMT_DNSMASQ;
	else if (strcmp(fmt_s, "unbound") == 0)
		fmt = FMT_UNBOUND;
	else if (strcmp(fmt_s, "rpz") == 0)
		fmt = FMT_RPZ;
	else if (strcmp(fmt_s, "hosts") == 0)
		fmt = FMT_HOSTS;
	else {
		ctl_errorx("export", "--format: dnsmasq, unbound, rpz or hosts");
		return 2;
	}
	struct aigate_config *c = ctl_load_config("export", &po);
	if (c == NULL)
		return 1;
	const struct policy *p = c->policy;
	const struct list *l = p->list;
	int64_t now = lc_now();

	/* Every name that can carry a rule: list entries and the exact
	 * hosts of contracts in force. */
	size_t cap = list_n_entries(l) + 1;
	for (size_t i = 0; i < p->n_contracts; i++)
		cap += p->contracts[i].n_hosts;
	struct node *v = calloc(cap, sizeof *v);
	struct node **order = calloc(cap, sizeof *order);
	if (v == NULL || order == NULL) {
		ctl_errorx("export", "out of memory");
		free(v);
		free(order);
		config_free(c);
		return 1;
	}
	size_t n = 0;
	for (size_t i = 0; i < list_n_entries(l); i++)
		v[n++].name = list_entry_at(l, i)->name;
	for (size_t i = 0; i < p->n_contracts; i++)
		if (contract_active(&p->contracts[i], now))
			for (size_t k = 0; k < p->contracts[i].n_hosts; k++)
				v[n++].name = p->contracts[i].hosts[k];
	qsort(v, n, sizeof *v, node_cmp);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || strcmp(v[w - 1].name, v[i].name) != 0)
			v[w++] = v[i];
	n = w;
	for (size_t i = 0; i < n; i++) {
		char probe[NAME_BUF_LEN + sizeof PROBE_LABEL + 1];
		v[i].labels = count_labels(v[i].name);
		v[i].self_block = decide_block(p, v[i].name, now);
		snprintf(probe, sizeof probe, "%s.%s", PROBE_LABEL, v[i].name);
		v[i].sub_block = strlen(probe) <= NAME_MAX_LEN ? decide_block(p, probe, now)
							     : v[i].self_block;
		order[i] = &v[i];
	}
	/* parents before children, so each inherits a settled rule */
	qsort(order, n, sizeof *order, depth_cmp);

	FILE *out = stdout;
	if (outp != NULL && (out = fopen(outp, "w")) == NULL) {
		ctl_errorx("export", "%s: cannot write", outp);
		free(v);
		free(order);
		config_free(c);
		return 1;
	}
	char today[11];
	lc_date_text(now, today);
	const char *cm = fmt == FMT_RPZ ? ";" : "#";
	fprintf(out, "%s aigate export (%s): names blocked by %s%s, list serial %llu, %s.\n"
		     "%s Generated by `aigatectl export`; do not edit, regenerate.\n",
		cm, fmt_s, c->path != NULL ? c->path : "the default actions",
		p->mode == MODE_MONITOR ? " (mode monitor: what enforce would block)" : "",
		(unsigned long long)list_serial(l), today, cm);
	if (p->mode == MODE_MONITOR)
		fprintf(stderr, "aigatectl export: warning: mode is monitor; the names are what "
			"enforce mode would block\n");
	if (fmt == FMT_UNBOUND)
		fputs("server:\n", out);
	if (fmt == FMT_RPZ)
		fprintf(out, "$TTL 60\n@ IN SOA localhost. hostmaster.localhost. %llu 3600 600 "
			     "86400 60\n@ IN NS localhost.\n",
			(unsigned long long)(list_serial(l) % 4294967296ULL));
	size_t n_block = 0, n_except = 0;
	for (size_t i = 0; i < n; i++) {
		struct node *x = order[i];
		bool inh = inherited(v, n, x->name);
		switch (fmt) {
		case FMT_HOSTS:
			if (x->self_block) {
				fprintf(out, "0.0.0.0 %s\n", x->name);
				n_block++;
			}
			break;
		case FMT_DNSMASQ:
		case FMT_UNBOUND:
			x->rule = x->self_block;
			if (x->rule == inh)
				break;
			if (fmt == FMT_DNSMASQ)
				fprintf(out, x->rule ? "address=/%s/\n" : "server=/%s/#\n", x->name);
			else
				fprintf(out, "  local-zone: \"%s.\" %s\n", x->name,
					x->rule ? "always_nxdomain" : "transparent");
			x->rule ? n_block++ : n_except++;
			break;
		case FMT_RPZ:
			x->rule = x->sub_block;
			if (x->self_block != inh) {
				fprintf(out, "%s CNAME %s\n", x->name, x->self_block ? "." : "rpz-passthru.");
				x->self_block ? n_block++ : n_except++;
			}
			if (x->sub_block != inh) {
				fprintf(out, "*.%s CNAME %s\n", x->name, x->sub_block ? "." : "rpz-passthru.");
				x->sub_block ? n_block++ : n_except++;
			}
			break;
		}
	}
	fprintf(stderr, "export: %zu blocking rules, %zu exceptions (%s)\n", n_block, n_except, fmt_s);
	int rc = 0;
	if (out != stdout && fclose(out) != 0) {
		ctl_errorx("export", "%s: write error", outp);
		rc = 1;
	}
	free(v);
	free(order);
	config_free(c);
	return rc;
}
