/* policy.h: the decision for one name seen from one client, with the
 * precedence of DESIGN.md s1: zone, then contract, then terms class,
 * then unlisted.  A policy is an immutable snapshot (list, actions,
 * zones, contracts); a reload builds a new one and swaps the pointer. */
#ifndef AIGATE_POLICY_H
#define AIGATE_POLICY_H

#include "list.h"
#include "types.h"

/* An IPv4 or IPv6 network: address and prefix length. */
struct cidr {
	struct ip_addr addr;
	uint8_t prefix_len;
};

/* Seconds since the Unix epoch (UTC); 0 in starts/expires = unbounded.
 * An expiry date D means "valid through the end of D, UTC". */
struct zone {
	char *name;
	struct cidr *networks;
	size_t n_networks;
	enum action action;
	int64_t starts, expires;
	unsigned line;
};

struct contract {
	char *id;
	char *reference;
	char *approved_by;
	char **services;     /* service ids */
	size_t n_services;
	char **hosts;        /* exact normalised host names */
	size_t n_hosts;
	int64_t starts, expires;
	char *file;          /* where it was loaded from, for messages */
};

struct policy {
	enum mode mode;
	/* Action per terms class; [TERMS_NONE] is the action for unlisted names. */
	enum action terms_action[TERMS_COUNT_];
	bool log_unlisted;   /* emit events for unlisted names */
	struct list *list;   /* owned */
	struct zone *zones;
	size_t n_zones;
	struct contract *contracts;
	size_t n_contracts;
	/* Closing the bypasses (issue 4).  A ClientHello without SNI: */
	enum action no_sni_action;       /* [log] */
	/* UDP/443: quic_block drops every QUIC flow so that browsers use TCP,
	 * where the SNI is visible; a UDP/443 flow whose Initial cannot be
	 * read gets quic_unparsed_action (allow = pass, block = drop). */
	bool quic_block;                 /* [false: inspect] */
	enum action quic_unparsed_action;/* [allow] */
	/* DNS over TLS or QUIC (port 853) to a server not in dot_resolvers. */
	enum action dot_action;          /* [block] */
	/* A TLS flow that started a handshake but did not complete it within
	 * the bounds (too many segments, too big, its state evicted): only an
	 * evasion attempt or a broken client does that. */
	enum action undecided_action;    /* [block] */
	struct cidr *dot_resolvers;
	size_t n_dot_resolvers;
};

/* What the walk found at each step, so `aigatectl check` can print it. */
struct decision {
	struct list_match match;        /* entry/service are NULL: unlisted */
	enum action action;
	enum reason reason;
	const struct zone *zone;        /* the zone that decided, or NULL */
	const struct contract *contract;/* the contract that decided, or NULL */
	/* Steps that matched but did not apply because of their dates. */
	const struct zone *zone_inactive;
	const struct contract *contract_inactive;
};

/* Decide for `name` (normalised) seen from `client` (may be NULL: no
 * zone applies) at time `now` (seconds since the epoch).  Never fails;
 * *out points into p (list, zones, contracts) and is valid while p is.
 * Zones apply to listed names only: an unlisted name keeps the unlisted
 * action in a zone.  With several matching zones or contracts the first
 * in force, in array order, decides; the first matching one that is not
 * in force is recorded in zone_inactive / contract_inactive.  A contract
 * host matches the whole name exactly (listed or not); a contract
 * service matches every name whose list entry belongs to it. */
void policy_decide(const struct policy *p, const struct ip_addr *client,
		   const char *name, size_t name_len, int64_t now,
		   struct decision *out);

/* The decision for what carries no name to match: a ClientHello without
 * SNI (REASON_NO_SNI), a QUIC flow blocked or unparsable (REASON_QUIC),
 * a handshake that never completed (REASON_UNDECIDED). */
void policy_decide_nameless(const struct policy *p, enum reason why, struct decision *out);

/* DNS over TLS/QUIC (port 853) to `server`: if the server is not one of
 * the agency's resolvers and the decision was not made by a zone or a
 * contract, the DoT action applies when it is stricter. */
void policy_apply_dot(const struct policy *p, const struct ip_addr *server, struct decision *d);

/* True when `a` lies in `net`; false for different families (an IPv4
 * address never lies in an IPv6 network) or a NULL argument. */
bool cidr_contains(const struct cidr *net, const struct ip_addr *a);

/* Parse "10.0.0.0/8" or "2001:db8::/32" (a bare address is a host
 * route); false on error or when host bits are set beyond the prefix. */
bool cidr_parse(const char *s, struct cidr *out);

/* True when the contract is in force at `now`: starts <= now <= expires,
 * 0 meaning unbounded (so expires is the last second in force, as
 * date_end_of_day gives it).  False for NULL. */
bool contract_active(const struct contract *c, int64_t now);

/* Set the default actions and settings (those listed for policy_new)
 * in *p, leaving its list, zones and contracts alone. */
void policy_set_defaults(struct policy *p);

/* An empty policy with the default actions of DESIGN.md s1 (block
 * consumer/shared/api/dns-bypass, allow enterprise and unlisted; log
 * ech-front and ClientHellos without SNI; inspect QUIC and pass what
 * cannot be read; block DoT to non-agency resolvers; mode enforce;
 * unlisted names not logged), owning `list` (may be NULL:
 * every name is unlisted); NULL when out of memory (the list is then
 * still the caller's).  policy_free frees the list, the zones and the
 * contracts with every string and array they hold (all must be heap
 * allocated); NULL is fine. */
struct policy *policy_new(struct list *list);
void policy_free(struct policy *p);

#endif
