/* ip.c: IPv4, IPv6 and its extension-header chain, IP-in-IP tunnels,
 * TCP and UDP headers, and the TCP/UDP checksum; see ip.h.
 *
 * Every read goes through the bytes.h cursor.  Each IP header yields a
 * view of its payload, bounded by the header's length field and by the
 * bytes present; the next layer is parsed from that view only, so no
 * layer can read past what its enclosing header allows. */
#include "ip.h"

#include <arpa/inet.h>
#include <string.h>

/* IANA protocol numbers used here. */
enum {
	PROTO_HOPOPTS = 0,
	PROTO_IPIP = 4,
	PROTO_IPV6 = 41,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_ESP = 50,
	PROTO_AH = 51,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
	PROTO_MOBILITY = 135,
};

/* What one IP header hands on to the next layer. */
struct layer {
	uint8_t proto;          /* next protocol */
	struct bytes body;      /* its bytes, bounded by the header */
	bool stop;              /* nothing more to parse (fragment, ESP, 59) */
};

/* What ip_l4_checksum_ok needs beyond packet_info. */
struct l4_extra {
	struct bytes segment;    /* TCP/UDP header and data (UDP: its length) */
	struct ip_addr pseudo_dst;
	uint16_t udp_checksum;
};

/* Take the first `want` bytes of *rest as *body; fewer when fewer are
 * there: a cut capture, noted in out->truncated, unless a first fragment
 * on the way in already explains the shortfall. */
static void take_bounded(struct bytes *rest, size_t want, struct bytes *body,
			 struct packet_info *out)
{
	size_t n = want;
	if (n > rest->len) {
		n = rest->len;
		if (!out->frag_first)
			out->truncated = true;
	}
	if (!bytes_get_bytes(rest, n, body))
		*body = bytes_make(NULL, 0); /* cannot happen: n <= len */
}

/* RFC 791 s3.1 (header), s2.3 (fragmentation). */
static enum parse_result ip4_header(struct bytes pkt, struct packet_info *out,
				    struct layer *ly)
{
	struct bytes b = pkt;
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, csum;
	if (!bytes_get_u8(&b, &vihl) || !bytes_get_u8(&b, &tos) ||
	    !bytes_get_u16(&b, &total) || !bytes_get_u16(&b, &id) ||
	    !bytes_get_u16(&b, &frag) || !bytes_get_u8(&b, &ttl) ||
	    !bytes_get_u8(&b, &proto) || !bytes_get_u16(&b, &csum))
		return PARSE_MALFORMED;
	out->src.family = 4;
	out->dst.family = 4;
	memset(out->src.b, 0, sizeof out->src.b);
	memset(out->dst.b, 0, sizeof out->dst.b);
	if (!bytes_copy(&b, out->src.b, 4) || !bytes_copy(&b, out->dst.b, 4))
		return PARSE_MALFORMED;

	/* IHL counts 32-bit words; 5 is the header without options. */
	size_t hdr_len = (size_t)(vihl & 0x0f) * 4;
	if (hdr_len < 20)
		return PARSE_MALFORMED;
	if (!bytes_skip(&b, hdr_len - 20))
		return PARSE_MALFORMED; /* options run past the bytes */
	/* Total length 0: segmentation offload in a capture; use the rest. */
	size_t body_len = total == 0 ? b.len : (size_t)total;
	if (total != 0) {
		if (body_len < hdr_len)
			return PARSE_MALFORMED;
		body_len -= hdr_len;
	}

	out->ttl = ttl;
	out->ip_id = id;
	out->l4_proto = proto;
	ly->proto = proto;
	ly->stop = false;
	take_bounded(&b, body_len, &ly->body, out);

	/* Flags: bit 0x2000 More Fragments; the low 13 bits the offset. */
	bool more = (frag & 0x2000) != 0;
	uint16_t offset = frag & 0x1fff;
	if (offset != 0) {
		out->flags |= FLAG_FRAGMENT;
		ly->stop = true;
	} else if (more) {
		out->frag_first = true;
	}
	return PARSE_OK;
}

