/* types.h: small types shared by every module of the inspection core:
 * parse results, addresses, anomaly flags, and the policy vocabulary
 * (terms classes, actions, verdicts, reasons) with their schema names. */
#ifndef AIGATE_TYPES_H
#define AIGATE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a parser says about the bytes it was given. */
enum parse_result {
	PARSE_OK = 0,     /* complete and valid */
	PARSE_NEED_MORE,  /* a valid prefix: more bytes may complete it */
	PARSE_MALFORMED,  /* cannot be valid whatever follows */
	PARSE_NOT_MINE,   /* not this protocol at all */
};

/* An IPv4 or IPv6 address; IPv4 uses the first 4 bytes of b. */
struct ip_addr {
	uint8_t family; /* 4 or 6; 0 = none */
	uint8_t b[16];
};

/* Maximum length of a name in text form (RFC 1035: 255 octets on the
 * wire, so at most 253 characters of dotted text); buffers hold one
 * more for the NUL. */
#define NAME_MAX_LEN 253
#define NAME_BUF_LEN 256

/* Anomaly flags: recorded by parsers, carried by events ("flags":[...]).
 * The order of this enum is the order in which flags are printed. */
enum flag_bit {
	FLAG_FRAGMENT = 1u << 0,          /* non-first IP fragment: not inspected */
	FLAG_TUNNEL = 1u << 1,            /* seen inside an IP-in-IP tunnel */
	FLAG_ECH = 1u << 2,               /* ClientHello carries encrypted_client_hello */
	FLAG_ESNI = 1u << 3,              /* ClientHello carries draft ESNI (0xffce) */
	FLAG_NO_SNI = 1u << 4,            /* ClientHello without server_name */
	FLAG_NAME_ODD_CHARS = 1u << 5,    /* bytes outside letters/digits/-/_ */
	FLAG_NAME_INVALID = 1u << 6,      /* empty label, too long, ... */
	FLAG_REASSEMBLED = 1u << 7,       /* name completed from several segments/packets */
	FLAG_OUT_OF_ORDER = 1u << 8,      /* segments arrived out of order */
	FLAG_OVERLAP_MISMATCH = 1u << 9,  /* a retransmission differed from the first copy */
	FLAG_MULTI_QUESTION = 1u << 10,   /* DNS message with QDCOUNT > 1 */
	FLAG_SSLV2 = 1u << 11,            /* SSLv2-format ClientHello (no extensions) */
	FLAG_QUIC = 1u << 12,             /* name from a QUIC Initial */
	FLAG_ECH_GREASE = 1u << 13,       /* ECH extension that looks like GREASE */
	FLAG_EVICTED = 1u << 14,          /* flow evicted before a decision */
	FLAG_ECH_FRONT = 1u << 15,        /* ECH with a listed front as outer name */
	FLAG_MULTI_HELLO = 1u << 16,      /* a further ClientHello in the same flow */
	FLAG_OUT_OF_WINDOW = 1u << 17,    /* a segment far outside the stream's window */
	FLAG_COUNT_ = 18
};

/* Schema name of one flag bit ("ech", "no_sni", ...); NULL if unknown. */
const char *flag_name(uint32_t bit);

/* Terms classes of DESIGN.md s1. TERMS_NONE = unlisted. */
enum terms {
	TERMS_NONE = 0,
	TERMS_CONSUMER,
	TERMS_SHARED,
	TERMS_API,
	TERMS_ENTERPRISE,
	TERMS_DNS_BYPASS,
	TERMS_ECH_FRONT,   /* shared public name of Encrypted ClientHello */
	TERMS_COUNT_
};

/* Policy outcome. */
enum action { ACTION_ALLOW = 0, ACTION_LOG, ACTION_BLOCK, ACTION_COUNT_ };

/* Why the action was chosen: the precedence step that matched. */
enum reason {
	REASON_UNLISTED = 0,
	REASON_ZONE,
	REASON_CONTRACT,
	REASON_TERMS,
	REASON_NO_SNI,     /* a ClientHello without a name: the no-SNI action */
	REASON_QUIC,       /* QUIC blocked by configuration, or unparsable */
	REASON_DOT,        /* DNS over TLS/QUIC (port 853) to a non-agency resolver */
	REASON_UNDECIDED,  /* a handshake that never completed within bounds */
	REASON_COUNT_
};

/* What was done to the packet. */
enum verdict {
	VERDICT_ACCEPT = 0,
	VERDICT_DROP,
	VERDICT_RESET,
	VERDICT_NXDOMAIN,
	VERDICT_REFUSED,
	VERDICT_SINKHOLE,
	VERDICT_NODATA,    /* answered NOERROR without records (DDR, RFC 9462) */
	VERDICT_COUNT_
};

enum mode { MODE_ENFORCE = 0, MODE_MONITOR };

enum app_proto { APP_NONE = 0, APP_DNS, APP_TLS, APP_QUIC };

/* Schema names; each returns "?" for an out-of-range value.  The
 * *_from_name parsers return -1 for an unknown name. */
const char *terms_name(enum terms t);
int terms_from_name(const char *s);
const char *action_name(enum action a);
int action_from_name(const char *s);
const char *reason_name(enum reason r);
const char *verdict_name(enum verdict v);
const char *mode_name(enum mode m);
int mode_from_name(const char *s);
const char *app_proto_name(enum app_proto p);

#endif
