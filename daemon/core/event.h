/* event.h: the event, schema v1 of DESIGN.md s3, as one JSON line. */
#ifndef AIGATE_EVENT_H
#define AIGATE_EVENT_H

#include "policy.h"
#include "types.h"

struct event {
	int64_t ts_us;               /* microseconds since the epoch, UTC */
	const char *sensor;          /* may be NULL: "sensor" is omitted */
	struct ip_addr src, dst;
	const char *src_text;        /* non-NULL: printed as "src_ip" instead of src
				      * (a pseudonym, log.pseudonymize) */
	uint16_t src_port, dst_port;
	uint8_t l4_proto;            /* 6 TCP, 17 UDP */
	enum app_proto app_proto;
	const char *name;            /* raw bytes, name_len long (may hold any byte) */
	size_t name_len;
	bool has_name;               /* false: "name":null (ClientHello without SNI) */
	const struct decision *decision;
	enum verdict verdict;
	enum mode mode;
	uint64_t list_serial;
	uint32_t flags;
	bool has_dns;
	uint16_t dns_id, dns_qtype;
	int64_t pcap_cnt;            /* < 0: omitted */
	uint32_t count;              /* > 1: "count" added (folded repeats) */
};

/* Write the event as one JSON object followed by '\n' into buf (cap
 * bytes).  Returns the length written without the NUL; when it does not
 * fit, returns the length that would have been needed (>= cap) and
 * buf holds a truncated, NUL-terminated prefix (cap 0: buf may be NULL,
 * nothing is written).  Every string is escaped; name bytes outside
 * printable ASCII, and '\', are written as the text \xNN (lowercase
 * hex) so that the raw name can be recovered; the whole line is plain
 * ASCII.  A NULL decision is printed as unlisted and allowed.  Reads the
 * event and what it points to; keeps nothing. */
size_t event_format_json(const struct event *ev, char *buf, size_t cap);

/* Write s (len bytes) as a JSON string (with quotes) into buf; same
 * return convention.  Invalid UTF-8 becomes U+FFFD; control characters
 * (and DEL) and every non-ASCII character are \u-escaped (surrogate
 * pairs above U+FFFF), so the output is plain ASCII. */
size_t json_write_string(const char *s, size_t len, char *buf, size_t cap);

/* Format ts_us as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (UTC, proleptic
 * Gregorian, own arithmetic: no libc time functions) into buf (>= 28
 * bytes; a smaller cap gets a NUL-terminated prefix). */
void event_format_time(int64_t ts_us, char *buf, size_t cap);

#endif
