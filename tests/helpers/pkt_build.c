/* pkt_build.c: the test packet builder; see pkt_build.h. */
#include "pkt_build.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ip_addr addr_from_text(int af, const char *s)
{
	struct ip_addr a;
	memset(&a, 0, sizeof a);
	if (s == NULL || inet_pton(af, s, a.b) != 1) {
		fprintf(stderr, "pkt_build: not an IPv%d address: \"%s\"\n",
			af == AF_INET ? 4 : 6, s ? s : "(null)");
		abort();
	}
	a.family = af == AF_INET ? 4 : 6;
	return a;
}

struct ip_addr pkt_addr4(const char *s) { return addr_from_text(AF_INET, s); }
struct ip_addr pkt_addr6(const char *s) { return addr_from_text(AF_INET6, s); }

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Sum of big-endian 16-bit words; an odd tail byte is padded with zero
 * (RFC 1071).  Only the last piece of a sum may have an odd length. */
static uint64_t sum_words(uint64_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint64_t)p[i] << 8 | p[i + 1];
	if (n % 2)
		acc += (uint64_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint16_t pkt_inet_checksum(const void *data, size_t len)
{
	return fold(sum_words(0, data, len));
}

/* RFC 768 / RFC 9293 s3.1 / RFC 8200 s8.1: the TCP/UDP checksum over a
 * pseudo-header and the L4 segment. */
static uint16_t l4_checksum(const struct ip_addr *src, const struct ip_addr *dst,
			    uint8_t proto, const uint8_t *seg, size_t seg_len)
{
	size_t alen = src->family == 4 ? 4 : 16;
	uint8_t ph[8] = { 0 };
	uint64_t acc = sum_words(0, src->b, alen);
	acc = sum_words(acc, dst->b, alen);
	if (src->family == 4) {
		ph[1] = proto;
		put16(ph + 2, (uint32_t)seg_len);
		acc = sum_words(acc, ph, 4);
	} else {
		put32(ph, (uint32_t)seg_len);
		ph[7] = proto;
		acc = sum_words(acc, ph, 8);
	}
	return fold(sum_words(acc, seg, seg_len));
}

/* Length of the extension header `type` as pkt_build writes it; 0 for a
 * type it does not know. */
static size_t ext_len(uint8_t type, size_t pad)
{
	switch (type) {
	case 0: case 43: case 60: case 135:
		return 8 + 8 * pad;
	case 44:
		return 8;
	case 51:
		return 24;
	default:
		return 0;
	}
}

static void write_ext(uint8_t *p, uint8_t type, uint8_t next, size_t pad)
{
	size_t len = ext_len(type, pad);
	memset(p, 0, len);
	p[0] = next;
	switch (type) {
	case 0: case 60:
		p[1] = (uint8_t)pad;
		/* RFC 8200 s4.2: one PadN option fills the 6 bytes after the
		 * two-byte header (plus the extra units). */
		p[2] = 1;
		p[3] = (uint8_t)(len - 4);
		break;
	case 43:
		p[1] = (uint8_t)pad;
		p[2] = 253; /* RFC 4727 experimental routing type */
		p[3] = 0;   /* segments left 0: a node ignores the type (RFC 8200 s4.4) */
		break;
	case 44:
		put32(p + 4, 0x1234abcd); /* atomic fragment (RFC 6946) */
		break;
	case 51:
		p[1] = 4;                 /* RFC 4302 s2.2: 24/4 - 2 */
		put32(p + 4, 0x100);      /* SPI */
		put32(p + 8, 1);          /* sequence number */
		break;
	case 135:
		p[1] = (uint8_t)pad;
		p[2] = 0;                 /* RFC 6275 s6.1.2: binding refresh request */
		break;
	default:
		break;
	}
}

size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *s)
{
	uint8_t fam = s->src.family;
	if ((fam != 4 && fam != 6) || s->dst.family != fam)
		return 0;
	if (s->ip4_options_len % 4 || s->ip4_options_len > 40 ||
	    (s->ip4_options_len && fam != 4))
		return 0;
	if (s->tcp_options_len % 4 || s->tcp_options_len > 40)
		return 0;
	if (s->n_ext && fam != 6)
		return 0;
	if (s->ext_pad > 255)
		return 0;

	size_t ip_len = fam == 4 ? 20 + s->ip4_options_len : 40;
	size_t ext_total = 0;
	for (size_t i = 0; i < s->n_ext; i++) {
		size_t l = ext_len(s->ext_types[i], s->ext_pad);
		if (l == 0)
			return 0;
		ext_total += l;
	}
	size_t l4h = s->proto == 6 ? 20 + s->tcp_options_len : s->proto == 17 ? 8 : 0;
	size_t seg_len = l4h + s->payload_len;
	if (s->payload_len > PKT_MAX_LEN || ext_total > PKT_MAX_LEN)
		return 0;
	size_t total = ip_len + ext_total + seg_len;
	if (fam == 4 && total > PKT_MAX_LEN)
		return 0;
	if (fam == 6 && total - 40 > PKT_MAX_LEN)
		return 0;
	if (total > cap)
		return 0;
	memset(buf, 0, total);

	uint8_t ttl = s->ttl ? s->ttl : 64;
	uint8_t first_next = s->n_ext ? s->ext_types[0] : s->proto;
	if (fam == 4) {
		buf[0] = (uint8_t)(0x40 | (ip_len / 4));
		put16(buf + 2, (uint32_t)total);
		put16(buf + 4, s->ip_id ? s->ip_id : 1);
		put16(buf + 6, s->df ? 0x4000 : 0);
		buf[8] = ttl;
		buf[9] = s->proto;
		memcpy(buf + 12, s->src.b, 4);
		memcpy(buf + 16, s->dst.b, 4);
		if (s->ip4_options_len)
			memcpy(buf + 20, s->ip4_options, s->ip4_options_len);
		put16(buf + 10, pkt_inet_checksum(buf, ip_len));
	} else {
		buf[0] = 0x60;
		put16(buf + 4, (uint32_t)(total - 40));
		buf[6] = first_next;
		buf[7] = ttl;
		memcpy(buf + 8, s->src.b, 16);
		memcpy(buf + 24, s->dst.b, 16);
	}

	size_t pos = ip_len;
	for (size_t i = 0; i < s->n_ext; i++) {
		uint8_t next = i + 1 < s->n_ext ? s->ext_types[i + 1] : s->proto;
		write_ext(buf + pos, s->ext_types[i], next, s->ext_pad);
		pos += ext_len(s->ext_types[i], s->ext_pad);
	}

	uint8_t *seg = buf + pos;
	if (s->proto == 6) {
		put16(seg, s->sport);
		put16(seg + 2, s->dport);
		put32(seg + 4, s->seq);
		put32(seg + 8, s->ack);
		seg[12] = (uint8_t)((l4h / 4) << 4);
		seg[13] = s->tcp_flags;
		put16(seg + 14, s->window ? s->window : 65535);
		if (s->tcp_options_len)
			memcpy(seg + 20, s->tcp_options, s->tcp_options_len);
	} else if (s->proto == 17) {
		put16(seg, s->sport);
		put16(seg + 2, s->dport);
		put16(seg + 4, (uint32_t)seg_len);
	}
	if (s->payload_len)
		memcpy(seg + l4h, s->payload, s->payload_len);

	if (s->proto == 6 || s->proto == 17) {
		size_t csum_at = s->proto == 6 ? 16 : 6;
		uint16_t c = l4_checksum(&s->src, &s->dst, s->proto, seg, seg_len);
		/* RFC 768: a computed zero is sent as all ones. */
		if (s->proto == 17 && c == 0)
			c = 0xffff;
		if (s->bad_checksum) {
			uint16_t bad = (uint16_t)(c ^ 0x5555);
			c = bad != 0 ? bad : 0x1111;
		}
		put16(seg + csum_at, c);
	}
	return total;
}

