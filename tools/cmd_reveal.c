/* cmd_reveal.c: `aigatectl reveal`: say which client address a
 * pseudonym in the event log stands for, given the pseudonym key and a
 * set of candidate addresses.
 *
 * A pseudonym is HMAC-SHA-256(key, period || address) cut to 80 bits
 * (daemon/core/pseudonym.h): it cannot be inverted, only recomputed.
 * So reveal recomputes the pseudonym of every candidate (addresses and
 * networks on the command line or in --candidates FILE, and the plain
 * addresses that --log files hold) for every period in question (the
 * period of --at, or the periods of the events in --log that carry the
 * pseudonym) and prints the matches.  Without the key nothing can be
 * revealed; with it, all of IPv4 is only 2^32 HMACs: docs/privacy.md
 * says what that means for who may hold the key. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include "commands.h"
#include "ctl_common.h"
#include "policy.h"
#include "pseudonym.h"
#include "report_read.h"
#include "report_table.h"

#define DEFAULT_KEY AIGATE_SYSCONFDIR "/aigate/pseudonym.key"
#define DEFAULT_PERIOD 86400u
#define MAX_PERIODS 366
#define MAX_TARGETS 256
#define MAX_NET_ADDRS (UINT64_C(1) << 24)   /* per network: a /8 of IPv4 */
#define MAX_LOG_CANDIDATES (1u << 20)

static const char reveal_usage[] =
	"usage: aigatectl reveal [--key FILE] [--period SECONDS] [--at TIME] [--log LOG]...\n"
	"                        [--candidates FILE] PSEUDONYM... [ADDRESS|NETWORK]...\n"
	"\n"
	"Recompute the pseudonym of each candidate address with the key and print\n"
	"the candidates whose pseudonym is one of those asked for.  Candidates:\n"
	"addresses and networks (at most 2^24 addresses each) as arguments or one\n"
	"per line in --candidates FILE, and plain client addresses found in the\n"
	"--log files.  Periods tried: the one containing --at TIME, and those of\n"
	"the events in the --log files that carry the pseudonym.\n"
	"\n"
	"  --key FILE        the pseudonym key (default " DEFAULT_KEY ")\n"
	"  --period SECONDS  log.pseudonym_period of the daemon (default 86400; 0: never rotated)\n"
	"Exit status: 0 every pseudonym revealed, 1 some not, 2 usage.\n";

struct target {
	const char *pseudonym;
	bool found;
};

struct reveal {
	struct target targets[MAX_TARGETS];
	size_t n_targets;
	uint64_t periods[MAX_PERIODS];
	size_t n_periods;
	bool too_many_periods;
	uint32_t period_s;
	struct rtab *log_candidates;   /* plain addresses seen in --log */
};

static void add_period(struct reveal *r, uint64_t p)
{
	for (size_t i = 0; i < r->n_periods; i++)
		if (r->periods[i] == p)
			return;
	if (r->n_periods == MAX_PERIODS) {
		r->too_many_periods = true;
		return;
	}
	r->periods[r->n_periods++] = p;
}

/* report_event_fn over --log: periods of the target's events, and the
 * plain addresses as candidates. */
static void on_event(void *ctx, const struct report_event *ev)
{
	struct reveal *r = ctx;
	if (ev->src_ip == NULL)
		return;
	for (size_t i = 0; i < r->n_targets; i++)
		if (strcmp(ev->src_ip, r->targets[i].pseudonym) == 0) {
			int64_t secs = ev->ts_us >= 0 ? ev->ts_us / 1000000 : -((-ev->ts_us + 999999) / 1000000);
			add_period(r, pseudonym_period(secs, r->period_s));
			return;
		}
	struct cidr c;
	if (!pseudonym_is_wellformed(ev->src_ip) && cidr_parse(ev->src_ip, &c) &&
	    rtab_get(r->log_candidates, ev->src_ip, strlen(ev->src_ip)) == NULL)
		rtab_drop(r->log_candidates, 1);
}

