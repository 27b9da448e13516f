/* inspect.h: the inspection entry point, from the bytes of one IP packet
 * to the names it completes and the decision for each.
 *
 * The daemon (NFQUEUE), the pcap scanner and the tests all call
 * inspect_packet, so they cannot disagree.  The inspector owns a flow
 * table (TCP stream reassembly for DNS over TCP and TLS); it is not
 * thread-safe: one per worker.  Time is passed in; nothing here reads a
 * clock, does I/O or logs. */
#ifndef AIGATE_INSPECT_H
#define AIGATE_INSPECT_H

#include "bytes.h"
#include "dns.h"
#include "event.h"
#include "ip.h"
#include "policy.h"
#include "types.h"

struct inspector;

/* Bounds; zero fields take the defaults in brackets. */
struct inspect_limits {
	uint32_t max_flows;          /* flows tracked at once [65536] */
	uint32_t idle_timeout_s;     /* an idle flow is forgotten [120] */
	uint32_t max_flow_buffer;    /* reassembly bytes per flow [16384] */
	uint64_t max_buffer_total;   /* reassembly bytes in all flows [64 MiB] */
	uint32_t max_undecided_packets; /* payload packets before giving up on a flow [4096] */
};

/* One name completed by this packet. */
struct inspect_name {
	enum app_proto app_proto;
	bool has_name;               /* false: ClientHello without SNI */
	char name[NAME_BUF_LEN];     /* normalised */
	size_t name_len;
	uint32_t flags;              /* FLAG_* of the name and its message */
	uint16_t dns_id, dns_qtype;  /* app_proto == APP_DNS */
	size_t dns_question;         /* index of the question in its message */
	bool dns_nodata;             /* blocked DDR query: answer NOERROR, no data */
	struct decision decision;
};

/* What the packet's flow is now. */
enum flow_verdict_state {
	FLOW_NOT_INSPECTED = 0, /* nothing for us (not DNS/TLS/QUIC, fragment, ...) */
	FLOW_PENDING,           /* a handshake is being reassembled */
	FLOW_DECIDED,           /* the flow's action is final: mark the connection */
	FLOW_PER_MESSAGE,       /* DNS: each message is decided on its own */
};

/* Names one packet can complete: DNS over TCP may pipeline many messages
 * in one segment (RFC 7766 s6.2.1.1); beyond this they are counted in
 * dns_overflow and not classified. */
#define INSPECT_MAX_NAMES 32

struct inspect_result {
	enum parse_result ip_result;    /* PARSE_OK unless the IP/L4 headers were bad */
	struct packet_info pkt;         /* addresses and ports (innermost) */
	enum flow_verdict_state state;
	enum action action;             /* worst action over names (and the flow) */
	unsigned n_names;
	struct inspect_name names[INSPECT_MAX_NAMES];
	uint32_t flags;                 /* packet-level FLAG_* */
	/* DNS: the (first) message that carried the names, for a synthesized
	 * answer; dns_msg is empty when there is none.  Over UDP it borrows
	 * from the packet, over TCP from the inspector (valid until the next
	 * call). */
	bool bad_checksum;              /* verified and wrong: drop, not inspected */
	bool dns_is_tcp;
	struct dns_query dns;
	struct bytes dns_msg;
};

