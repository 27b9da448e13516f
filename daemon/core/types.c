/* types.c: schema names of the core's enums (DESIGN.md s3). */
#include "types.h"

#include <string.h>

static const char *const flag_names[FLAG_COUNT_] = {
	"fragment", "tunnel", "ech", "esni", "no_sni", "name_odd_chars",
	"name_invalid", "reassembled", "out_of_order", "overlap_mismatch",
	"multi_question", "sslv2", "quic", "ech_grease", "evicted",
	"ech_front", "multi_hello", "out_of_window",
};

const char *flag_name(uint32_t bit)
{
	for (unsigned i = 0; i < FLAG_COUNT_; i++)
		if (bit == (1u << i))
			return flag_names[i];
	return NULL;
}

static const char *const terms_names[TERMS_COUNT_] = {
	"none", "consumer", "shared", "api", "enterprise", "dns-bypass", "ech-front",
};
static const char *const action_names[ACTION_COUNT_] = { "allow", "log", "block" };
static const char *const reason_names[REASON_COUNT_] = {
	"unlisted", "zone", "contract", "terms", "no_sni", "quic", "dot", "undecided",
};
static const char *const verdict_names[VERDICT_COUNT_] = {
	"accept", "drop", "reset", "nxdomain", "refused", "sinkhole", "nodata",
};

static int index_of(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *terms_name(enum terms t)
{
	return (unsigned)t < TERMS_COUNT_ ? terms_names[t] : "?";
}

int terms_from_name(const char *s)
{
	int i = index_of(terms_names, TERMS_COUNT_, s);
	return i == TERMS_NONE ? -1 : i; /* "none" is not a class one can list */
}

const char *action_name(enum action a)
{
	return (unsigned)a < ACTION_COUNT_ ? action_names[a] : "?";
}

int action_from_name(const char *s)
{
	return index_of(action_names, ACTION_COUNT_, s);
}

const char *reason_name(enum reason r)
{
	return (unsigned)r < REASON_COUNT_ ? reason_names[r] : "?";
}

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < VERDICT_COUNT_ ? verdict_names[v] : "?";
}

const char *mode_name(enum mode m)
{
	return m == MODE_MONITOR ? "monitor" : "enforce";
}

int mode_from_name(const char *s)
{
	if (strcmp(s, "enforce") == 0)
		return MODE_ENFORCE;
	if (strcmp(s, "monitor") == 0)
		return MODE_MONITOR;
	return -1;
}

const char *app_proto_name(enum app_proto p)
{
	switch (p) {
	case APP_DNS: return "dns";
	case APP_TLS: return "tls";
	case APP_QUIC: return "quic";
	case APP_NONE: break;
	}
	return "?";
}
