/* evlog.c: the event sink and the per-worker fold tables; see evlog.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-journal.h>

#include "evlog.h"
#include "ip.h"
#include "log.h"
#include "pseudonym.h"
#include "siphash.h"
#include "syslog5424.h"

#define EVLOG_LINE_MAX 8192
#define FOLD_SLOTS 1024        /* power of two */
#define FOLD_PROBES 8

static atomic_int ev_fd = -1;
static atomic_bool ev_syslog;
/* RFC 5424 datagrams: a connected unix socket and the facility. */
static atomic_int sl_fd = -1;
static atomic_uint sl_facility = 3;
/* Pseudonyms: the key is written once before the workers start. */
static uint8_t ps_key[64];
static size_t ps_key_len;
static atomic_bool ps_on;
static atomic_uint ps_period = 86400;
static atomic_uint_fast64_t st_written, st_folded, st_errors, st_warnings;

struct fold_entry {
	bool used;
	uint64_t hash;
	struct ip_addr client;
	enum action action;
	bool has_name;
	size_t name_len;
	char name[NAME_BUF_LEN];
	int64_t window_end_us;
	uint32_t repeats;           /* folded since the event that was written */
	struct event last;          /* the latest repeat (name points to .name) */
	struct decision decision;
};

struct evfold {
	uint8_t key[16];
	struct log_rate rl;
	struct fold_entry slots[FOLD_SLOTS];
};

static int open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

int evlog_open(const char *path)
{
	int fd;

	if (path == NULL)
		return 0;
	fd = open_file(path);
	if (fd == -1)
		return -1;
	atomic_store(&ev_fd, fd);
	return 0;
}

int evlog_reopen(const char *path)
{
	int cur = atomic_load(&ev_fd), fd;

	if (path == NULL) {
		if (cur != -1) {
			atomic_store(&ev_fd, -1);
			close(cur);
		}
		return 0;
	}
	fd = open_file(path);
	if (fd == -1)
		return -1;
	if (cur == -1) {
		atomic_store(&ev_fd, fd);
		return 0;
	}
	/* dup2 swaps the file behind the descriptor number atomically: a
	 * concurrent write() goes wholly to the old or to the new file. */
	if (dup2(fd, cur) == -1) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

void evlog_close(void)
{
	int fd = atomic_exchange(&ev_fd, -1);

	if (fd != -1)
		close(fd);
}

void evlog_set_syslog(bool on)
{
	atomic_store(&ev_syslog, on);
}

int evlog_set_syslog5424(const char *path, unsigned facility)
{
	int fd = -1;

	if (path != NULL) {
		struct sockaddr_un sa;
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(sa.sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(sa.sun_path, path, strlen(path));
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
	}
	atomic_store(&sl_facility, facility <= 23 ? facility : 3);
	int old = atomic_exchange(&sl_fd, fd);
	if (old != -1)
		close(old);
	return 0;
}

int evlog_pseudonymize(const char *key_path, uint32_t period_s, const char **why)
{
	struct stat st;
	int fd = open(key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd == -1) {
		*why = strerror(errno);
		return -1;
	}
	/* The key re-identifies every client: refuse one that others can read. */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		*why = "not a regular file owned by root with mode 0600 or 0400";
		return -1;
	}
	ssize_t n = read(fd, ps_key, sizeof(ps_key));
	close(fd);
	if (n < (ssize_t)PSEUDONYM_MIN_KEY_LEN) {
		*why = "shorter than 16 bytes (make it with: head -c 32 /dev/urandom)";
		return -1;
	}
	ps_key_len = (size_t)n;
	atomic_store(&ps_period, period_s);
	atomic_store(&ps_on, true);
	return 0;
}

void evlog_set_pseudonym_period(uint32_t period_s)
{
	atomic_store(&ps_period, period_s);
}

bool evlog_pseudonymizing(void)
{
	return atomic_load(&ps_on);
}

void evlog_get_stats(struct evlog_stats *out)
{
	out->written = atomic_load_explicit(&st_written, memory_order_relaxed);
	out->folded = atomic_load_explicit(&st_folded, memory_order_relaxed);
	out->write_errors = atomic_load_explicit(&st_errors, memory_order_relaxed);
	out->warnings = atomic_load_explicit(&st_warnings, memory_order_relaxed);
}

struct evfold *evfold_new(const uint8_t key[16])
{
	struct evfold *f = calloc(1, sizeof(*f));

	if (f != NULL)
		memcpy(f->key, key, sizeof(f->key));
	return f;
}

void evfold_free(struct evfold *f)
{
	free(f);
}

static void write_line(struct log_rate *rl, const char *line, size_t len)
{
	int fd = atomic_load(&ev_fd);
	ssize_t n;

	if (fd == -1)
		return;
	n = write(fd, line, len);
	if (n < 0 || (size_t)n != len) {
		atomic_fetch_add_explicit(&st_errors, 1, memory_order_relaxed);
		if (rl != NULL)
			log_warnx_rl(rl, "event file: write failed: %s",
				     n < 0 ? strerror(errno) : "short write");
	}
}

/* The name as printable ASCII for a journald field (any byte of an
 * attacker's choosing may be in it). */
static void printable_name(const struct event *ev, char *buf, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; ev->has_name && i < ev->name_len && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)ev->name[i];
		if (c > 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
	}
	buf[o] = '\0';
}

