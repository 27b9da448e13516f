/* quic.h: the ClientHello inside a client's QUIC Initial packets.
 *
 * From the payload of one UDP datagram sent by a client: check the QUIC
 * version, walk the coalesced long-header packets (RFC 9000 s12.2),
 * remove the Initial packet protection with the public initial secrets
 * (RFC 9001 s5.2, RFC 9369 s3.3), read the frames (RFC 9000 s19) and
 * reassemble the CRYPTO stream of the Initial packet number space until
 * it holds a complete ClientHello, which tls_parse_handshake reads.
 *
 * The flow.  A QUIC flow here is the UDP 5-tuple in the client's
 * direction (client address and port -> server address and port), not
 * a connection ID: the client's Destination Connection ID changes after
 * a Retry (RFC 9000 s17.2.5.2) and some clients send Initials of one
 * handshake with different DCIDs, while the 5-tuple cannot change before
 * the handshake completes (no migration before then, RFC 9000 s9).  The
 * caller keeps one struct quic_ch_state per flow and feeds it only the
 * client's datagrams; each packet is decrypted with keys derived from
 * its own DCID, so any mix of DCIDs works.  Datagrams from the server
 * must not be fed: their Initials fail the tag under client keys
 * (PARSE_MALFORMED), which is also what protects against mistaking them.
 *
 * Memory.  The state is a small fixed struct (sizeof(struct
 * quic_ch_state), 216 bytes on x86-64) that lives in the caller's flow
 * entry, plus a reassembly buffer allocated on the first CRYPTO frame
 * and grown in steps of QUIC_CRYPTO_STEP bytes to cover the highest
 * CRYPTO offset seen, never beyond the state's max_len (16 KiB by
 * default): at most max_len + max_len / 8 heap bytes (the data and one
 * bit per byte saying which bytes arrived).  quic_ch_state_bytes says
 * how many heap bytes a state holds now, for the flow table's global
 * bound.  A typical ClientHello (300-2000 bytes) costs 1-3 KiB.
 *
 * Keys.  RFC 9001 s5.2 derives the Initial keys from the DCID of the
 * client's first Initial; after a Retry, from the DCID the Retry chose
 * (the new DCID of the client's next Initial); and once the server's
 * Initial arrived the client sends to the server's connection ID but
 * keeps those keys.  Without seeing the server, each packet is tried
 * with keys derived from its own DCID (first Initial, Retry) and, if
 * that fails, with the keys that last authenticated a packet of the
 * flow (Initials after the server's reply).
 *
 * Cost.  Deriving the Initial keys takes five HMAC-SHA-256 runs; the
 * state caches them (the last DCID's and the last good ones), so only a
 * flow's first Initial and a DCID change pay for them.  Cipher contexts
 * are created per packet (no statics, nothing global).
 *
 * No I/O, no clock, no globals, no logging; libcrypto only. */
#ifndef AIGATE_QUIC_H
#define AIGATE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "tls.h"
#include "types.h"

/* Versions with Initial protection known to this module. */
#define QUIC_VERSION_1 0x00000001u        /* RFC 9000 */
#define QUIC_VERSION_2 0x6b3343cfu        /* RFC 9369 */
#define QUIC_VERSION_DRAFT(n) (0xff000000u | (uint32_t)(n))
#define QUIC_VERSION_MVFST_22 0xfaceb001u /* Facebook mvfst, draft-22 based */
#define QUIC_VERSION_MVFST_27 0xfaceb002u /* Facebook mvfst, draft-27 based */
#define QUIC_VERSION_MVFST_EXP 0xfaceb00eu /* mvfst experimental, draft-27 */
#define QUIC_VERSION_T051 0x54303531u     /* Google QUIC "T051" (TLS) */

#define QUIC_MAX_CID_LEN 20                /* RFC 9000 s17.2 */
#define QUIC_CRYPTO_MAX_DEFAULT 16384      /* CRYPTO bytes kept per flow */
#define QUIC_CRYPTO_MAX_LIMIT 65536        /* the largest max_len accepted */
#define QUIC_CRYPTO_STEP 1024              /* buffer growth step */
#define QUIC_MAX_PACKETS_PER_DATAGRAM 8    /* coalesced packets looked at */

/* Packet protection keys of one Initial key set (AEAD_AES_128_GCM). */
struct quic_initial_keys {
	uint8_t key[16];
	uint8_t iv[12];
	uint8_t hp[16];
};

/* Initial keys with the version and DCID they were derived from. */
struct quic_key_slot {
	bool valid;
	uint8_t dcid_len;
	uint32_t version;
	uint8_t dcid[QUIC_MAX_CID_LEN];
	struct quic_initial_keys keys;
};

/* Per-flow ClientHello reassembly.  Caller storage: initialise with
 * quic_ch_state_init, release with quic_ch_state_cleanup.  The fields
 * are private to quic.c. */
