/* load_tls.c: new-TLS-connection load generator of the inline benchmarks
 * (tests/bench/inline.sh).  Each connection: connect, send a Chrome-like
 * ClientHello of about 1,800 bytes (an X25519MLKEM768-sized key share,
 * GREASE, ALPN; built with tests/helpers/tls_build.c) in two TCP segments
 * (TCP_NODELAY, two writes: the first MSS-sized, the rest), wait for the
 * server's first bytes or a reset, then close with a reset (SO_LINGER 0:
 * no TIME_WAIT, so ports never run out).
 *
 *   load_tls -d DST [-p PORT] -t SECS [-c CONCURRENCY] [-r RATE] [-b EVERY]
 *            [-T TIMEOUT_MS]
 *   load_tls -d DST [-p PORT] -t SECS -B      (bulk: one connection, the
 *            hello, then as many bytes as it takes for SECS; prints Mbit/s)
 *
 * Every EVERY-th connection names a blocked service (aigated resets it).
 * Prints one line of key=value pairs: connections started, answered by
 * the server ("ok"), reset, closed without data, failed to connect,
 * timed out; rate (ok + reset per second); latency from connect() to the
 * server's first byte (or the reset), percentiles in microseconds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"
#include "tls_build.h"

#define MAXFD (1 << 17)
#define NH (BENCH_N_ALLOWED + BENCH_N_BLOCKED)
#define SEG1 1448 /* one MSS on a 1500-byte link with TCP timestamps */

static struct {
	struct in_addr dst;
	uint16_t port;
	double secs, rate;
	unsigned conc, every, timeout_ms;
	bool bulk;
} opt = { .port = 443, .secs = 3, .conc = 32, .timeout_ms = 2000 };

static struct {
	uint64_t started, ok, reset, eof, connfail, timeout, err;
	struct lat lat;
} r;

struct conn {
	uint64_t t;
	uint8_t state;    /* 0 free, 1 connecting, 2 waiting for the server */
	uint8_t blocked;
	uint16_t hello;
};

static struct conn *conns;
static uint8_t hellos[NH][4096];
static size_t hello_len[NH];
static unsigned active;
static int ep;

static void die(const char *what)
{
	fprintf(stderr, "load_tls: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: load_tls -d DST [-p PORT] -t SECS [-c CONC] [-r RATE] [-b EVERY] "
		"[-T TIMEOUT_MS] [-B]\n");
	exit(2);
}

static void build_hellos(void)
{
	for (unsigned i = 0; i < NH; i++) {
		char name[256];
		uint8_t hs[4096];
		struct tls_build_opts o;
		size_t n;

		if (i < BENCH_N_ALLOWED)
			snprintf(name, sizeof(name), "s%u.cdn%u.example.net", i, i % 7);
		else
			snprintf(name, sizeof(name), "%s", bench_blocked[i - BENCH_N_ALLOWED]);
		memset(&o, 0, sizeof(o));
		o.sni = name;
		o.alpn = "h2,http/1.1";
		o.session_id_len = 32;
		o.grease = true;
		o.key_share_len = 1216;
		o.pad_to = 1790; /* a constant size whatever the name */
		n = tls_build_client_hello(hs, sizeof(hs), &o);
		if (n == 0)
			die("building a ClientHello");
		hello_len[i] = tls_build_records(hellos[i], sizeof(hellos[i]), hs, n, 16384);
		if (hello_len[i] <= SEG1)
			die("ClientHello shorter than one segment");
	}
}

static void finish(int fd)
{
	struct linger l = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	conns[fd].state = 0;
	active--;
}

static bool start(uint64_t now, uint64_t seq)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(opt.port), .sin_addr = opt.dst };
	struct epoll_event ev;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	int blocked = opt.every > 0 && seq % opt.every == opt.every - 1;

	if (fd < 0 || fd >= MAXFD) {
		r.err++;
		if (fd >= 0)
			close(fd);
		return false;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno != EINPROGRESS) {
		r.connfail++;
		close(fd);
		return false;
	}
	conns[fd].t = now;
	conns[fd].state = 1;
	conns[fd].blocked = (uint8_t)blocked;
	conns[fd].hello = (uint16_t)(blocked ? BENCH_N_ALLOWED + (seq / opt.every) % BENCH_N_BLOCKED
					     : seq % BENCH_N_ALLOWED);
	ev.events = EPOLLOUT;
	ev.data.u64 = (uint64_t)fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	active++;
	r.started++;
	return true;
}

static void on_event(int fd, uint32_t events, uint64_t now)
{
	struct conn *c = &conns[fd];
	if (c->state == 1) {
		int err = 0;
		socklen_t len = sizeof(err);
		struct epoll_event ev;
		const uint8_t *h = hellos[c->hello];
		size_t hl = hello_len[c->hello];

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0 || (events & EPOLLERR)) {
			r.connfail++;
			finish(fd);
			return;
		}
		/* Two segments: TCP_NODELAY sends each write at once. */
		if (send(fd, h, SEG1, MSG_NOSIGNAL) != SEG1 ||
		    send(fd, h + SEG1, hl - SEG1, MSG_NOSIGNAL) != (ssize_t)(hl - SEG1)) {
			if (errno == ECONNRESET || errno == EPIPE)
				r.reset++;
			else
				r.err++;
			finish(fd);
			return;
		}
		c->state = 2;
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)fd;
		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
		return;
	}
	if (c->state == 2) {
		uint8_t buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return;
		lat_add(&r.lat, now - c->t);
		if (n > 0)
			r.ok++;
		else if (n == 0)
			r.eof++;
		else if (errno == ECONNRESET)
			r.reset++;
		else
			r.err++;
		finish(fd);
	}
}