static void send_syslog5424(const struct event *ev)
{
	int fd = atomic_load_explicit(&sl_fd, memory_order_relaxed);
	if (fd == -1)
		return;
	char msg[EVLOG_LINE_MAX + 1024];
	struct syslog5424_header h;
	memset(&h, 0, sizeof(h));
	h.facility = atomic_load_explicit(&sl_facility, memory_order_relaxed);
	h.procid = (long)getpid();
	h.src_ip_text = ev->src_text;
	size_t len = syslog5424_format(ev, &h, msg, sizeof(msg));
	if (len >= sizeof(msg) || send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		atomic_fetch_add_explicit(&st_errors, 1, memory_order_relaxed);
}

static void emit(struct log_rate *rl, const struct event *in)
{
	char line[EVLOG_LINE_MAX];
	char pseudonym[PSEUDONYM_BUF_LEN];
	struct event pev;
	const struct event *ev = in;

	/* With pseudonymisation on, no sink ever sees the client address:
	 * the event is rewritten here, after zones were matched on it. */
	if (atomic_load_explicit(&ps_on, memory_order_relaxed)) {
		uint64_t period = pseudonym_period(in->ts_us / 1000000,
						   atomic_load_explicit(&ps_period, memory_order_relaxed));
		if (!pseudonym_of(ps_key, ps_key_len, period, &in->src, pseudonym, sizeof(pseudonym)))
			snprintf(pseudonym, sizeof(pseudonym), "p-unavailable");
		pev = *in;
		pev.src_text = pseudonym;
		ev = &pev;
	}
	size_t len = event_format_json(ev, line, sizeof(line));

	if (len >= sizeof(line)) {
		atomic_fetch_add_explicit(&st_errors, 1, memory_order_relaxed);
		if (rl != NULL)
			log_warnx_rl(rl, "event too long (%zu bytes): not written", len);
		return;
	}
	write_line(rl, line, len);
	atomic_fetch_add_explicit(&st_written, 1, memory_order_relaxed);
	send_syslog5424(ev);
	if (atomic_load_explicit(&ev_syslog, memory_order_relaxed)) {
		const struct decision *d = ev->decision;
		char name[NAME_BUF_LEN * 4 + 1], src[64];

		printable_name(ev, name, sizeof(name));
		if (ev->src_text != NULL)
			snprintf(src, sizeof(src), "%s", ev->src_text);
		else
			ip_addr_format(&ev->src, src, sizeof(src));
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		sd_journal_send("MESSAGE=%s", line,
				"PRIORITY=%d", d != NULL && d->action == ACTION_BLOCK ? 5 : 6,
				"SYSLOG_IDENTIFIER=aigated",
				"AIGATE_NAME=%s", name,
				"AIGATE_ACTION=%s", d != NULL ? action_name(d->action) : "",
				"AIGATE_SERVICE=%s",
				d != NULL && d->match.service != NULL ? d->match.service->id : "",
				"AIGATE_TERMS=%s",
				d != NULL && d->match.entry != NULL ? terms_name(d->match.entry->terms) : "",
				"AIGATE_SRC_IP=%s", src,
				"AIGATE_VERDICT=%s", verdict_name(ev->verdict),
				"AIGATE_COUNT=%u", ev->count > 1 ? ev->count : 1u,
				NULL);
	}
}

static uint64_t fold_hash(const struct evfold *f, const struct event *ev)
{
	uint8_t buf[17 + 1 + NAME_BUF_LEN];
	size_t n = 0;

	buf[n++] = ev->src.family;
	memcpy(buf + n, ev->src.b, 16);
	n += 16;
	buf[n++] = (uint8_t)(ev->decision != NULL ? ev->decision->action : 0);
	if (ev->has_name) {
		size_t l = ev->name_len < NAME_BUF_LEN ? ev->name_len : NAME_BUF_LEN;
		memcpy(buf + n, ev->name, l);
		n += l;
	}
	return siphash24(f->key, buf, n);
}

static bool fold_same(const struct fold_entry *e, uint64_t h, const struct event *ev)
{
	return e->hash == h && e->client.family == ev->src.family &&
	       memcmp(e->client.b, ev->src.b, 16) == 0 &&
	       e->action == ev->decision->action && e->has_name == ev->has_name &&
	       e->name_len == (ev->has_name ? ev->name_len : 0) &&
	       memcmp(e->name, ev->name, e->name_len) == 0;
}

/* Write the entry's folded repeats (if any) and free the slot. */
static void fold_close(struct evfold *f, struct fold_entry *e)
{
	if (e->repeats > 0) {
		e->last.count = e->repeats;
		e->last.decision = &e->decision;
		e->last.name = e->name;
		emit(&f->rl, &e->last);
	}
	e->used = false;
}

static void fold_store(struct fold_entry *e, uint64_t h, const struct event *ev, uint32_t window_s)
{
	e->used = true;
	e->hash = h;
	e->client = ev->src;
	e->action = ev->decision->action;
	e->has_name = ev->has_name;
	e->name_len = ev->has_name && ev->name_len < NAME_BUF_LEN ? ev->name_len : 0;
	memcpy(e->name, ev->name, e->name_len);
	e->window_end_us = ev->ts_us + (int64_t)window_s * 1000000;
	e->repeats = 0;
}

void evlog_decision(struct evfold *f, const struct event *ev, uint32_t window_s)
{
	struct fold_entry *e, *victim;
	uint64_t h;
	unsigned i;

	if (window_s == 0 || ev->decision == NULL || ev->name_len >= NAME_BUF_LEN) {
		emit(&f->rl, ev);
		return;
	}
	h = fold_hash(f, ev);
	victim = NULL;
	for (i = 0; i < FOLD_PROBES; i++) {
		e = &f->slots[(h + i) & (FOLD_SLOTS - 1)];
		if (!e->used) {
			if (victim == NULL)
				victim = e;
			continue;
		}
		if (!fold_same(e, h, ev))
			continue;
		if (ev->ts_us < e->window_end_us) {
			e->repeats++;
			e->last = *ev;
			e->decision = *ev->decision;
			atomic_fetch_add_explicit(&st_folded, 1, memory_order_relaxed);
			return;
		}
		/* The window closed: report it, then start a new one here. */
		fold_close(f, e);
		victim = e;
		break;
	}
	if (victim == NULL) {
		/* Table crowded here: close the oldest window of the probe run. */
		victim = &f->slots[h & (FOLD_SLOTS - 1)];
		for (i = 1; i < FOLD_PROBES; i++) {
			e = &f->slots[(h + i) & (FOLD_SLOTS - 1)];
			if (e->window_end_us < victim->window_end_us)
				victim = e;
		}
		fold_close(f, victim);
	}
	emit(&f->rl, ev);
	fold_store(victim, h, ev, window_s);
}

void evfold_flush(struct evfold *f, int64_t now_us, bool all)
{
	size_t i;

	for (i = 0; i < FOLD_SLOTS; i++) {
		struct fold_entry *e = &f->slots[i];
		if (e->used && (all || e->window_end_us <= now_us))
			fold_close(f, e);
	}
}

void evlog_warning(int64_t now_us, const char *sensor, const char *kind, unsigned queue,
		   uint64_t count, uint64_t total)
{
	char ts[40], sens[512], line[1024];
	int n;

	event_format_time(now_us, ts, sizeof(ts));
	if (sensor != NULL) {
		size_t l = json_write_string(sensor, strlen(sensor), sens, sizeof(sens));
		if (l >= sizeof(sens))
			sensor = NULL;
	}
	n = snprintf(line, sizeof(line),
		     "{\"v\":1,\"timestamp\":\"%s\"%s%s,\"warning\":\"%s\",\"queue\":%u,"
		     "\"count\":%llu,\"total\":%llu}\n",
		     ts, sensor != NULL ? ",\"sensor\":" : "", sensor != NULL ? sens : "",
		     kind, queue, (unsigned long long)count, (unsigned long long)total);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	write_line(NULL, line, (size_t)n);
	atomic_fetch_add_explicit(&st_warnings, 1, memory_order_relaxed);
	if (atomic_load_explicit(&ev_syslog, memory_order_relaxed)) {
		line[n - 1] = '\0';
		sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", 4,
				"SYSLOG_IDENTIFIER=aigated", "AIGATE_WARNING=%s", kind,
				"AIGATE_QUEUE=%u", queue, "AIGATE_COUNT=%llu",
				(unsigned long long)count, NULL);
	}
}
