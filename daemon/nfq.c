/* nfq.c: one netfilter queue over libmnl; see nfq.h.
 *
 * Set-up follows the nfnetlink_queue protocol: NFQNL_MSG_CONFIG with
 * the BIND command, then the copy mode, queue length and flags, each
 * acknowledged.  Packets arrive one per netlink datagram; verdicts go
 * back as NFQNL_MSG_VERDICT (one packet) or NFQNL_MSG_VERDICT_BATCH
 * (every packet with an id up to the given one). */
#include <arpa/inet.h>
#include <errno.h>
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

#include "log.h"
#include "nfq.h"

/* A queued packet is at most 0xffff bytes (the copy range) plus its
 * attributes; anything smaller could cut a message and lose its id.
 * The receive buffers lie back to back: their length keeps each one
 * aligned for struct nlmsghdr (an odd length misaligned every second
 * buffer: UBSan found it in the lab). */
#define NFQ_COPY_RANGE 0xffff
#define NFQ_BUF_LEN (NFQ_COPY_RANGE + 1 + 8192)
#define NFQ_MAX_VERDICTS 256
#define NFQ_VBUF_LEN (NFQ_MAX_VERDICTS * 64 + 256)

struct pending_verdict {
	uint32_t id;
	uint32_t verdict;
	uint32_t mark;
	bool set_mark;
};

struct nfqueue {
	struct mnl_socket *nl;
	int fd;
	unsigned num;
	unsigned portid;
	uint32_t seq;
	struct nfqueue_counters c;
	struct mmsghdr msgs[NFQ_RECV_BATCH];
	bool batch_full;                 /* the last receive filled the batch */
	struct iovec iov[NFQ_RECV_BATCH];
	uint8_t *bufs;                   /* NFQ_RECV_BATCH * NFQ_BUF_LEN */
	struct pending_verdict v[NFQ_MAX_VERDICTS];
	unsigned n_v;
	char vbuf[NFQ_VBUF_LEN];
};

int nfqueue_fd(const struct nfqueue *q) { return q->fd; }
unsigned nfqueue_num(const struct nfqueue *q) { return q->num; }
const struct nfqueue_counters *nfqueue_counters(const struct nfqueue *q) { return &q->c; }

/* Send one config message with ACK and wait for the acknowledgement.
 * Packets that arrive meanwhile (the queue is live from BIND on) are
 * accepted at once so that none is left without a verdict. */
static int config_send(struct nfqueue *q, struct nlmsghdr *nlh)
{
	uint32_t seq = ++q->seq;
	uint8_t *buf = q->bufs;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(q->nl, buf, NFQ_BUF_LEN);
		const struct nlmsghdr *m;
		int len;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return -1;
		}
		len = (int)n;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type == NLMSG_ERROR && m->nlmsg_seq == seq) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				if (e->error != 0) {
					errno = -e->error;
					return -1;
				}
				return 0;
			}
			if ((m->nlmsg_type & 0xff) == NFQNL_MSG_PACKET) {
				struct nlattr *attr[NFQA_MAX + 1];
				memset(attr, 0, sizeof(attr));
				if (nfq_nlmsg_parse(m, attr) >= 0 && attr[NFQA_PACKET_HDR] != NULL) {
					const struct nfqnl_msg_packet_hdr *ph =
						mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
					nfqueue_verdict(q, ntohl(ph->packet_id), NF_ACCEPT, false, 0);
				}
			}
		}
		nfqueue_flush_verdicts(q);
	}
}

static int bind_queue(struct nfqueue *q, uint32_t maxlen, bool fail_open)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	uint32_t flags = NFQA_CFG_F_GSO | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);

	/* nfq_nlmsg_cfg_put_cmd leaves the command's pad byte as it finds
	 * it: no stack garbage goes to the kernel (valgrind saw it). */
	memset(buf, 0, sizeof(buf));
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	if (config_send(q, nlh) == -1) {
		log_warn("queue %u: bind%s", q->num,
			 (errno == EBUSY || errno == EPERM) ?
			 " (is another program, or another aigated, bound to it?)" : "");
		return -1;
	}
	memset(buf, 0, sizeof(buf));
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, NFQ_COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (config_send(q, nlh) == -1) {
		log_warn("queue %u: configure (copy range, maxlen %u, flags 0x%x)",
			 q->num, maxlen, flags);
		return -1;
	}
	return 0;
}

