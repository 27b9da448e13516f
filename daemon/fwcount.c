/* fwcount.c: the packets aigate's queue rules sent to the queues, read
 * from nf_tables over netlink; see fwcount.h.
 *
 * The rules are the ones systemd/aigate-firewall installs: with
 * iptables-nft, chain "aigate" of table "mangle" (IPv4 and IPv6); with
 * nft, table "inet aigate".  A queue rule is one whose expressions hold a
 * native "queue" or an xtables "NFQUEUE" target; every such rule has a
 * "counter" expression.  The messages come from the kernel, and are
 * still checked attribute by attribute (libmnl validation) before use. */
#include "fwcount.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#define FW_NAME "aigate"   /* NAME in systemd/aigate-firewall */

struct fwcount {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
};

struct fwcount *fwcount_open(void)
{
	struct fwcount *fc = calloc(1, sizeof(*fc));
	if (fc == NULL)
		return NULL;
	fc->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (fc->nl == NULL || mnl_socket_bind(fc->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fwcount_close(fc);
		return NULL;
	}
	fc->portid = mnl_socket_get_portid(fc->nl);
	fc->seq = (unsigned)time(NULL);
	return fc;
}

void fwcount_close(struct fwcount *fc)
{
	if (fc == NULL)
		return;
	if (fc->nl != NULL)
		mnl_socket_close(fc->nl);
	free(fc);
}

/* One rule's expressions: is it a queue rule, and its counter. */
struct rule_scan {
	bool queue;
	bool have_counter;
	uint64_t packets;
	/* of the expression being looked at */
	const struct nlattr *name, *data;
};

/* The libmnl iteration macros do not pass -Wconversion; the callback
 * walkers (mnl_attr_parse*) are used instead. */
static int counter_attr(const struct nlattr *a, void *arg)
{
	struct rule_scan *rs = arg;
	if (mnl_attr_get_type(a) == NFTA_COUNTER_PACKETS &&
	    mnl_attr_validate(a, MNL_TYPE_U64) == 0) {
		rs->packets = be64toh(mnl_attr_get_u64(a));
		rs->have_counter = true;
	}
	return MNL_CB_OK;
}

static int target_attr(const struct nlattr *a, void *arg)
{
	struct rule_scan *rs = arg;
	if (mnl_attr_get_type(a) == NFTA_TARGET_NAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
	    strcmp(mnl_attr_get_str(a), "NFQUEUE") == 0)
		rs->queue = true;
	return MNL_CB_OK;
}

/* NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA } */
static int expr_attr(const struct nlattr *a, void *arg)
{
	struct rule_scan *rs = arg;
	if (mnl_attr_get_type(a) == NFTA_EXPR_NAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		rs->name = a;
	else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA &&
		 mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
		rs->data = a;
	return MNL_CB_OK;
}

static int list_elem(const struct nlattr *e, void *arg)
{
	struct rule_scan *rs = arg;
	if (mnl_attr_get_type(e) != NFTA_LIST_ELEM || mnl_attr_validate(e, MNL_TYPE_NESTED) != 0)
		return MNL_CB_OK;
	rs->name = rs->data = NULL;
	if (mnl_attr_parse_nested(e, expr_attr, rs) != MNL_CB_OK || rs->name == NULL)
		return MNL_CB_OK;
	const char *n = mnl_attr_get_str(rs->name);
	if (strcmp(n, "queue") == 0)
		rs->queue = true;
	else if (strcmp(n, "target") == 0 && rs->data != NULL)
		(void)mnl_attr_parse_nested(rs->data, target_attr, rs);
	else if (strcmp(n, "counter") == 0 && rs->data != NULL)
		(void)mnl_attr_parse_nested(rs->data, counter_attr, rs);
	return MNL_CB_OK;
}

static int rule_attr(const struct nlattr *a, void *arg)
{
	if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS &&
	    mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
		(void)mnl_attr_parse_nested(a, list_elem, arg);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	uint64_t *sum = arg;
	struct rule_scan rs;

	memset(&rs, 0, sizeof(rs));
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), rule_attr, &rs) != MNL_CB_OK)
		return MNL_CB_OK;
	if (rs.queue && rs.have_counter)
		*sum += rs.packets;
	return MNL_CB_OK;
}

/* Dump the rules of one table (and chain): 1 read (sum updated), 0 no
 * such table or chain, -1 failure. */
static int dump_rules(struct fwcount *fc, uint8_t family, const char *table,
		      const char *chain, uint64_t *sum)
{
	/* A dump answer comes in messages of up to 16 KiB (NLMSG_GOODSIZE
	 * on large pages); twice that is what libmnl suggests. */
	static char buf[32768] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++fc->seq;
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	if (chain != NULL)
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	if (mnl_socket_sendto(fc->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	uint64_t part = 0;
	unsigned seq = nlh->nlmsg_seq;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(fc->nl, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		int r = mnl_cb_run(buf, (size_t)n, seq, fc->portid, rule_cb, &part);
		if (r == MNL_CB_STOP)
			break;
		if (r < 0)
			return errno == ENOENT ? 0 : -1;
	}
	*sum += part;
	return 1;
}

int fwcount_read(struct fwcount *fc, uint64_t *queued)
{
	static const struct {
		uint8_t family;
		const char *table, *chain;
	} where[] = {
		{ NFPROTO_IPV4, "mangle", FW_NAME },   /* iptables-nft */
		{ NFPROTO_IPV6, "mangle", FW_NAME },
		{ NFPROTO_INET, FW_NAME, NULL },       /* nft */
	};
	uint64_t sum = 0;
	bool found = false;

	if (fc == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		int r = dump_rules(fc, where[i].family, where[i].table, where[i].chain, &sum);
		if (r < 0)
			return -1;
		found |= r > 0;
	}
	if (!found)
		return -1;
	*queued = sum;
	return 0;
}
