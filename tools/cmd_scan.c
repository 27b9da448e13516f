/* cmd_scan.c: `aigatectl scan`: run the inspection core over captures
 * and print one event per name, with the decision the gateway would
 * take and the frame that completed it.  Classic pcap files are read in
 * large blocks and walked in place (pcapfile.c); pcapng and everything
 * else go through libpcap.  Both hand the same frames to scan_frame. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "commands.h"
#include "ctl_common.h"
#include "event.h"
#include "inspect.h"
#include "linktype.h"
#include "pcapfile.h"

struct scan_opts {
	bool json;
	bool many_files;        /* label rows with their file */
	bool listed_only;
	struct aigate_config *cfg;
};

struct scan_totals {
	uint64_t packets, names, listed, blocked;
};

static void scan_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl scan [--json] [--listed] [--list FILE|DIR] [--config FILE]\n"
		"                      [--contracts DIR] FILE...\n"
		"Reads pcap/pcapng captures and prints every name seen in DNS queries,\n"
		"TLS ClientHellos and QUIC Initials with the decision the gateway would\n"
		"take under the list and configuration (installed, or given).\n"
		"  --json     one schema-v1 event per line, with pcap_cnt = the frame\n"
		"             that completed the name\n"
		"  --listed   only names on the list\n"
		"Exit status: 0 all captures read, 1 a capture could not be read\n"
		"(the events found before the error are printed), 2 usage.\n");
}

static void print_header(void)
{
	printf("%-7s %-5s %-41s %-41s %-40s %-16s %-10s %-6s %-8s %s\n", "FRAME",
	       "PROTO", "SOURCE", "DESTINATION", "NAME", "SERVICE", "TERMS", "ACTION",
	       "VERDICT", "FLAGS");
}

static void format_endpoint(const struct ip_addr *a, uint16_t port, char *buf, size_t cap)
{
	char addr[64];
	ip_addr_format(a, addr, sizeof(addr));
	if (a->family == 6)
		snprintf(buf, cap, "[%s]:%u", addr, port);
	else
		snprintf(buf, cap, "%s:%u", addr, port);
}

static void print_row(uint64_t frame, const struct inspect_result *r,
		      const struct inspect_name *n, enum verdict v)
{
	char src[80], dst[80], name[NAME_BUF_LEN * 4 + 1], flags[256];
	format_endpoint(&r->pkt.src, r->pkt.src_port, src, sizeof(src));
	format_endpoint(&r->pkt.dst, r->pkt.dst_port, dst, sizeof(dst));
	if (n->has_name)
		ctl_name_text(n->name, n->name_len, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "(no SNI)");
	size_t o = 0;
	flags[0] = '\0';
	for (unsigned b = 0; b < FLAG_COUNT_; b++) {
		if (!(n->flags & (1u << b)))
			continue;
		const char *fn = flag_name(1u << b);
		if (fn) {
			int w = snprintf(flags + o, sizeof(flags) - o, "%s%s", o ? "," : "", fn);
			if (w < 0 || (size_t)w >= sizeof(flags) - o)
				break;
			o += (size_t)w;
		}
	}
	const struct list_match *m = &n->decision.match;
	printf("%-7" PRIu64 " %-5s %-41s %-41s %-40s %-16s %-10s %-6s %-8s %s\n", frame,
	       app_proto_name(n->app_proto), src, dst, name,
	       m->service ? m->service->id : "-",
	       m->entry ? terms_name(m->entry->terms) : "-",
	       action_name(n->decision.action), verdict_name(v), flags[0] ? flags : "-");
}

static void print_event(uint64_t frame, int64_t ts_us, const struct inspect_result *r,
			const struct inspect_name *n, enum verdict v,
			const struct aigate_config *cfg)
{
	struct event ev;
	inspect_event(&ev, r, n, cfg->policy, ts_us, v);
	ev.sensor = cfg->sensor;
	ev.pcap_cnt = (int64_t)frame;
	char buf[4096];
	size_t len = event_format_json(&ev, buf, sizeof(buf));
	if (len < sizeof(buf))
		fwrite(buf, 1, len, stdout);
}

/* What one capture's frames are inspected with. */
struct scan_ctx {
	const struct scan_opts *o;
	struct scan_totals *tot;
	struct inspector *in;
	struct inspect_result *res;
	enum dns_block_kind dns_kind;
	int dlt;
	uint64_t frame;
};

/* Inspect one frame and print its names.  Most frames carry none: they
 * cost the link-layer read and inspect_packet, nothing else. */
static void scan_frame(struct scan_ctx *c, struct bytes frame, int64_t ts_us)
{
	const struct scan_opts *o = c->o;
	struct scan_totals *tot = c->tot;
	struct inspect_result *res = c->res;
	c->frame++;
	struct bytes ip;
	if (!linktype_ip_payload(c->dlt, frame, &ip))
		return;
	inspect_packet(c->in, o->cfg->policy, ip, ts_us, res);
	for (unsigned i = 0; i < res->n_names; i++) {
		const struct inspect_name *n = &res->names[i];
		bool listed = n->decision.match.entry != NULL;
		tot->names++;
		if (listed)
			tot->listed++;
		if (n->decision.action == ACTION_BLOCK)
			tot->blocked++;
		if (o->listed_only && !listed)
			continue;
		const struct daemon_settings *ds = &o->cfg->daemon;
		enum verdict v = inspect_name_verdict(n, o->cfg->policy->mode, c->dns_kind,
						      ds->tcp_reset);
		if (o->json)
			print_event(c->frame, ts_us, res, n, v, o->cfg);
		else
			print_row(c->frame, res, n, v);
	}
}

