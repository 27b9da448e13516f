/* dns.c: DNS queries (RFC 1035 s4.1) read from untrusted bytes, the TCP
 * length framing (RFC 1035 s4.2.2, RFC 7766 s8), and the answer the
 * gateway synthesises for a blocked name (RFC 2308, RFC 6891, RFC 8914).
 *
 * All reading goes through the bytes.h cursor.  The block answer is
 * written with a small bounded writer (struct wbuf) into the caller's
 * buffer; it indexes only that output buffer, never packet data. */
#include "dns.h"

#include <string.h>

/* RFC 1035 s4.1.1: the header is 12 bytes. */
#define DNS_HEADER_LEN 12u

/* RFC 1035 s4.1.1 header flag bits. */
#define DNS_F_QR 0x8000u
#define DNS_F_OPCODE 0x7800u
#define DNS_F_AA 0x0400u
#define DNS_F_TC 0x0200u
#define DNS_F_RD 0x0100u
#define DNS_F_RA 0x0080u
#define DNS_F_AD 0x0020u /* RFC 4035 s3.2.3 */
#define DNS_F_CD 0x0010u /* RFC 4035 s3.2.2 */

#define DNS_OPCODE_QUERY 0u

#define DNS_RCODE_NOERROR 0u
#define DNS_RCODE_NXDOMAIN 3u
#define DNS_RCODE_REFUSED 5u

#define DNS_TYPE_A 1u
#define DNS_TYPE_SOA 6u
#define DNS_TYPE_AAAA 28u
#define DNS_TYPE_OPT 41u
#define DNS_CLASS_IN 1u

/* RFC 1035 s2.3.4: labels 63 octets or less, names 255 octets or less
 * (length octets and the final zero included). */
#define DNS_MAX_LABEL_LEN 63u
#define DNS_MAX_WIRE_NAME_LEN 255u

/* RFC 1035 s4.1.4: the two high bits of a length octet; 00 is a label,
 * 11 a compression pointer, 01 and 10 are reserved (RFC 6891 s5 retired
 * the extended label type 01). */
#define DNS_LABEL_TYPE_MASK 0xc0u
#define DNS_LABEL_TYPE_POINTER 0xc0u

/* RFC 6891 s6.1.3: the DO bit in the OPT TTL field. */
#define DNS_EDNS_DO 0x00008000u

/* RFC 8914 s2 and s4.16: option code 15, INFO-CODE 15 "Blocked". */
#define DNS_EDNS_OPTION_EDE 15u
#define DNS_EDE_BLOCKED 15u

/* ------------------------------------------------------------------ */
/* Reading names */

/* Letters, digits, '-' and '_' are what host names and service labels
 * use; anything else (including '.' inside a label, NUL, '*') is flagged
 * for the event.  Normalisation belongs to name.c. */
static bool is_plain_name_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Read one question name into q->name as dotted text, the label bytes
 * copied as they are.  No compression (STYLE.md): RFC 1035 s4.1.4 allows
 * pointers anywhere, but the first question's name is the first name in
 * a query, with nothing before it to point at, and clients do not
 * compress later questions; a pointer here is refused, not followed.
 * Moves *b past the name only on PARSE_OK. */
static enum parse_result read_question_name(struct bytes *b, struct dns_question *q,
					    uint32_t *flags)
{
	struct bytes cur = *b;
	size_t wire_len = 0;
	size_t text_len = 0;

	for (;;) {
		uint8_t len;
		if (!bytes_get_u8(&cur, &len))
			return PARSE_MALFORMED;
		if ((len & DNS_LABEL_TYPE_MASK) != 0)
			return PARSE_MALFORMED; /* pointer, or reserved type 01/10 */
		wire_len += 1u + len;
		if (wire_len > DNS_MAX_WIRE_NAME_LEN)
			return PARSE_MALFORMED;
		if (len == 0)
			break;
		struct bytes label;
		if (!bytes_get_bytes(&cur, len, &label))
			return PARSE_MALFORMED;
		/* wire_len <= 255 keeps the text within 253 characters:
		 * each label adds its bytes plus one separator, and the
		 * wire form counts one more octet per label plus the root. */
		if (text_len > 0)
			q->name[text_len++] = '.';
		for (size_t i = 0; i < len; i++) {
			uint8_t c;
			if (!bytes_get_u8(&label, &c))
				return PARSE_MALFORMED; /* cannot happen: len bytes */
			if (!is_plain_name_byte(c))
				*flags |= FLAG_NAME_ODD_CHARS;
			q->name[text_len++] = (char)c;
		}
	}
	q->name[text_len] = '\0';
	q->name_len = text_len;
	*b = cur;
	return PARSE_OK;
}

