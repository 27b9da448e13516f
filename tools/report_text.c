/* report_text.c: the report as plain text, and the helpers the writers
 * share; see report_write.h. */
#include "report_write.h"

#include <string.h>

size_t report_unsafe_at(const char *p, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)p;
	if (u[0] < 0x20 || u[0] == 0x7f) {
		*cp = u[0];
		return 1;
	}
	/* U+0080..U+009F: C2 80..C2 9F. */
	if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
		*cp = u[1];
		return 2;
	}
	/* U+202A..U+202E (E2 80 AA..AE), U+2066..U+2069 (E2 81 A6..A9). */
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) {
		*cp = 0x2000u + (u[2] - 0x80u);
		return 3;
	}
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9) {
		*cp = 0x2040u + (u[2] - 0x80u);
		return 3;
	}
	return 0;
}

long long rj_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

double rj_real(json_t *o, const char *key, bool *present)
{
	json_t *v = json_object_get(o, key);
	*present = json_is_number(v);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

const char *rj_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Print s with unsafe characters as text escapes, padded with spaces to
 * width columns (0: no padding; longer strings are not cut). */
static void put(FILE *f, const char *s, int width)
{
	int n = 0;
	if (s == NULL)
		s = "-";
	while (*s != '\0') {
		unsigned cp;
		size_t k = report_unsafe_at(s, &cp);
		if (k > 0) {
			n += fprintf(f, cp < 0x100 ? "\\x%02x" : "\\u%04x", cp);
			s += k;
			continue;
		}
		fputc(*s, f);
		/* Count UTF-8 lead bytes only, for the padding. */
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
		s++;
	}
	for (; n < width; n++)
		fputc(' ', f);
}

static void counts_line(FILE *f, json_t *o)
{
	fprintf(f, "%9lld %9lld %9lld %9lld", rj_int(o, "events"), rj_int(o, "allow"),
		rj_int(o, "log"), rj_int(o, "block"));
	if (rj_int(o, "other") != 0)
		fprintf(f, "  (other %lld)", rj_int(o, "other"));
	fputc('\n', f);
}

static void breakdown_line(FILE *f, const char *title, json_t *arr, const char *key)
{
	size_t i;
	json_t *o;
	fprintf(f, "  %-12s", title);
	json_array_foreach(arr, i, o) {
		fputs(i > 0 ? ", " : " ", f);
		put(f, rj_str(o, key), 0);
		fprintf(f, " %lld", rj_int(o, "events"));
	}
	fputc('\n', f);
}

static void section(FILE *f, const char *title)
{
	fprintf(f, "\n%s\n", title);
	for (size_t i = 0; i < strlen(title); i++)
		fputc('-', f);
	fputc('\n', f);
}

static void percent(FILE *f, json_t *o, const char *share, const char *part, const char *whole)
{
	bool present;
	double v = rj_real(o, share, &present);
	if (present)
		fprintf(f, "%.1f%% (%lld of %lld)", v * 100.0, rj_int(o, part), rj_int(o, whole));
	else
		fputs("n/a (no vendor with a known jurisdiction)", f);
}

static void groups(FILE *f, json_t *arr, const char *key, bool dates)
{
	size_t i, j;
	json_t *g, *s;
	json_array_foreach(arr, i, g) {
		fputs("  ", f);
		put(f, rj_str(g, key), 0);
		fprintf(f, ": %lld events (allow %lld, log %lld, block %lld), %lld client%s%s\n",
			rj_int(g, "events"), rj_int(g, "allow"), rj_int(g, "log"), rj_int(g, "block"),
			rj_int(g, "clients"), rj_int(g, "clients") == 1 ? "" : "s",
			json_is_true(json_object_get(g, "clients_complete")) ? "" : " or more");
		if (dates) {
			fputs("    first ", f);
			put(f, rj_str(g, "first"), 0);
			fputs(", last ", f);
			put(f, rj_str(g, "last"), 0);
			fputc('\n', f);
		}
		fputs("    services:", f);
		json_array_foreach(json_object_get(g, "services"), j, s) {
			fputs(j > 0 ? ", " : " ", f);
			put(f, rj_str(s, "service"), 0);
			fprintf(f, " %lld", rj_int(s, "events"));
		}
		fputc('\n', f);
	}
	if (json_array_size(arr) == 0)
		fputs("  (none)\n", f);
}

bool report_write_text(FILE *f, json_t *m)
{
	json_t *hdr = json_object_get(m, "report"), *tot = json_object_get(m, "totals");
	json_t *o, *arr;
	size_t i;

	fputs("aigate report\n=============\n", f);
	fputs("  files:        ", f);
	json_array_foreach(json_object_get(hdr, "files"), i, o) {
		fputs(i > 0 ? ", " : "", f);
		put(f, json_string_value(o), 0);
	}
	fprintf(f, " (%lld read, %lld failed)\n", rj_int(hdr, "files_read"), rj_int(hdr, "files_failed"));
	fputs("  range:        ", f);
	put(f, rj_str(hdr, "since") ? rj_str(hdr, "since") : "(start)", 0);
	fputs(" .. ", f);
	put(f, rj_str(hdr, "until") ? rj_str(hdr, "until") : "(end)", 0);
	fputs("\n  events seen:  ", f);
	put(f, rj_str(hdr, "first_event"), 0);
	fputs(" .. ", f);
	put(f, rj_str(hdr, "last_event"), 0);
	fprintf(f, "\n  lines:        %lld (%lld events, %lld corrupt lines skipped, %lld events outside the range)\n",
		rj_int(hdr, "lines"), rj_int(hdr, "records"), rj_int(hdr, "corrupt_lines"),
		rj_int(hdr, "outside_range"));
	fputs("  vendor facts: ", f);
	put(f, rj_str(hdr, "vendor_facts"), 0);
	fputc('\n', f);
	json_t *dropped = json_object_get(hdr, "dropped");
	if (json_object_size(dropped) > 0) {
		const char *k;
		json_t *v;
		fputs("  table limits reached (events not itemised):", f);
		json_object_foreach(dropped, k, v)
			fprintf(f, " %s %lld", k, (long long)json_integer_value(v));
		fputc('\n', f);
	}

	section(f, "Totals (events; folded repeats counted)");
	fprintf(f, "  %-30s %9s %9s %9s %9s\n", "", "events", "allow", "log", "block");
	fprintf(f, "  %-30s ", "all");
	counts_line(f, tot);
	breakdown_line(f, "verdicts:", json_object_get(tot, "verdicts"), "verdict");
	breakdown_line(f, "reasons:", json_object_get(tot, "reasons"), "reason");
	breakdown_line(f, "modes:", json_object_get(tot, "modes"), "mode");
	breakdown_line(f, "protocols:", json_object_get(tot, "app_protos"), "app_proto");

	section(f, "Services");
	fprintf(f, "  %-30s %-24s %-4s %9s %9s %9s %9s\n", "service", "vendor", "jur.", "events", "allow", "log", "block");
	arr = json_object_get(m, "services");
	json_array_foreach(arr, i, o) {
		fputs("  ", f);
		put(f, rj_str(o, "service"), 30);
		fputc(' ', f);
		put(f, rj_str(o, "vendor"), 24);
		fputc(' ', f);
		put(f, rj_str(o, "jurisdiction"), 4);
		counts_line(f, o);
	}
	if (json_array_size(arr) == 0)
		fputs("  (none)\n", f);

	section(f, "Vendors");
	fprintf(f, "  %-30s %-4s %-3s %9s %9s %9s %9s\n", "vendor", "jur.", "EU", "events", "allow", "log", "block");
	json_array_foreach(json_object_get(m, "vendors"), i, o) {
		json_t *eu = json_object_get(o, "eu");
		fputs("  ", f);
		put(f, rj_str(o, "vendor"), 30);
		fputc(' ', f);
		put(f, rj_str(o, "jurisdiction"), 4);
		fprintf(f, " %-3s", json_is_true(eu) ? "yes" : json_is_false(eu) ? "no" : "?");
		counts_line(f, o);
	}
	json_t *eu = json_object_get(m, "eu_share");
	fputs("  EU share of events to vendors of known jurisdiction: ", f);
	percent(f, eu, "share", "events_eu", "events_known");
	fputs("\n  EU share of allowed (allow + log) events:            ", f);
	percent(f, eu, "allowed_share", "allowed_eu", "allowed_known");
	fputc('\n', f);

	section(f, "Terms classes");
	fprintf(f, "  %-30s %9s %9s %9s %9s\n", "terms", "events", "allow", "log", "block");
	json_array_foreach(json_object_get(m, "terms"), i, o) {
		fputs("  ", f);
		put(f, rj_str(o, "terms"), 30);
		fputc(' ', f);
		counts_line(f, o);
	}

	json_t *tc = json_object_get(m, "top_clients");
	section(f, "Top clients by blocked attempts");
	json_array_foreach(json_object_get(tc, "clients"), i, o) {
		size_t j;
		json_t *s;
		fputs("  ", f);
		put(f, rj_str(o, "client"), 40);
		fprintf(f, " %9lld", rj_int(o, "blocked"));
		if (rj_int(o, "overcount") > 0)
			fprintf(f, " (at most %lld too many)", rj_int(o, "overcount"));
		fputs("  ", f);
		json_array_foreach(json_object_get(o, "services"), j, s) {
			fputs(j > 0 ? " " : "", f);
			put(f, json_string_value(s), 0);
		}
		fputc('\n', f);
	}
	if (json_array_size(json_object_get(tc, "clients")) == 0)
		fputs("  (none)\n", f);
	if (rj_int(tc, "evicted") > 0)
		fprintf(f, "  (more than %lld distinct clients: counts are space-saving estimates)\n",
			rj_int(tc, "capacity"));

	json_t *tl = json_object_get(m, "timeline");
	bool hourly = rj_str(tl, "unit") && strcmp(rj_str(tl, "unit"), "hour") == 0;
	section(f, hourly ? "Timeline (per hour, UTC)" : "Timeline (per day, UTC)");
	long long peak = 1;
	json_array_foreach(json_object_get(tl, "buckets"), i, o)
		if (rj_int(o, "events") > peak)
			peak = rj_int(o, "events");
	fprintf(f, "  %-20s %9s %9s %9s %9s\n", "start", "events", "allow", "log", "block");
	json_array_foreach(json_object_get(tl, "buckets"), i, o) {
		fputs("  ", f);
		put(f, rj_str(o, "start"), 20);
		fprintf(f, " %9lld %9lld %9lld %9lld  ", rj_int(o, "events"), rj_int(o, "allow"),
			rj_int(o, "log"), rj_int(o, "block"));
		long long bar = rj_int(o, "events") * 30 / peak;
		for (long long b = 0; b < bar; b++)
			fputc('#', f);
		fputc('\n', f);
	}

	section(f, "Sandbox zones");
	groups(f, json_object_get(m, "zones"), "zone", false);
	section(f, "Contracts");
	groups(f, json_object_get(m, "contracts"), "contract", true);

	section(f, "List serials seen");
	json_array_foreach(json_object_get(m, "list_serials"), i, o) {
		fprintf(f, "  %-12lld %9lld events  ", rj_int(o, "serial"), rj_int(o, "events"));
		put(f, rj_str(o, "first"), 0);
		fputs(" .. ", f);
		put(f, rj_str(o, "last"), 0);
		fputc('\n', f);
	}

	json_t *rv = json_object_get(m, "names_to_review");
	section(f, "Names to review (unlisted, AI-looking; candidates for the list)");
	fprintf(f, "  %lld unlisted events, %lld of them AI-looking (score >= %lld)\n",
		rj_int(rv, "unlisted_events"), rj_int(rv, "candidate_events"), rj_int(rv, "min_score"));
	json_array_foreach(json_object_get(rv, "names"), i, o) {
		size_t j;
		json_t *s;
		fprintf(f, "  %2lld %9lld  ", rj_int(o, "score"), rj_int(o, "events"));
		put(f, rj_str(o, "name"), 40);
		fputs(" ", f);
		json_array_foreach(json_object_get(o, "signals"), j, s) {
			fputs(j > 0 ? ", " : "", f);
			put(f, json_string_value(s), 0);
		}
		fputc('\n', f);
	}
	return !ferror(f);
}

bool report_write_json(FILE *f, json_t *m)
{
	if (json_dumpf(m, f, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER) != 0)
		return false;
	fputc('\n', f);
	return !ferror(f);
}
