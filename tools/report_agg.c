/* report_agg.c: aggregation of events into the report model; see
 * report_agg.h.  Every table is bounded (report_table.h): exact tables
 * for keys of low cardinality, space-saving sketches for clients and
 * unlisted names.  The model's field names are documented in
 * docs/siem.md ("Report JSON"). */
#include "report_agg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_review.h"
#include "report_table.h"

/* Columns of every rtab row. */
enum { COL_ALLOW = 0, COL_LOG, COL_BLOCK, COL_OTHER, COL_EVENTS, COL_RECORDS };
static const char *const col_names[] = { "allow", "log", "block", "other" };

/* Caps (rows) of the exact tables: far above what a gateway produces
 * (the list has ~120 services), low enough that a hostile log cannot
 * exhaust memory.  Rows beyond a cap are counted as dropped and shown. */
#define CAP_SMALL 64         /* verdicts, modes, protocols, reasons, terms */
#define CAP_SERVICES 4096
#define CAP_DAYS 4000        /* about eleven years */
#define CAP_HOURS 512        /* per-hour buckets are only used below 3 days */
#define CAP_ZONES 1024
#define CAP_PAIRS 20000      /* zone or contract x service / client */
#define CAP_SERIALS 1024
#define HOURLY_BELOW_US (INT64_C(3) * 86400 * 1000000)
#define MAX_BUCKETS 4000

#define SEP '\x1f'           /* joins the two parts of a pair key */

struct report_agg {
	const struct report_opts *o;
	struct review_ctx *review;
	uint64_t actions[4];
	uint64_t events, records, outside, outside_records;
	int64_t first_us, last_us;
	struct rtab *verdicts, *modes, *app_protos, *reasons, *terms;
	struct rtab *services, *vendors;
	struct rtab *days, *hours;
	struct rtab *zones, *zone_services, *zone_clients;
	struct rtab *contracts, *contract_services, *contract_clients;
	struct rtab *serials;
	struct topk *clients, *names;
	uint64_t unlisted_events, review_events;
	bool oom;
};

struct report_agg *report_agg_new(const struct report_opts *o)
{
	struct report_agg *a = calloc(1, sizeof *a);
	if (a == NULL)
		return NULL;
	a->o = o;
	a->first_us = INT64_MAX;
	a->last_us = INT64_MIN;
	size_t k = o->sketch_k > 0 ? o->sketch_k : 10000;
	a->review = review_ctx_new(o->list);
	a->verdicts = rtab_new(CAP_SMALL);
	a->modes = rtab_new(CAP_SMALL);
	a->app_protos = rtab_new(CAP_SMALL);
	a->reasons = rtab_new(CAP_SMALL);
	a->terms = rtab_new(CAP_SMALL);
	a->services = rtab_new(CAP_SERVICES);
	a->vendors = rtab_new(CAP_SERVICES);
	a->days = rtab_new(CAP_DAYS);
	a->hours = rtab_new(CAP_HOURS);
	a->zones = rtab_new(CAP_ZONES);
	a->zone_services = rtab_new(CAP_PAIRS);
	a->zone_clients = rtab_new(CAP_PAIRS);
	a->contracts = rtab_new(CAP_ZONES);
	a->contract_services = rtab_new(CAP_PAIRS);
	a->contract_clients = rtab_new(CAP_PAIRS);
	a->serials = rtab_new(CAP_SERIALS);
	a->clients = topk_new(k);
	a->names = topk_new(k);
	if (!a->review || !a->verdicts || !a->modes || !a->app_protos || !a->reasons ||
	    !a->terms || !a->services || !a->vendors || !a->days || !a->hours || !a->zones ||
	    !a->zone_services || !a->zone_clients || !a->contracts || !a->contract_services ||
	    !a->contract_clients || !a->serials || !a->clients || !a->names) {
		report_agg_free(a);
		return NULL;
	}
	return a;
}