/* Skip one name in an answer/authority/additional record.  Compression
 * is allowed there (RFC 1035 s4.1.4); the name ends at the first pointer,
 * which we do not follow but check: it must point backwards, past the
 * header, so that a decoder following it would terminate (every hop
 * strictly decreasing is the hop limit).  `msg` is the whole message.
 * Returns false, moving nothing, on anything malformed. */
static bool skip_rr_name(const struct bytes *msg, struct bytes *b)
{
	struct bytes cur = *b;
	size_t wire_len = 0;

	for (;;) {
		size_t here = msg->len - cur.len; /* offset of this octet */
		uint8_t len;
		if (!bytes_get_u8(&cur, &len))
			return false;
		if ((len & DNS_LABEL_TYPE_MASK) == DNS_LABEL_TYPE_POINTER) {
			uint8_t lo;
			if (!bytes_get_u8(&cur, &lo))
				return false;
			size_t target = ((size_t)(len & 0x3fu) << 8) | lo;
			if (target < DNS_HEADER_LEN || target >= here)
				return false;
			break;
		}
		if ((len & DNS_LABEL_TYPE_MASK) != 0)
			return false;
		wire_len += 1u + len;
		if (wire_len > DNS_MAX_WIRE_NAME_LEN)
			return false;
		if (len == 0)
			break;
		if (!bytes_skip(&cur, len))
			return false;
	}
	*b = cur;
	return true;
}

/* One resource record (RFC 1035 s4.1.3); on an OPT record (RFC 6891
 * s6.1.2: owner is the root, TYPE 41, CLASS is the requestor's UDP
 * payload size, TTL holds extended RCODE, version and flags) in the
 * additional section, the first one is recorded in *out. */
static bool skip_rr(const struct bytes *msg, struct bytes *b, bool additional,
		    struct dns_query *out)
{
	struct bytes cur = *b;
	uint8_t first;
	bool root_owner = bytes_peek_u8(&cur, 0, &first) && first == 0;
	uint16_t type, klass, rdlen;
	uint32_t ttl;
	struct bytes rdata;

	if (!skip_rr_name(msg, &cur))
		return false;
	if (!bytes_get_u16(&cur, &type) || !bytes_get_u16(&cur, &klass) ||
	    !bytes_get_u32(&cur, &ttl) || !bytes_get_u16(&cur, &rdlen) ||
	    !bytes_get_bytes(&cur, rdlen, &rdata))
		return false;
	if (additional && type == DNS_TYPE_OPT && root_owner) {
		/* RFC 6891 s6.1.1: more than one OPT is a format error. */
		if (out->has_opt)
			return false;
		out->has_opt = true;
		out->edns_udp_size = klass;
		out->edns_do = (ttl & DNS_EDNS_DO) != 0;
	}
	*b = cur;
	return true;
}

/* After the question: walk answer, authority and additional records to
 * find OPT.  A query normally has no answer or authority records, but
 * they are skipped safely if present.  Anything malformed (a truncated
 * record, a bad pointer, two OPTs, bytes after the last record) leaves
 * the message without OPT: we only echo EDNS to a client whose message
 * we fully understood.  The question, already read, stands either way:
 * a broken tail must not let a blocked name through unclassified. */
static void find_opt(const struct bytes *msg, struct bytes rest, uint16_t ancount,
		     uint16_t nscount, uint16_t arcount, struct dns_query *out)
{
	struct dns_query found = *out;
	unsigned n_before_additional = (unsigned)ancount + nscount;

	for (unsigned i = 0; i < n_before_additional; i++)
		if (!skip_rr(msg, &rest, false, &found))
			return;
	for (unsigned i = 0; i < arcount; i++)
		if (!skip_rr(msg, &rest, true, &found))
			return;
	if (!bytes_empty(&rest))
		return; /* bytes after the last record: not a message we understand */
	out->has_opt = found.has_opt;
	out->edns_udp_size = found.edns_udp_size;
	out->edns_do = found.edns_do;
}

enum parse_result dns_parse_query(struct bytes msg, struct dns_query *out)
{
	struct bytes cur = msg;
	uint16_t ancount, nscount, arcount;

