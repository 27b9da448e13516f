/* dns_build.c: DNS query builder and response reader for tests; see
 * dns_build.h. */
#include "dns_build.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* Building */

struct out {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed;
};

static void o_u8(struct out *o, uint8_t v)
{
	if (o->failed || o->len >= o->cap) {
		o->failed = true;
		return;
	}
	o->buf[o->len++] = v;
}

static void o_u16(struct out *o, uint16_t v)
{
	o_u8(o, (uint8_t)(v >> 8));
	o_u8(o, (uint8_t)v);
}

static void o_u32(struct out *o, uint32_t v)
{
	o_u16(o, (uint16_t)(v >> 16));
	o_u16(o, (uint16_t)v);
}

static void o_mem(struct out *o, const void *p, size_t n)
{
	const uint8_t *s = p;
	for (size_t i = 0; i < n; i++)
		o_u8(o, s[i]);
}

/* Labels are split at '.'; RFC 1035 s2.3.4 limits apply. */
static void o_name(struct out *o, const char *name)
{
	size_t n = strlen(name);
	size_t wire = 1;

	if (n > 0 && name[n - 1] == '.')
		n--;
	size_t start = 0;
	while (n > 0 && start <= n) {
		size_t end = start;
		while (end < n && name[end] != '.')
			end++;
		size_t label_len = end - start;
		if (label_len == 0 || label_len > 63) {
			o->failed = true;
			return;
		}
		wire += 1 + label_len;
		o_u8(o, (uint8_t)label_len);
		o_mem(o, name + start, label_len);
		start = end + 1;
	}
	if (wire > 255)
		o->failed = true;
	o_u8(o, 0);
}

size_t dns_build_name(uint8_t *buf, size_t cap, const char *name)
{
	struct out o = { buf, cap, 0, false };
	o_name(&o, name);
	return o.failed ? 0 : o.len;
}

size_t dns_build_query(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
		       const struct dns_build_question *qs, size_t n_qs,
		       const struct dns_build_edns *edns)
{
	struct out o = { buf, cap, 0, false };

	if (n_qs > 0xffff)
		return 0;
	o_u16(&o, id);
	o_u16(&o, flags);
	o_u16(&o, (uint16_t)n_qs);
	o_u16(&o, 0);
	o_u16(&o, 0);
	o_u16(&o, edns != NULL ? 1 : 0);
	for (size_t i = 0; i < n_qs; i++) {
		o_name(&o, qs[i].name);
		o_u16(&o, qs[i].qtype);
		o_u16(&o, qs[i].qclass != 0 ? qs[i].qclass : 1);
	}
	if (edns != NULL) {
		o_u8(&o, 0);
		o_u16(&o, 41);
		o_u16(&o, edns->udp_size);
		o_u32(&o, edns->do_bit ? 0x8000u : 0);
		o_u16(&o, 0);
	}
	return o.failed ? 0 : o.len;
}

size_t dns_build_query1(uint8_t *buf, size_t cap, uint16_t id, const char *name,
			uint16_t qtype, bool with_opt)
{
	struct dns_build_question q = { name, qtype, 1 };
	struct dns_build_edns e = { 1232, false };
	return dns_build_query(buf, cap, id, DNSB_RD, &q, 1, with_opt ? &e : NULL);
}

size_t dns_build_tcp_frame(uint8_t *buf, size_t cap, const uint8_t *msg, size_t msg_len)
{
	struct out o = { buf, cap, 0, false };
	if (msg_len == 0 || msg_len > 0xffff)
		return 0;
	o_u16(&o, (uint16_t)msg_len);
	o_mem(&o, msg, msg_len);
	return o.failed ? 0 : o.len;
}

/* ------------------------------------------------------------------ */
/* Reading */

/* Read a possibly compressed name at *cur into dotted text; `msg` is the
 * whole message, pointers must go strictly backwards (which bounds the
 * hops) and at most 64 are followed.  *cur moves past the name as it
 * appears in place (up to and including the first pointer). */
static bool read_name(const struct bytes *msg, struct bytes *cur, char *text)
{
	struct bytes at = *cur;
	bool jumped = false;
	size_t text_len = 0, wire_len = 0;
	unsigned hops = 0;

	for (;;) {
		size_t here = msg->len - at.len;
		uint8_t len;
		if (!bytes_get_u8(&at, &len))
			return false;
		if ((len & 0xc0) == 0xc0) {
			uint8_t lo;
			if (!bytes_get_u8(&at, &lo))
				return false;
			size_t target = ((size_t)(len & 0x3f) << 8) | lo;
			if (target >= here || ++hops > 64)
				return false;
			if (!jumped)
				*cur = at;
			jumped = true;
			if (!bytes_tail(msg, target, &at))
				return false;
			continue;
		}
		if ((len & 0xc0) != 0)
			return false;
		wire_len += 1u + len;
		if (wire_len > 255)
			return false;
		if (len == 0)
			break;
		if (text_len > 0)
			text[text_len++] = '.';
		if (!bytes_copy(&at, text + text_len, len))
			return false;
		text_len += len;
	}
	text[text_len] = '\0';
	if (!jumped)
		*cur = at;
	return true;
}