size_t pkt_build_udp(uint8_t *buf, size_t cap, const struct ip_addr *src, uint16_t sport,
		     const struct ip_addr *dst, uint16_t dport, const void *payload,
		     size_t len)
{
	struct pkt_spec s;
	memset(&s, 0, sizeof s);
	s.src = *src;
	s.dst = *dst;
	s.proto = 17;
	s.sport = sport;
	s.dport = dport;
	s.payload = payload;
	s.payload_len = len;
	return pkt_build(buf, cap, &s);
}

size_t pkt_build_tcp(uint8_t *buf, size_t cap, const struct ip_addr *src, uint16_t sport,
		     const struct ip_addr *dst, uint16_t dport, uint32_t seq, uint32_t ack,
		     uint8_t tcp_flags, const void *payload, size_t len)
{
	struct pkt_spec s;
	memset(&s, 0, sizeof s);
	s.src = *src;
	s.dst = *dst;
	s.proto = 6;
	s.sport = sport;
	s.dport = dport;
	s.seq = seq;
	s.ack = ack;
	s.tcp_flags = tcp_flags;
	s.payload = payload;
	s.payload_len = len;
	return pkt_build(buf, cap, &s);
}

size_t pkt_fragment(uint8_t *buf, size_t cap, const uint8_t *pkt, size_t pkt_len,
		    size_t off, size_t frag_len, uint32_t id)
{
	if (pkt_len < 20 || off % 8 || off / 8 > 0x1fff)
		return 0;
	uint8_t ver = pkt[0] >> 4;
	if (ver == 4) {
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
		size_t total = get16(pkt + 2);
		if (ihl < 20 || total < ihl || total > pkt_len)
			return 0;
		size_t body = total - ihl;
		if (off >= body)
			return 0;
		size_t n = frag_len < body - off ? frag_len : body - off;
		bool more = off + n < body;
		if (ihl + n > cap)
			return 0;
		memmove(buf, pkt, ihl);
		memmove(buf + ihl, pkt + ihl + off, n);
		put16(buf + 2, (uint32_t)(ihl + n));
		put16(buf + 4, id & 0xffff);
		put16(buf + 6, (more ? 0x2000u : 0) | (uint32_t)(off / 8));
		put16(buf + 10, 0);
		put16(buf + 10, pkt_inet_checksum(buf, ihl));
		return ihl + n;
	}
	if (ver == 6) {
		if (pkt_len < 40)
			return 0;
		size_t plen = get16(pkt + 4);
		if (40 + plen > pkt_len)
			return 0;
		/* RFC 8200 s4.5: the unfragmentable part is the IPv6 header
		 * and the headers routers read: hop-by-hop, routing, and
		 * destination options that precede a routing header. */
		size_t unf = 40;
		size_t nh_off = 6; /* the next-header byte that will name 44 */
		uint8_t next = pkt[6];
		for (;;) {
			if (unf + 2 > 40 + plen)
				return 0;
			bool take = next == 0 || next == 43;
			if (next == 60) {
				size_t l = ((size_t)pkt[unf + 1] + 1) * 8;
				take = unf + l + 1 <= 40 + plen && pkt[unf] == 43;
			}
			if (!take)
				break;
			nh_off = unf;
			size_t l = ((size_t)pkt[unf + 1] + 1) * 8;
			next = pkt[unf];
			unf += l;
			if (unf > 40 + plen)
				return 0;
		}
		size_t body = 40 + plen - unf;
		if (off >= body)
			return 0;
		size_t n = frag_len < body - off ? frag_len : body - off;
		bool more = off + n < body;
		if (unf + 8 + n > cap || unf - 40 + 8 + n > PKT_MAX_LEN)
			return 0;
		memmove(buf + unf + 8, pkt + unf + off, n);
		memmove(buf, pkt, unf);
		put16(buf + 4, (uint32_t)(unf - 40 + 8 + n));
		buf[nh_off] = 44;
		/* RFC 8200 s4.5: next header, reserved, offset << 3 | M, id. */
		buf[unf] = next;
		buf[unf + 1] = 0;
		put16(buf + unf + 2, (uint32_t)(off / 8) << 3 | (more ? 1u : 0u));
		put32(buf + unf + 4, id);
		return unf + 8 + n;
	}
	return 0;
}