/* Counters, monotonically increasing; read by status and bench. */
struct inspect_stats {
	uint64_t packets;
	uint64_t ip_malformed;
	uint64_t fragments;
	uint64_t dns_queries, dns_malformed;
	uint64_t tls_client_hellos, tls_malformed, tls_no_sni;
	uint64_t quic_initials, quic_malformed;
	uint64_t quic_unparsed;          /* UDP/443 flows decided without a readable Initial */
	uint64_t flows_created, flows_evicted, flows_evicted_undecided,
		flows_expired, flows_active;
	uint64_t buffer_bytes;          /* reassembly bytes held now */
	uint64_t overlap_mismatches;
	uint64_t dns_overflow;           /* names beyond INSPECT_MAX_NAMES in one packet */
	uint64_t flows_restarted;        /* finished TLS flows that began again (port reuse) */
	uint64_t flows_given_up;         /* pending flows abandoned: too many packets or too big */
	/* Evasion attempts and oddities, each counted where it is handled. */
	uint64_t bad_checksum;           /* TCP/UDP checksum wrong (only when verified): dropped */
	uint64_t tls_out_of_window;      /* segments far outside a handshake's window */
	uint64_t tls_multi_hello;        /* further ClientHellos in a flow */
	uint64_t tls_unreadable;         /* handshakes (or differing copies) not readable: undecided action */
	uint64_t fragments_first;        /* first fragments of DNS/TLS that could not be judged whole */
};

/* A new inspector with its flow table; seed keys the flow hash (give it
 * random bytes so that nobody can aim collisions).  NULL when out of
 * memory. */
struct inspector *inspector_new(const struct inspect_limits *limits,
				const uint8_t seed[16]);
void inspector_free(struct inspector *in);

/* Inspect one IP packet seen at now_us (microseconds since the epoch)
 * under policy p.  Fills *out completely; never fails (bad bytes give
 * ip_result or per-protocol counters, and an empty result).  The result
 * may borrow from `pkt` (dns_msg, pkt.l4_payload). */
void inspect_packet(struct inspector *in, const struct policy *p,
		    struct bytes pkt, int64_t now_us, struct inspect_result *out);

/* What the adapter knows about how the packet reached it. */
struct inspect_meta {
	/* The TCP/UDP checksum is final and may be checked: the daemon sets
	 * this unless nfnetlink_queue says NFQA_SKB_CSUMNOTREADY (a locally
	 * generated or offloaded packet whose checksum is not computed yet);
	 * a capture leaves it false (offloaded checksums look wrong there). */
	bool csum_verify;
};

/* inspect_packet with what the adapter knows (meta may be NULL: nothing).
 * A packet whose checksum is verified and wrong is not inspected (the
 * server discards it, so its bytes must not steer the decision): result
 * state FLOW_NOT_INSPECTED with bad_checksum set, counted. */
void inspect_packet_meta(struct inspector *in, const struct policy *p, struct bytes pkt,
			 const struct inspect_meta *meta, int64_t now_us,
			 struct inspect_result *out);

/* Forget flows idle since before now_us - idle timeout. */
void inspector_expire(struct inspector *in, int64_t now_us);

const struct inspect_stats *inspector_stats(const struct inspector *in);

/* What the gateway does to the packet that completed a name with this
 * action: in monitor mode always VERDICT_ACCEPT; blocked DNS queries are
 * answered (dns_kind: NXDOMAIN, REFUSED or a sinkhole address), blocked
 * TLS flows reset when tcp_reset (else dropped), blocked QUIC flows
 * dropped (the browser then falls back to TCP, where SNI is visible). */
enum verdict inspect_verdict(enum action action, enum app_proto proto, enum mode mode,
			     enum dns_block_kind dns_kind, bool tcp_reset);

/* The event (schema v1) for name n of result r, seen at ts_us and given
 * verdict v under policy p: the daemon and the scanner build it here so
 * that they cannot disagree.  sensor is left NULL and pcap_cnt -1 for the
 * caller to set; ev points into r and p. */
void inspect_event(struct event *ev, const struct inspect_result *r,
		   const struct inspect_name *n, const struct policy *p, int64_t ts_us,
		   enum verdict v);

/* The same for one name of a result, which may ask for a particular
 * answer (VERDICT_NODATA for the blocked RFC 9462 discovery name). */
enum verdict inspect_name_verdict(const struct inspect_name *n, enum mode mode,
				  enum dns_block_kind dns_kind, bool tcp_reset);

#endif
