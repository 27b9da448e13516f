/* load_udp.c: UDP load generator of the inline benchmarks
 * (tests/bench/inline.sh): DNS queries or QUIC client Initials through
 * the gateway, closed-loop (a window of requests outstanding) or paced
 * (a target rate), with a mix of unlisted and blocked names.
 *
 *   load_udp -m dns  -d DST -t SECS [-w WINDOW] [-r RATE] [-b EVERY]
 *            [-k SOCKETS] [-T TIMEOUT_MS]
 *   load_udp -m quic -d DST -t SECS [-w WINDOW] [-r RATE] [-b EVERY]
 *            -S SRC_BASE -N N_SRC [-o FIRST_TUPLE] [-T TIMEOUT_MS]
 *
 * -w limits the requests outstanding (0: no limit: open loop), -r paces
 * the sends (0: as fast as the window allows); both together give a
 * closed loop at a moderate rate (the latency run).  Every EVERY-th
 * request names a blocked service (0: none).
 *
 * DNS: queries (A, with an EDNS OPT record, like dig) from -k sockets;
 * an answer NOERROR comes from the lab's server, NXDOMAIN from the
 * gateway (aigated's block answer).  A blocked name answered NOERROR
 * passed the gateway uninspected ("leaked").
 *
 * QUIC: every Initial (1,200 bytes, version 1, a small ClientHello in one
 * CRYPTO frame, built with tests/helpers/quic_build.c) comes from a new
 * source address/port pair, SRC_BASE + i (i < N_SRC) and ports 1024..65023,
 * starting at tuple FIRST_TUPLE, so that no Initial belongs to a flow the
 * gateway has already decided; the server answers each with a datagram.
 * A blocked name's Initial is dropped by aigated: those are sent beside
 * the window (they never wait for an answer) and watched for a reply
 * (a reply = leaked).
 *
 * Prints one line of key=value pairs: sent, answers by kind, lost (no
 * answer within the timeout), rate (answers/s), latency percentiles
 * (microseconds), next_tuple (QUIC). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"
#include "quic_build.h"

#define MAX_SOCKS 1024
#define QUIC_LEN 1200
#define NQ_PKTS (BENCH_N_ALLOWED + BENCH_N_BLOCKED)

static struct {
	const char *mode;
	struct in_addr dst, src_base;
	double secs;
	unsigned window, every, nsocks, nsrc, timeout_ms;
	double rate;
	uint64_t first_tuple;
} opt = { .mode = "dns", .secs = 3, .window = 64, .nsocks = 32, .timeout_ms = 1000,
	  .nsrc = 1 };

static struct {
	uint64_t sent, blocked_sent, answers, srv, gw, other, leaked, lost, stale, send_err;
	struct lat lat;
} r;

static void die(const char *what)
{
	fprintf(stderr, "load_udp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: load_udp -m dns|quic -d DST -t SECS [-w WINDOW] [-r RATE] [-b EVERY]\n"
		"                [-k SOCKETS] [-S SRC_BASE -N N_SRC -o FIRST_TUPLE] [-T TIMEOUT_MS]\n");
	exit(2);
}

/* --- the request table: a slot per request outstanding ------------------- */

struct req {
	uint64_t t;       /* send time, ns; 0: free */
	uint64_t seq;     /* request number */
	int fd;           /* QUIC: the request's own socket */
	uint16_t id;      /* DNS id */
	uint8_t blocked;
	uint8_t in_window;
};

/* DNS: slot = socket * 65536 + id.  QUIC: slot = a free-list index. */
static struct req *reqs;
static size_t nreqs;
static uint64_t *fifo;          /* slots in send order, for timeouts */
static size_t fifo_cap, fifo_head, fifo_tail;
static uint32_t *freelist;
static size_t nfree;
static unsigned outstanding;    /* in the window */

static void fifo_push(uint64_t slot)
{
	if (fifo_tail - fifo_head == fifo_cap) {
		/* Grow: copy out in order. */
		size_t cap = fifo_cap * 2, i;
		uint64_t *f = malloc(cap * sizeof(*f));
		if (f == NULL)
			die("malloc");
		for (i = 0; i < fifo_cap; i++)
			f[i] = fifo[(fifo_head + i) % fifo_cap];
		free(fifo);
		fifo = f;
		fifo_head = 0;
		fifo_tail = fifo_cap;
		fifo_cap = cap;
	}
	fifo[fifo_tail++ % fifo_cap] = slot;
}

/* --- DNS --------------------------------------------------------------- */

static int socks[MAX_SOCKS];
static uint16_t next_id[MAX_SOCKS];