/* The final destination named by an IPv6 routing header with segments
 * left, for the checksum pseudo-header (RFC 8200 s8.1): the last address
 * of type 0 (RFC 2460 s4.4) and 2 (RFC 6275 s6.4), Segment List[0] of a
 * type 4 SRH (RFC 8754 s2).  `h` is the whole header. */
static void routing_final_dst(struct bytes h, struct ip_addr *final)
{
	uint8_t type, left;
	if (!bytes_peek_u8(&h, 2, &type) || !bytes_peek_u8(&h, 3, &left) || left == 0)
		return;
	if (h.len < 8 + 16)
		return;
	size_t at;
	if (type == 0 || type == 2)
		at = 8 + ((h.len - 8) / 16 - 1) * 16;
	else if (type == 4)
		at = 8;
	else
		return;
	struct bytes t;
	uint8_t a[16];
	if (bytes_tail(&h, at, &t) && bytes_copy(&t, a, sizeof a))
		memcpy(final->b, a, sizeof a);
}

/* RFC 8200 s3 (header), s4 (extension headers). */
static enum parse_result ip6_header(struct bytes pkt, struct packet_info *out,
				    struct layer *ly, struct l4_extra *ex)
{
	struct bytes b = pkt;
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t next, hlim;
	if (!bytes_get_u32(&b, &vtcfl) || !bytes_get_u16(&b, &plen) ||
	    !bytes_get_u8(&b, &next) || !bytes_get_u8(&b, &hlim))
		return PARSE_MALFORMED;
	out->src.family = 6;
	out->dst.family = 6;
	if (!bytes_copy(&b, out->src.b, 16) || !bytes_copy(&b, out->dst.b, 16))
		return PARSE_MALFORMED;
	out->ttl = hlim;
	out->ip_id = 0;
	ex->pseudo_dst = out->dst;

	/* Payload length 0: a jumbogram (RFC 2675) or offload; the rest. */
	struct bytes rest;
	take_bounded(&b, plen == 0 ? b.len : (size_t)plen, &rest, out);

	ly->stop = false;
	for (unsigned n_ext = 0;; n_ext++) {
		out->l4_proto = next;
		switch (next) {
		case PROTO_HOPOPTS:
		case PROTO_ROUTING:
		case PROTO_FRAGMENT:
		case PROTO_DSTOPTS:
		case PROTO_AH:
		case PROTO_MOBILITY:
			break;
		case PROTO_ESP:
		case PROTO_NONE:
			/* RFC 4303: what follows ESP is encrypted; RFC 8200
			 * s4.7: nothing follows 59. */
			ly->proto = next;
			ly->body = bytes_make(NULL, 0);
			ly->stop = true;
			return PARSE_OK;
		default:
			ly->proto = next;
			ly->body = rest;
			return PARSE_OK;
		}
		/* RFC 8200 s4.1: hop-by-hop options only right after the
		 * IPv6 header. */
		if (next == PROTO_HOPOPTS && n_ext != 0)
			return PARSE_MALFORMED;
		if (n_ext >= IP6_MAX_EXT_HEADERS)
			return PARSE_MALFORMED;

		uint8_t nh, hlen;
		if (!bytes_peek_u8(&rest, 0, &nh) || !bytes_peek_u8(&rest, 1, &hlen))
			return PARSE_MALFORMED;
		size_t ext_len;
		if (next == PROTO_AH)
			ext_len = ((size_t)hlen + 2) * 4;  /* RFC 4302 s2.2: 32-bit words, minus 2 */
		else if (next == PROTO_FRAGMENT)
			ext_len = 8;                      /* RFC 8200 s4.5: fixed size */
		else
			ext_len = ((size_t)hlen + 1) * 8; /* RFC 8200 s4.3: 8-octet units, minus 1 */
		struct bytes h;
		if (!bytes_get_bytes(&rest, ext_len, &h))
			return PARSE_MALFORMED;

		if (next == PROTO_ROUTING) {
			routing_final_dst(h, &ex->pseudo_dst);
		} else if (next == PROTO_FRAGMENT) {
			uint16_t offm;
			uint32_t id;
			if (!bytes_skip(&h, 2) || !bytes_get_u16(&h, &offm) ||
			    !bytes_get_u32(&h, &id))
				return PARSE_MALFORMED;
			out->ip_id = (uint16_t)(id & 0xffff);
			/* RFC 8200 s4.5: offset in the high 13 bits, M in bit 0.
			 * Offset 0 with M clear is an atomic fragment (RFC
			 * 6946): a whole packet. */
			if ((offm >> 3) != 0) {
				out->flags |= FLAG_FRAGMENT;
				out->l4_proto = nh;
				ly->proto = nh;
				ly->body = bytes_make(NULL, 0);
				ly->stop = true;
				return PARSE_OK;
			}
			if (offm & 1)
				out->frag_first = true;
		}
		next = nh;
	}
}

