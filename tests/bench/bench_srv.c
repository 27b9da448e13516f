/* bench_srv.c: the server side of the inline benchmarks (tests/bench/
 * inline.sh), run in the lab's server namespace.  One thread, epoll:
 *
 *   - DNS over UDP on ADDR:53: every query is answered NOERROR with one A
 *     record (the server's address), the question copied;
 *   - "QUIC" on UDP ADDR:443: every datagram is answered with a 64-byte
 *     datagram (the client only needs a reply to time the round trip);
 *   - "TLS" on TCP ADDR:443: reads a TLS record-layer stream until one
 *     whole handshake record has arrived (the ClientHello, however many
 *     segments it took), then writes 100 bytes once; everything after
 *     that is read and thrown away (bulk mode); closes when the client
 *     closes or resets.
 *
 *   bench_srv -a ADDR [-s STATSFILE]
 *
 * SIGUSR1 writes the counters to STATSFILE (or stderr) as key=value
 * lines; SIGTERM writes them and exits.  Not a real DNS, QUIC or TLS
 * server: the gateway only inspects the client's direction, and the
 * client only needs the server's first bytes to time a handshake. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define VLEN 64
#define MAXFD 65536

static volatile sig_atomic_t want_stats, stop;
static void on_usr1(int s) { (void)s; want_stats = 1; }
static void on_term(int s) { (void)s; stop = 1; }

static unsigned long long dns_q, dns_bad, dns_send_fail, quic_d, tcp_acc, tcp_hello, tcp_bytes, tcp_resets;

struct conn {
	uint32_t got;      /* bytes of the first record seen so far */
	uint32_t need;     /* its full length once known (header + body) */
	uint8_t hdr[5];
	uint8_t answered;
	uint8_t used;
};
static struct conn conns[MAXFD];

static void die(const char *what)
{
	fprintf(stderr, "bench_srv: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void dump(const char *path)
{
	FILE *f = path ? fopen(path, "w") : stderr;
	if (f == NULL)
		return;
	fprintf(f, "dns_queries=%llu\ndns_bad=%llu\nquic_datagrams=%llu\ntcp_accepted=%llu\n"
		"tcp_hellos=%llu\ntcp_bytes=%llu\ntcp_resets=%llu\ndns_send_fail=%llu\n",
		dns_q, dns_bad, quic_d, tcp_acc, tcp_hello, tcp_bytes, tcp_resets, dns_send_fail);
	if (path)
		fclose(f);
}

static int udp_sock(struct in_addr a, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = a };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1, buf = 8 << 20;
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind udp");
	return fd;
}

/* A DNS answer built in place: header flags, one A record pointing at
 * the question name (compression pointer 0xc00c). */
static size_t dns_answer(uint8_t *m, size_t len, size_t cap, struct in_addr a)
{
	size_t i = 12;
	if (len < 12 + 5 || (m[2] & 0x80) || m[4] != 0 || m[5] != 1)
		return 0;
	while (i < len && m[i] != 0) {
		if ((m[i] & 0xc0) != 0)
			return 0;
		i += (size_t)m[i] + 1;
	}
	i += 1 + 4; /* root label, qtype, qclass */
	if (i > len || i + 16 > cap)
		return 0;
	m[2] = (uint8_t)(0x80 | (m[2] & 0x79) | 0x04); /* QR, AA, keep opcode and RD */
	m[3] = 0x80;                                   /* RA, NOERROR */
	m[6] = 0; m[7] = 1;                            /* ANCOUNT 1 */
	m[8] = m[9] = m[10] = m[11] = 0;               /* no NS, no additional (EDNS dropped) */
	static const uint8_t rr[12] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4 };
	memcpy(m + i, rr, sizeof(rr));
	memcpy(m + i + 12, &a, 4);
	return i + 16;
}