void report_agg_free(struct report_agg *a)
{
	if (a == NULL)
		return;
	review_ctx_free(a->review);
	struct rtab *tabs[] = { a->verdicts, a->modes, a->app_protos, a->reasons, a->terms,
				a->services, a->vendors, a->days, a->hours, a->zones,
				a->zone_services, a->zone_clients, a->contracts,
				a->contract_services, a->contract_clients, a->serials };
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
		rtab_free(tabs[i]);
	topk_free(a->clients);
	topk_free(a->names);
	free(a);
}

static unsigned action_col(const char *action)
{
	if (action == NULL)
		return COL_OTHER;
	if (strcmp(action, "allow") == 0)
		return COL_ALLOW;
	if (strcmp(action, "log") == 0)
		return COL_LOG;
	if (strcmp(action, "block") == 0)
		return COL_BLOCK;
	return COL_OTHER;
}

static struct rtab_row *bump(struct rtab *t, const char *key, size_t len, unsigned col,
			     uint64_t w, int64_t ts)
{
	struct rtab_row *r = rtab_get(t, key, len);
	if (r == NULL) {
		rtab_drop(t, w);
		return NULL;
	}
	r->c[col] += w;
	r->c[COL_EVENTS] += w;
	r->c[COL_RECORDS]++;
	if (ts < r->first_us)
		r->first_us = ts;
	if (ts > r->last_us)
		r->last_us = ts;
	return r;
}

static struct rtab_row *bump_s(struct rtab *t, const char *key, unsigned col, uint64_t w, int64_t ts)
{
	return bump(t, key, strlen(key), col, w, ts);
}

static void bump_pair(struct rtab *t, const char *a, const char *b, unsigned col, uint64_t w,
		      int64_t ts)
{
	char key[1024];
	int n = snprintf(key, sizeof key, "%s%c%s", a, SEP, b);
	if (n < 0 || (size_t)n >= sizeof key) {
		rtab_drop(t, w);
		return;
	}
	bump(t, key, (size_t)n, col, w, ts);
}

/* Append a service id to a client's note ("chatgpt claude ...") if it
 * is not there yet and fits; "+" marks that more did not fit. */
static void note_add(char note[64], const char *s)
{
	size_t nl = strlen(note), sl = strlen(s);
	for (const char *p = note; (p = strstr(p, s)) != NULL; p++)
		if ((p == note || p[-1] == ' ') && (p[sl] == ' ' || p[sl] == '\0'))
			return;
	if (nl > 0 && note[nl - 1] == '+')
		return;
	if (nl + sl + 2 < 64) {
		if (nl > 0)
			note[nl++] = ' ';
		memcpy(note + nl, s, sl + 1);
	} else if (nl + 2 < 64) {
		memcpy(note + nl, nl > 0 ? " +" : "+", nl > 0 ? 3 : 2);
	}
}