static void set_rcvbuf(struct nfqueue *q, uint32_t rcvbuf)
{
	int v = rcvbuf > (uint32_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)rcvbuf;
	int got = 0;
	socklen_t sl = sizeof(got);

	if (v == 0)
		return;
	/* SO_RCVBUFFORCE ignores net.core.rmem_max (needs CAP_NET_ADMIN,
	 * which we still have now). */
	if (setsockopt(q->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == -1 &&
	    setsockopt(q->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == -1)
		log_warn("queue %u: receive buffer of %d bytes", q->num, v);
	if (getsockopt(q->fd, SOL_SOCKET, SO_RCVBUF, &got, &sl) == 0 && got < v)
		log_warnx("queue %u: receive buffer is %d bytes, not %d (net.core.rmem_max)",
			  q->num, got, v);
}

struct nfqueue *nfqueue_open(unsigned num, uint32_t maxlen, uint32_t rcvbuf, bool fail_open)
{
	struct nfqueue *q;
	unsigned i;
	int one = 1;

	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->num = num;
	q->seq = (uint32_t)time(NULL);
	q->bufs = malloc((size_t)NFQ_RECV_BATCH * NFQ_BUF_LEN);
	if (q->bufs == NULL) {
		free(q);
		return NULL;
	}
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (q->nl == NULL) {
		log_warn("queue %u: netlink socket", num);
		goto fail;
	}
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_warn("queue %u: netlink bind", num);
		goto fail;
	}
	q->fd = mnl_socket_get_fd(q->nl);
	q->portid = mnl_socket_get_portid(q->nl);
	set_rcvbuf(q, rcvbuf);
	/* Without this the kernel would also report "no buffer space" for
	 * every ack it could not send; we want ENOBUFS counted, so it stays
	 * on (NETLINK_NO_ENOBUFS off).  Extended acks give better errors. */
	(void)setsockopt(q->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind_queue(q, maxlen, fail_open) == -1)
		goto fail;
	for (i = 0; i < NFQ_RECV_BATCH; i++) {
		q->iov[i].iov_base = q->bufs + (size_t)i * NFQ_BUF_LEN;
		q->iov[i].iov_len = NFQ_BUF_LEN;
		q->msgs[i].msg_hdr.msg_iov = &q->iov[i];
		q->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return q;
fail:
	{
		int saved = errno;
		if (q->nl != NULL)
			mnl_socket_close(q->nl);
		free(q->bufs);
		free(q);
		errno = saved;
	}
	return NULL;
}

void nfqueue_close(struct nfqueue *q)
{
	char buf[8192];
	struct nlmsghdr *nlh;

	if (q == NULL)
		return;
	nfqueue_flush_verdicts(q);
	memset(buf, 0, sizeof(buf));
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_UNBIND);
	(void)mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
	mnl_socket_close(q->nl);
	free(q->bufs);
	free(q);
}

/* One NFQNL_MSG_PACKET: decode and hand to the callback. */
static void packet_msg(struct nfqueue *q, const struct nlmsghdr *m, nfqueue_packet_fn cb, void *ctx)
{
	struct nlattr *attr[NFQA_MAX + 1];
	const struct nfqnl_msg_packet_hdr *ph;
	struct nfqueue_packet p;

	memset(attr, 0, sizeof(attr));
	if (nfq_nlmsg_parse(m, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph)) {
		/* No id, so no verdict is possible: the kernel keeps the
		 * packet until the queue is unbound.  Never seen in practice. */
		q->c.bad_messages++;
		return;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	memset(&p, 0, sizeof(p));
	p.id = ntohl(ph->packet_id);
	p.hw_protocol = ntohs(ph->hw_protocol);
	p.hook = ph->hook;
	if (attr[NFQA_MARK] != NULL)
		p.mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_PAYLOAD] != NULL) {
		p.data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		p.len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	p.orig_len = p.len;
	/* Sent because NFQA_CFG_F_GSO is set (nfnetlink_queue.c). */
	if (attr[NFQA_SKB_INFO] != NULL &&
	    (ntohl(mnl_attr_get_u32(attr[NFQA_SKB_INFO])) & NFQA_SKB_CSUMNOTREADY))
		p.csum_not_ready = true;
	if (attr[NFQA_CAP_LEN] != NULL) {
		p.orig_len = ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN]));
		if (p.orig_len > p.len)
			q->c.truncated++;
	}
	cb(ctx, &p);
}