struct quic_ch_state {
	uint8_t *buf;          /* CRYPTO bytes by stream offset (heap, lazily) */
	uint8_t *have;         /* one bit per byte of buf: arrived */
	size_t cap_len;        /* bytes allocated in buf */
	size_t max_len;        /* bound on cap_len */
	uint64_t base;         /* stream offset of buf[0]: where the next
	                          handshake message starts */
	size_t contig_len;     /* bytes [base, base + contig_len) have all arrived */
	uint32_t version;      /* version of the Initials reassembled; 0: none yet */
	uint32_t flags;        /* FLAG_* gathered so far */
	int64_t largest_pn;    /* largest authenticated packet number; -1: none */
	unsigned n_packets;    /* Initials that added CRYPTO data */
	/* Key cache: the keys of the last DCID seen, and the keys that last
	 * authenticated a packet (RFC 9001 s5.2: Initial keys come from the
	 * DCID of the client's first Initial, or of the Initial after a
	 * Retry, and stay in use after the client switches to the server's
	 * connection ID). */
	struct quic_key_slot derived;
	struct quic_key_slot good;
	/* libcrypto objects to reuse (quic_crypto_new), owned by the caller
	 * and shared by its flows; NULL: each call makes its own (slower). */
	struct quic_crypto *crypto;
};

/* Fetched algorithms and contexts for Initial decryption, reused across
 * packets and flows (not thread-safe: one per inspector).  NULL when
 * libcrypto cannot provide SHA-256, AES-128-ECB or AES-128-GCM. */
struct quic_crypto;
struct quic_crypto *quic_crypto_new(void);
void quic_crypto_free(struct quic_crypto *cx);

/* Set up an empty state that keeps at most max_len bytes of CRYPTO
 * data (0: QUIC_CRYPTO_MAX_DEFAULT; values above QUIC_CRYPTO_MAX_LIMIT
 * are lowered to it).  Allocates nothing; cannot fail. */
void quic_ch_state_init(struct quic_ch_state *st, size_t max_len);

/* Free the buffers of a state (safe on an initialised state, twice, or
 * after quic_ch_state_init alone) and leave it re-initialised. */
void quic_ch_state_cleanup(struct quic_ch_state *st);

/* Heap bytes the state holds now (the buffers; the struct itself is the
 * caller's). */
size_t quic_ch_state_bytes(const struct quic_ch_state *st);

/* Cheap test, no cryptography: does the datagram start with a long
 * header packet of a version in the table above whose type is Initial?
 * Use it to decide whether to create flow state at all.  It says
 * nothing about whether the packet is genuine or from the client. */
bool quic_looks_like_initial(struct bytes udp_payload);

/* Feed the payload of one UDP datagram of the flow, client to server.
 * Every long-header packet in it is looked at (at most
 * QUIC_MAX_PACKETS_PER_DATAGRAM; RFC 9000 s12.2); Initials are decrypted
 * and their CRYPTO frames added to the reassembly, other packet types
 * are stepped over by their Length; a short header, a Retry, or a
 * packet with another DCID than the first ends the walk.
 * PARSE_OK: the pending bytes (from CRYPTO offset 0 at first) form a complete
 *   ClientHello, parsed into *out; *flags_out gets FLAG_QUIC, the
 *   reassembly flags (FLAG_REASSEMBLED: from more than one Initial
 *   packet; FLAG_OUT_OF_ORDER: CRYPTO data arrived ahead of a gap;
 *   FLAG_OVERLAP_MISMATCH: a repeated byte differed, the first copy is
 *   kept) and out->flags.  The reassembly then moves past that message
 *   (buffers freed unless later bytes wait): retransmissions of it are
 *   ignored, and a second ClientHello after a HelloRetryRequest (RFC
 *   8446 s4.1.4; it follows the first in the same CRYPTO stream) is
 *   reported in turn when complete.
 * PARSE_NEED_MORE: at least one Initial was authenticated and the
 *   ClientHello is still incomplete.
 * PARSE_NOT_MINE: the datagram does not start with a long-header
 *   Initial of a known version (short header, Version Negotiation,
 *   gQUIC Q0xx, 0-RTT/Handshake first, not QUIC at all); nothing changed.
 * PARSE_MALFORMED: an Initial that fails its tag (a server's Initial
 *   included) or has a truncated or inconsistent header, when no other
 *   Initial of the datagram was authenticated; and, whatever the rest
 *   of the datagram: a frame type not allowed in Initial packets (RFC
 *   9000 s12.4), a bad frame, a CRYPTO stream that does not start with
 *   a ClientHello, CRYPTO data ending more than max_len past the start
 *   of the pending message, a ClientHello tls_parse_handshake rejects,
 *   or out of memory.  CRYPTO data already taken from authenticated
 *   packets of the datagram stays in the state.
 * *out and *flags_out are written only on PARSE_OK.  The datagram is
 * borrowed for the call; nothing points into it afterwards. */
enum parse_result quic_feed_datagram(struct quic_ch_state *st,
				     struct bytes udp_payload,
				     struct tls_client_hello *out,
				     uint32_t *flags_out);

/* The Initial key set of the client for a version and DCID (RFC 9001
 * s5.2; RFC 9369 s3.3.1-3.3.2), exposed for known-answer tests and for
 * test builders.  out_secret (may be NULL) receives the 32-byte
 * client_initial_secret.  false: unknown version, a DCID longer than
 * QUIC_MAX_CID_LEN, or a libcrypto failure; *out is then unspecified. */
bool quic_derive_client_keys(uint32_t version, struct bytes dcid,
			     struct quic_initial_keys *out,
			     uint8_t out_secret[32]);

/* true if quic_derive_client_keys knows the version. */
bool quic_version_known(uint32_t version);

/* The long-header packet type bits (0-3) of an Initial in that version:
 * 0 for v1 and the drafts, 1 for v2 (RFC 9369 s3.2). */
unsigned quic_initial_type(uint32_t version);

#endif