void report_agg_add(void *agg, const struct report_event *ev)
{
	struct report_agg *a = agg;
	const struct report_opts *o = a->o;
	uint64_t w = ev->count;
	int64_t ts = ev->ts_us;

	if (ts < o->since_us || ts > o->until_us) {
		a->outside += w;
		a->outside_records++;
		return;
	}
	unsigned col = action_col(ev->action);
	a->events += w;
	a->records++;
	a->actions[col] += w;
	if (ts < a->first_us)
		a->first_us = ts;
	if (ts > a->last_us)
		a->last_us = ts;
	bump_s(a->verdicts, ev->verdict != NULL ? ev->verdict : "(none)", col, w, ts);
	bump_s(a->modes, ev->mode != NULL ? ev->mode : "(none)", col, w, ts);
	bump_s(a->app_protos, ev->app_proto != NULL ? ev->app_proto : "(none)", col, w, ts);
	bump_s(a->reasons, ev->reason != NULL ? ev->reason : "(none)", col, w, ts);
	bump_s(a->terms, ev->terms != NULL ? ev->terms : "unlisted", col, w, ts);

	const struct list_service *svc = NULL;
	if (ev->service != NULL) {
		struct rtab_row *r = bump_s(a->services, ev->service, col, w, ts);
		if (r != NULL && !rtab_set_aux(r, ev->vendor))
			a->oom = true;
		if (o->list != NULL)
			svc = list_find_service(o->list, ev->service);
	}
	const char *vendor = svc != NULL ? svc->vendor : ev->vendor;
	if (vendor != NULL)
		bump_s(a->vendors, vendor, col, w, ts);

	char day[40];
	report_format_second(ts, day, sizeof day);
	bump(a->days, day, 10, col, w, ts);      /* YYYY-MM-DD */
	bump(a->hours, day, 13, col, w, ts);     /* YYYY-MM-DDTHH */

	const char *what = ev->service != NULL ? ev->service : "(unlisted)";
	const char *client = ev->src_ip != NULL ? ev->src_ip : "(none)";
	if (ev->zone != NULL) {
		bump_s(a->zones, ev->zone, col, w, ts);
		bump_pair(a->zone_services, ev->zone, what, col, w, ts);
		bump_pair(a->zone_clients, ev->zone, client, col, w, ts);
	}
	if (ev->contract != NULL) {
		bump_s(a->contracts, ev->contract, col, w, ts);
		bump_pair(a->contract_services, ev->contract, what, col, w, ts);
		bump_pair(a->contract_clients, ev->contract, client, col, w, ts);
	}
	if (ev->has_serial) {
		char s[24];
		snprintf(s, sizeof s, "%" PRIu64, ev->list_serial);
		bump_s(a->serials, s, col, w, ts);
	}
	if (col == COL_BLOCK && ev->src_ip != NULL) {
		struct topk_item *it = topk_add(a->clients, ev->src_ip, strlen(ev->src_ip), w);
		if (it == NULL)
			a->oom = true;
		else
			note_add(it->note, what);
	}
	if (ev->service == NULL && ev->terms == NULL && ev->name != NULL) {
		a->unlisted_events += w;
		if (review_score(a->review, ev->name, NULL, 0) >= REVIEW_MIN_SCORE) {
			a->review_events += w;
			if (topk_add(a->names, ev->name, strlen(ev->name), w) == NULL)
				a->oom = true;
		}
	}
}

/* --- the model ------------------------------------------------------- */

static json_t *time_or_null(int64_t us)
{
	char buf[40];
	if (us == INT64_MIN || us == INT64_MAX)
		return json_null();
	report_format_second(us, buf, sizeof buf);
	return json_string(buf);
}

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *uint_json(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Adds events, allow, log, block, other to obj. */
static void put_counts(json_t *obj, const uint64_t *c)
{
	json_object_set_new(obj, "events", uint_json(c[COL_EVENTS]));
	for (unsigned i = 0; i < 4; i++)
		json_object_set_new(obj, col_names[i], uint_json(c[i]));
}

static int rows_by_events(const void *x, const void *y)
{
	const struct rtab_row *a = *(struct rtab_row *const *)x, *b = *(struct rtab_row *const *)y;
	if (a->c[COL_EVENTS] != b->c[COL_EVENTS])
		return a->c[COL_EVENTS] < b->c[COL_EVENTS] ? 1 : -1;
	return strcmp(a->key, b->key);
}

static int rows_by_key(const void *x, const void *y)
{
	const struct rtab_row *a = *(struct rtab_row *const *)x, *b = *(struct rtab_row *const *)y;
	return strcmp(a->key, b->key);
}

/* The rows of t, sorted; *n receives their number.  NULL if none or
 * out of memory. */
static struct rtab_row **sorted_rows(struct rtab *t, int (*cmp)(const void *, const void *), size_t *n)
{
	*n = rtab_n_rows(t);
	if (*n == 0)
		return NULL;
	struct rtab_row **v = malloc(*n * sizeof *v);
	if (v == NULL) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		v[i] = rtab_row_at(t, i);
	qsort(v, *n, sizeof *v, cmp);
	return v;
}

/* A simple breakdown: [{"<keyname>": key, counts...}] by events. */
static json_t *breakdown(struct rtab *t, const char *keyname)
{
	size_t n;
	struct rtab_row **rows = sorted_rows(t, rows_by_events, &n);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, keyname, json_string(rows[i]->key));
		put_counts(o, rows[i]->c);
		json_array_append_new(arr, o);
	}
	free(rows);
	return arr;
}

