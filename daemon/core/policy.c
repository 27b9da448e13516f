/* policy.c: the decision for one name from one client (DESIGN.md s1):
 * zone, then contract, then terms class, then unlisted.  Also the
 * networks (CIDR) zones are made of and the policy's lifetime. */
#include "policy.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* starts/expires of 0 are unbounded; expires is the last second in force
 * (the loader turns an expiry date into the end of that day). */
static bool in_force(int64_t starts, int64_t expires, int64_t now)
{
	if (starts != 0 && now < starts)
		return false;
	if (expires != 0 && now > expires)
		return false;
	return true;
}

bool contract_active(const struct contract *c, int64_t now)
{
	return c != NULL && in_force(c->starts, c->expires, now);
}

static bool zone_contains(const struct zone *z, const struct ip_addr *a)
{
	for (size_t i = 0; i < z->n_networks; i++)
		if (cidr_contains(&z->networks[i], a))
			return true;
	return false;
}

static bool same_name(const char *s, const char *name, size_t name_len)
{
	return s != NULL && strlen(s) == name_len && memcmp(s, name, name_len) == 0;
}

/* Does the contract cover this name: its exact host, or the service the
 * name's list entry belongs to? */
static bool contract_covers(const struct contract *c, const char *name, size_t name_len,
			    const struct list_service *svc)
{
	for (size_t i = 0; i < c->n_hosts; i++)
		if (same_name(c->hosts[i], name, name_len))
			return true;
	if (svc != NULL && svc->id != NULL)
		for (size_t i = 0; i < c->n_services; i++)
			if (c->services[i] != NULL && strcmp(c->services[i], svc->id) == 0)
				return true;
	return false;
}

static enum action terms_action_of(const struct policy *p, enum terms t)
{
	return (unsigned)t < TERMS_COUNT_ ? p->terms_action[t] : ACTION_BLOCK;
}

void policy_decide(const struct policy *p, const struct ip_addr *client,
		   const char *name, size_t name_len, int64_t now,
		   struct decision *out)
{
	memset(out, 0, sizeof *out);
	bool listed = list_match(p->list, name, name_len, &out->match);

	/* 1. Zones.  A zone is an exploration sandbox for AI services: it
	 * changes what happens to listed names only.  Unlisted names keep the
	 * unlisted action inside a zone too (a zone whose action is "block"
	 * must not cut a sandbox off from the rest of the internet), and an
	 * expired zone is skipped (noted for `aigatectl check`).  With several
	 * matching zones the first active one in configuration order wins. */
	if (listed && client != NULL && client->family != 0) {
		for (size_t i = 0; i < p->n_zones; i++) {
			const struct zone *z = &p->zones[i];
			if (!zone_contains(z, client))
				continue;
			if (!in_force(z->starts, z->expires, now)) {
				if (out->zone_inactive == NULL)
					out->zone_inactive = z;
				continue;
			}
			out->zone = z;
			out->action = z->action;
			out->reason = REASON_ZONE;
			return;
		}
	}

	/* 2. Contracts: an exact host (listed or not) or the name's service. */
	for (size_t i = 0; i < p->n_contracts; i++) {
		const struct contract *c = &p->contracts[i];
		if (!contract_covers(c, name, name_len, out->match.service))
			continue;
		if (!contract_active(c, now)) {
			if (out->contract_inactive == NULL)
				out->contract_inactive = c;
			continue;
		}
		out->contract = c;
		out->action = ACTION_ALLOW;
		out->reason = REASON_CONTRACT;
		return;
	}

	/* 3. The terms class; 4. unlisted. */
	if (listed) {
		out->action = terms_action_of(p, out->match.entry->terms);
		out->reason = REASON_TERMS;
	} else {
		out->action = p->terms_action[TERMS_NONE];
		out->reason = REASON_UNLISTED;
	}
}

void policy_decide_nameless(const struct policy *p, enum reason why, struct decision *out)
{
	memset(out, 0, sizeof *out);
	out->reason = why;
	if (why == REASON_NO_SNI)
		out->action = p->no_sni_action;
	else if (why == REASON_QUIC)
		out->action = p->quic_block ? ACTION_BLOCK : p->quic_unparsed_action;
	else if (why == REASON_UNDECIDED)
		out->action = p->undecided_action;
	else
		out->action = p->terms_action[TERMS_NONE];
}

