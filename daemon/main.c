/* main.c: aigated, the NFQUEUE daemon: command line, start-up (queues,
 * raw sockets, control socket and event file opened as root, then
 * privileges dropped to `user` keeping only CAP_NET_ADMIN), the main
 * loop (signals, control socket, systemd notify and watchdog), reload
 * and reopen, and a clean stop.
 *
 *   aigated [-c CONF] [-n] [-v] [--list PATH] [--contracts DIR] [-V] [-h]
 *
 * It stays in the foreground (systemd Type=notify).  Signals: SIGHUP
 * reloads (a configuration that fails to load is refused and the old one
 * stays in force), SIGUSR1 reopens the event file, SIGTERM and SIGINT
 * stop.  The threads: one worker per queue (worker.c) and this main
 * thread, which alone changes the configuration. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "aigated.h"
#include "config.h"
#include "control.h"
#include "evlog.h"
#include "fwcount.h"
#include "inject.h"
#include "list.h"
#include "log.h"
#include "sandbox.h"
#include "status.h"
#include "worker.h"

#ifndef AIGATE_VERSION
#define AIGATE_VERSION "0.1"
#endif

static int64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aigated [-nvVh] [-c CONF] [--list PATH] [--contracts DIR]\n"
		"  -c CONF          configuration file (default %s)\n"
		"  -n               check configuration, list and contracts, then exit\n"
		"  -v               verbose diagnostics\n"
		"  --list PATH      use this list instead of the configured one\n"
		"  --contracts DIR  use this contracts directory instead of the configured one\n"
		"  -V, --version    print the version\n"
		"  -h, --help       this help\n",
		AIGATE_CONF_PATH);
}

/* --- configuration messages ------------------------------------------- */

static void format_diag(char *buf, size_t cap, const char *severity, const char *file,
			unsigned line, const char *msg)
{
	if (file != NULL && line > 0)
		snprintf(buf, cap, "%s:%u: %s: %s", file, line, severity, msg);
	else if (file != NULL)
		snprintf(buf, cap, "%s: %s: %s", file, severity, msg);
	else
		snprintf(buf, cap, "%s: %s", severity, msg);
}

/* Reload messages go to the diagnostics and into the control reply. */
static void emit_collect(void *ctx, const char *severity, const char *file, unsigned line,
			 const char *msg)
{
	struct sbuf *out = ctx;
	char buf[1400];

	format_diag(buf, sizeof(buf), severity, file, line, msg);
	log_warnx("%s", buf);
	if (out != NULL)
		sbuf_printf(out, "%s\n", buf);
}

/* Start-up messages: to the diagnostics (stderr or journald). */
static void emit_log(void *ctx, const char *severity, const char *file, unsigned line,
		     const char *msg)
{
	char buf[1400];

	(void)ctx;
	format_diag(buf, sizeof(buf), severity, file, line, msg);
	log_warnx("%s", buf);
}

/* --- privileges --------------------------------------------------------- */

static int capset_net_admin(void)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	return (int)syscall(SYS_capset, &hdr, data);
}

/* Switch to `pw` keeping only CAP_NET_ADMIN: verdicts on nfnetlink need
 * it (nfnetlink checks it for every message), nothing else does (the
 * raw sockets, SO_MARK and the rcvbuf are set already).  Must run before
 * any thread starts: capabilities are per thread. */
static void drop_privileges(const struct passwd *pw)
{
	int cap;

	if (setgroups(1, &pw->pw_gid) == -1)
		fatal("setgroups");
	/* Only CAP_NET_ADMIN may ever come back (also through exec). */
	for (cap = 0; cap <= 63; cap++) {
		if (cap == CAP_NET_ADMIN)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			/* EINVAL: past the kernel's last capability.  EPERM:
			 * no CAP_SETPCAP (a unit's CapabilityBoundingSet took
			 * it); NoNewPrivileges covers exec then. */
			if (errno != EINVAL && errno != EPERM)
				fatal("dropping capability %d from the bounding set", cap);
			if (errno == EPERM) {
				log_debug("no CAP_SETPCAP: bounding set left as it is");
				break;
			}
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_KEEPCAPS)");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		fatal("setresgid %lu", (unsigned long)pw->pw_gid);
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("setresuid %lu", (unsigned long)pw->pw_uid);
	if (capset_net_admin() == -1)
		fatal("capset(CAP_NET_ADMIN)");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_KEEPCAPS, 0)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	if (setuid(0) != -1)
		fatalx("could regain root after dropping privileges");
	log_info("running as %s (uid %lu) with CAP_NET_ADMIN only", pw->pw_name,
		 (unsigned long)pw->pw_uid);
}