	memset(out, 0, sizeof(*out));
	/* RFC 1035 s4.1.1: ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT. */
	if (!bytes_get_u16(&cur, &out->id) || !bytes_get_u16(&cur, &out->flags) ||
	    !bytes_get_u16(&cur, &out->qdcount) || !bytes_get_u16(&cur, &ancount) ||
	    !bytes_get_u16(&cur, &nscount) || !bytes_get_u16(&cur, &arcount))
		return PARSE_MALFORMED;

	/* Only standard queries carry a name a client wants resolved.
	 * Responses (QR = 1) flow the other way; IQUERY (1, obsolete),
	 * STATUS (2), NOTIFY (4, RFC 1996) and UPDATE (5, RFC 2136) are
	 * server-to-server housekeeping whose "question" is a zone, not a
	 * service being reached: they are not ours to classify and get the
	 * default verdict. */
	if ((out->flags & DNS_F_QR) != 0)
		return PARSE_NOT_MINE;
	if (((out->flags & DNS_F_OPCODE) >> 11) != DNS_OPCODE_QUERY)
		return PARSE_NOT_MINE;
	/* No question, no name: nothing to classify, and no resolver
	 * answers it, so it is not a query we understand. */
	if (out->qdcount == 0)
		return PARSE_MALFORMED;
	if (out->qdcount > 1)
		out->flags_anomaly |= FLAG_MULTI_QUESTION;

	struct bytes questions_start = cur;
	for (unsigned i = 0; i < out->qdcount; i++) {
		/* Questions past DNS_MAX_QUESTIONS are still checked (the
		 * message must be valid as a whole) but not kept. */
		struct dns_question scratch = { .name_len = 0 };
		struct dns_question *q = i < DNS_MAX_QUESTIONS ? &out->questions[i] : &scratch;
		enum parse_result r = read_question_name(&cur, q, &out->flags_anomaly);
		if (r != PARSE_OK)
			return r;
		/* RFC 1035 s4.1.2: QTYPE, QCLASS. */
		if (!bytes_get_u16(&cur, &q->qtype) || !bytes_get_u16(&cur, &q->qclass))
			return PARSE_MALFORMED;
		if (i < DNS_MAX_QUESTIONS)
			out->n_questions = i + 1;
	}
	if (!bytes_get_bytes(&questions_start, questions_start.len - cur.len,
			     &out->question_section))
		return PARSE_MALFORMED; /* cannot happen: cur is a tail of it */

	find_opt(&msg, cur, ancount, nscount, arcount, out);
	return PARSE_OK;
}

/* ------------------------------------------------------------------ */
/* TCP framing */

enum parse_result dns_tcp_next(struct bytes *stream, struct bytes *msg)
{
	struct bytes cur = *stream;
	uint16_t len;

	/* RFC 1035 s4.2.2: each message is prefixed with a two byte length
	 * field; RFC 7766 s8: a connection may carry several messages, and
	 * one message may arrive in pieces. */
	if (!bytes_get_u16(&cur, &len))
		return PARSE_NEED_MORE;
	/* A zero-length message has no header: nothing can follow it that
	 * would make sense of the stream. */
	if (len == 0)
		return PARSE_MALFORMED;
	if (!bytes_get_bytes(&cur, len, msg))
		return PARSE_NEED_MORE;
	*stream = cur;
	return PARSE_OK;
}

/* ------------------------------------------------------------------ */
/* Type names */

const char *dns_rrtype_name(uint16_t qtype)
{
	switch (qtype) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 13: return "HINFO";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 33: return "SRV";
	case 35: return "NAPTR";
	case 39: return "DNAME";
	case 41: return "OPT";
	case 43: return "DS";
	case 46: return "RRSIG";
	case 47: return "NSEC";
	case 48: return "DNSKEY";
	case 50: return "NSEC3";
	case 51: return "NSEC3PARAM";
	case 52: return "TLSA";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 99: return "SPF";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	case 256: return "URI";
	case 257: return "CAA";
	default: return NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Block answers */

/* A bounded writer into the caller's buffer: every put checks the room
 * left first; after the first failure every later put is a no-op, so a
 * builder can write everything and check `failed` once at the end. */
struct wbuf {
	uint8_t *out;
	size_t cap;
	size_t len;
	bool failed;
};

static bool wbuf_room(struct wbuf *w, size_t n)
{
	if (w->failed || n > w->cap - w->len) {
		w->failed = true;
		return false;
	}
	return true;
}

static void put_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_room(w, 1))
		w->out[w->len++] = v;
}

