/* packet.h: building the packets aigated injects towards a client (DNS
 * answers over UDP and TCP, TCP resets), as complete IPv4 or IPv6
 * packets with correct checksums, ready for a raw socket.
 *
 * Pure functions: no I/O, no allocation, no clock.  They are kept apart
 * from the raw sockets (inject.c) so that tests/unit/test_inject.c can
 * include packet.c and check every byte.  Each builder writes into a
 * buffer the caller owns and returns the number of bytes written, or 0
 * when the packet does not fit in `cap` or the input is unusable (no
 * address, mixed families, not TCP/UDP); on 0 the buffer's contents are
 * unspecified. */
#ifndef AIGATE_PACKET_H
#define AIGATE_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"
#include "types.h"

/* TTL / hop limit of injected packets. */
#define PACKET_TTL 64

/* One TCP segment to build. */
struct packet_tcp {
	struct ip_addr src, dst;   /* same family */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;             /* TCPF_* */
	uint16_t window;
};

/* An IPv4/IPv6 + TCP packet (20-byte TCP header, no options) carrying
 * payload_len bytes of payload (may be NULL when 0). */
size_t packet_build_tcp(uint8_t *buf, size_t cap, const struct packet_tcp *t,
			const uint8_t *payload, size_t payload_len);

/* An IPv4/IPv6 + UDP packet from src:sport to dst:dport. */
size_t packet_build_udp(uint8_t *buf, size_t cap, const struct ip_addr *src, uint16_t sport,
			const struct ip_addr *dst, uint16_t dport,
			const uint8_t *payload, size_t payload_len);

/* The reset that makes a client give up a TCP connection at once: RST|ACK
 * from the server (q's destination) to the client (q's source), seq = the
 * client's acknowledgement number (what the client expects next from the
 * server, so RFC 5961 s3.2 accepts it), ack = the client's sequence
 * number plus q's payload length (and 1 for SYN/FIN).  q is the parsed
 * client packet (ip_parse). */
size_t packet_build_reset_to_client(uint8_t *buf, size_t cap, const struct packet_info *q);

/* The reset that frees the server's side of a connection whose client
 * segment q is being dropped: RST|ACK from the client (q's source) to the
 * server, seq = q's sequence number (the server's next expected byte
 * when q is in order, which RFC 5961 s3.2 requires for a reset), ack =
 * q's acknowledgement number.  Without it a server would wait for the
 * dropped bytes until its own timeout (and a one-connection-at-a-time
 * server would hang). */
size_t packet_build_reset_to_server(uint8_t *buf, size_t cap, const struct packet_info *q);

/* A DNS answer (msg, msg_len bytes, without TCP length prefix) to the
 * query packet q, from q's destination address and port to q's source.
 * UDP: one datagram.  TCP: one segment PSH|ACK|FIN carrying the 2-byte
 * length prefix and the answer, with seq = the client's ack and ack =
 * the client's seq + q's payload length: the client reads the answer and
 * then sees an orderly end of stream (RFC 7766 s6.2.4 lets a server
 * close), so it does not retry the query elsewhere.  Over TCP the
 * answer may be at most PACKET_DNS_TCP_MAX bytes (ours are far smaller),
 * and q must carry ACK (else there is no sequence number to answer). */
#define PACKET_DNS_TCP_MAX 4096
size_t packet_build_dns_answer(uint8_t *buf, size_t cap, const struct packet_info *q,
			       const uint8_t *msg, size_t msg_len);

/* The Internet checksum (RFC 1071) of len bytes, folded and complemented,
 * starting from the partial sum `sum` (0 to start).  Exposed for tests. */
uint16_t packet_checksum(const uint8_t *data, size_t len, uint32_t sum);

#endif