static const struct list_service *vendor_service(const struct list *l, const char *vendor)
{
	for (size_t i = 0; l != NULL && i < list_n_services(l); i++) {
		const struct list_service *s = list_service_at(l, i);
		if (s != NULL && s->vendor != NULL && strcmp(s->vendor, vendor) == 0)
			return s;
	}
	return NULL;
}

static json_t *services_json(struct report_agg *a)
{
	size_t n;
	struct rtab_row **rows = sorted_rows(a->services, rows_by_events, &n);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct list_service *s = a->o->list ? list_find_service(a->o->list, rows[i]->key) : NULL;
		json_t *o = json_object();
		json_object_set_new(o, "service", json_string(rows[i]->key));
		json_object_set_new(o, "name", str_or_null(s ? s->name : NULL));
		json_object_set_new(o, "vendor", str_or_null(s ? s->vendor : rows[i]->aux));
		json_object_set_new(o, "jurisdiction", str_or_null(s ? s->jurisdiction : NULL));
		json_object_set_new(o, "eu", s ? json_boolean(s->eu) : json_null());
		json_object_set_new(o, "category", str_or_null(s ? s->category : NULL));
		put_counts(o, rows[i]->c);
		json_array_append_new(arr, o);
	}
	free(rows);
	return arr;
}

static json_t *vendors_json(struct report_agg *a, json_t **eu_share)
{
	size_t n;
	struct rtab_row **rows = sorted_rows(a->vendors, rows_by_events, &n);
	json_t *arr = json_array();
	uint64_t known = 0, eu = 0, allowed_known = 0, allowed_eu = 0;
	for (size_t i = 0; i < n; i++) {
		const struct list_service *s = vendor_service(a->o->list, rows[i]->key);
		json_t *o = json_object();
		json_object_set_new(o, "vendor", json_string(rows[i]->key));
		json_object_set_new(o, "jurisdiction", str_or_null(s ? s->jurisdiction : NULL));
		json_object_set_new(o, "eu", s ? json_boolean(s->eu) : json_null());
		put_counts(o, rows[i]->c);
		json_array_append_new(arr, o);
		if (s != NULL) {
			uint64_t allowed = rows[i]->c[COL_ALLOW] + rows[i]->c[COL_LOG];
			known += rows[i]->c[COL_EVENTS];
			allowed_known += allowed;
			if (s->eu) {
				eu += rows[i]->c[COL_EVENTS];
				allowed_eu += allowed;
			}
		}
	}
	free(rows);
	*eu_share = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}",
			      "events_known", uint_json(known), "events_eu", uint_json(eu),
			      "share", known ? json_real((double)eu / (double)known) : json_null(),
			      "allowed_known", uint_json(allowed_known),
			      "allowed_eu", uint_json(allowed_eu),
			      "allowed_share", allowed_known ? json_real((double)allowed_eu / (double)allowed_known) : json_null());
	return arr;
}

static json_t *terms_json(struct report_agg *a)
{
	static const char *const order[] = { "consumer", "shared", "api", "enterprise", "dns-bypass", "unlisted" };
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		struct rtab_row *r = rtab_find(a->terms, order[i], strlen(order[i]));
		uint64_t zero[RTAB_COLS] = { 0 };
		json_t *o = json_object();
		json_object_set_new(o, "terms", json_string(order[i]));
		put_counts(o, r ? r->c : zero);
		json_array_append_new(arr, o);
	}
	/* Anything else a log carries (another version's classes). */
	for (size_t i = 0; i < rtab_n_rows(a->terms); i++) {
		struct rtab_row *r = rtab_row_at(a->terms, i);
		bool known = false;
		for (size_t j = 0; j < sizeof order / sizeof order[0]; j++)
			known = known || strcmp(r->key, order[j]) == 0;
		if (known)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "terms", json_string(r->key));
		put_counts(o, r->c);
		json_array_append_new(arr, o);
	}
	return arr;
}

