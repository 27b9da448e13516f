/* syslog5424.c: an event as an RFC 5424 message; see syslog5424.h. */
#include "syslog5424.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "outbuf.h"

/* RFC 5424 s6: HOSTNAME, APP-NAME and PROCID are 1*N PRINTUSASCII
 * (%d33-126); NILVALUE "-" when empty. */
static void put_header_field(struct out *o, const char *s, size_t max)
{
	size_t n = 0;
	for (; s != NULL && s[n] != '\0' && n < max; n++) {
		unsigned char c = (unsigned char)s[n];
		put_char(o, c >= 33 && c <= 126 ? (char)c : '_');
	}
	if (n == 0)
		put_char(o, '-');
}

/* RFC 5424 s6.3.3: inside PARAM-VALUE, '"', '\' and ']' MUST be
 * escaped with a backslash. */
static void put_param(struct out *o, const char *key, const char *value)
{
	if (value == NULL)
		return;
	put_char(o, ' ');
	put_str(o, key);
	put_str(o, "=\"");
	for (; *value != '\0'; value++) {
		if (*value == '"' || *value == '\\' || *value == ']')
			put_char(o, '\\');
		put_char(o, *value);
	}
	put_char(o, '"');
}

/* The name as events print it: printable ASCII but '\' as itself, any
 * other byte as the text \xNN.  NAME_MAX_LEN bytes at most, so buf
 * holds 4 * 255 + 1. */
static void name_text(const char *name, size_t len, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		bool plain = c >= 0x21 && c <= 0x7e && c != '\\';
		if (o + (plain ? 1 : 4) >= cap)
			break;
		if (plain) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15u];
		}
	}
	buf[o] = '\0';
}

unsigned syslog5424_severity(const struct event *ev)
{
	enum action a = ev->decision != NULL ? ev->decision->action : ACTION_ALLOW;
	return a == ACTION_BLOCK ? 4 : a == ACTION_LOG ? 5 : 6;
}

size_t syslog5424_format(const struct event *ev, const struct syslog5424_header *h,
			 char *buf, size_t cap)
{
	static const struct syslog5424_header defaults = { SYSLOG5424_FAC_DAEMON, NULL, NULL, 0, false, NULL };
	struct out o = { buf, cap, 0 };
	const struct decision *d = ev->decision;
	const struct list_entry *entry = d != NULL ? d->match.entry : NULL;
	const struct list_service *svc = d != NULL ? d->match.service : NULL;
	char tmp[64];
	char name[4 * NAME_BUF_LEN + 1];
	char ip[INET6_ADDRSTRLEN];

	if (h == NULL)
		h = &defaults;
	unsigned fac = h->facility <= 23 ? h->facility : SYSLOG5424_FAC_DAEMON;
	/* s6.2.1: PRI = facility * 8 + severity; s6.2.2: VERSION 1. */
	snprintf(tmp, sizeof tmp, "<%u>1 ", fac * 8 + syslog5424_severity(ev));
	put_str(&o, tmp);
	/* s6.2.3: an RFC 3339 time with at most 6 fraction digits; "Z". */
	event_format_time(ev->ts_us, tmp, sizeof tmp);
	put_str(&o, tmp);
	put_char(&o, ' ');
	const char *host = h->hostname != NULL && h->hostname[0] != '\0' ? h->hostname : ev->sensor;
	put_header_field(&o, host, 255);
	put_char(&o, ' ');
	put_header_field(&o, h->app_name != NULL && h->app_name[0] != '\0' ? h->app_name
									     : SYSLOG5424_APP_NAME, 48);
	put_char(&o, ' ');
	if (h->procid > 0) {
		snprintf(tmp, sizeof tmp, "%ld", h->procid);
		put_str(&o, tmp);
	} else {
		put_char(&o, '-');
	}
	put_str(&o, " " SYSLOG5424_MSGID " [" SYSLOG5424_SD_ID);
	if (ev->has_name) {
		name_text(ev->name, ev->name_len, name, sizeof name);
		put_param(&o, "name", name);
	}
	put_param(&o, "action", action_name(d != NULL ? d->action : ACTION_ALLOW));
	put_param(&o, "verdict", verdict_name(ev->verdict));
	put_param(&o, "service", svc != NULL ? svc->id : NULL);
	put_param(&o, "terms", entry != NULL ? terms_name(entry->terms) : NULL);
	put_param(&o, "reason", reason_name(d != NULL ? d->reason : REASON_UNLISTED));
	put_param(&o, "app_proto", ev->app_proto == APP_NONE ? NULL : app_proto_name(ev->app_proto));
	int af = ev->src.family == 4 ? AF_INET : ev->src.family == 6 ? AF_INET6 : 0;
	if (h->src_ip_text != NULL)
		put_param(&o, "src_ip", h->src_ip_text);
	else if (af != 0 && inet_ntop(af, ev->src.b, ip, sizeof ip) != NULL)
		put_param(&o, "src_ip", ip);
	put_str(&o, "] ");
	if (h->bom)
		put_str(&o, "\xef\xbb\xbf");

	/* The JSON event straight into the rest of buf, then its '\n' cut:
	 * event_format_json follows the same length convention. */
	size_t start = o.len;
	size_t room = o.cap > start ? o.cap - start : 0;
	size_t n = event_format_json(ev, room > 0 ? o.buf + start : NULL, room);
	if (n > 0 && n < room && o.buf[start + n - 1] == '\n')
		o.buf[start + n - 1] = '\0';
	o.len = start + (n > 0 ? n - 1 : 0);
	return out_finish(&o);
}