/* --- reload, reopen, status --------------------------------------------- */

static char *xstrdup_or_null(const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	c = strdup(s);
	if (c == NULL)
		fatal("strdup");
	return c;
}

static bool str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Settings that only a restart applies: list them (and keep running
 * with the values from the start). */
static void restart_only(struct aigated *d, const struct daemon_settings *n, struct sbuf *out)
{
	const struct daemon_settings *b = &d->boot;
	struct sbuf names = { 0 };

#define CHANGED(cond, name) \
	do { if (cond) sbuf_printf(&names, "%s%s", names.len ? ", " : "", name); } while (0)
	CHANGED(n->queue_first != b->queue_first, "queue.first");
	CHANGED(n->n_queues != b->n_queues, "queue.count");
	CHANGED(n->queue_maxlen != b->queue_maxlen, "queue.maxlen");
	CHANGED(n->rcvbuf_bytes != b->rcvbuf_bytes, "queue.rcvbuf");
	CHANGED(n->fail_open != b->fail_open, "queue.fail_open");
	CHANGED(str_differs(n->control_socket, b->control_socket), "control.socket");
	CHANGED(str_differs(n->user, b->user), "user");
	CHANGED(n->mark_inject != b->mark_inject, "marks.inject");
	CHANGED(n->max_flows != b->max_flows || n->flow_idle_s != b->flow_idle_s ||
		n->max_flow_buffer != b->max_flow_buffer ||
		n->max_buffer_total != b->max_buffer_total, "flows");
#undef CHANGED
	free(d->restart_needed);
	d->restart_needed = NULL;
	if (names.len > 0 && !names.failed) {
		log_warnx("reload: changes to %s take effect at the next restart", names.buf);
		if (out != NULL)
			sbuf_printf(out, "ignored until restart: %s\n", names.buf);
		d->restart_needed = xstrdup_or_null(names.buf);
	}
	sbuf_free(&names);
}

static void configure_sinks(struct aigated *d, const struct daemon_settings *s, bool at_start,
			    struct sbuf *out);

static bool do_reload(struct aigated *d, struct sbuf *out)
{
	struct aigate_config *newc, *old;
	struct diag dg;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		   (unsigned long long)monotonic_us());
	d->last_reload_us = realtime_us();
	memset(&dg, 0, sizeof(dg));
	dg.emit = emit_collect;
	dg.ctx = out;
	newc = config_load(d->conf_path, d->list_override, d->contracts_override, &dg);
	if (newc == NULL) {
		d->reloads_failed++;
		log_warnx("reload failed: the previous configuration stays in force");
		if (out != NULL)
			sbuf_printf(out, "reload refused: the previous configuration stays in force\n");
		sd_notify(0, "READY=1\nSTATUS=reload failed, previous configuration in force");
		return false;
	}
	restart_only(d, &newc->daemon, out);
	if (newc->daemon.mark_allow != d->cfg->daemon.mark_allow ||
	    newc->daemon.mark_block != d->cfg->daemon.mark_block ||
	    newc->daemon.mark_mask != d->cfg->daemon.mark_mask) {
		log_warnx("reload: marks changed: the firewall rules must use the new values");
		if (out != NULL)
			sbuf_printf(out, "marks changed: make sure the firewall rules match\n");
	}
	if (str_differs(newc->daemon.event_file, d->event_path)) {
		if (evlog_reopen(newc->daemon.event_file) == -1) {
			log_warn("reload: event file %s (still writing to %s)",
				 newc->daemon.event_file, d->event_path ? d->event_path : "nothing");
			if (out != NULL)
				sbuf_printf(out, "cannot open event file %s: %s\n",
					    newc->daemon.event_file, strerror(errno));
		} else {
			free(d->event_path);
			d->event_path = xstrdup_or_null(newc->daemon.event_file);
		}
	}
	evlog_set_syslog(newc->daemon.log_syslog != 0);
	configure_sinks(d, &newc->daemon, false, out);
	old = workers_swap_config(d->workers, d->n_workers, newc);
	d->cfg = newc;
	config_free(old);
	d->reloads_ok++;
	log_info("reloaded %s: mode %s, list serial %llu, %zu contracts, %zu zones",
		 newc->path != NULL ? newc->path : "(built-in)", mode_name(newc->policy->mode),
		 (unsigned long long)(newc->policy->list ? list_serial(newc->policy->list) : 0),
		 newc->policy->n_contracts, newc->policy->n_zones);
	if (out != NULL)
		sbuf_printf(out, "reloaded: mode %s, list serial %llu, %zu contracts, %zu zones\n",
			    mode_name(newc->policy->mode),
			    (unsigned long long)(newc->policy->list ? list_serial(newc->policy->list) : 0),
			    newc->policy->n_contracts, newc->policy->n_zones);
	sd_notify(0, "READY=1\nSTATUS=reloaded");
	return true;
}

