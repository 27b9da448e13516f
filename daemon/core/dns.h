/* dns.h: DNS query messages (RFC 1035 s4.1), over UDP and over TCP with
 * the 2-byte length framing (RFC 1035 s4.2.2, RFC 7766). */
#ifndef AIGATE_DNS_H
#define AIGATE_DNS_H

#include "bytes.h"
#include "types.h"

/* Questions kept per message; more are counted and flagged. */
#define DNS_MAX_QUESTIONS 4

struct dns_question {
	/* Name in dotted text form, raw bytes as on the wire (a label may
	 * hold any byte, including '.' and NUL: see name.h for checks).
	 * The root name is the empty string. */
	char name[NAME_BUF_LEN];
	size_t name_len;
	uint16_t qtype, qclass;
};

struct dns_query {
	uint16_t id;
	uint16_t flags;          /* header flags word (QR, opcode, RD, ...) */
	uint16_t qdcount;        /* as in the header */
	unsigned n_questions;    /* questions parsed (<= DNS_MAX_QUESTIONS) */
	struct dns_question questions[DNS_MAX_QUESTIONS];
	uint32_t flags_anomaly;  /* FLAG_MULTI_QUESTION, FLAG_NAME_ODD_CHARS */
	struct bytes question_section; /* the wire bytes of all questions */
	bool has_opt;            /* an OPT RR in the additional section */
	uint16_t edns_udp_size;  /* from OPT, 0 if none */
	bool edns_do;            /* the OPT's DO bit (RFC 3225), false if none */
};

/* Parse one DNS message that is a query (QR = 0).  Only the header and
 * the question section must be valid; answer/authority/additional are
 * looked at for an OPT record only when well-formed.  Returns
 * PARSE_NOT_MINE for a response (QR = 1) or an opcode other than QUERY,
 * PARSE_MALFORMED for a truncated header or question, compression in the
 * question, a label over 63 bytes or a name over 255 bytes on the wire.
 * PARSE_NEED_MORE is never returned: a message is always whole (one UDP
 * datagram, or one message taken off a stream by dns_tcp_next), so a
 * short one is malformed.  Also PARSE_MALFORMED: QDCOUNT 0 (no name) and
 * the reserved label types 01/10.  *out is filled on PARSE_OK (and may
 * be partly written otherwise); out->question_section borrows from msg,
 * which the caller keeps alive while it is used. */
enum parse_result dns_parse_query(struct bytes msg, struct dns_query *out);

/* TCP framing: take the next length-prefixed message off a stream.
 * PARSE_OK: *msg is the message and *stream is moved past it;
 * PARSE_NEED_MORE: the prefix or the message is incomplete (nothing
 * moved); PARSE_MALFORMED: a zero length. */
enum parse_result dns_tcp_next(struct bytes *stream, struct bytes *msg);

/* Mnemonic for a query type ("A", "AAAA", "HTTPS", ...), or NULL for
 * one without a name (the event then prints "TYPE<n>"). */
const char *dns_rrtype_name(uint16_t qtype);

/* How the gateway answers a query for a blocked name. */
enum dns_block_kind { DNS_BLOCK_KIND_NXDOMAIN = 0, DNS_BLOCK_KIND_REFUSED, DNS_BLOCK_KIND_SINKHOLE };

/* What to put in a block answer.  ede_text (may be NULL: no text) is
 * UTF-8 without NUL, borrowed; a sinkhole address with family 0 means
 * "none": A/AAAA queries then get NODATA.  ttl is the sinkhole record's
 * TTL and the negative-caching time of NXDOMAIN/NODATA answers. */
struct dns_block_spec { enum dns_block_kind kind; const char *ede_text; struct ip_addr sinkhole_v4, sinkhole_v6; uint32_t ttl; };

/* EDNS UDP payload size advertised in the answer's OPT (RFC 6891 s6.2.5;
 * 1232 is the DNS Flag Day 2020 value that avoids IP fragmentation). */
#define DNS_BLOCK_EDNS_UDP_SIZE 1232

/* Build the answer to the query q (parsed by dns_parse_query from
 * query_msg, which must still be the same bytes) into out (cap bytes,
 * owned by the caller): same ID and question section, rcode and records
 * as spec says, and an Extended DNS Error "Blocked" (RFC 8914) when the
 * query carried OPT.  When the whole answer does not fit in cap, it is
 * retried without the EDE text (keeping INFO-CODE 15); for UDP, pass as
 * cap the size the client accepts (512 without OPT, else its EDNS size).
 * Returns the length written, or 0 when it does not fit or q has no
 * question (out is then unspecified).  The 2-byte TCP length prefix is
 * not included: the caller adds it. */
size_t dns_build_block_response(struct bytes query_msg, const struct dns_query *q,
				const struct dns_block_spec *spec, uint8_t *out, size_t cap);

/* The largest UDP answer the client of query q accepts: 512 without
 * OPT (RFC 1035 s4.2.1), else its EDNS size clamped to 512..1232
 * (RFC 6891 s6.2.5: values below 512 are treated as 512).  Never fails. */
size_t dns_udp_answer_limit(const struct dns_query *q);

#endif