unsigned nfqueue_receive(struct nfqueue *q, nfqueue_packet_fn cb, void *ctx)
{
	unsigned n_packets = 0;
	int n, i;

	for (i = 0; i < NFQ_RECV_BATCH; i++) {
		q->msgs[i].msg_hdr.msg_name = NULL;
		q->msgs[i].msg_hdr.msg_namelen = 0;
		q->msgs[i].msg_hdr.msg_control = NULL;
		q->msgs[i].msg_hdr.msg_controllen = 0;
		q->msgs[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(q->fd, q->msgs, NFQ_RECV_BATCH, MSG_DONTWAIT, NULL);
	q->batch_full = n == NFQ_RECV_BATCH || (n < 0 && errno == ENOBUFS);
	if (n < 0) {
		if (errno == ENOBUFS)
			q->c.enobufs++;
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			q->c.recv_errors++;
		/* ENOBUFS: the overrun is reported once; more may be waiting. */
		return errno == ENOBUFS ? 1 : 0;
	}
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *m = q->iov[i].iov_base;
		int len = (int)q->msgs[i].msg_len;

		if (q->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			q->c.bad_messages++;
		for (; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				if (m->nlmsg_len >= sizeof(*m) + sizeof(*e) && e->error != 0)
					q->c.verdict_errors++;
				continue;
			}
			if (m->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
				packet_msg(q, m, cb, ctx);
				n_packets++;
			}
		}
	}
	/* At least 1 when datagrams came, so the caller drains on. */
	return n_packets > 0 ? n_packets : (n > 0 ? 1 : 0);
}

void nfqueue_verdict(struct nfqueue *q, uint32_t id, uint32_t verdict, bool set_mark, uint32_t mark)
{
	struct pending_verdict *v;

	if (q->n_v == NFQ_MAX_VERDICTS)
		nfqueue_flush_verdicts(q);
	v = &q->v[q->n_v++];
	v->id = id;
	v->verdict = verdict;
	v->set_mark = set_mark;
	v->mark = mark;
}

static void send_batch(struct nfqueue *q, struct mnl_nlmsg_batch *b)
{
	size_t len = mnl_nlmsg_batch_size(b);
	ssize_t n;

	if (len == 0)
		return;
	do
		n = mnl_socket_sendto(q->nl, mnl_nlmsg_batch_head(b), len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		q->c.verdict_errors++;
}

void nfqueue_flush_verdicts(struct nfqueue *q)
{
	struct mnl_nlmsg_batch *b;
	struct nlmsghdr *nlh;
	uint32_t max_accept = 0;
	bool any_accept = false;
	unsigned i;

	if (q->n_v == 0)
		return;
	b = mnl_nlmsg_batch_start(q->vbuf, sizeof(q->vbuf));
	for (i = 0; i < q->n_v; i++) {
		const struct pending_verdict *v = &q->v[i];

		if (v->verdict == NF_ACCEPT && !v->set_mark) {
			/* Packets are queued in id order, so the largest id of a
			 * plain accept covers them all.  Ids wrap after 2^32:
			 * compare as serial numbers. */
			if (!any_accept || (int32_t)(v->id - max_accept) > 0)
				max_accept = v->id;
			any_accept = true;
			continue;
		}
		nlh = nfq_nlmsg_put(mnl_nlmsg_batch_current(b), NFQNL_MSG_VERDICT, q->num);
		nfq_nlmsg_verdict_put(nlh, (int)v->id, (int)v->verdict);
		if (v->set_mark)
			nfq_nlmsg_verdict_put_mark(nlh, v->mark);
		if (!mnl_nlmsg_batch_next(b)) {
			/* Full: send what fits, start again with this one. */
			send_batch(q, b);
			mnl_nlmsg_batch_reset(b);
		}
	}
	/* The batch verdict goes last: it applies to every packet with a
	 * smaller id still queued, and those with their own verdict above
	 * must already have left the queue. */
	if (any_accept) {
		nlh = nfq_nlmsg_put(mnl_nlmsg_batch_current(b), NFQNL_MSG_VERDICT_BATCH, q->num);
		nfq_nlmsg_verdict_put(nlh, (int)max_accept, NF_ACCEPT);
		if (!mnl_nlmsg_batch_next(b)) {
			send_batch(q, b);
			mnl_nlmsg_batch_reset(b);
		}
	}
	send_batch(q, b);
	mnl_nlmsg_batch_stop(b);
	q->n_v = 0;
}

bool nfqueue_batch_full(const struct nfqueue *q)
{
	return q->batch_full;
}