static void udp_drain(int fd, int is_dns, struct in_addr a)
{
	static struct mmsghdr msgs[VLEN];
	static struct iovec iov[VLEN];
	static struct sockaddr_in from[VLEN];
	static uint8_t bufs[VLEN][2048];
	static uint8_t reply[64];

	for (;;) {
		int i, n, k = 0;
		for (i = 0; i < VLEN; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msgs, VLEN, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			size_t out;
			if (is_dns) {
				dns_q++;
				out = dns_answer(bufs[i], msgs[i].msg_len, sizeof(bufs[i]), a);
				if (out == 0) {
					dns_bad++;
					continue;
				}
				iov[i].iov_len = out;
			} else {
				quic_d++;
				memset(reply, 0x40, sizeof(reply));
				iov[i].iov_base = reply;
				iov[i].iov_len = sizeof(reply);
			}
			if (k != i)
				msgs[k] = msgs[i];
			k++;
		}
		if (k > 0) {
			int sent = sendmmsg(fd, msgs, (unsigned)k, MSG_DONTWAIT);
			if (sent < k && is_dns)
				dns_send_fail += (unsigned long long)(k - (sent > 0 ? sent : 0));
		}
		if (n < VLEN)
			return;
	}
}

static void tcp_close(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	conns[fd].used = 0;
}

static void tcp_read(int ep, int fd)
{
	static uint8_t buf[1 << 16];
	static const uint8_t answer[100] = { 0x16, 0x03, 0x03, 0x00, 0x5f, 0x02 };
	struct conn *c = &conns[fd];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0) {
			tcp_close(ep, fd);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			if (errno == ECONNRESET)
				tcp_resets++;
			tcp_close(ep, fd);
			return;
		}
		tcp_bytes += (unsigned long long)n;
		if (c->answered)
			continue;
		for (ssize_t i = 0; i < n && !c->answered; i++) {
			if (c->got < 5)
				c->hdr[c->got] = buf[i];
			c->got++;
			if (c->got == 5)
				c->need = 5u + ((uint32_t)c->hdr[3] << 8 | c->hdr[4]);
			if (c->got >= 5 && c->got >= c->need) {
				c->answered = 1;
				tcp_hello++;
				if (write(fd, answer, sizeof(answer)) < 0) {
					tcp_close(ep, fd);
					return;
				}
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *stats = NULL;
	struct in_addr a = { 0 };
	struct sockaddr_in sin;
	struct epoll_event ev, evs[256];
	struct sigaction sa;
	int c, ep, dfd, qfd, lfd, one = 1;

	while ((c = getopt(argc, argv, "a:s:")) != -1) {
		switch (c) {
		case 'a':
			if (inet_pton(AF_INET, optarg, &a) != 1) {
				fprintf(stderr, "bench_srv: bad address %s\n", optarg);
				return 2;
			}
			break;
		case 's': stats = optarg; break;
		default:
			fprintf(stderr, "usage: bench_srv -a ADDR [-s STATSFILE]\n");
			return 2;
		}
	}
	if (a.s_addr == 0) {
		fprintf(stderr, "usage: bench_srv -a ADDR [-s STATSFILE]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	dfd = udp_sock(a, 53);
	qfd = udp_sock(a, 443);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(443);
	sin.sin_addr = a;
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 4096) < 0)
		die("bind/listen tcp");

	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll");
	ev.events = EPOLLIN;
	ev.data.fd = dfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, dfd, &ev);
	ev.data.fd = qfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, qfd, &ev);
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	fprintf(stderr, "bench_srv: serving on %s (udp 53, udp 443, tcp 443)\n", inet_ntoa(a));

	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 200);
		if (want_stats) {
			want_stats = 0;
			dump(stats);
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == dfd || fd == qfd) {
				udp_drain(fd, fd == dfd, a);
			} else if (fd == lfd) {
				for (;;) {
					int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
					if (cfd < 0)
						break;
					if (cfd >= MAXFD) {
						close(cfd);
						continue;
					}
					tcp_acc++;
					setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					memset(&conns[cfd], 0, sizeof(conns[cfd]));
					conns[cfd].used = 1;
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.fd = cfd;
					epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
				}
			} else {
				tcp_read(ep, fd);
			}
		}
	}
	dump(stats);
	return 0;
}