static int items_by_count(const void *x, const void *y)
{
	const struct topk_item *a = *(const struct topk_item *const *)x;
	const struct topk_item *b = *(const struct topk_item *const *)y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->key, b->key);
}

static json_t *clients_json(struct report_agg *a)
{
	size_t n = topk_n(a->clients);
	const struct topk_item **v = n ? malloc(n * sizeof *v) : NULL;
	json_t *arr = json_array();
	if (v != NULL) {
		for (size_t i = 0; i < n; i++)
			v[i] = topk_at(a->clients, i);
		qsort(v, n, sizeof *v, items_by_count);
		for (size_t i = 0; i < n && i < a->o->top_n; i++) {
			json_t *svcs = json_array();
			char note[64];
			memcpy(note, v[i]->note, sizeof note);
			for (char *save = NULL, *t = strtok_r(note, " ", &save); t; t = strtok_r(NULL, " ", &save))
				json_array_append_new(svcs, json_string(t));
			json_array_append_new(arr, json_pack("{s:s,s:o,s:o,s:o}", "client", v[i]->key,
							     "blocked", uint_json(v[i]->count),
							     "overcount", uint_json(v[i]->err),
							     "services", svcs));
		}
	}
	free(v);
	return json_pack("{s:s,s:o,s:o,s:o,s:o}", "method", "space-saving",
			 "capacity", uint_json(topk_capacity(a->clients)),
			 "tracked", uint_json(n), "evicted", uint_json(topk_evicted(a->clients)),
			 "clients", arr);
}

struct scored {
	const struct topk_item *it;
	int score;
};

static int by_score(const void *x, const void *y)
{
	const struct scored *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->it->count != b->it->count)
		return a->it->count < b->it->count ? 1 : -1;
	return strcmp(a->it->key, b->it->key);
}

static json_t *review_json(struct report_agg *a)
{
	size_t n = topk_n(a->names);
	struct scored *v = n ? malloc(n * sizeof *v) : NULL;
	json_t *arr = json_array();
	if (v != NULL) {
		for (size_t i = 0; i < n; i++) {
			v[i].it = topk_at(a->names, i);
			v[i].score = review_score(a->review, v[i].it->key, NULL, 0);
		}
		qsort(v, n, sizeof *v, by_score);
		for (size_t i = 0; i < n && i < a->o->top_n; i++) {
			char why[256];
			review_score(a->review, v[i].it->key, why, sizeof why);
			json_t *sig = json_array();
			for (char *save = NULL, *t = strtok_r(why, ",", &save); t; t = strtok_r(NULL, ",", &save))
				json_array_append_new(sig, json_string(t));
			json_array_append_new(arr, json_pack("{s:s,s:i,s:o,s:o,s:o}", "name", v[i].it->key,
							     "score", v[i].score, "signals", sig,
							     "events", uint_json(v[i].it->count),
							     "overcount", uint_json(v[i].it->err)));
		}
	}
	free(v);
	return json_pack("{s:s,s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "method", "space-saving",
			 "min_score", REVIEW_MIN_SCORE,
			 "capacity", uint_json(topk_capacity(a->names)),
			 "tracked", uint_json(n), "evicted", uint_json(topk_evicted(a->names)),
			 "unlisted_events", uint_json(a->unlisted_events),
			 "candidate_events", uint_json(a->review_events), "names", arr);
}

/* Rows of a pair table whose first part is `first`: the second parts
 * with their counts, by events; *n_out the number of such rows. */
static json_t *pair_json(struct rtab *t, const char *first, const char *keyname, size_t limit,
			 size_t *n_out)
{
	size_t n, fl = strlen(first);
	struct rtab_row **rows = sorted_rows(t, rows_by_events, &n);
	json_t *arr = json_array();
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i]->key_len <= fl || memcmp(rows[i]->key, first, fl) != 0 ||
		    rows[i]->key[fl] != SEP)
			continue;
		if ((*n_out)++ >= limit)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, keyname, json_string(rows[i]->key + fl + 1));
		put_counts(o, rows[i]->c);
		json_array_append_new(arr, o);
	}
	free(rows);
	return arr;
}