static bool do_reopen(struct aigated *d, struct sbuf *out)
{
	/* Folded counts belong to the old file: write them first. */
	workers_flush_events(d->workers, d->n_workers);
	if (evlog_reopen(d->event_path) == -1) {
		log_warn("reopen %s (still writing to the old file)", d->event_path);
		if (out != NULL)
			sbuf_printf(out, "cannot reopen %s: %s\n", d->event_path, strerror(errno));
		return false;
	}
	log_info("reopened %s", d->event_path ? d->event_path : "(no event file)");
	if (out != NULL)
		sbuf_printf(out, "reopened %s\n", d->event_path ? d->event_path : "(no event file)");
	return true;
}

static bool ctl_status(void *ctx, bool json, struct sbuf *out)
{
	status_format(ctx, json, out);
	return true;
}

static bool ctl_reload(void *ctx, struct sbuf *out)
{
	return do_reload(ctx, out);
}

static bool ctl_reopen(void *ctx, struct sbuf *out)
{
	return do_reopen(ctx, out);
}

static bool ctl_metrics(void *ctx, struct sbuf *out)
{
	status_format_prometheus(ctx, out);
	return true;
}

static const struct control_ops ctl_ops = { ctl_status, ctl_reload, ctl_reopen, ctl_metrics };

/* Write the counters for node_exporter's textfile collector: a temporary
 * file beside the target, then rename, so a scrape never reads half. */
static void write_metrics(struct aigated *d)
{
	const char *path = d->cfg->daemon.metrics_textfile;
	static struct log_rate rl;
	struct sbuf out;
	char tmp[4096];
	int fd;

	if (path == NULL)
		return;
	memset(&out, 0, sizeof(out));
	status_format_prometheus(d, &out);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	bool ok = fd != -1 && !out.failed &&
		  write(fd, out.buf, out.len) == (ssize_t)out.len;
	if (fd != -1 && close(fd) == -1)
		ok = false;
	if (ok && rename(tmp, path) == -1)
		ok = false;
	if (!ok) {
		log_warnx_rl(&rl, "metrics textfile %s: %s", path, strerror(errno));
		if (fd != -1)
			unlink(tmp);
	}
	sbuf_free(&out);
}

/* The SIEM and privacy sinks of the event log (log.syslog_socket,
 * log.pseudonymize), at start (as root: the pseudonym key is root's) and
 * on reload (what needs the key can only be changed by a restart). */