static bool read_opt(struct dns_test_response *out, struct dns_test_rr *rr)
{
	struct bytes rd = rr->rdata;

	out->has_opt = true;
	out->opt_udp_size = rr->rclass;
	out->opt_ttl = rr->ttl;
	while (!bytes_empty(&rd)) {
		uint16_t code;
		struct bytes data;
		if (!bytes_get_u16(&rd, &code) || !bytes_get_prefixed_u16(&rd, &data))
			return false;
		if (code != 15)
			continue;
		/* RFC 8914 s2: INFO-CODE, then EXTRA-TEXT. */
		if (!bytes_get_u16(&data, &out->ede_info_code))
			return false;
		out->has_ede = true;
		if (data.len >= sizeof(out->ede_text))
			return false;
		out->ede_text_len = data.len;
		if (!bytes_copy(&data, out->ede_text, data.len))
			return false;
		out->ede_text[out->ede_text_len] = '\0';
		out->ede_text_has_nul = memchr(out->ede_text, 0, out->ede_text_len) != NULL;
	}
	return true;
}

static bool read_rr(const struct bytes *msg, struct bytes *cur, struct dns_test_rr *rr)
{
	memset(rr, 0, sizeof(*rr));
	if (!read_name(msg, cur, rr->owner) || !bytes_get_u16(cur, &rr->type) ||
	    !bytes_get_u16(cur, &rr->rclass) || !bytes_get_u32(cur, &rr->ttl) ||
	    !bytes_get_prefixed_u16(cur, &rr->rdata))
		return false;
	if (rr->type == 6) {
		uint32_t refresh, retry, expire;
		/* RFC 1035 s3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE
		 * MINIMUM.  The names may be compressed, and read_name needs
		 * the message around them, so read from the message tail at
		 * the rdata's offset and check the fields end with the rdata. */
		struct bytes names;
		if (!bytes_tail(msg, msg->len - cur->len - rr->rdata.len, &names))
			return false;
		if (!read_name(msg, &names, rr->soa_mname) || !read_name(msg, &names, rr->soa_rname) ||
		    !bytes_get_u32(&names, &rr->soa_serial) || !bytes_get_u32(&names, &refresh) ||
		    !bytes_get_u32(&names, &retry) || !bytes_get_u32(&names, &expire) ||
		    !bytes_get_u32(&names, &rr->soa_minimum))
			return false;
		/* The SOA fields must fill the rdata exactly. */
		if (names.len != cur->len)
			return false;
	}
	return true;
}

static bool read_section(const struct bytes *msg, struct bytes *cur, uint16_t count,
			 struct dns_test_rr *rrs, unsigned *n_kept,
			 struct dns_test_response *out, bool additional)
{
	for (unsigned i = 0; i < count; i++) {
		struct dns_test_rr scratch = { .type = 0 };
		struct dns_test_rr *rr = i < DNS_TEST_MAX_RR ? &rrs[i] : &scratch;
		if (!read_rr(msg, cur, rr))
			return false;
		if (i < DNS_TEST_MAX_RR)
			*n_kept = i + 1;
		if (additional && rr->type == 41) {
			if (out->has_opt || strcmp(rr->owner, "") != 0)
				return false; /* RFC 6891 s6.1.1: one OPT, owner root */
			if (!read_opt(out, rr))
				return false;
		}
	}
	return true;
}

bool dns_test_read_response(const uint8_t *msg_ptr, size_t len, struct dns_test_response *out)
{
	struct bytes msg = bytes_make(msg_ptr, len);
	struct bytes cur = msg;

	memset(out, 0, sizeof(*out));
	if (!bytes_get_u16(&cur, &out->id) || !bytes_get_u16(&cur, &out->flags) ||
	    !bytes_get_u16(&cur, &out->qdcount) || !bytes_get_u16(&cur, &out->ancount) ||
	    !bytes_get_u16(&cur, &out->nscount) || !bytes_get_u16(&cur, &out->arcount))
		return false;
	struct bytes q_start = cur;
	for (unsigned i = 0; i < out->qdcount; i++) {
		char name[NAME_BUF_LEN];
		uint16_t qtype, qclass;
		if (!read_name(&msg, &cur, name) || !bytes_get_u16(&cur, &qtype) ||
		    !bytes_get_u16(&cur, &qclass))
			return false;
		if (i == 0) {
			memcpy(out->qname, name, sizeof(name));
			out->qtype = qtype;
			out->qclass = qclass;
		}
	}
	if (!bytes_get_bytes(&q_start, q_start.len - cur.len, &out->question))
		return false;
	if (!read_section(&msg, &cur, out->ancount, out->an, &out->n_an, out, false) ||
	    !read_section(&msg, &cur, out->nscount, out->ns, &out->n_ns, out, false) ||
	    !read_section(&msg, &cur, out->arcount, out->ar, &out->n_ar, out, true))
		return false;
	return bytes_empty(&cur);
}
