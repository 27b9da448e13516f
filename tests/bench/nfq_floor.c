/* nfq_floor.c: the performance floor of the kernel-queue round trip: a
 * trivial NFQUEUE program that accepts every packet, built the way
 * aigated talks to the queue (libmnl and libnetfilter_queue's nlmsg API,
 * copy of the whole packet, GSO packets unsegmented, kernel fail-open, a
 * large receive buffer, the socket drained with recvmmsg and one batch
 * verdict per drain).  `make bench` runs it side by side with no queue
 * and with aigated.
 *
 *   nfq_floor [-q QUEUE] [-l MAXLEN] [-r RCVBUF]
 *
 * Runs in the foreground until SIGINT/SIGTERM, then prints its counters
 * (packets, verdict messages, receive calls, ENOBUFS) on stderr.
 * Build: cc -O2 -o nfq_floor nfq_floor.c \
 *          $(pkg-config --cflags --libs libnetfilter_queue libmnl) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter/nfnetlink_queue.h>

#define VLEN 16
#define BUF_LEN (0xffff + 8192)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "nfq_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Send a config message with ACK and wait for the answer. */
static void config(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what)
{
	static uint32_t seq = 1;
	char buf[8192];
	unsigned portid = mnl_socket_get_portid(nl);
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die(what);
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) < 0)
		die(what);
}

int main(int argc, char **argv)
{
	static struct mmsghdr msgs[VLEN];
	static struct iovec iov[VLEN];
	static char verdict_buf[256];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	char cfg_buf[8192];
	uint8_t *bufs;
	unsigned queue = 0;
	uint32_t maxlen = 4096, flags = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	int rcvbuf = 8 << 20, c, fd, i;
	unsigned long long packets = 0, verdicts = 0, recvs = 0, enobufs = 0;
	struct sigaction sa;
	struct pollfd pfd;

	while ((c = getopt(argc, argv, "q:l:r:h")) != -1) {
		switch (c) {
		case 'q': queue = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': maxlen = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': rcvbuf = (int)strtol(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: nfq_floor [-q QUEUE] [-l MAXLEN] [-r RCVBUF]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL)
		die("netlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind");
	fd = mnl_socket_get_fd(nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == -1)
		die("receive buffer");

	nlh = nfq_nlmsg_put(cfg_buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	config(nl, nlh, "bind queue");
	nlh = nfq_nlmsg_put(cfg_buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	config(nl, nlh, "configure queue");

	bufs = malloc((size_t)VLEN * BUF_LEN);
	if (bufs == NULL)
		die("malloc");
	for (i = 0; i < VLEN; i++) {
		iov[i].iov_base = bufs + (size_t)i * BUF_LEN;
		iov[i].iov_len = BUF_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	fprintf(stderr, "nfq_floor: queue %u, maxlen %u, rcvbuf %d: accepting everything\n",
		queue, maxlen, rcvbuf);

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop) {
		bool have = false;
		uint32_t max_id = 0;

		if (poll(&pfd, 1, 500) <= 0)
			continue;
		/* Drain, then one batch verdict for everything received. */
		for (;;) {
			int n = recvmmsg(fd, msgs, VLEN, MSG_DONTWAIT, NULL);

			if (n < 0) {
				if (errno == ENOBUFS) {
					enobufs++;
					continue;
				}
				break;
			}
			recvs++;
			for (i = 0; i < n; i++) {
				const struct nlmsghdr *m = iov[i].iov_base;
				int len = (int)msgs[i].msg_len;

				for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
					struct nlattr *attr[NFQA_MAX + 1] = { 0 };
					const struct nfqnl_msg_packet_hdr *ph;
					uint32_t id;

					if ((m->nlmsg_type & 0xff) != NFQNL_MSG_PACKET ||
					    nfq_nlmsg_parse(m, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
						continue;
					ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
					id = ntohl(ph->packet_id);
					if (!have || (int32_t)(id - max_id) > 0)
						max_id = id;
					have = true;
					packets++;
				}
			}
			if (n < VLEN)
				break;
		}
		if (have) {
			nlh = nfq_nlmsg_put(verdict_buf, NFQNL_MSG_VERDICT_BATCH, queue);
			nfq_nlmsg_verdict_put(nlh, (int)max_id, NF_ACCEPT);
			if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
				fprintf(stderr, "nfq_floor: verdict: %s\n", strerror(errno));
			verdicts++;
		}
	}
	nlh = nfq_nlmsg_put(cfg_buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_UNBIND);
	(void)mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	mnl_socket_close(nl);
	free(bufs);
	fprintf(stderr, "nfq_floor: packets %llu, batch verdicts %llu, recvmmsg calls %llu, "
		"enobufs %llu\n", packets, verdicts, recvs, enobufs);
	return 0;
}