size_t pkt_wrap(uint8_t *buf, size_t cap, const struct ip_addr *outer_src,
		const struct ip_addr *outer_dst, const uint8_t *inner, size_t inner_len)
{
	if (inner_len < 1 || outer_src->family != outer_dst->family)
		return 0;
	uint8_t proto;
	if (inner[0] >> 4 == 4)
		proto = 4;
	else if (inner[0] >> 4 == 6)
		proto = 41;
	else
		return 0;
	size_t hl;
	if (outer_src->family == 4)
		hl = 20;
	else if (outer_src->family == 6)
		hl = 40;
	else
		return 0;
	size_t total = hl + inner_len;
	if (total > cap || (hl == 20 && total > PKT_MAX_LEN) ||
	    (hl == 40 && inner_len > PKT_MAX_LEN))
		return 0;
	memmove(buf + hl, inner, inner_len);
	memset(buf, 0, hl);
	if (hl == 20) {
		buf[0] = 0x45;
		put16(buf + 2, (uint32_t)total);
		put16(buf + 4, 1);
		buf[8] = 64;
		buf[9] = proto;
		memcpy(buf + 12, outer_src->b, 4);
		memcpy(buf + 16, outer_dst->b, 4);
		put16(buf + 10, pkt_inet_checksum(buf, 20));
	} else {
		buf[0] = 0x60;
		put16(buf + 4, (uint32_t)inner_len);
		buf[6] = proto;
		buf[7] = 64;
		memcpy(buf + 8, outer_src->b, 16);
		memcpy(buf + 24, outer_dst->b, 16);
	}
	return total;
}