static json_t *groups_json(struct report_agg *a, struct rtab *main, struct rtab *svcs,
			   struct rtab *clients, const char *keyname)
{
	size_t n;
	struct rtab_row **rows = sorted_rows(main, rows_by_events, &n);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		size_t n_svc, n_cli;
		json_t *o = json_object();
		json_object_set_new(o, keyname, json_string(rows[i]->key));
		put_counts(o, rows[i]->c);
		json_object_set_new(o, "first", time_or_null(rows[i]->first_us));
		json_object_set_new(o, "last", time_or_null(rows[i]->last_us));
		json_object_set_new(o, "services", pair_json(svcs, rows[i]->key, "service", a->o->top_n, &n_svc));
		json_t *cl = pair_json(clients, rows[i]->key, "client", a->o->top_n, &n_cli);
		json_object_set_new(o, "clients", uint_json(n_cli));
		json_object_set_new(o, "clients_complete", json_boolean(rtab_dropped_rows(clients) == 0));
		json_object_set_new(o, "top_clients", cl);
		json_array_append_new(arr, o);
	}
	free(rows);
	return arr;
}

static json_t *serials_json(struct report_agg *a)
{
	size_t n;
	struct rtab_row **rows = sorted_rows(a->serials, rows_by_key, &n);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "serial", uint_json(strtoull(rows[i]->key, NULL, 10)));
		put_counts(o, rows[i]->c);
		json_object_set_new(o, "first", time_or_null(rows[i]->first_us));
		json_object_set_new(o, "last", time_or_null(rows[i]->last_us));
		json_array_append_new(arr, o);
	}
	free(rows);
	return arr;
}

/* The timeline: per hour when the range is under three days, else per
 * day, with empty buckets filled in between the ends of the range (at
 * most MAX_BUCKETS; beyond that only the buckets with events). */
static json_t *timeline_json(struct report_agg *a)
{
	int64_t lo = a->o->since_us != INT64_MIN ? a->o->since_us : a->first_us;
	int64_t hi = a->o->until_us != INT64_MAX ? a->o->until_us : a->last_us;
	json_t *arr = json_array();
	if (a->records == 0 && (a->o->since_us == INT64_MIN || a->o->until_us == INT64_MAX))
		return json_pack("{s:s,s:o}", "unit", "day", "buckets", arr);
	bool hourly = hi - lo < HOURLY_BELOW_US && rtab_dropped_rows(a->hours) == 0;
	int64_t step = (hourly ? INT64_C(3600) : INT64_C(86400)) * 1000000;
	struct rtab *t = hourly ? a->hours : a->days;
	size_t keylen = hourly ? 13 : 10;
	int64_t first = lo - (lo % step + step) % step;
	if ((hi - first) / step >= MAX_BUCKETS && a->records > 0)
		first = a->first_us - (a->first_us % step + step) % step;
	if ((hi - first) / step < MAX_BUCKETS) {
		for (int64_t b = first; b <= hi; b += step) {
			char key[40];
			uint64_t zero[RTAB_COLS] = { 0 };
			report_format_second(b, key, sizeof key);
			struct rtab_row *r = rtab_find(t, key, keylen);
			key[keylen] = '\0';
			json_t *o = json_object();
			json_object_set_new(o, "start", json_string(hourly ? strcat(key, ":00:00Z") : key));
			put_counts(o, r ? r->c : zero);
			json_array_append_new(arr, o);
		}
	} else {
		size_t n;
		struct rtab_row **rows = sorted_rows(t, rows_by_key, &n);
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "start", json_string(rows[i]->key));
			put_counts(o, rows[i]->c);
			json_array_append_new(arr, o);
		}
		free(rows);
	}
	return json_pack("{s:s,s:o}", "unit", hourly ? "hour" : "day", "buckets", arr);
}