static size_t dns_query(uint8_t *b, uint16_t id, const char *name)
{
	size_t n = 12;
	const char *p = name;
	memset(b, 0, 12);
	b[0] = (uint8_t)(id >> 8);
	b[1] = (uint8_t)id;
	b[2] = 0x01; /* RD */
	b[5] = 1;    /* QDCOUNT */
	b[11] = 1;   /* ARCOUNT: OPT */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		b[n++] = (uint8_t)len;
		memcpy(b + n, p, len);
		n += len;
		p += len + (dot ? 1 : 0);
	}
	b[n++] = 0;
	b[n++] = 0; b[n++] = 1; /* A */
	b[n++] = 0; b[n++] = 1; /* IN */
	/* OPT: root, type 41, UDP size 1232, no flags, no options. */
	static const uint8_t optrr[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
	memcpy(b + n, optrr, sizeof(optrr));
	return n + sizeof(optrr);
}

static bool dns_send(uint64_t now, uint64_t seq)
{
	unsigned s = (unsigned)(seq % opt.nsocks);
	uint16_t id = next_id[s]++;
	size_t slot = (size_t)s * 65536 + id;
	struct req *q = &reqs[slot];
	char name[256];
	uint8_t buf[512];
	int blocked = bench_name(seq, opt.every, name, sizeof(name));
	size_t len = dns_query(buf, id, name);

	if (q->t != 0) {
		/* The id came round while the old query is still out: it is
		 * lost for good. */
		r.lost++;
		if (q->in_window)
			outstanding--;
		q->t = 0;
	}
	if (send(socks[s], buf, len, MSG_DONTWAIT) < 0) {
		r.send_err++;
		return false;
	}
	q->t = now;
	q->seq = seq;
	q->id = id;
	q->blocked = (uint8_t)blocked;
	q->in_window = 1;
	outstanding++;
	r.sent++;
	if (blocked)
		r.blocked_sent++;
	fifo_push(slot);
	return true;
}

static void dns_recv(unsigned s, uint64_t now)
{
	uint8_t buf[1500];
	for (;;) {
		ssize_t n = recv(socks[s], buf, sizeof(buf), MSG_DONTWAIT);
		struct req *q;
		uint16_t id;
		if (n < 0)
			return;
		if (n < 12 || !(buf[2] & 0x80))
			continue;
		id = (uint16_t)(buf[0] << 8 | buf[1]);
		q = &reqs[(size_t)s * 65536 + id];
		if (q->t == 0) {
			r.stale++;
			continue;
		}
		r.answers++;
		lat_add(&r.lat, now - q->t);
		switch (buf[3] & 0x0f) {
		case 0:
			r.srv++;
			if (q->blocked)
				r.leaked++;
			break;
		case 3: r.gw++; break;
		default: r.other++; break;
		}
		q->t = 0;
		if (q->in_window)
			outstanding--;
	}
}

/* --- QUIC -------------------------------------------------------------- */

static uint8_t qpkt[NQ_PKTS][QUIC_LEN + 64];
static size_t qlen[NQ_PKTS];
static uint64_t tuple;
static int ep;

static void quic_build_all(void)
{
	for (unsigned i = 0; i < NQ_PKTS; i++) {
		char name[256];
		uint8_t ch[1024], payload[QUIC_LEN], dcid[8], scid[8];
		size_t chl, fl, k;
		struct quic_build_params p;

		if (i < BENCH_N_ALLOWED)
			snprintf(name, sizeof(name), "s%u.cdn%u.example.net", i, i % 7);
		else
			snprintf(name, sizeof(name), "%s", bench_blocked[i - BENCH_N_ALLOWED]);
		chl = quic_build_client_hello(ch, sizeof(ch), name, 0);
		memset(payload, 0, sizeof(payload)); /* PADDING frames */
		fl = quic_build_crypto_frame(payload, sizeof(payload), 0, ch, chl);
		for (k = 0; k < 8; k++) {
			dcid[k] = (uint8_t)(0x11 * (k + 1) ^ i);
			scid[k] = (uint8_t)(0x5a + k + i);
		}
		memset(&p, 0, sizeof(p));
		p.version = 1;
		p.dcid = dcid;
		p.dcid_len = 8;
		p.scid = scid;
		p.scid_len = 8;
		p.pn = 0;
		p.pn_len = 2;
		/* 1 + 4 + 1 + 8 + 1 + 8 + 1 (token length) + 2 (length) + 2 (pn) + 16 (tag) */
		k = QUIC_LEN - (1 + 4 + 1 + 8 + 1 + 8 + 1 + 2 + 2 + 16);
		if (chl == 0 || fl == 0 || fl > k)
			die("building a QUIC Initial");
		qlen[i] = quic_build_initial(qpkt[i], sizeof(qpkt[i]), &p, payload, k);
		if (qlen[i] == 0)
			die("building a QUIC Initial");
	}
}