static int errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int errorx(const char *fmt, ...)
{
	va_list ap;
	fputs("aigatectl reveal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool read_key(const char *path, uint8_t *key, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (f == NULL) {
		errorx("%s: %s (the pseudonym key is needed; only its holders can reveal)", path, strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0)
		fprintf(stderr, "aigatectl reveal: warning: %s is readable by others than its owner (mode %03o); it should be 0600\n",
			path, (unsigned)(sb.st_mode & 0777));
	*len = fread(key, 1, cap, f);
	fclose(f);
	if (*len < PSEUDONYM_MIN_KEY_LEN) {
		errorx("%s: a key has at least %d bytes, this file %zu", path, PSEUDONYM_MIN_KEY_LEN, *len);
		return false;
	}
	return true;
}

/* Compare the pseudonyms of one address in every period with the
 * targets; print and mark matches.  Returns the number of targets still
 * unrevealed. */
static size_t try_addr(struct reveal *r, const uint8_t *key, size_t key_len, const struct ip_addr *a)
{
	char p[PSEUDONYM_BUF_LEN];
	size_t left = 0;
	for (size_t k = 0; k < r->n_periods; k++) {
		if (!pseudonym_of(key, key_len, r->periods[k], a, p, sizeof p))
			continue;
		for (size_t i = 0; i < r->n_targets; i++) {
			if (strcmp(p, r->targets[i].pseudonym) != 0)
				continue;
			char text[INET6_ADDRSTRLEN], day[40];
			inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, text, sizeof text);
			report_format_second((int64_t)(r->periods[k] * r->period_s) * 1000000, day, sizeof day);
			if (!r->targets[i].found)
				printf("%s %s period %" PRIu64 " (from %s, %u s)\n", p, text, r->periods[k],
				       r->period_s ? day : "always", r->period_s);
			r->targets[i].found = true;
		}
	}
	for (size_t i = 0; i < r->n_targets; i++)
		left += !r->targets[i].found;
	return left;
}

/* Every address of a network (at most MAX_NET_ADDRS). */
static bool try_net(struct reveal *r, const uint8_t *key, size_t key_len, const char *text)
{
	struct cidr c;
	if (!cidr_parse(text, &c)) {
		errorx("not an address or network: '%s'", text);
		return false;
	}
	unsigned bits = (c.addr.family == 4 ? 32u : 128u) - c.prefix_len;
	if (bits > 24) {
		errorx("%s: more than 2^24 addresses; split it into smaller networks", text);
		return false;
	}
	struct ip_addr a = c.addr;
	size_t last = c.addr.family == 4 ? 3 : 15;
	for (uint64_t n = 0; n < (UINT64_C(1) << bits); n++) {
		if (try_addr(r, key, key_len, &a) == 0)
			return true;
		/* Increment the host part, big-endian. */
		for (size_t i = last + 1; i-- > 0;)
			if (++a.b[i] != 0)
				break;
	}
	return true;
}

