/* packet.c: IPv4/IPv6 + TCP/UDP packet builders for injection; see
 * packet.h.  Writes with plain indexing into the caller's buffer after
 * one length check per packet; never reads untrusted bytes except the
 * payload it copies. */
#include <string.h>

#include "packet.h"

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's-complement sum of 16-bit big-endian words, not yet folded. */
static uint32_t sum16(const uint8_t *data, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)data[i] << 8 | data[i + 1];
		if (sum > 0xffff0000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	return sum;
}

uint16_t packet_checksum(const uint8_t *data, size_t len, uint32_t sum)
{
	sum = sum16(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t addr_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

/* Write the IP header for an L4 segment of l4_len bytes and return its
 * length, or 0 when it does not fit.  Also returns the pseudo-header
 * sum (RFC 793 s3.1, RFC 768, RFC 8200 s8.1) in *pseudo. */
static size_t put_ip(uint8_t *buf, size_t cap, const struct ip_addr *src,
		     const struct ip_addr *dst, uint8_t proto, size_t l4_len, uint32_t *pseudo)
{
	size_t alen = addr_len(src->family);
	size_t hlen = src->family == 4 ? IPV4_HLEN : IPV6_HLEN;
	uint8_t ph[40];

	if (alen == 0 || src->family != dst->family)
		return 0;
	if (l4_len > 65535 - (src->family == 4 ? IPV4_HLEN : 0) || hlen + l4_len > cap)
		return 0;
	if (src->family == 4) {
		memset(buf, 0, IPV4_HLEN);
		buf[0] = 0x45;
		put16(buf + 2, (uint16_t)(IPV4_HLEN + l4_len));
		put16(buf + 6, 0x4000);            /* DF: never fragment an answer */
		buf[8] = PACKET_TTL;
		buf[9] = proto;
		memcpy(buf + 12, src->b, 4);
		memcpy(buf + 16, dst->b, 4);
		put16(buf + 10, packet_checksum(buf, IPV4_HLEN, 0));
		memcpy(ph, src->b, 4);
		memcpy(ph + 4, dst->b, 4);
		ph[8] = 0;
		ph[9] = proto;
		put16(ph + 10, (uint16_t)l4_len);
		*pseudo = sum16(ph, 12, 0);
	} else {
		memset(buf, 0, IPV6_HLEN);
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)l4_len);
		buf[6] = proto;
		buf[7] = PACKET_TTL;
		memcpy(buf + 8, src->b, 16);
		memcpy(buf + 24, dst->b, 16);
		memcpy(ph, src->b, 16);
		memcpy(ph + 16, dst->b, 16);
		put32(ph + 32, (uint32_t)l4_len);
		*pseudo = sum16(ph, 36, 0);
		memset(ph + 36, 0, 3);
		ph[39] = proto;
		*pseudo = sum16(ph + 36, 4, *pseudo);
	}
	return hlen;
}

size_t packet_build_tcp(uint8_t *buf, size_t cap, const struct packet_tcp *t,
			const uint8_t *payload, size_t payload_len)
{
	uint32_t pseudo = 0;
	size_t hlen, l4_len = TCP_HLEN + payload_len;
	uint8_t *tcp;

	if (payload_len > 65535)
		return 0;
	hlen = put_ip(buf, cap, &t->src, &t->dst, IPPROTO_NUM_TCP, l4_len, &pseudo);
	if (hlen == 0)
		return 0;
	tcp = buf + hlen;
	memset(tcp, 0, TCP_HLEN);
	put16(tcp, t->sport);
	put16(tcp + 2, t->dport);
	put32(tcp + 4, t->seq);
	put32(tcp + 8, t->ack);
	tcp[12] = (TCP_HLEN / 4) << 4;
	tcp[13] = t->flags;
	put16(tcp + 14, t->window);
	if (payload_len > 0)
		memcpy(tcp + TCP_HLEN, payload, payload_len);
	put16(tcp + 16, packet_checksum(tcp, l4_len, pseudo));
	return hlen + l4_len;
}