static void configure_sinks(struct aigated *d, const struct daemon_settings *s, bool at_start,
			    struct sbuf *out)
{
	if (at_start || str_differs(s->syslog_socket, d->cfg->daemon.syslog_socket) ||
	    s->syslog_facility != d->cfg->daemon.syslog_facility) {
		if (evlog_set_syslog5424(s->syslog_socket, s->syslog_facility) == -1) {
			log_warn("log.syslog_socket %s", s->syslog_socket);
			if (out != NULL)
				sbuf_printf(out, "cannot connect to %s: %s\n", s->syslog_socket,
					    strerror(errno));
		}
	}
	if (at_start && s->pseudonymize) {
		const char *why = NULL;
		if (evlog_pseudonymize(s->pseudonym_key, s->pseudonym_period_s, &why) == -1)
			fatalx("log.pseudonymize: key %s: %s", s->pseudonym_key, why);
		return;
	}
	if (!at_start && (s->pseudonymize != 0) != evlog_pseudonymizing()) {
		log_warnx("reload: log.pseudonymize changes only with a restart (the key is read as root)");
		if (out != NULL)
			sbuf_printf(out, "log.pseudonymize: ignored until restart\n");
	} else if (!at_start) {
		evlog_set_pseudonym_period(s->pseudonym_period_s);
	}
}

/* --- start-up ------------------------------------------------------------ */

/* The user to run as; NULL: stay as we are. */
static const struct passwd *target_user(const char *user)
{
	const struct passwd *pw;

	if (user == NULL || strcmp(user, "root") == 0)
		return NULL;
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		fatalx("user '%s' does not exist (create it, or set user = \"root\")", user);
	if (geteuid() == pw->pw_uid)
		return NULL;   /* started as that user (with ambient capabilities) */
	if (geteuid() != 0) {
		log_warnx("not started as root: staying uid %lu instead of switching to %s",
			  (unsigned long)geteuid(), user);
		return NULL;
	}
	return pw;
}