static json_t *dropped_json(struct report_agg *a)
{
	struct { const char *name; struct rtab *t; } tabs[] = {
		{ "verdicts", a->verdicts }, { "modes", a->modes }, { "app_protos", a->app_protos },
		{ "reasons", a->reasons }, { "terms", a->terms }, { "services", a->services },
		{ "vendors", a->vendors }, { "days", a->days }, { "zones", a->zones },
		{ "zone_services", a->zone_services }, { "zone_clients", a->zone_clients },
		{ "contracts", a->contracts }, { "contract_services", a->contract_services },
		{ "contract_clients", a->contract_clients }, { "list_serials", a->serials },
	};
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
		if (rtab_dropped_rows(tabs[i].t) > 0)
			json_object_set_new(o, tabs[i].name, uint_json(rtab_dropped_weight(tabs[i].t)));
	return o;
}

json_t *report_agg_result(struct report_agg *a, const struct report_read_stats *st,
			  char **files, int n_files)
{
	json_t *eu_share = NULL;
	json_t *fl = json_array();
	for (int i = 0; i < n_files; i++)
		json_array_append_new(fl, json_string(files[i]));
	json_t *totals = json_object();
	uint64_t tot[RTAB_COLS] = { a->actions[0], a->actions[1], a->actions[2], a->actions[3], a->events, a->records };
	put_counts(totals, tot);
	json_object_set_new(totals, "verdicts", breakdown(a->verdicts, "verdict"));
	json_object_set_new(totals, "modes", breakdown(a->modes, "mode"));
	json_object_set_new(totals, "app_protos", breakdown(a->app_protos, "app_proto"));
	json_object_set_new(totals, "reasons", breakdown(a->reasons, "reason"));

	json_t *hdr = json_object();
	json_object_set_new(hdr, "generator", json_string("aigatectl report"));
	json_object_set_new(hdr, "format", json_integer(1));
	json_object_set_new(hdr, "files", fl);
	json_object_set_new(hdr, "since", time_or_null(a->o->since_us));
	json_object_set_new(hdr, "until", time_or_null(a->o->until_us));
	json_object_set_new(hdr, "first_event", time_or_null(a->records ? a->first_us : INT64_MIN));
	json_object_set_new(hdr, "last_event", time_or_null(a->records ? a->last_us : INT64_MIN));
	json_object_set_new(hdr, "files_read", uint_json(st->files_read));
	json_object_set_new(hdr, "files_failed", uint_json(st->files_failed));
	json_object_set_new(hdr, "lines", uint_json(st->lines));
	json_object_set_new(hdr, "records", uint_json(a->records));
	json_object_set_new(hdr, "corrupt_lines", uint_json(st->corrupt));
	json_object_set_new(hdr, "outside_range", uint_json(a->outside));
	json_object_set_new(hdr, "vendor_facts", json_string(a->o->list_source ? a->o->list_source : "events"));
	json_object_set_new(hdr, "dropped", dropped_json(a));

	json_t *vendors = vendors_json(a, &eu_share);
	json_t *r = json_object();
	json_object_set_new(r, "report", hdr);
	json_object_set_new(r, "totals", totals);
	json_object_set_new(r, "services", services_json(a));
	json_object_set_new(r, "vendors", vendors);
	json_object_set_new(r, "eu_share", eu_share);
	json_object_set_new(r, "terms", terms_json(a));
	json_object_set_new(r, "top_clients", clients_json(a));
	json_object_set_new(r, "timeline", timeline_json(a));
	json_object_set_new(r, "zones", groups_json(a, a->zones, a->zone_services, a->zone_clients, "zone"));
	json_object_set_new(r, "contracts", groups_json(a, a->contracts, a->contract_services, a->contract_clients, "contract"));
	json_object_set_new(r, "list_serials", serials_json(a));
	json_object_set_new(r, "names_to_review", review_json(a));
	if (a->oom) {
		json_decref(r);
		return NULL;
	}
	return r;
}