/* RFC 9293 s3.1. */
static enum parse_result tcp_header(struct bytes seg, struct packet_info *out)
{
	struct bytes b = seg;
	uint8_t doff, flags;
	uint16_t csum, urg;
	if (!bytes_get_u16(&b, &out->src_port) || !bytes_get_u16(&b, &out->dst_port) ||
	    !bytes_get_u32(&b, &out->tcp_seq) || !bytes_get_u32(&b, &out->tcp_ack) ||
	    !bytes_get_u8(&b, &doff) || !bytes_get_u8(&b, &flags) ||
	    !bytes_get_u16(&b, &out->tcp_window) || !bytes_get_u16(&b, &csum) ||
	    !bytes_get_u16(&b, &urg))
		return PARSE_MALFORMED;
	/* Data Offset counts 32-bit words; options fill the rest. */
	size_t hdr_len = (size_t)(doff >> 4) * 4;
	if (hdr_len < 20 || !bytes_skip(&b, hdr_len - 20))
		return PARSE_MALFORMED;
	out->tcp_flags = flags;
	out->l4_payload = b;
	return PARSE_OK;
}

/* RFC 768. */
static enum parse_result udp_header(struct bytes seg, struct packet_info *out,
				    struct l4_extra *ex)
{
	struct bytes b = seg;
	uint16_t ulen;
	if (!bytes_get_u16(&b, &out->src_port) || !bytes_get_u16(&b, &out->dst_port) ||
	    !bytes_get_u16(&b, &ulen) || !bytes_get_u16(&b, &ex->udp_checksum))
		return PARSE_MALFORMED;
	/* The length counts the 8-byte header. */
	if (ulen < 8)
		return PARSE_MALFORMED;
	take_bounded(&b, (size_t)ulen - 8, &out->l4_payload, out);
	if (!bytes_get_bytes(&seg, (size_t)ulen < seg.len ? ulen : seg.len, &ex->segment))
		ex->segment = bytes_make(NULL, 0); /* cannot happen */
	return PARSE_OK;
}

static enum parse_result parse_all(struct bytes pkt, struct packet_info *out,
				   struct l4_extra *ex)
{
	memset(out, 0, sizeof *out);
	memset(ex, 0, sizeof *ex);
	out->l4_payload = bytes_make(NULL, 0);

	uint8_t first;
	if (!bytes_peek_u8(&pkt, 0, &first))
		return PARSE_MALFORMED;
	unsigned version = first >> 4;
	if (version != 4 && version != 6)
		return PARSE_NOT_MINE;

	struct bytes cur = pkt;
	struct layer ly;
	for (;;) {
		/* The innermost header's fields replace the outer ones. */
		enum parse_result r;
		if (version == 4) {
			r = ip4_header(cur, out, &ly);
			ex->pseudo_dst = out->dst;
		} else {
			r = ip6_header(cur, out, &ly, ex);
		}
		if (r != PARSE_OK)
			return r;
		if (ly.stop)
			return PARSE_OK;
		if (ly.proto != PROTO_IPIP && ly.proto != PROTO_IPV6)
			break;
		/* RFC 2003 (4 in IPv4), RFC 4213 s3.5 (6 in 4), RFC 2473
		 * (either in IPv6): the body is a whole IP packet. */
		if (out->n_tunnels >= IP_MAX_TUNNELS)
			return PARSE_MALFORMED;
		out->n_tunnels++;
		out->flags |= FLAG_TUNNEL;
		if (!bytes_peek_u8(&ly.body, 0, &first))
			return PARSE_MALFORMED;
		version = first >> 4;
		if (version != (ly.proto == PROTO_IPIP ? 4u : 6u))
			return PARSE_MALFORMED;
		cur = ly.body;
	}