static void open_event_file(struct aigated *d, const struct passwd *pw)
{
	const char *path = d->cfg->daemon.event_file;

	if (path == NULL)
		return;
	if (evlog_open(path) == -1)
		fatal("event file %s", path);
	/* The unprivileged daemon reopens it after logrotate: let it own
	 * the file (the directory must let it create a new one). */
	if (pw != NULL && chown(path, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("chown %s", path);
	d->event_path = xstrdup_or_null(path);
}

static int check_only(const char *conf, const char *list, const char *contracts)
{
	struct aigate_config *c;
	struct diag dg;

	diag_init_stderr(&dg);
	c = config_load(conf, list, contracts, &dg);
	if (c == NULL)
		return 1;
	if (c->daemon.user != NULL && strcmp(c->daemon.user, "root") != 0 &&
	    getpwnam(c->daemon.user) == NULL)
		fprintf(stderr, "%s: warning: user '%s' does not exist: aigated would refuse to start\n",
			c->path != NULL ? c->path : "aigate", c->daemon.user);
	fprintf(stderr, "configuration OK: mode %s, list serial %llu (%zu services), "
		"%zu contracts, %zu zones\n", mode_name(c->policy->mode),
		(unsigned long long)(c->policy->list ? list_serial(c->policy->list) : 0),
		c->policy->list ? list_n_services(c->policy->list) : 0,
		c->policy->n_contracts, c->policy->n_zones);
	config_free(c);
	return 0;
}

/* How often the queue rules' counters are compared with the queues. */
#define NOT_QUEUED_CHECK_US 2000000

/* Packets the queue rules sent that got no packet id and were not
 * dropped for a full queue: a full queue with fail-open let them through
 * uninspected, and they leave no trace but the rules' counters
 * (NFQUEUE-NOTES).  A rise becomes a warning event and a log line.  It
 * must show in two readings in a row, so that a packet counted by its
 * rule but not yet queued at the moment of reading never raises a false
 * alarm; a fall means the counters were reset (rules reinstalled or
 * zeroed) and starts the count again from there. */
static void check_not_queued(struct aigated *d, int64_t now_us)
{
	struct fw_compare c;

	if (!status_fw_compare(d, &c))
		return;
	uint64_t passed = c.rules > c.ids + c.queue_full ? c.rules - c.ids - c.queue_full : 0;
	if (!d->fw_have_base || passed < d->fw_prev) {
		d->fw_have_base = true;
		d->fw_prev = d->fw_reported = passed;
		return;
	}
	uint64_t confirmed = d->fw_prev;  /* <= passed */
	d->fw_prev = passed;
	if (confirmed <= d->fw_reported)
		return;
	uint64_t n = confirmed - d->fw_reported;
	d->fw_reported = confirmed;
	d->fw_total += n;
	log_warnx("%llu packets passed uninspected (%llu since aigated started): a queue was "
		  "full and the fail-open rules let them through; raise queue.maxlen or add queues",
		  (unsigned long long)n, (unsigned long long)d->fw_total);
	evlog_warning(now_us, d->cfg->sensor, "not_queued", d->cfg->daemon.queue_first, n,
		      d->fw_total);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", required_argument, NULL, 'L' },
		{ "contracts", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct aigated d;
	const struct passwd *pw;
	struct group *gr;
	struct pollfd pfd[2];
	struct diag dg;
	sigset_t sigs;
	uint64_t wd_usec = 0;
	int64_t next_wd = 0, next_status = 0, next_metrics = 0;
	int ch, sfd, check = 0, verbose = 0;
	gid_t ctl_gid = (gid_t)-1;
	unsigned i;

	memset(&d, 0, sizeof(d));
	d.conf_path = AIGATE_CONF_PATH;
	d.control_fd = -1;
	d.kernel_stats_fd = -1;
	while ((ch = getopt_long(argc, argv, "c:nvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': d.conf_path = optarg; break;
		case 'n': check = 1; break;
		case 'v': verbose = 1; break;
		case 'L': d.list_override = optarg; break;
		case 'C': d.contracts_override = optarg; break;
		case 'V': printf("aigated %s\n", AIGATE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (check)
		return check_only(d.conf_path, d.list_override, d.contracts_override);

	log_init(verbose);
	memset(&dg, 0, sizeof(dg));
	dg.emit = emit_log;
	d.cfg = config_load(d.conf_path, d.list_override, d.contracts_override, &dg);
	if (d.cfg == NULL)
		fatalx("%s: configuration not loaded (%u errors)", d.conf_path, dg.n_errors);
	/* Restart-only settings as at start; strings copied, since the
	 * configuration they came from is freed by a reload. */
	d.boot = d.cfg->daemon;
	d.boot.control_socket = xstrdup_or_null(d.cfg->daemon.control_socket);
	d.boot.user = xstrdup_or_null(d.cfg->daemon.user);
	d.boot.ede_text = NULL;
	d.boot.event_file = NULL;
	d.started_us = realtime_us();
	d.started_mono_us = monotonic_us();
	umask(027);
	pw = target_user(d.cfg->daemon.user);
	gr = getgrnam("aigate");
	if (gr != NULL)
		ctl_gid = gr->gr_gid;
	else if (pw != NULL)
		ctl_gid = pw->pw_gid;

	/* Signals go to the main thread only, through a signalfd: block
	 * them before any thread exists. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) == -1)
		fatal("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd == -1)
		fatal("signalfd");

	/* Everything that needs root, then drop it. */
	d.inj = inject_open(d.cfg->daemon.mark_inject);
	if (d.inj == NULL)
		fatalx("cannot open raw sockets for injected answers");
	d.n_workers = d.cfg->daemon.n_queues;
	d.workers = calloc(d.n_workers ? d.n_workers : 1, sizeof(*d.workers));
	if (d.workers == NULL)
		fatal("calloc");
	for (i = 0; i < d.n_workers; i++) {
		d.workers[i] = worker_new(i, d.cfg->daemon.queue_first + i, &d.cfg->daemon, d.inj);
		if (d.workers[i] == NULL)
			fatalx("queue %u: cannot start", d.cfg->daemon.queue_first + i);
	}
	if (d.cfg->daemon.control_socket != NULL) {
		d.control_fd = control_open(d.cfg->daemon.control_socket,
					    pw != NULL ? pw->pw_uid : geteuid(), ctl_gid);
		if (d.control_fd == -1)
			fatalx("cannot open the control socket");
		d.control_path = xstrdup_or_null(d.cfg->daemon.control_socket);
	}
	open_event_file(&d, pw);
	d.kernel_stats_fd = status_open_kernel_stats();
	evlog_set_syslog(d.cfg->daemon.log_syslog != 0);
	configure_sinks(&d, &d.cfg->daemon, true, NULL);
	if (pw != NULL)
		drop_privileges(pw);
	else if (geteuid() != 0 && capset_net_admin() == -1)
		/* Started unprivileged with ambient capabilities: keep only
		 * CAP_NET_ADMIN from here on (best effort). */
		log_debug("capset: %s", strerror(errno));

	workers_set_config(d.cfg);
	for (i = 0; i < d.n_workers; i++)
		if (worker_start(d.workers[i]) == -1)
			fatal("queue %u: thread", worker_queue(d.workers[i]));
	d.fw = fwcount_open();
	if (d.fw == NULL)
		log_warnx("cannot open a netfilter socket for the queue rules' counters: "
			  "packets a full fail-open queue passes will not be reported");
	check_not_queued(&d, realtime_us());
	/* Everything is open and every thread runs: from here on only the
	 * system calls of the packet path, reloads and logging (sandbox.c). */
	if (sandbox_enter() == -1)
		fatalx("cannot install the seccomp filter");
	if (sandbox_selftest())
		exit(3);

	log_info("started: %u queue%s from %u, mode %s, list serial %llu, events to %s",
		 d.n_workers, d.n_workers == 1 ? "" : "s", d.cfg->daemon.queue_first,
		 mode_name(d.cfg->policy->mode),
		 (unsigned long long)(d.cfg->policy->list ? list_serial(d.cfg->policy->list) : 0),
		 d.event_path ? d.event_path : "(no file)");
	if (sd_watchdog_enabled(0, &wd_usec) <= 0)
		wd_usec = 0;
	{
		char line[256];
		status_line(&d, line, sizeof(line));
		sd_notifyf(0, "READY=1\nSTATUS=%s", line);
	}

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = d.control_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		struct signalfd_siginfo si;
		int64_t now;
		int timeout = 1000;
		bool stop = false;

		if (wd_usec > 0 && (int64_t)(wd_usec / 3000) < timeout)
			timeout = (int)(wd_usec / 3000);
		if (poll(pfd, d.control_fd != -1 ? 2 : 1, timeout) == -1 && errno != EINTR)
			fatal("poll");
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			switch (si.ssi_signo) {
			case SIGHUP:
				log_info("SIGHUP: reloading");
				do_reload(&d, NULL);
				break;
			case SIGUSR1:
				do_reopen(&d, NULL);
				break;
			case SIGTERM:
			case SIGINT:
				stop = true;
				break;
			default:
				break;
			}
		}
		if (stop)
			break;
		if (d.control_fd != -1 && (pfd[1].revents & POLLIN))
			control_serve(d.control_fd, &ctl_ops, &d);
		now = monotonic_us();
		if (wd_usec > 0 && now >= next_wd) {
			sd_notify(0, "WATCHDOG=1");
			next_wd = now + (int64_t)wd_usec / 3;
		}
		if (d.cfg->daemon.metrics_textfile != NULL && now >= next_metrics) {
			write_metrics(&d);
			next_metrics = now + (int64_t)d.cfg->daemon.metrics_interval_s * 1000000;
		}
		if (now >= d.fw_next_mono_us) {
			check_not_queued(&d, realtime_us());
			d.fw_next_mono_us = now + NOT_QUEUED_CHECK_US;
		}
		if (now >= next_status) {
			char line[256];
			status_line(&d, line, sizeof(line));
			sd_notifyf(0, "STATUS=%s", line);
			next_status = now + 10000000;
		}
	}

	log_info("stopping");
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	for (i = 0; i < d.n_workers; i++)
		worker_stop(d.workers[i]);
	for (i = 0; i < d.n_workers; i++)
		worker_free(d.workers[i]);
	free(d.workers);
	control_close(d.control_fd, d.control_path);
	fwcount_close(d.fw);
	evlog_close();
	inject_close(d.inj);
	config_free(d.cfg);
	free(d.control_path);
	free(d.event_path);
	free(d.restart_needed);
	free(d.boot.control_socket);
	free(d.boot.user);
	if (d.kernel_stats_fd != -1)
		close(d.kernel_stats_fd);
	close(sfd);
	log_info("stopped");
	return 0;
}
