/* ip.h: IPv4, IPv6 (extension-header chain), IP-in-IP tunnels, TCP and
 * UDP headers: from the bytes of an IP packet to the innermost 5-tuple
 * and the L4 payload.  No reassembly here: a non-first fragment is
 * flagged FLAG_FRAGMENT and carries no L4 information. */
#ifndef AIGATE_IP_H
#define AIGATE_IP_H

#include "bytes.h"
#include "types.h"

#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17

/* TCP flag bits as on the wire. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct packet_info {
	struct ip_addr src, dst;  /* innermost IP header */
	uint8_t l4_proto;         /* IPPROTO_NUM_TCP, _UDP, or another number */
	uint8_t ttl;              /* TTL / hop limit of the innermost header */
	uint16_t src_port, dst_port; /* 0 when not TCP/UDP */
	uint32_t tcp_seq, tcp_ack;
	uint8_t tcp_flags;
	uint16_t tcp_window;
	/* A first fragment (offset 0, more fragments set) still has its L4
	 * header and is parsed; its payload is only the start of the
	 * datagram.  Set when any header on the way in (an outer tunnel
	 * header included) is a first fragment. */
	bool frag_first;
	uint16_t ip_id;           /* IPv4 identification (or IPv6 frag id low bits) */
	unsigned n_tunnels;       /* IP-in-IP headers looked through */
	uint32_t flags;           /* FLAG_* (FLAG_FRAGMENT, FLAG_TUNNEL) */
	struct bytes l4_payload;  /* TCP/UDP payload, bounded by IP total length */
	/* The buffer held fewer bytes than an IP or UDP length field claims
	 * (a cut capture): l4_payload is what there was. */
	bool truncated;
};

/* Limits of ip_parse (beyond them: PARSE_MALFORMED). */
#define IP_MAX_TUNNELS 3     /* IP-in-IP headers looked through */
#define IP6_MAX_EXT_HEADERS 8 /* IPv6 extension headers per IPv6 header */

/* Parse an IP packet (first byte: version nibble 4 or 6).  On PARSE_OK
 * `out` describes the innermost packet; a non-first fragment returns
 * PARSE_OK with FLAG_FRAGMENT set, l4_proto set and l4_payload empty;
 * so do ESP (50) and No Next Header (59), and any protocol other than
 * TCP/UDP (ports 0).  IP-in-IP (protocol 4 or 41, in IPv4 or IPv6) is
 * looked through, setting FLAG_TUNNEL and n_tunnels.
 * PARSE_MALFORMED for headers that cannot be valid or are cut short
 * (bad lengths, options past the header, a TCP/UDP header that does not
 * fit, more than IP6_MAX_EXT_HEADERS extension headers, hop-by-hop
 * options not first, more than IP_MAX_TUNNELS tunnels, an inner version
 * that does not match 4/41); PARSE_NOT_MINE for an outer version other
 * than 4 or 6.  A length field claiming more than the buffer holds is
 * not an error: what is there is used and `truncated` set; bytes past
 * the IP length (Ethernet padding) are ignored.  An IPv4 total length or
 * IPv6 payload length of 0 (segmentation offload in captures, RFC 2675
 * jumbograms) means "the rest of the buffer".  `out` is always fully
 * written (zeroed first); on failure its contents are partial.  The
 * payload view borrows from `pkt`. */
enum parse_result ip_parse(struct bytes pkt, struct packet_info *out);

/* Text form of an address (dotted quad; RFC 5952 s4 for IPv6, with
 * IPv4-mapped addresses as ::ffff:192.0.2.1 per s5) into buf (>= 46
 * bytes: INET6_ADDRSTRLEN).  Writes "" when the family is not 4 or 6 or
 * buf is too small (nothing when buf_len is 0).  The caller owns buf. */
void ip_addr_format(const struct ip_addr *a, char *buf, size_t buf_len);

/* Parse "192.0.2.1" (exactly four decimal parts) or "2001:db8::1" (no
 * zone id, no brackets); false if not an address (or s is NULL), and
 * then `out` is unchanged. */
bool ip_addr_parse(const char *s, struct ip_addr *out);

/* True when the innermost TCP or UDP checksum of `pkt` is right (RFC 768,
 * RFC 9293 s3.1, RFC 8200 s8.1: pseudo-header with the final destination
 * of a type 0/2/4 routing header).  A UDP checksum of 0 means "none" over
 * IPv4 (true) and is invalid over IPv6 (false).  False whenever it cannot
 * be checked: ip_parse fails, another protocol, a fragment (first or
 * not), a truncated packet.  IPv4 source-route options are not followed.
 * Reads only. */
bool ip_l4_checksum_ok(struct bytes pkt);

#endif