void policy_apply_dot(const struct policy *p, const struct ip_addr *server, struct decision *d)
{
	/* A sandbox zone or a contract decided on purpose: leave it. */
	if (d->reason == REASON_ZONE || d->reason == REASON_CONTRACT)
		return;
	for (size_t i = 0; i < p->n_dot_resolvers; i++)
		if (cidr_contains(&p->dot_resolvers[i], server))
			return;
	if (p->dot_action > d->action) {
		d->action = p->dot_action;
		d->reason = REASON_DOT;
	}
}

bool cidr_contains(const struct cidr *net, const struct ip_addr *a)
{
	if (net == NULL || a == NULL || a->family == 0 || net->addr.family != a->family)
		return false;
	unsigned max = a->family == 4 ? 32u : 128u;
	if (net->prefix_len > max)
		return false;
	size_t whole = net->prefix_len / 8u;
	unsigned bits = net->prefix_len % 8u;
	if (memcmp(net->addr.b, a->b, whole) != 0)
		return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8u - bits));
	return (net->addr.b[whole] & mask) == (a->b[whole] & mask);
}

/* "0".."128": decimal digits only, no sign, no leading zero. */
static bool parse_prefix_len(const char *s, unsigned max, uint8_t *out)
{
	unsigned v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10u + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint8_t)v;
	return true;
}

bool cidr_parse(const char *s, struct cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	struct cidr c;

	if (s == NULL)
		return false;
	memset(&c, 0, sizeof c);
	const char *slash = strchr(s, '/');
	size_t addr_len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (addr_len == 0 || addr_len >= sizeof addr)
		return false;
	memcpy(addr, s, addr_len);
	addr[addr_len] = '\0';

	if (strchr(addr, ':') != NULL) {
		if (inet_pton(AF_INET6, addr, c.addr.b) != 1)
			return false;
		c.addr.family = 6;
	} else {
		if (inet_pton(AF_INET, addr, c.addr.b) != 1)
			return false;
		c.addr.family = 4;
	}
	unsigned max = c.addr.family == 4 ? 32u : 128u;
	if (slash == NULL)
		c.prefix_len = (uint8_t)max;
	else if (!parse_prefix_len(slash + 1, max, &c.prefix_len))
		return false;

	/* Host bits beyond the prefix are a typo more often than not
	 * ("10.1.2.3/8"): refuse rather than guess. */
	for (unsigned bit = c.prefix_len; bit < max; bit++)
		if (c.addr.b[bit / 8u] & (0x80u >> (bit % 8u)))
			return false;
	*out = c;
	return true;
}

void policy_set_defaults(struct policy *p)
{
	p->mode = MODE_ENFORCE;
	p->terms_action[TERMS_NONE] = ACTION_ALLOW;
	p->terms_action[TERMS_CONSUMER] = ACTION_BLOCK;
	p->terms_action[TERMS_SHARED] = ACTION_BLOCK;
	p->terms_action[TERMS_API] = ACTION_BLOCK;
	p->terms_action[TERMS_ENTERPRISE] = ACTION_ALLOW;
	p->terms_action[TERMS_DNS_BYPASS] = ACTION_BLOCK;
	p->terms_action[TERMS_ECH_FRONT] = ACTION_LOG;
	p->no_sni_action = ACTION_LOG;
	p->quic_block = false;
	p->quic_unparsed_action = ACTION_ALLOW;
	p->dot_action = ACTION_BLOCK;
	p->undecided_action = ACTION_BLOCK;
	p->log_unlisted = false;
}

struct policy *policy_new(struct list *list)
{
	struct policy *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	policy_set_defaults(p);
	p->list = list;
	return p;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Like contract_cleanup in config.c, kept here so that the core does not
 * depend on the configuration loader. */
static void contract_release(struct contract *c)
{
	free(c->id);
	free(c->reference);
	free(c->approved_by);
	free_strings(c->services, c->n_services);
	free_strings(c->hosts, c->n_hosts);
	free(c->file);
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	list_free(p->list);
	for (size_t i = 0; i < p->n_zones; i++) {
		free(p->zones[i].name);
		free(p->zones[i].networks);
	}
	free(p->zones);
	for (size_t i = 0; i < p->n_contracts; i++)
		contract_release(&p->contracts[i]);
	free(p->contracts);
	free(p->dot_resolvers);
	free(p);
}