	out->l4_proto = ly.proto;
	if (ly.proto == IPPROTO_NUM_TCP) {
		ex->segment = ly.body;
		return tcp_header(ly.body, out);
	}
	if (ly.proto == IPPROTO_NUM_UDP)
		return udp_header(ly.body, out, ex);
	return PARSE_OK;
}

enum parse_result ip_parse(struct bytes pkt, struct packet_info *out)
{
	struct l4_extra ex;
	return parse_all(pkt, out, &ex);
}

/* Add big-endian 16-bit words of `b` to acc; an odd tail byte is padded
 * with zero (RFC 1071). */
static uint64_t sum16(uint64_t acc, struct bytes b)
{
	uint16_t w;
	uint8_t last;
	while (bytes_get_u16(&b, &w))
		acc += w;
	if (bytes_get_u8(&b, &last))
		acc += (uint64_t)last << 8;
	return acc;
}

bool ip_l4_checksum_ok(struct bytes pkt)
{
	struct packet_info pi;
	struct l4_extra ex;
	if (parse_all(pkt, &pi, &ex) != PARSE_OK)
		return false;
	if (pi.l4_proto != IPPROTO_NUM_TCP && pi.l4_proto != IPPROTO_NUM_UDP)
		return false;
	if (pi.truncated || pi.frag_first || (pi.flags & FLAG_FRAGMENT))
		return false;
	if (pi.l4_proto == IPPROTO_NUM_UDP && ex.udp_checksum == 0)
		return pi.src.family == 4; /* RFC 768; RFC 8200 s8.1 */

	size_t alen = pi.src.family == 4 ? 4 : 16;
	uint8_t ph[8] = { 0 };
	size_t seg_len = ex.segment.len;
	uint64_t acc = sum16(0, bytes_make(pi.src.b, alen));
	acc = sum16(acc, bytes_make(ex.pseudo_dst.b, alen));
	if (pi.src.family == 4) {
		/* RFC 9293 s3.1: zero, protocol, TCP length (16 bits). */
		ph[1] = pi.l4_proto;
		ph[2] = (uint8_t)(seg_len >> 8);
		ph[3] = (uint8_t)seg_len;
		acc = sum16(acc, bytes_make(ph, 4));
	} else {
		/* RFC 8200 s8.1: length (32 bits), three zeros, next header. */
		ph[0] = (uint8_t)(seg_len >> 24);
		ph[1] = (uint8_t)(seg_len >> 16);
		ph[2] = (uint8_t)(seg_len >> 8);
		ph[3] = (uint8_t)seg_len;
		ph[7] = pi.l4_proto;
		acc = sum16(acc, bytes_make(ph, 8));
	}
	acc = sum16(acc, ex.segment);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	/* A correct checksum makes the one's-complement sum all ones. */
	return acc == 0xffff;
}

void ip_addr_format(const struct ip_addr *a, char *buf, size_t buf_len)
{
	if (buf_len == 0)
		return;
	buf[0] = '\0';
	int af;
	if (a->family == 4)
		af = AF_INET;
	else if (a->family == 6)
		af = AF_INET6;
	else
		return;
	/* glibc's inet_ntop follows RFC 5952 s4: lowercase, leading zeros
	 * dropped, the longest (first) run of two or more zero fields as ::. */
	socklen_t n = buf_len > 64 ? 64 : (socklen_t)buf_len;
	if (inet_ntop(af, a->b, buf, n) == NULL)
		buf[0] = '\0';
}

bool ip_addr_parse(const char *s, struct ip_addr *out)
{
	struct ip_addr a;
	memset(&a, 0, sizeof a);
	if (s == NULL)
		return false;
	if (inet_pton(AF_INET, s, a.b) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.b) == 1)
		a.family = 6;
	else
		return false;
	*out = a;
	return true;
}