static void quic_release(size_t slot)
{
	struct req *q = &reqs[slot];
	epoll_ctl(ep, EPOLL_CTL_DEL, q->fd, NULL);
	close(q->fd);
	q->t = 0;
	if (q->in_window)
		outstanding--;
	freelist[nfree++] = (uint32_t)slot;
}

static bool quic_send(uint64_t now, uint64_t seq)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int blocked = opt.every > 0 && seq % opt.every == opt.every - 1;
	unsigned pi = blocked ? BENCH_N_ALLOWED + (unsigned)((seq / opt.every) % BENCH_N_BLOCKED)
			      : (unsigned)(seq % BENCH_N_ALLOWED);
	struct epoll_event ev;
	size_t slot;
	int fd, tries;

	if (nfree == 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r.send_err++;
		return false;
	}
	for (tries = 0; tries < 16; tries++) {
		uint64_t t = tuple++;
		src.sin_addr.s_addr = htonl(ntohl(opt.src_base.s_addr) + (uint32_t)(t % opt.nsrc));
		src.sin_port = htons((uint16_t)(1024 + (t / opt.nsrc) % 64000));
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0)
			break;
	}
	dst.sin_addr = opt.dst;
	dst.sin_port = htons(443);
	if (tries == 16 || sendto(fd, qpkt[pi], qlen[pi], 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		r.send_err++;
		close(fd);
		return false;
	}
	slot = freelist[--nfree];
	reqs[slot].t = now;
	reqs[slot].seq = seq;
	reqs[slot].fd = fd;
	reqs[slot].blocked = (uint8_t)blocked;
	reqs[slot].in_window = (uint8_t)!blocked;
	if (!blocked)
		outstanding++;
	ev.events = EPOLLIN;
	ev.data.u64 = slot;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	fifo_push(slot);
	r.sent++;
	if (blocked)
		r.blocked_sent++;
	return true;
}

static void quic_recv(size_t slot, uint64_t now)
{
	struct req *q = &reqs[slot];
	uint8_t buf[2048];
	ssize_t n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 || q->t == 0)
		return;
	r.answers++;
	if (q->blocked) {
		r.leaked++;
	} else {
		r.srv++;
		lat_add(&r.lat, now - q->t);
	}
	quic_release(slot);
}

/* --- the loop ---------------------------------------------------------- */

static bool is_quic;

/* Drop what timed out at the head of the send order. */
static void expire(uint64_t now, uint64_t timeout_ns)
{
	while (fifo_head < fifo_tail) {
		uint64_t slot = fifo[fifo_head % fifo_cap];
		struct req *q = &reqs[slot];
		/* A slot answered and reused since is found again later in the
		 * fifo: only the entry whose time matches counts, so check the
		 * age of whatever is there now. */
		if (q->t != 0 && now - q->t < timeout_ns)
			break;
		fifo_head++;
		if (q->t == 0)
			continue;
		if (is_quic) {
			if (!q->blocked)
				r.lost++;
			quic_release(slot);
		} else {
			r.lost++;
			q->t = 0;
			if (q->in_window)
				outstanding--;
		}
	}
}