static void put_u16(struct wbuf *w, uint16_t v)
{
	put_u8(w, (uint8_t)(v >> 8));
	put_u8(w, (uint8_t)v);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	put_u16(w, (uint16_t)(v >> 16));
	put_u16(w, (uint16_t)v);
}

static void put_mem(struct wbuf *w, const void *src, size_t n)
{
	if (n > 0 && wbuf_room(w, n)) {
		memcpy(&w->out[w->len], src, n);
		w->len += n;
	}
}

/* Copy n bytes off a view (which must hold them). */
static void put_view(struct wbuf *w, struct bytes *src, size_t n)
{
	if (n > 0 && wbuf_room(w, n)) {
		if (!bytes_copy(src, &w->out[w->len], n)) {
			w->failed = true;
			return;
		}
		w->len += n;
	}
}

/* RFC 1035 s4.1.4: a pointer to offset 12, where our copy of the
 * question section begins, names the first question's name. */
#define DNS_PTR_QNAME 0xc00cu

/* The synthetic SOA's MNAME and RNAME in wire form.  ".invalid" is
 * reserved (RFC 6761 s6.4), so nobody can mistake them for real hosts;
 * they tell an operator reading `dig` output where the answer came from. */
static const uint8_t soa_mname[] = { 6, 'a', 'i', 'g', 'a', 't', 'e', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0 };
static const uint8_t soa_rname[] = { 10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r',
				     6, 'a', 'i', 'g', 'a', 't', 'e', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0 };

/* RFC 2308 s3: a negative answer (NXDOMAIN or NODATA) carries the SOA in
 * the authority section, and s5: it is cached for min(SOA TTL, MINIMUM),
 * both set to ttl here.  The owner is the question name (a pointer to
 * it): it is within the bailiwick of the question for every resolver's
 * check, it scopes whatever a cache keeps about our fake "zone" to the
 * blocked name alone, and it never asserts anything about the root or a
 * real parent zone, as a root-owned SOA would. */
static void put_soa(struct wbuf *w, uint16_t qclass, uint32_t ttl)
{
	put_u16(w, DNS_PTR_QNAME);
	put_u16(w, DNS_TYPE_SOA);
	put_u16(w, qclass);
	put_u32(w, ttl);
	put_u16(w, (uint16_t)(sizeof(soa_mname) + sizeof(soa_rname) + 5 * 4));
	put_mem(w, soa_mname, sizeof(soa_mname));
	put_mem(w, soa_rname, sizeof(soa_rname));
	put_u32(w, 1);     /* SERIAL */
	put_u32(w, 3600);  /* REFRESH: irrelevant, no secondaries */
	put_u32(w, 600);   /* RETRY */
	put_u32(w, 86400); /* EXPIRE */
	put_u32(w, ttl);   /* MINIMUM: the negative-caching TTL */
}

/* RFC 6891 s6.1.2 OPT with one RFC 8914 s2 EDE option: INFO-CODE 15
 * (Blocked, s4.16) and EXTRA-TEXT, UTF-8 without a NUL (s2). */
static void put_opt_ede(struct wbuf *w, bool do_bit, const char *text, size_t text_len)
{
	put_u8(w, 0); /* owner: root */
	put_u16(w, DNS_TYPE_OPT);
	put_u16(w, DNS_BLOCK_EDNS_UDP_SIZE);
	/* Extended RCODE 0, version 0; RFC 3225 s3: DO is copied from the
	 * query. */
	put_u32(w, do_bit ? DNS_EDNS_DO : 0);
	put_u16(w, (uint16_t)(4 + 2 + text_len));
	put_u16(w, DNS_EDNS_OPTION_EDE);
	put_u16(w, (uint16_t)(2 + text_len));
	put_u16(w, DNS_EDE_BLOCKED);
	put_mem(w, text, text_len);
}

/* One attempt at the whole answer; text_len may be 0 to leave the EDE
 * text out. */
