/* event.c: one event as one JSON line, schema v1 of DESIGN.md s3, with
 * the keys in a fixed order so that the lines can be compared and
 * grepped.  Formatting follows snprintf: the needed length is always
 * returned, and whatever fits is written and NUL-terminated. */
#include "event.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "dns.h"
#include "outbuf.h"

static const char hex_digits[] = "0123456789abcdef";

static void put_u_escape(struct out *o, unsigned cp)
{
	put_str(o, "\\u");
	for (int shift = 12; shift >= 0; shift -= 4)
		put_char(o, hex_digits[(cp >> (unsigned)shift) & 0xfu]);
}

/* Length of the valid UTF-8 sequence (RFC 3629 s4) at the start of b,
 * or 0 when it is not one: overlong forms, surrogates and code points
 * above U+10FFFF are invalid. */
static size_t utf8_sequence_len(const struct bytes *b)
{
	uint8_t c0, c;
	size_t n;
	uint8_t lo = 0x80, hi = 0xbf;  /* range of the second byte */

	if (!bytes_peek_u8(b, 0, &c0))
		return 0;
	if (c0 >= 0xc2 && c0 <= 0xdf)
		n = 2;
	else if (c0 >= 0xe0 && c0 <= 0xef)
		n = 3;
	else if (c0 >= 0xf0 && c0 <= 0xf4)
		n = 4;
	else
		return 0;
	if (c0 == 0xe0)
		lo = 0xa0;
	else if (c0 == 0xed)
		hi = 0x9f;
	else if (c0 == 0xf0)
		lo = 0x90;
	else if (c0 == 0xf4)
		hi = 0x8f;
	for (size_t i = 1; i < n; i++) {
		if (!bytes_peek_u8(b, i, &c))
			return 0;
		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

/* The code point of a sequence that utf8_sequence_len accepted. */
static unsigned utf8_decode(struct bytes seq)
{
	uint8_t c;
	unsigned cp = 0;
	if (!bytes_get_u8(&seq, &c))
		return 0xfffd;
	cp = seq.len == 1 ? c & 0x1fu : seq.len == 2 ? c & 0x0fu : c & 0x07u;
	while (bytes_get_u8(&seq, &c))
		cp = (cp << 6) | (c & 0x3fu);
	return cp;
}

/* Non-ASCII as \u escapes (RFC 8259 s7: a UTF-16 surrogate pair above
 * U+FFFF), so that every line is plain ASCII whatever the sink. */
static void put_code_point(struct out *o, unsigned cp)
{
	if (cp >= 0x10000) {
		cp -= 0x10000;
		put_u_escape(o, 0xd800u | (cp >> 10));
		put_u_escape(o, 0xdc00u | (cp & 0x3ffu));
	} else {
		put_u_escape(o, cp);
	}
}

/* A byte that a JSON string holds as itself: printable ASCII other
 * than the quote and the backslash (RFC 8259 s7). */
static bool json_plain(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The inside of a JSON string (RFC 8259 s7), without the quotes. */
static void put_json_body(struct out *o, const char *s, size_t len)
{
	struct bytes b = bytes_make(s, s == NULL ? 0 : len);
	struct bytes seq;
	uint8_t c;

	while (bytes_peek_u8(&b, 0, &c)) {
		if (c >= 0x80) {
			size_t n = utf8_sequence_len(&b);
			if (n > 0 && bytes_get_bytes(&b, n, &seq)) {
				put_code_point(o, utf8_decode(seq));
			} else {
				put_u_escape(o, 0xfffd);
				if (!bytes_skip(&b, 1))
					break;
			}
			continue;
		}
		/* A run of characters that stand for themselves, in one copy. */
		size_t run = 0;
		while (bytes_peek_u8(&b, run, &c) && json_plain(c))
			run++;
		if (run > 0) {
			struct bytes plain;
			if (!bytes_get_bytes(&b, run, &plain))
				break;
			put_mem(o, (const char *)plain.ptr, plain.len);
			continue;
		}
		if (!bytes_skip(&b, 1))
			break;
		if (c == '"' || c == '\\') {
			put_char(o, '\\');
			put_char(o, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			put_u_escape(o, c);
		} else {
			put_char(o, (char)c);
		}
	}
}

static void put_json_string(struct out *o, const char *s, size_t len)
{
	put_char(o, '"');
	put_json_body(o, s, len);
	put_char(o, '"');
}

size_t json_write_string(const char *s, size_t len, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	put_json_string(&o, s, len);
	return out_finish(&o);
}

/* A name as the text that the schema promises: printable ASCII other
 * than '\' as itself, every other byte as the four characters \xNN (the
 * backslash then escaped for JSON: \\xNN in the line), so the raw bytes
 * can be recovered and every sink stays plain ASCII. */
static void put_name(struct out *o, const char *name, size_t len)
{
	struct bytes b = bytes_make(name, name == NULL ? 0 : len);
	uint8_t c;

	put_char(o, '"');
	for (;;) {
		/* Names are nearly always plain: copy the run in one go. */
		size_t run = 0;
		while (bytes_peek_u8(&b, run, &c) && c >= 0x21 && c <= 0x7e && c != '\\' &&
		       c != '"')
			run++;
		if (run > 0) {
			struct bytes plain;
			if (!bytes_get_bytes(&b, run, &plain))
				break;
			put_mem(o, (const char *)plain.ptr, plain.len);
		}
		if (!bytes_get_u8(&b, &c))
			break;
		if (c >= 0x21 && c <= 0x7e && c != '\\') {
			if (c == '"')
				put_char(o, '\\');
			put_char(o, (char)c);
		} else {
			put_str(o, "\\\\x");
			put_char(o, hex_digits[c >> 4]);
			put_char(o, hex_digits[c & 0xfu]);
		}
	}
	put_char(o, '"');
}

static inline void put_key(struct out *o, const char *key)
{
	put_char(o, ',');
	put_char(o, '"');
	put_str(o, key);
	put_str(o, "\":");
}

static void put_string_or_null(struct out *o, const char *s)
{
	if (s == NULL)
		put_str(o, "null");
	else
		put_json_string(o, s, strlen(s));
}

/* Decimal digits by hand: snprintf's format parsing cost more than the
 * rest of an event together. */
static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put_mem(o, tmp + i, sizeof tmp - i);
}

static void put_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		put_char(o, '-');
		put_u64(o, 0 - (uint64_t)v);  /* also right for INT64_MIN */
		return;
	}
	put_u64(o, (uint64_t)v);
}

/* v as exactly `width` digits, zero-padded (v < 10^width). */
static void put_fixed(struct out *o, uint64_t v, size_t width)
{
	char tmp[20];
	for (size_t i = width; i > 0; i--) {
		tmp[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	put_mem(o, tmp, width);
}

/* Dotted quad, as inet_ntop writes it. */
static void put_ipv4(struct out *o, const uint8_t b[4])
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			put_char(o, '.');
		put_u64(o, b[i]);
	}
}

static void put_ip(struct out *o, const struct ip_addr *a)
{
	char tmp[INET6_ADDRSTRLEN];
	if (a->family == 4) {
		put_char(o, '"');
		put_ipv4(o, a->b);
		put_char(o, '"');
		return;
	}
	int af = a->family == 6 ? AF_INET6 : 0;
	if (af == 0 || inet_ntop(af, a->b, tmp, sizeof tmp) == NULL) {
		put_str(o, "null");
		return;
	}
	put_char(o, '"');
	put_str(o, tmp);
	put_char(o, '"');
}

static void put_proto(struct out *o, uint8_t proto)
{
	if (proto == 6) {
		put_str(o, "\"TCP\"");
	} else if (proto == 17) {
		put_str(o, "\"UDP\"");
	} else {
		put_char(o, '"');
		put_u64(o, proto);
		put_char(o, '"');
	}
}

size_t event_format_json(const struct event *ev, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	const struct decision *d = ev->decision;
	const struct list_entry *entry = d != NULL ? d->match.entry : NULL;
	const struct list_service *svc = d != NULL ? d->match.service : NULL;
	char ts[32];

	event_format_time(ev->ts_us, ts, sizeof ts);
	put_str(&o, "{\"v\":1,\"timestamp\":\"");
	put_str(&o, ts);
	put_char(&o, '"');
	if (ev->sensor != NULL) {
		put_key(&o, "sensor");
		put_json_string(&o, ev->sensor, strlen(ev->sensor));
	}
	put_key(&o, "src_ip");
	if (ev->src_text != NULL)
		put_json_string(&o, ev->src_text, strlen(ev->src_text));
	else
		put_ip(&o, &ev->src);
	put_key(&o, "src_port");
	put_u64(&o, ev->src_port);
	put_key(&o, "dest_ip");
	put_ip(&o, &ev->dst);
	put_key(&o, "dest_port");
	put_u64(&o, ev->dst_port);
	put_key(&o, "proto");
	put_proto(&o, ev->l4_proto);
	put_key(&o, "app_proto");
	put_string_or_null(&o, ev->app_proto == APP_NONE ? NULL : app_proto_name(ev->app_proto));
	put_key(&o, "name");
	if (ev->has_name)
		put_name(&o, ev->name, ev->name_len);
	else
		put_str(&o, "null");
	put_key(&o, "service");
	put_string_or_null(&o, svc != NULL ? svc->id : NULL);
	put_key(&o, "vendor");
	put_string_or_null(&o, svc != NULL ? svc->vendor : NULL);
	put_key(&o, "terms");
	put_string_or_null(&o, entry != NULL ? terms_name(entry->terms) : NULL);
	/* Without a decision the event describes an unlisted, allowed name. */
	put_key(&o, "action");
	put_string_or_null(&o, action_name(d != NULL ? d->action : ACTION_ALLOW));
	put_key(&o, "verdict");
	put_string_or_null(&o, verdict_name(ev->verdict));
	put_key(&o, "reason");
	put_string_or_null(&o, reason_name(d != NULL ? d->reason : REASON_UNLISTED));
	put_key(&o, "mode");
	put_string_or_null(&o, mode_name(ev->mode));
	put_key(&o, "zone");
	put_string_or_null(&o, d != NULL && d->zone != NULL ? d->zone->name : NULL);
	put_key(&o, "contract");
	put_string_or_null(&o, d != NULL && d->contract != NULL ? d->contract->id : NULL);
	put_key(&o, "list_serial");
	put_u64(&o, ev->list_serial);
	put_key(&o, "flags");
	put_char(&o, '[');
	bool first = true;
	for (unsigned i = 0; i < FLAG_COUNT_; i++) {
		uint32_t bit = 1u << i;
		if (!(ev->flags & bit))
			continue;
		const char *fname = flag_name(bit);
		if (fname == NULL)
			continue;
		if (!first)
			put_char(&o, ',');
		first = false;
		put_json_string(&o, fname, strlen(fname));
	}
	put_char(&o, ']');
	if (ev->has_dns) {
		const char *rr = dns_rrtype_name(ev->dns_qtype);
		put_key(&o, "dns");
		put_str(&o, "{\"id\":");
		put_u64(&o, ev->dns_id);
		put_str(&o, ",\"rrtype\":\"");
		if (rr != NULL) {
			put_json_body(&o, rr, strlen(rr));
		} else {
			put_str(&o, "TYPE");
			put_u64(&o, ev->dns_qtype);
		}
		put_str(&o, "\"}");
	}
	if (ev->pcap_cnt >= 0) {
		put_key(&o, "pcap_cnt");
		put_i64(&o, ev->pcap_cnt);
	}
	if (ev->count > 1) {
		put_key(&o, "count");
		put_u64(&o, ev->count);
	}
	put_str(&o, "}\n");
	return out_finish(&o);
}

/* Days since 1970-01-01 to a proleptic Gregorian date: the inverse of
 * the usual days-from-civil arithmetic over 400-year eras of 146097
 * days, with years starting on March 1 so that leap days come last. */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	days += 719468;  /* shift the epoch to 0000-03-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;                                   /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

void event_format_time(int64_t ts_us, char *buf, size_t cap)
{
	/* Floor division, so times before 1970 still count forwards. */
	int64_t secs = ts_us / 1000000;
	int64_t us = ts_us % 1000000;
	if (us < 0) {
		us += 1000000;
		secs--;
	}
	int64_t days = secs / 86400;
	int64_t sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);

	struct out o = { buf, cap, 0 };
	if (y >= 0 && y <= 9999) {
		/* Digits by hand (this runs for every event); other years, which
		 * no capture has, take the general path below. */
		put_fixed(&o, (uint64_t)y, 4);
		put_char(&o, '-');
		put_fixed(&o, m, 2);
		put_char(&o, '-');
		put_fixed(&o, d, 2);
		put_char(&o, 'T');
		put_fixed(&o, (uint64_t)(sod / 3600), 2);
		put_char(&o, ':');
		put_fixed(&o, (uint64_t)(sod / 60 % 60), 2);
		put_char(&o, ':');
		put_fixed(&o, (uint64_t)(sod % 60), 2);
		put_char(&o, '.');
		put_fixed(&o, (uint64_t)us, 6);
		put_char(&o, 'Z');
		out_finish(&o);
		return;
	}
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06uZ",
			 y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
			 (unsigned)(sod % 60), (unsigned)us);
	if (n > 0)
		put_mem(&o, tmp, (size_t)n);
	out_finish(&o);
}
