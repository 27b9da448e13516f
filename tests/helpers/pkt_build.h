/* pkt_build.h: a small packet builder for tests and fuzz seeds.
 *
 * Builds IPv4 or IPv6 (chosen by the source address family) TCP or UDP
 * packets with correct IPv4 header and TCP/UDP checksums into a buffer
 * the caller owns, and post-processes built packets: splitting one into
 * IP fragments and wrapping one in an outer IP header (IP-in-IP).
 *
 * Every builder returns the number of bytes written, or 0 when the
 * result does not fit in `cap` or the arguments are inconsistent (mixed
 * address families, options of a bad length, ...); on 0 the contents of
 * `buf` are unspecified.  Nothing is allocated; inputs are only read.
 * Being test code, this writes bytes with plain indexing: it is not part
 * of the inspection core and never parses untrusted input. */
#ifndef AIGATE_PKT_BUILD_H
#define AIGATE_PKT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

/* Largest packet any builder produces (IPv4 total length is 16 bits). */
#define PKT_MAX_LEN 65535u

/* An IPv4 / IPv6 address from text ("192.0.2.1", "2001:db8::1").  Aborts
 * the test program on text that is not an address of that family, so a
 * typo in a test cannot silently become 0.0.0.0. */
struct ip_addr pkt_addr4(const char *s);
struct ip_addr pkt_addr6(const char *s);

/* A UDP datagram from src:sport to dst:dport carrying `len` bytes of
 * `payload` (may be NULL when len is 0), TTL/hop limit 64, IPv4 ID 1,
 * DF clear, no options.  src and dst must have the same family. */
size_t pkt_build_udp(uint8_t *buf, size_t cap, const struct ip_addr *src, uint16_t sport,
		     const struct ip_addr *dst, uint16_t dport, const void *payload,
		     size_t len);

/* A TCP segment (20-byte header, no options, window 65535) with the
 * given sequence and acknowledgement numbers and TCPF_* flags. */
size_t pkt_build_tcp(uint8_t *buf, size_t cap, const struct ip_addr *src, uint16_t sport,
		     const struct ip_addr *dst, uint16_t dport, uint32_t seq, uint32_t ack,
		     uint8_t tcp_flags, const void *payload, size_t len);

/* Everything pkt_build() can vary.  Zero-initialise it, set src/dst and
 * what you need; zero fields take the defaults in brackets. */
struct pkt_spec {
	struct ip_addr src, dst;     /* same family: 4 or 6 */
	uint8_t proto;               /* 6 TCP, 17 UDP, or any other number:
				      * then the payload is the raw L4 data */
	uint16_t sport, dport;
	uint32_t seq, ack;           /* TCP */
	uint8_t tcp_flags;           /* TCP */
	uint16_t window;             /* TCP [65535] */
	const void *tcp_options;     /* TCP options, a multiple of 4, <= 40 bytes */
	size_t tcp_options_len;
	const void *payload;
	size_t payload_len;
	uint8_t ttl;                 /* TTL / hop limit [64] */
	uint16_t ip_id;              /* IPv4 identification [1] */
	bool df;                     /* IPv4 Don't Fragment */
	const void *ip4_options;     /* IPv4 options, a multiple of 4, <= 40 bytes */
	size_t ip4_options_len;
	/* IPv6 extension headers, in order, each the smallest valid one of
	 * its kind: 0 hop-by-hop, 60 destination options (8 bytes, PadN),
	 * 43 routing (type 253, segments left 0), 44 an atomic fragment
	 * header (offset 0, M clear), 51 AH (24 bytes, zero ICV), 135
	 * mobility (8 bytes).  Other values are refused. */
	const uint8_t *ext_types;
	size_t n_ext;
	size_t ext_pad;              /* extra 8-byte units in each 0/43/60/135
				      * header (tests of the length unit) */
	bool bad_checksum;           /* corrupt the TCP/UDP checksum */
};

/* The packet described by `spec`.  Checksums: IPv4 header and TCP/UDP
 * (RFC 768, RFC 9293 s3.1, RFC 8200 s8.1 pseudo-header); for another
 * proto nothing beyond the IPv4 header. */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *spec);

/* One fragment of the built, unfragmented packet `pkt`: the bytes
 * [off, off + frag_len) of what follows its unfragmentable part (IPv4:
 * the header with options, all copied to every fragment; IPv6: the fixed
 * header plus leading hop-by-hop, routing, and destination options
 * before a routing header, RFC 8200 s4.5), with identification `id`
 * (IPv4: its low 16 bits), More Fragments set when bytes remain after
 * this piece, and offset `off`, which must be a multiple of 8.  IPv6
 * gets a fragment header right after the unfragmentable part.  A
 * frag_len running past the end is clipped; `pkt` may lie in `buf`.
 * Returns 0 on bad input (off past the end, not a multiple of 8). */
size_t pkt_fragment(uint8_t *buf, size_t cap, const uint8_t *pkt, size_t pkt_len,
		    size_t off, size_t frag_len, uint32_t id);

/* Wrap the IP packet `inner` in an outer IPv4 or IPv6 header (family of
 * outer_src) whose protocol / next header is 4 (IPv4 inside, RFC 2003)
 * or 41 (IPv6 inside, RFC 2473 / RFC 4213), chosen by inner's version
 * nibble.  `inner` may lie in `buf` itself (it is moved, not copied), so
 * `n = pkt_wrap(buf, cap, &a, &b, buf, n)` wraps in place. */
size_t pkt_wrap(uint8_t *buf, size_t cap, const struct ip_addr *outer_src,
		const struct ip_addr *outer_dst, const uint8_t *inner, size_t inner_len);

/* The 16-bit one's-complement Internet checksum (RFC 1071) of `len`
 * bytes, folded and complemented; an independent implementation for
 * tests to cross-check the core. */
uint16_t pkt_inet_checksum(const void *data, size_t len);

#endif