static size_t build_block(struct bytes question, const struct dns_query *q,
			  const struct dns_block_spec *spec, const char *text, size_t text_len,
			  uint8_t *out, size_t cap)
{
	struct wbuf w = { out, cap, 0, false };
	const struct dns_question *q0 = &q->questions[0];
	const struct ip_addr *addr = NULL;
	uint16_t rcode;
	bool soa;

	switch (spec->kind) {
	case DNS_BLOCK_KIND_NXDOMAIN:
		rcode = DNS_RCODE_NXDOMAIN;
		soa = true;
		break;
	case DNS_BLOCK_KIND_REFUSED:
		/* RFC 2308 covers NXDOMAIN and NODATA only: REFUSED is not
		 * negatively cached, so it carries no SOA. */
		rcode = DNS_RCODE_REFUSED;
		soa = false;
		break;
	case DNS_BLOCK_KIND_SINKHOLE:
		rcode = DNS_RCODE_NOERROR;
		/* Only the first question is answered: a multi-question
		 * query has no defined meaning (RFC 9619) and no client sends
		 * one for an address. */
		if (q0->qclass == DNS_CLASS_IN && q0->qtype == DNS_TYPE_A &&
		    spec->sinkhole_v4.family == 4)
			addr = &spec->sinkhole_v4;
		else if (q0->qclass == DNS_CLASS_IN && q0->qtype == DNS_TYPE_AAAA &&
			 spec->sinkhole_v6.family == 6)
			addr = &spec->sinkhole_v6;
		/* Any other type (HTTPS, SVCB, MX, ...): NODATA, which RFC
		 * 2308 s2.2 caches with the SOA like NXDOMAIN. */
		soa = addr == NULL;
		break;
	default:
		return 0;
	}

	/* RFC 1035 s4.1.1 header.  QR = 1, opcode and RD copied, RA = 1
	 * (we answer as the recursive resolver the client asked), AA = 0,
	 * TC = 0, AD = 0 (nothing here is validated), CD copied (RFC 4035
	 * s3.2.2). */
	uint16_t flags = (uint16_t)(DNS_F_QR | (q->flags & DNS_F_OPCODE) | (q->flags & DNS_F_RD) |
				    DNS_F_RA | (q->flags & DNS_F_CD) | rcode);
	put_u16(&w, q->id);
	put_u16(&w, flags);
	put_u16(&w, q->qdcount);
	put_u16(&w, addr != NULL ? 1 : 0);
	put_u16(&w, soa ? 1 : 0);
	/* RFC 6891 s7: "Lack of presence of an OPT record in a request MUST
	 * be taken as an indication that the requestor does not implement
	 * any part of this specification and that the responder MUST NOT
	 * include an OPT record in its response."  So the EDE goes only to
	 * clients that sent OPT. */
	put_u16(&w, q->has_opt ? 1 : 0);

	/* The question section byte for byte, so the client matches it
	 * (RFC 5452 s3: resolvers check the question as well as the ID). */
	put_view(&w, &question, question.len);

	if (addr != NULL) {
		put_u16(&w, DNS_PTR_QNAME);
		put_u16(&w, q0->qtype);
		put_u16(&w, q0->qclass);
		put_u32(&w, spec->ttl);
		size_t addr_len = addr->family == 4 ? 4u : 16u;
		put_u16(&w, (uint16_t)addr_len);
		put_mem(&w, addr->b, addr_len);
	}
	if (soa)
		put_soa(&w, q0->qclass, spec->ttl);
	if (q->has_opt)
		put_opt_ede(&w, q->edns_do, text, text_len);

	return w.failed ? 0 : w.len;
}

size_t dns_build_block_response(struct bytes query_msg, const struct dns_query *q,
				const struct dns_block_spec *spec, uint8_t *out, size_t cap)
{
	struct bytes question;

	if (q->n_questions == 0 || q->question_section.len == 0)
		return 0;
	/* Take the question bytes from the message itself: they begin
	 * right after the header (RFC 1035 s4.1), and this does not rely
	 * on q->question_section still pointing at live bytes. */
	struct bytes after_header;
	if (!bytes_tail(&query_msg, DNS_HEADER_LEN, &after_header) ||
	    !bytes_get_bytes(&after_header, q->question_section.len, &question))
		return 0;

	const char *text = spec->ede_text != NULL ? spec->ede_text : "";
	size_t text_len = strlen(text);
	/* The option length is 16 bits and holds the INFO-CODE too. */
	if (text_len > 0xffffu - 6u)
		text_len = 0;
	size_t n = build_block(question, q, spec, text, text_len, out, cap);
	if (n == 0 && text_len > 0)
		/* Dropped rather than cut, so no UTF-8 sequence is split. */
		n = build_block(question, q, spec, text, 0, out, cap);
	return n;
}

size_t dns_udp_answer_limit(const struct dns_query *q)
{
	if (!q->has_opt || q->edns_udp_size <= 512)
		return 512;
	return q->edns_udp_size < DNS_BLOCK_EDNS_UDP_SIZE ? q->edns_udp_size
							  : DNS_BLOCK_EDNS_UDP_SIZE;
}
