/* syslog5424.h: an event as one RFC 5424 syslog message, for SIEMs that
 * take syslog: the key fields as structured data (so a collector can
 * filter and route without parsing JSON) and the whole schema-v1 JSON
 * event as MSG.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME aigated PROCID event
 *     [aigate@32473 name="..." action="..." ...] {"v":1,...}
 *
 * (one line, no trailing newline: the transport frames it).  The SD-ID
 * uses the enterprise number 32473 that RFC 5612 reserves for
 * documentation, as agreed in the project; docs/siem.md says how to
 * change it if the agency registers its own.
 *
 * Pure: no I/O, no clock (the event's time is the message's time), no
 * globals. */
#ifndef AIGATE_SYSLOG5424_H
#define AIGATE_SYSLOG5424_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define SYSLOG5424_SD_ID "aigate@32473"
#define SYSLOG5424_APP_NAME "aigated"
#define SYSLOG5424_MSGID "event"

/* RFC 5424 s6.2.1 facilities used by the daemon (any 0..23 is allowed). */
#define SYSLOG5424_FAC_DAEMON 3
#define SYSLOG5424_FAC_LOCAL0 16

struct syslog5424_header {
	unsigned facility;       /* 0..23; out of range: SYSLOG5424_FAC_DAEMON */
	const char *hostname;    /* NULL or "": the event's sensor, else "-" */
	const char *app_name;    /* NULL or "": "aigated" */
	long procid;             /* <= 0: "-" */
	bool bom;                /* start MSG with a UTF-8 BOM (see below) */
	const char *src_ip_text; /* NULL: ev->src as an address; else this text
				  * (a pseudonym, log.pseudonymize) as src_ip */
};

/* Severity (RFC 5424 s6.2.1) of an event: block is warning (4), log is
 * notice (5), allow is informational (6). */
unsigned syslog5424_severity(const struct event *ev);

/* Write the message for ev into buf (cap bytes), NUL-terminated, with
 * the snprintf convention: returns the length of the whole message;
 * when that is >= cap, buf holds a truncated prefix (cap 0: nothing is
 * written, buf may be NULL).  Never fails otherwise.
 *
 * Header fields (s6.2): TIMESTAMP is the event's time in UTC with
 * microseconds; HOSTNAME, APP-NAME are cut to their maximum lengths
 * (255, 48) and any byte outside PRINTUSASCII becomes '_'.
 *
 * Structured data (s6.3): one element SYSLOG5424_SD_ID with the params
 * name (the name as events write it: bytes outside printable ASCII, and
 * '\', as the text \xNN), action, verdict, service, terms, reason,
 * app_proto, src_ip; a param whose event field is null is left out.
 * PARAM-VALUE escapes '"', '\' and ']' with a backslash (s6.3.3).
 *
 * MSG (s6.4): the JSON event of event_format_json without its newline.
 * That JSON is plain ASCII by construction, so it is sent as MSG-ANY
 * without a BOM by default: a BOM would reach every JSON parser
 * downstream (rsyslog mmjsonparse, Logstash, Vector) as garbage before
 * the '{'.  h->bom adds it for receivers that insist on MSG-UTF8.
 * h may be NULL (all defaults).  Reads ev and h; keeps nothing. */
size_t syslog5424_format(const struct event *ev, const struct syslog5424_header *h,
			 char *buf, size_t cap);

#endif