size_t packet_build_udp(uint8_t *buf, size_t cap, const struct ip_addr *src, uint16_t sport,
			const struct ip_addr *dst, uint16_t dport,
			const uint8_t *payload, size_t payload_len)
{
	uint32_t pseudo = 0;
	size_t hlen, l4_len = UDP_HLEN + payload_len;
	uint16_t sum;
	uint8_t *udp;

	if (payload_len > 65535 - UDP_HLEN)
		return 0;
	hlen = put_ip(buf, cap, src, dst, IPPROTO_NUM_UDP, l4_len, &pseudo);
	if (hlen == 0)
		return 0;
	udp = buf + hlen;
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)l4_len);
	put16(udp + 6, 0);
	if (payload_len > 0)
		memcpy(udp + UDP_HLEN, payload, payload_len);
	sum = packet_checksum(udp, l4_len, pseudo);
	/* RFC 768: a computed zero is sent as all ones (zero means "none",
	 * which IPv6 forbids, RFC 8200 s8.1). */
	put16(udp + 6, sum == 0 ? 0xffff : sum);
	return hlen + l4_len;
}

/* How much sequence space the client's segment used. */
static uint32_t seq_len(const struct packet_info *q)
{
	uint32_t n = (uint32_t)q->l4_payload.len;

	if (q->tcp_flags & TCPF_SYN)
		n++;
	if (q->tcp_flags & TCPF_FIN)
		n++;
	return n;
}

size_t packet_build_reset_to_client(uint8_t *buf, size_t cap, const struct packet_info *q)
{
	struct packet_tcp t;

	if (q->l4_proto != IPPROTO_NUM_TCP)
		return 0;
	memset(&t, 0, sizeof(t));
	t.src = q->dst;
	t.dst = q->src;
	t.sport = q->dst_port;
	t.dport = q->src_port;
	t.seq = (q->tcp_flags & TCPF_ACK) ? q->tcp_ack : 0;
	t.ack = q->tcp_seq + seq_len(q);
	t.flags = TCPF_RST | TCPF_ACK;
	return packet_build_tcp(buf, cap, &t, NULL, 0);
}

size_t packet_build_reset_to_server(uint8_t *buf, size_t cap, const struct packet_info *q)
{
	struct packet_tcp t;

	if (q->l4_proto != IPPROTO_NUM_TCP)
		return 0;
	memset(&t, 0, sizeof(t));
	t.src = q->src;
	t.dst = q->dst;
	t.sport = q->src_port;
	t.dport = q->dst_port;
	t.seq = q->tcp_seq;
	t.ack = q->tcp_ack;
	t.flags = (q->tcp_flags & TCPF_ACK) ? (TCPF_RST | TCPF_ACK) : TCPF_RST;
	return packet_build_tcp(buf, cap, &t, NULL, 0);
}

size_t packet_build_dns_answer(uint8_t *buf, size_t cap, const struct packet_info *q,
			       const uint8_t *msg, size_t msg_len)
{
	if (q->l4_proto == IPPROTO_NUM_UDP)
		return packet_build_udp(buf, cap, &q->dst, q->dst_port, &q->src, q->src_port,
					msg, msg_len);
	if (q->l4_proto == IPPROTO_NUM_TCP) {
		/* RFC 1035 s4.2.2: two-byte length, then the message. */
		uint8_t framed[2 + PACKET_DNS_TCP_MAX];
		struct packet_tcp t;

		if (msg_len > PACKET_DNS_TCP_MAX || !(q->tcp_flags & TCPF_ACK))
			return 0;
		put16(framed, (uint16_t)msg_len);
		memcpy(framed + 2, msg, msg_len);
		memset(&t, 0, sizeof(t));
		t.src = q->dst;
		t.dst = q->src;
		t.sport = q->dst_port;
		t.dport = q->src_port;
		t.seq = q->tcp_ack;
		t.ack = q->tcp_seq + seq_len(q);
		t.flags = TCPF_PSH | TCPF_ACK | TCPF_FIN;
		t.window = 65535;
		return packet_build_tcp(buf, cap, &t, framed, msg_len + 2);
	}
	return 0;
}
