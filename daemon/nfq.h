/* nfq.h: one netfilter queue (nfnetlink_queue through libmnl and
 * libnetfilter_queue's nlmsg API): bind and configure it, drain the
 * socket with recvmmsg, hand each queued packet to a callback, and send
 * the verdicts of a round in one batch.
 *
 * Functions carry the prefix nfqueue_ (nfq_ is libnetfilter_queue's).
 * A struct nfqueue belongs to one worker thread; nothing here locks.  It
 * never logs on the packet path: problems are returned or counted in
 * struct nfqueue_counters, and the worker logs them rate-limited. */
#ifndef AIGATE_NFQ_H
#define AIGATE_NFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nfqueue;

/* Counters kept by the queue itself (the worker adds its own). */
struct nfqueue_counters {
	uint64_t enobufs;           /* netlink receive overruns (ENOBUFS) */
	uint64_t recv_errors;       /* other receive errors */
	uint64_t bad_messages;      /* undecodable messages (no packet id) */
	uint64_t verdict_errors;    /* NLMSG_ERROR replies, failed sends */
	uint64_t truncated;         /* packets longer than what was copied */
};

/* Bind queue `num` with copy range 0xffff, `maxlen` packets, a receive
 * buffer of rcvbuf bytes (SO_RCVBUFFORCE, falling back to SO_RCVBUF),
 * GSO packets unsegmented (NFQA_CFG_F_GSO) and, when fail_open, the
 * kernel accepting packets while the queue is full
 * (NFQA_CFG_F_FAIL_OPEN).  NULL when the queue cannot be bound or
 * configured (a diagnostic is logged, errno set): a start-up error. */
struct nfqueue *nfqueue_open(unsigned num, uint32_t maxlen, uint32_t rcvbuf, bool fail_open);

/* Unbind the queue (packets still queued in the kernel are then dropped
 * by it; give verdicts first) and free everything.  NULL is fine. */
void nfqueue_close(struct nfqueue *q);

/* The socket, for poll(). */
int nfqueue_fd(const struct nfqueue *q);
unsigned nfqueue_num(const struct nfqueue *q);
const struct nfqueue_counters *nfqueue_counters(const struct nfqueue *q);

/* A queued packet, valid only during the callback. */
struct nfqueue_packet {
	uint32_t id;
	uint16_t hw_protocol;       /* ETH_P_IP / ETH_P_IPV6, host order */
	uint8_t hook;
	uint32_t mark;              /* the packet mark (0 when none) */
	const uint8_t *data;        /* the IP packet (may be NULL: no payload) */
	size_t len;
	size_t orig_len;            /* length before truncation to 0xffff */
	/* NFQA_SKB_INFO: NFQA_SKB_CSUMNOTREADY, the TCP/UDP checksum is not
	 * computed yet (CHECKSUM_PARTIAL: locally generated or offloaded),
	 * so it cannot be verified; otherwise it is final. */
	bool csum_not_ready;
};

/* Receive what is waiting, without blocking, up to NFQ_RECV_BATCH
 * datagrams in one recvmmsg, and call cb once per queued packet, in
 * order.  Call it again until it returns 0 to drain the socket.  The callback
 * must add exactly one verdict per packet with nfqueue_verdict (the caller
 * then calls nfqueue_flush_verdicts).  Returns the number of packets seen;
 * errors (ENOBUFS, undecodable messages, kernel error replies) are
 * counted, never returned: the queue goes on. */
#define NFQ_RECV_BATCH 16
typedef void (*nfqueue_packet_fn)(void *ctx, const struct nfqueue_packet *pkt);
unsigned nfqueue_receive(struct nfqueue *q, nfqueue_packet_fn cb, void *ctx);

/* True when the last nfqueue_receive filled its batch (or overran): more
 * is probably waiting.  Otherwise the socket was drained, and asking
 * again would cost a system call that returns nothing (poll wakes the
 * worker when more arrives). */
bool nfqueue_batch_full(const struct nfqueue *q);

/* Verdicts, collected and sent by nfqueue_flush_verdicts in one sendmsg:
 * plain accepts are folded into one NFQNL_MSG_VERDICT_BATCH sent after
 * every other verdict of the round.  set_mark: the packet leaves with
 * mark `mark` (the caller computes old & ~mask | value).  Verdicts that
 * do not fit in the batch are flushed on the way; never fails (a send
 * error is counted in verdict_errors). */
void nfqueue_verdict(struct nfqueue *q, uint32_t id, uint32_t verdict, bool set_mark, uint32_t mark);
void nfqueue_flush_verdicts(struct nfqueue *q);

#endif
