/* flow.h: the flow table of one worker.
 *
 * A flow is one direction of a TCP connection or UDP exchange, keyed by
 * its 5-tuple (client to server: only that direction carries names).
 * The table has a fixed number of slots allocated up front, a keyed hash
 * (SipHash with a random seed, so that nobody can aim collisions at one
 * chain), an LRU list for idle timeouts and for evicting the oldest flow
 * when the table is full, and a shared budget for reassembly memory. */
#ifndef AIGATE_FLOW_H
#define AIGATE_FLOW_H

#include "stream.h"
#include "types.h"

struct quic_ch_state;

struct flow_key {
	uint8_t src[16], dst[16];
	uint16_t src_port, dst_port;
	uint8_t family;   /* 4 or 6 */
	uint8_t proto;    /* 6 or 17 */
};

enum flow_kind { FLOW_KIND_TLS = 1, FLOW_KIND_DNS_TCP, FLOW_KIND_QUIC };

enum flow_state {
	FLOW_ST_PENDING = 0,  /* waiting for the handshake / messages */
	FLOW_ST_DECIDED,      /* action final */
	FLOW_ST_IGNORED,      /* not ours (not TLS, malformed, gave up) */
};

struct flow {
	struct flow_key key;
	uint32_t hash;
	uint32_t next;            /* hash chain (slot index + 1; 0 = end) */
	uint32_t lru_prev, lru_next; /* slot index + 1; 0 = none */
	int64_t last_us;
	uint8_t kind;             /* enum flow_kind */
	uint8_t state;            /* enum flow_state */
	uint8_t action;           /* enum action, when decided */
	bool in_use;
	uint16_t n_packets;       /* payload packets seen */
	uint32_t flags;           /* FLAG_* gathered on the flow */
	uint32_t hello_end;       /* TLS: stream bytes read up to the last ClientHello's end (inspect.c) */
	struct stream stream;     /* TCP kinds */
	struct quic_ch_state *quic; /* QUIC kind, allocated on demand */
};

struct flow_table;

/* Called for every flow that leaves the table (removed, expired or
 * evicted), before its stream is freed: the owner frees what it hung on
 * the flow (QUIC state) and counts it. */
typedef void flow_release_fn(void *ctx, struct flow *f, bool evicted);

/* A table of max_flows slots; per_flow_buffer bounds each stream and
 * buffer_total all of them together.  NULL when out of memory. */
struct flow_table *flow_table_new(uint32_t max_flows, uint32_t per_flow_buffer,
				  uint64_t buffer_total, const uint8_t seed[16],
				  flow_release_fn *release, void *release_ctx);
void flow_table_free(struct flow_table *t);

/* Find the flow for key, or NULL. */
struct flow *flow_lookup(struct flow_table *t, const struct flow_key *key);

/* Create a flow for key (which must not be present) at now_us; when the
 * table is full the least recently used flow is evicted first (through
 * the release callback).  Never fails once the table exists. */
struct flow *flow_create(struct flow_table *t, const struct flow_key *key, int64_t now_us);

/* Mark f used at now_us (moves it to the head of the LRU list). */
void flow_touch(struct flow_table *t, struct flow *f, int64_t now_us);

/* Remove f, freeing its buffers. */
void flow_remove(struct flow_table *t, struct flow *f);

/* Remove flows idle since before cutoff_us, at most `budget` of them
 * (0 = all); returns how many were removed. */
unsigned flow_expire(struct flow_table *t, int64_t cutoff_us, unsigned budget);

/* Free reassembly memory by evicting pending flows other than `keep`,
 * oldest first, until `need` bytes fit the budget; returns how many
 * were evicted. */
unsigned flow_make_room(struct flow_table *t, const struct flow *keep, uint64_t need);

struct stream_budget *flow_table_budget(struct flow_table *t);
uint32_t flow_table_count(const struct flow_table *t);
uint32_t flow_table_per_flow_buffer(const struct flow_table *t);

#endif