static int bulk(void)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(opt.port), .sin_addr = opt.dst };
	static uint8_t buf[1 << 16];
	uint8_t in[512];
	uint64_t t0, end, bytes = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("connect");
	if (send(fd, hellos[0], SEG1, 0) != SEG1 ||
	    send(fd, hellos[0] + SEG1, hello_len[0] - SEG1, 0) != (ssize_t)(hello_len[0] - SEG1) ||
	    recv(fd, in, sizeof(in), 0) <= 0)
		die("hello");
	one = 0;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(buf, 0x17, sizeof(buf));
	t0 = now_ns();
	end = t0 + (uint64_t)(opt.secs * 1e9);
	while (now_ns() < end) {
		ssize_t n = send(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			die("send");
		bytes += (uint64_t)n;
	}
	{
		double secs = (double)(now_ns() - t0) / 1e9;
		printf("mode=bulk bytes=%llu secs=%.3f mbit=%.0f\n", (unsigned long long)bytes, secs,
		       (double)bytes * 8 / secs / 1e6);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event evs[512];
	uint64_t t0, end, seq = 0, timeout_ns, last_scan = 0;
	int c;

	while ((c = getopt(argc, argv, "d:p:t:c:r:b:T:B")) != -1) {
		switch (c) {
		case 'd': if (inet_pton(AF_INET, optarg, &opt.dst) != 1) usage(); break;
		case 'p': opt.port = (uint16_t)atoi(optarg); break;
		case 't': opt.secs = atof(optarg); break;
		case 'c': opt.conc = (unsigned)atoi(optarg); break;
		case 'r': opt.rate = atof(optarg); break;
		case 'b': opt.every = (unsigned)atoi(optarg); break;
		case 'T': opt.timeout_ms = (unsigned)atoi(optarg); break;
		case 'B': opt.bulk = true; break;
		default: usage();
		}
	}
	if (opt.dst.s_addr == 0 || opt.secs <= 0 || opt.conc < 1)
		usage();
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	build_hellos();
	if (opt.bulk)
		return bulk();
	conns = calloc(MAXFD, sizeof(*conns));
	ep = epoll_create1(0);
	if (conns == NULL || ep < 0)
		die("setup");
	timeout_ns = (uint64_t)opt.timeout_ms * 1000000u;

	t0 = now_ns();
	end = t0 + (uint64_t)(opt.secs * 1e9);
	for (;;) {
		uint64_t now = now_ns();
		struct timespec to = { 0, 10000000 };
		int n, i;

		if (now < end) {
			uint64_t due = opt.rate > 0 ? (uint64_t)((double)(now - t0) / 1e9 * opt.rate) + 1
						    : UINT64_MAX;
			while (seq < due && active < opt.conc) {
				if (!start(now, seq))
					break;
				seq++;
			}
			if (opt.rate > 0 && active < opt.conc) {
				uint64_t at = t0 + (uint64_t)((double)seq / opt.rate * 1e9);
				uint64_t wait = at > now ? at - now : 0;
				to.tv_sec = (time_t)(wait / 1000000000u);
				to.tv_nsec = (long)(wait % 1000000000u);
			}
		} else if (active == 0 || now > end + timeout_ns) {
			break;
		}
		n = epoll_pwait2(ep, evs, 512, &to, NULL);
		now = now_ns();
		for (i = 0; i < n; i++)
			on_event((int)evs[i].data.u64, evs[i].events, now);
		/* Timeouts: a scan of the table now and then is enough. */
		if (now - last_scan > 100000000u) {
			last_scan = now;
			for (int fd = 0; fd < MAXFD && active > 0; fd++) {
				if (conns[fd].state != 0 && now - conns[fd].t > timeout_ns) {
					r.timeout++;
					finish(fd);
				}
			}
		}
	}
	for (int fd = 0; fd < MAXFD; fd++) {
		if (conns[fd].state != 0) {
			r.timeout++;
			finish(fd);
		}
	}
	lat_sort(&r.lat);
	printf("mode=tls started=%llu ok=%llu reset=%llu eof=%llu connfail=%llu timeout=%llu err=%llu "
	       "rate=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f\n",
	       (unsigned long long)r.started, (unsigned long long)r.ok, (unsigned long long)r.reset,
	       (unsigned long long)r.eof, (unsigned long long)r.connfail, (unsigned long long)r.timeout,
	       (unsigned long long)r.err, (double)(r.ok + r.reset) / opt.secs,
	       lat_pct(&r.lat, 50), lat_pct(&r.lat, 90), lat_pct(&r.lat, 99));
	return 0;
}