int cmd_reveal(int argc, char **argv)
{
	struct reveal *r = calloc(1, sizeof *r);
	const char *key_path = DEFAULT_KEY, *cand_path = NULL;
	const char **logs = calloc((size_t)argc, sizeof *logs), **nets = calloc((size_t)argc, sizeof *nets);
	size_t n_logs = 0, n_nets = 0;
	int64_t at_us = 0;
	bool have_at = false;
	int rc = 2;
	uint8_t key[64];
	size_t key_len = 0;

	if (r == NULL || logs == NULL || nets == NULL)
		goto out_oom;
	r->period_s = DEFAULT_PERIOD;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(reveal_usage, stdout);
			rc = 0;
			goto out;
		} else if ((v = ctl_opt_value("--key", argc, argv, &i, &missing)) != NULL) {
			key_path = v;
		} else if ((v = ctl_opt_value("--candidates", argc, argv, &i, &missing)) != NULL) {
			cand_path = v;
		} else if ((v = ctl_opt_value("--log", argc, argv, &i, &missing)) != NULL) {
			logs[n_logs++] = v;
		} else if ((v = ctl_opt_value("--period", argc, argv, &i, &missing)) != NULL) {
			char *end;
			unsigned long p = strtoul(v, &end, 10);
			if (*end != '\0' || p > UINT32_MAX) {
				fprintf(stderr, "aigatectl reveal: --period needs seconds, not '%s'\n%s", v, reveal_usage);
				goto out;
			}
			r->period_s = (uint32_t)p;
		} else if ((v = ctl_opt_value("--at", argc, argv, &i, &missing)) != NULL) {
			if (!report_parse_time(v, true, &at_us, NULL)) {
				fprintf(stderr, "aigatectl reveal: not a date or time: '%s'\n%s", v, reveal_usage);
				goto out;
			}
			have_at = true;
		} else if (missing || (a[0] == '-' && a[1] != '\0')) {
			fprintf(stderr, "aigatectl reveal: %s '%s'\n%s", missing ? "missing value for" : "unknown option", a, reveal_usage);
			goto out;
		} else if (pseudonym_is_wellformed(a)) {
			if (r->n_targets == MAX_TARGETS) {
				fprintf(stderr, "aigatectl reveal: at most %d pseudonyms at once\n", MAX_TARGETS);
				goto out;
			}
			r->targets[r->n_targets++].pseudonym = a;
		} else {
			nets[n_nets++] = a;
		}
	}
	if (r->n_targets == 0) {
		fprintf(stderr, "aigatectl reveal: no pseudonym given (p- and 16 base32 characters)\n%s", reveal_usage);
		goto out;
	}
	if (!have_at && n_logs == 0) {
		fprintf(stderr, "aigatectl reveal: say when: --at TIME, or --log with the events that carry the pseudonym\n%s", reveal_usage);
		goto out;
	}
	rc = 1;
	if (!read_key(key_path, key, sizeof key, &key_len))
		goto out;
	if (have_at)
		add_period(r, pseudonym_period(at_us / 1000000, r->period_s));
	r->log_candidates = rtab_new(MAX_LOG_CANDIDATES);
	if (r->log_candidates == NULL)
		goto out_oom;
	struct report_read_stats st;
	memset(&st, 0, sizeof st);
	for (size_t i = 0; i < n_logs; i++)
		report_read_path(logs[i], on_event, r, &st);
	if (r->too_many_periods)
		fprintf(stderr, "aigatectl reveal: the pseudonyms occur in more than %d periods; only the first are tried\n", MAX_PERIODS);
	if (r->n_periods == 0) {
		errorx("the pseudonyms do not occur in the logs given; say when with --at");
		goto out;
	}

	size_t left = r->n_targets;
	for (size_t i = 0; i < n_nets && left > 0; i++) {
		if (!try_net(r, key, key_len, nets[i])) {
			rc = 2;
			goto out;
		}
		left = 0;
		for (size_t t = 0; t < r->n_targets; t++)
			left += !r->targets[t].found;
	}
	if (cand_path != NULL && left > 0) {
		FILE *f = strcmp(cand_path, "-") == 0 ? stdin : fopen(cand_path, "r");
		char line[256];
		unsigned lineno = 0;
		if (f == NULL) {
			errorx("%s: %s", cand_path, strerror(errno));
			goto out;
		}
		while (left > 0 && fgets(line, sizeof line, f) != NULL) {
			lineno++;
			line[strcspn(line, " \t\r\n#")] = '\0';
			if (line[0] == '\0')
				continue;
			if (!try_net(r, key, key_len, line))
				fprintf(stderr, "%s:%u: skipped\n", cand_path, lineno);
			left = 0;
			for (size_t t = 0; t < r->n_targets; t++)
				left += !r->targets[t].found;
		}
		if (f != stdin)
			fclose(f);
	}
	for (size_t i = 0; i < rtab_n_rows(r->log_candidates) && left > 0; i++) {
		struct cidr c;
		if (cidr_parse(rtab_row_at(r->log_candidates, i)->key, &c))
			left = try_addr(r, key, key_len, &c.addr);
	}
	for (size_t i = 0; i < r->n_targets; i++)
		if (!r->targets[i].found)
			printf("%s not among the %s candidates\n", r->targets[i].pseudonym,
			       n_nets + rtab_n_rows(r->log_candidates) + (cand_path != NULL) > 0 ? "given" : "(no)");
	rc = left == 0 ? 0 : 1;
	goto out;
out_oom:
	errorx("out of memory");
	rc = 1;
out:
	memset(key, 0, sizeof key);
	if (r != NULL)
		rtab_free(r->log_candidates);
	free(r);
	free(logs);
	free(nets);
	return rc;
}