/* Read a classic pcap file in large blocks; false when it could not
 * be read to the end (the error is printed). */
static bool scan_pcapfile(struct scan_ctx *c, struct pcapfile *pf, const char *path)
{
	struct pcapfile_rec rec;
	enum pcapfile_result r;
	while ((r = pcapfile_next(pf, &rec)) == PCAPFILE_RECORD)
		scan_frame(c, rec.data, rec.ts_sec * 1000000 + rec.ts_usec);
	if (r == PCAPFILE_ERROR) {
		fflush(stdout); /* the events before the error come first */
		ctl_errorx("scan", "%s: capture unreadable after frame %" PRIu64 ": %s", path,
			   c->frame, pf->err);
		return false;
	}
	return true;
}

/* Read any capture through libpcap; false as above. */
static bool scan_libpcap(struct scan_ctx *c, pcap_t *pc, const char *path)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1)
		scan_frame(c, bytes_make(data, hdr->caplen),
			   (int64_t)hdr->ts.tv_sec * 1000000 + hdr->ts.tv_usec);
	if (rc == PCAP_ERROR) {
		fflush(stdout); /* the events before the error come first */
		ctl_errorx("scan", "%s: capture unreadable after frame %" PRIu64 ": %s", path,
			   c->frame, pcap_geterr(pc));
		return false;
	}
	return true;
}

/* Scan one capture; false when it could not be read to the end. */
static bool scan_file(const char *path, const struct scan_opts *o, struct scan_totals *tot)
{
	struct pcapfile pf;
	pcap_t *pc = NULL;
	int dlt;
	if (pcapfile_open(&pf, path)) {
		dlt = pf.dlt;
	} else {
		char errbuf[PCAP_ERRBUF_SIZE];
		pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
							     errbuf);
		if (!pc) {
			ctl_errorx("scan", "%s: %s", path, errbuf);
			return false;
		}
		dlt = pcap_datalink(pc);
	}
	if (!linktype_supported(dlt)) {
		ctl_errorx("scan", "%s: link type %s (%d) is not supported", path,
			   pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", dlt);
		pcapfile_close(&pf);
		if (pc)
			pcap_close(pc);
		return false;
	}
	uint8_t seed[16];
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		memset(seed, 0x5a, sizeof(seed)); /* only collision resistance is lost */
	struct inspect_limits lim = {
		.max_flows = o->cfg->daemon.max_flows,
		.idle_timeout_s = o->cfg->daemon.flow_idle_s,
		.max_flow_buffer = o->cfg->daemon.max_flow_buffer,
		.max_buffer_total = o->cfg->daemon.max_buffer_total,
	};
	struct scan_ctx c = { .o = o, .tot = tot, .dlt = dlt };
	c.in = inspector_new(&lim, seed);
	c.res = malloc(sizeof(*c.res));
	if (!c.in || !c.res) {
		ctl_errorx("scan", "out of memory");
		inspector_free(c.in);
		free(c.res);
		pcapfile_close(&pf);
		if (pc)
			pcap_close(pc);
		return false;
	}
	const struct daemon_settings *ds = &o->cfg->daemon;
	c.dns_kind = ds->dns_answer == DNS_BLOCK_REFUSED ? DNS_BLOCK_KIND_REFUSED
		     : ds->dns_answer == DNS_BLOCK_SINKHOLE ? DNS_BLOCK_KIND_SINKHOLE
		     : DNS_BLOCK_KIND_NXDOMAIN;
	if (o->many_files && !o->json)
		printf("# %s\n", path);
	bool ok = pc ? scan_libpcap(&c, pc, path) : scan_pcapfile(&c, &pf, path);
	tot->packets += c.frame;
	fflush(stdout);
	free(c.res);
	inspector_free(c.in);
	pcapfile_close(&pf);
	if (pc)
		pcap_close(pc);
	return ok;
}

int cmd_scan(int argc, char **argv)
{
	/* Events to a file or pipe leave in large writes (stdio's default
	 * is one write per 4 KiB); a terminal keeps its line buffering. */
	static char outbuf[1 << 20];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	struct scan_opts o = { 0 };
	struct ctl_policy_opts po = { 0 };
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			scan_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0) {
			o.json = true;
			continue;
		}
		if (strcmp(argv[i], "--listed") == 0) {
			o.listed_only = true;
			continue;
		}
		int r = ctl_policy_option("scan", argc, argv, &i, &po);
		if (r < 0)
			return 2;
		if (r == 0) {
			ctl_errorx("scan", "unknown option %s", argv[i]);
			scan_usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		scan_usage(stderr);
		return 2;
	}
	o.cfg = ctl_load_config("scan", &po);
	if (!o.cfg)
		return 1;
	struct scan_totals tot = { 0 };
	bool all_ok = true;
	o.many_files = argc - i > 1;
	if (!o.json)
		print_header();
	for (; i < argc; i++)
		if (!scan_file(argv[i], &o, &tot))
			all_ok = false;
	fprintf(stderr, "scan: %" PRIu64 " frames, %" PRIu64 " names (%" PRIu64 " listed, %" PRIu64
			" blocked)\n", tot.packets, tot.names, tot.listed, tot.blocked);
	config_free(o.cfg);
	return all_ok ? 0 : 1;
}
