/* dns_build.h: DNS messages for tests and fuzz seeds: a query builder
 * (names given as dotted text), the TCP length framing, and a small
 * reader of responses so that tests can check what the gateway answers.
 *
 * Builders write into a buffer the caller owns and return the number of
 * bytes written, or 0 when the result does not fit in `cap` or an
 * argument cannot be encoded (a label over 63 bytes, an empty label, a
 * name over 255 bytes on the wire); on 0 the buffer is unspecified.
 * Being test code, the builders write with plain indexing; the reader
 * uses the bytes.h cursor like the core.  Nothing is allocated. */
#ifndef AIGATE_DNS_BUILD_H
#define AIGATE_DNS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "types.h"

/* Header flag bits (RFC 1035 s4.1.1) for building and checking. */
#define DNSB_QR 0x8000u
#define DNSB_OPCODE_MASK 0x7800u
#define DNSB_AA 0x0400u
#define DNSB_TC 0x0200u
#define DNSB_RD 0x0100u
#define DNSB_RA 0x0080u
#define DNSB_AD 0x0020u
#define DNSB_CD 0x0010u
#define DNSB_RCODE_MASK 0x000fu
#define DNSB_OPCODE(n) ((uint16_t)((n) << 11))

/* One question: name as dotted text ("" or "." is the root, one
 * trailing dot is allowed); qclass 0 means IN. */
struct dns_build_question {
	const char *name;
	uint16_t qtype;
	uint16_t qclass;
};

/* An OPT record for the additional section (RFC 6891 s6.1.2). */
struct dns_build_edns {
	uint16_t udp_size;
	bool do_bit;
};

/* The wire form of a dotted name (uncompressed).  0 on failure. */
size_t dns_build_name(uint8_t *buf, size_t cap, const char *name);

/* A query: header with `id` and `flags` (used as given, so tests can set
 * QR or an opcode), QDCOUNT = n_qs questions, no answer or authority,
 * and an OPT record when edns is not NULL (ARCOUNT 1).  0 on failure. */
size_t dns_build_query(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
		       const struct dns_build_question *qs, size_t n_qs,
		       const struct dns_build_edns *edns);

/* The common case: one question of class IN, RD set, and with_opt an
 * OPT advertising 1232 bytes.  0 on failure. */
size_t dns_build_query1(uint8_t *buf, size_t cap, uint16_t id, const char *name,
			uint16_t qtype, bool with_opt);

/* msg (msg_len bytes, 1..65535) with the 2-byte TCP length prefix of
 * RFC 1035 s4.2.2 in front.  0 on failure. */
size_t dns_build_tcp_frame(uint8_t *buf, size_t cap, const uint8_t *msg, size_t msg_len);

/* ------------------------------------------------------------------ */
/* Reading responses */

#define DNS_TEST_MAX_RR 8

/* One resource record; the owner is decompressed into dotted text. */
struct dns_test_rr {
	char owner[NAME_BUF_LEN];
	uint16_t type, rclass;
	uint32_t ttl;
	struct bytes rdata;          /* borrows from the message */
	/* SOA (type 6) only, decoded from rdata: */
	char soa_mname[NAME_BUF_LEN], soa_rname[NAME_BUF_LEN];
	uint32_t soa_serial, soa_minimum;
};

struct dns_test_response {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
	struct bytes question;       /* the question section, borrowed */
	char qname[NAME_BUF_LEN];    /* the first question, decompressed */
	uint16_t qtype, qclass;
	unsigned n_an, n_ns, n_ar;   /* records kept (<= DNS_TEST_MAX_RR) */
	struct dns_test_rr an[DNS_TEST_MAX_RR], ns[DNS_TEST_MAX_RR], ar[DNS_TEST_MAX_RR];
	/* From the OPT record, if any: */
	bool has_opt;
	uint16_t opt_udp_size;
	uint32_t opt_ttl;            /* extended rcode, version, flags */
	/* From an Extended DNS Error option (RFC 8914 s2), if any: */
	bool has_ede;
	uint16_t ede_info_code;
	char ede_text[1024];         /* NUL-terminated copy */
	size_t ede_text_len;
	bool ede_text_has_nul;       /* the wire text held a NUL byte */
};

/* Read a whole DNS message (any QR) of len bytes into *out, following
 * compression pointers backwards only, with a hop limit.  Returns false
 * on anything malformed, truncated, or with trailing bytes; *out is then
 * partly written.  out->question and the rdata views borrow from msg. */
bool dns_test_read_response(const uint8_t *msg, size_t len, struct dns_test_response *out);

#endif