int main(int argc, char **argv)
{
	struct epoll_event evs[512];
	uint64_t t0, end, timeout_ns, seq = 0, now;
	int c;

	while ((c = getopt(argc, argv, "m:d:t:w:r:b:k:S:N:o:T:")) != -1) {
		switch (c) {
		case 'm': opt.mode = optarg; break;
		case 'd': if (inet_pton(AF_INET, optarg, &opt.dst) != 1) usage(); break;
		case 't': opt.secs = atof(optarg); break;
		case 'w': opt.window = (unsigned)atoi(optarg); break;
		case 'r': opt.rate = atof(optarg); break;
		case 'b': opt.every = (unsigned)atoi(optarg); break;
		case 'k': opt.nsocks = (unsigned)atoi(optarg); break;
		case 'S': if (inet_pton(AF_INET, optarg, &opt.src_base) != 1) usage(); break;
		case 'N': opt.nsrc = (unsigned)atoi(optarg); break;
		case 'o': opt.first_tuple = strtoull(optarg, NULL, 0); break;
		case 'T': opt.timeout_ms = (unsigned)atoi(optarg); break;
		default: usage();
		}
	}
	is_quic = strcmp(opt.mode, "quic") == 0;
	if ((!is_quic && strcmp(opt.mode, "dns") != 0) || opt.dst.s_addr == 0 || opt.secs <= 0 ||
	    opt.nsocks < 1 || opt.nsocks > MAX_SOCKS || opt.nsrc < 1 ||
	    (is_quic && opt.src_base.s_addr == 0) || (opt.window == 0 && opt.rate <= 0))
		usage();
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	timeout_ns = (uint64_t)opt.timeout_ms * 1000000u;
	tuple = opt.first_tuple;
	fifo_cap = 1 << 16;
	fifo = malloc(fifo_cap * sizeof(*fifo));
	ep = epoll_create1(0);
	if (fifo == NULL || ep < 0)
		die("setup");

	if (is_quic) {
		quic_build_all();
		nreqs = 1 << 17;
		reqs = calloc(nreqs, sizeof(*reqs));
		freelist = malloc(nreqs * sizeof(*freelist));
		if (reqs == NULL || freelist == NULL)
			die("malloc");
		for (size_t i = 0; i < nreqs; i++)
			freelist[nfree++] = (uint32_t)(nreqs - 1 - i);
	} else {
		struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(53), .sin_addr = opt.dst };
		nreqs = (size_t)opt.nsocks * 65536;
		reqs = calloc(nreqs, sizeof(*reqs));
		if (reqs == NULL)
			die("malloc");
		for (unsigned s = 0; s < opt.nsocks; s++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = s };
			int buf = 4 << 20;
			socks[s] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
			if (socks[s] < 0)
				die("socket");
			setsockopt(socks[s], SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
			if (connect(socks[s], (struct sockaddr *)&dst, sizeof(dst)) < 0)
				die("connect");
			next_id[s] = (uint16_t)(s * 7919u);
			epoll_ctl(ep, EPOLL_CTL_ADD, socks[s], &ev);
		}
	}

	t0 = now_ns();
	end = t0 + (uint64_t)(opt.secs * 1e9);
	for (;;) {
		struct timespec to = { 0, 0 };
		bool sending;
		int n, i;

		now = now_ns();
		sending = now < end;
		if (sending) {
			/* Send what the window and the pace allow (at most a burst
			 * of 256 per turn, so that answers are read in between). */
			uint64_t due = opt.rate > 0 ? (uint64_t)((double)(now - t0) / 1e9 * opt.rate) + 1
						    : UINT64_MAX;
			unsigned burst = 0;
			while (seq < due && burst < 256 &&
			       (opt.window == 0 || outstanding < opt.window)) {
				if (!(is_quic ? quic_send(now, seq) : dns_send(now, seq)))
					break;
				seq++;
				burst++;
			}
			/* Wait for an answer, or until the next send is due. */
			if (opt.rate > 0 && (opt.window == 0 || outstanding < opt.window)) {
				double next = (double)seq / opt.rate * 1e9;
				uint64_t at = t0 + (uint64_t)next;
				uint64_t wait = at > now ? at - now : 0;
				to.tv_sec = (time_t)(wait / 1000000000u);
				to.tv_nsec = (long)(wait % 1000000000u);
			} else if (opt.window > 0 && outstanding >= opt.window) {
				to.tv_nsec = 10000000; /* 10 ms, then look at timeouts */
			}
		} else {
			if (outstanding == 0 && (!is_quic || fifo_head == fifo_tail))
				break;
			if (now > end + timeout_ns)
				break;
			to.tv_nsec = 10000000;
		}
		n = epoll_pwait2(ep, evs, 512, &to, NULL);
		now = now_ns();
		for (i = 0; i < n; i++) {
			if (is_quic)
				quic_recv(evs[i].data.u64, now);
			else
				dns_recv((unsigned)evs[i].data.u64, now);
		}
		expire(now, timeout_ns);
	}
	/* Whatever is still out after the timeout is lost. */
	expire(UINT64_MAX / 2, 0);
	lat_sort(&r.lat);
	{
		double secs = opt.secs;
		uint64_t done = is_quic ? r.srv + r.blocked_sent : r.answers;
		printf("mode=%s sent=%llu blocked_sent=%llu answers=%llu srv=%llu gw=%llu other=%llu "
		       "leaked=%llu lost=%llu stale=%llu send_err=%llu rate=%.0f p50_us=%.1f p90_us=%.1f "
		       "p99_us=%.1f next_tuple=%llu\n",
		       opt.mode, (unsigned long long)r.sent, (unsigned long long)r.blocked_sent,
		       (unsigned long long)r.answers, (unsigned long long)r.srv,
		       (unsigned long long)r.gw, (unsigned long long)r.other,
		       (unsigned long long)r.leaked, (unsigned long long)r.lost,
		       (unsigned long long)r.stale, (unsigned long long)r.send_err,
		       (double)done / secs, lat_pct(&r.lat, 50), lat_pct(&r.lat, 90),
		       lat_pct(&r.lat, 99), (unsigned long long)tuple);
	}
	return 0;
}
