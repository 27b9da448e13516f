/* report_html.c: the report as one self-contained HTML page: no script,
 * no external fonts, stylesheets or images (a Content-Security-Policy
 * says so to the browser too), charts as inline SVG, print styles, and
 * every string from the log entity-escaped.  The page is readable
 * without JavaScript and prints on A4. */
#include "report_write.h"

#include <string.h>

/* Okabe-Ito colours: distinguishable with common colour blindness. */
#define C_BLOCK "#d55e00"
#define C_LOG "#e69f00"
#define C_ALLOW "#0072b2"
#define C_OTHER "#999999"

/* Text content and attribute values: & < > " ' as entities, unsafe
 * characters (controls, bidi overrides) as visible \xNN / \uNNNN text. */
static void esc(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("&#8212;", f);
		return;
	}
	for (; *s != '\0';) {
		unsigned cp;
		size_t k = report_unsafe_at(s, &cp);
		if (k > 0) {
			fprintf(f, cp < 0x100 ? "\\x%02x" : "\\u%04x", cp);
			s += k;
			continue;
		}
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
		s++;
	}
}

static const char css[] =
	":root{--block:" C_BLOCK ";--log:" C_LOG ";--allow:" C_ALLOW ";}"
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"margin:0 auto;max-width:1100px;padding:1.5em;color:#1a1a1a;background:#fff;line-height:1.4}"
	"h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.2em;border-bottom:2px solid #ddd;"
	"padding-bottom:.2em;margin-top:1.8em}"
	".meta{color:#555;font-size:.9em}.meta td{padding:0 1em 0 0}"
	".cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}"
	".card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:8em}"
	".card .v{font-size:1.5em;font-weight:600}.card .k{color:#555;font-size:.85em}"
	".card.block .v{color:var(--block)}.card.allow .v{color:var(--allow)}.card.log .v{color:#a66f00}"
	"table.data{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}"
	"table.data th,table.data td{border-bottom:1px solid #e5e5e5;padding:.25em .5em;text-align:left;vertical-align:top}"
	"table.data td.n,table.data th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"table.data th{background:#f4f4f4}"
	"code,.name{font-family:'DejaVu Sans Mono',monospace;word-break:break-all}"
	"figure{margin:1em 0}figcaption{font-size:.9em;color:#444;margin-bottom:.3em}"
	"svg{max-width:100%;height:auto;font-family:inherit}"
	".legend span{display:inline-block;margin-right:1.2em;font-size:.85em}"
	".legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}"
	".note{color:#555;font-size:.85em}.eu{font-weight:600}"
	"@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}"
	"figure,table.data tr,.card{break-inside:avoid}a{color:inherit;text-decoration:none}"
	"@page{size:A4;margin:15mm}}";

static void legend(FILE *f)
{
	fputs("<div class=\"legend\"><span><i style=\"background:" C_BLOCK "\"></i>block</span>"
	      "<span><i style=\"background:" C_LOG "\"></i>log</span>"
	      "<span><i style=\"background:" C_ALLOW "\"></i>allow</span></div>\n", f);
}

static void num_td(FILE *f, long long v)
{
	fprintf(f, "<td class=\"n\">%lld</td>", v);
}

static void counts_tds(FILE *f, json_t *o)
{
	num_td(f, rj_int(o, "events"));
	num_td(f, rj_int(o, "allow"));
	num_td(f, rj_int(o, "log"));
	num_td(f, rj_int(o, "block"));
}

static const char counts_ths[] =
	"<th class=\"n\">events</th><th class=\"n\">allow</th><th class=\"n\">log</th><th class=\"n\">block</th>";

/* A stacked bar of block, log and allow of o from x (px), scaled. */
static void stacked(FILE *f, json_t *o, double x, double y, double h, double scale, const char *label)
{
	static const struct { const char *key, *colour; } parts[] = {
		{ "block", C_BLOCK }, { "log", C_LOG }, { "allow", C_ALLOW }, { "other", C_OTHER } };
	for (size_t p = 0; p < 4; p++) {
		long long v = rj_int(o, parts[p].key);
		if (v <= 0)
			continue;
		double w = (double)v * scale;
		fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" "
			   "data-part=\"%s\" data-value=\"%lld\"><title>",
			x, y, w, h, parts[p].colour, parts[p].key, v);
		esc(f, label);
		fprintf(f, ": %s %lld</title></rect>", parts[p].key, v);
		x += w;
	}
}

static void chart_timeline(FILE *f, json_t *tl)
{
	json_t *buckets = json_object_get(tl, "buckets"), *o;
	size_t n = json_array_size(buckets), i;
	bool hourly = rj_str(tl, "unit") && strcmp(rj_str(tl, "unit"), "hour") == 0;
	long long peak = 0;
	json_array_foreach(buckets, i, o)
		if (rj_int(o, "events") > peak)
			peak = rj_int(o, "events");
	const double W = 1000, H = 260, left = 60, right = 10, top = 10, bottom = 40;
	double pw = W - left - right, ph = H - top - bottom;
	double slot = n > 0 ? pw / (double)n : pw;
	double bw = slot > 3 ? slot * 0.8 : slot;
	fprintf(f, "<figure id=\"chart-timeline\"><figcaption>Events per %s (UTC), by action</figcaption>\n",
		hourly ? "hour" : "day");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		   "role=\"img\" aria-label=\"Timeline of events per %s\">", W, H, W, H, hourly ? "hour" : "day");
	/* Axis and three gridlines with their values. */
	for (int g = 0; g <= 4; g++) {
		double y = top + ph - ph * g / 4.0;
		fprintf(f, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.2f\" y2=\"%.2f\" stroke=\"%s\"/>",
			left, W - right, y, y, g == 0 ? "#888" : "#e5e5e5");
		fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">%lld</text>",
			left - 6, y + 4, peak * g / 4);
	}
	size_t label_every = n > 14 ? (n + 13) / 14 : 1;
	json_array_foreach(buckets, i, o) {
		double x = left + slot * (double)i + (slot - bw) / 2;
		long long ev = rj_int(o, "events");
		const char *start = rj_str(o, "start");
		fprintf(f, "<g class=\"bucket\" data-start=\"");
		esc(f, start);
		fprintf(f, "\" data-events=\"%lld\">", ev);
		/* Stack bottom-up: allow, log, block, other. */
		double y = top + ph;
		static const struct { const char *key, *colour; } parts[] = {
			{ "allow", C_ALLOW }, { "log", C_LOG }, { "block", C_BLOCK }, { "other", C_OTHER } };
		for (size_t p = 0; p < 4 && peak > 0; p++) {
			long long v = rj_int(o, parts[p].key);
			if (v <= 0)
				continue;
			double h = ph * (double)v / (double)peak;
			y -= h;
			fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" "
				   "data-part=\"%s\" data-value=\"%lld\"><title>", x, y, bw, h, parts[p].colour,
				parts[p].key, v);
			esc(f, start);
			fprintf(f, ": %s %lld</title></rect>", parts[p].key, v);
		}
		if (i % label_every == 0 && start != NULL) {
			fprintf(f, "<text x=\"%.2f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">",
				x + bw / 2, H - bottom + 16);
			/* Days as MM-DD, hours as HH:00. */
			char lab[16] = "";
			if (hourly && strlen(start) >= 16)
				snprintf(lab, sizeof lab, "%.5s", start + 11);
			else if (!hourly && strlen(start) >= 10)
				snprintf(lab, sizeof lab, "%.5s", start + 5);
			esc(f, lab);
			fputs("</text>", f);
		}
		fputs("</g>", f);
	}
	if (n == 0)
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" fill=\"#555\">no events</text>", left + 20, top + ph / 2);
	fputs("</svg>\n", f);
	legend(f);
	fputs("</figure>\n", f);
}

static void chart_blocked_services(FILE *f, json_t *services)
{
	/* The services with blocks, most first (services come by events). */
	json_t *o;
	size_t i, n = 0;
	json_t *v[20];
	long long peak = 0;
	json_array_foreach(services, i, o) {
		if (rj_int(o, "block") <= 0)
			continue;
		size_t at = n < 20 ? n++ : 20;
		if (at == 20) {
			if (rj_int(o, "block") <= rj_int(v[19], "block"))
				continue;
			at = 19;
		}
		v[at] = o;
		while (at > 0 && rj_int(v[at - 1], "block") < rj_int(v[at], "block")) {
			json_t *t = v[at - 1];
			v[at - 1] = v[at];
			v[at] = t;
			at--;
		}
	}
	for (i = 0; i < n; i++)
		if (rj_int(v[i], "block") > peak)
			peak = rj_int(v[i], "block");
	const double W = 1000, row = 24, left = 220, right = 80;
	double H = row * (double)(n > 0 ? n : 1) + 10;
	fputs("<figure id=\"chart-blocked\"><figcaption>Blocked attempts by service</figcaption>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		   "role=\"img\" aria-label=\"Blocked attempts by service\">", W, H, W, H);
	for (i = 0; i < n; i++) {
		double y = 5 + row * (double)i;
		long long b = rj_int(v[i], "block");
		double w = peak > 0 ? (W - left - right) * (double)b / (double)peak : 0;
		fputs("<g class=\"bar\" data-service=\"", f);
		esc(f, rj_str(v[i], "service"));
		fprintf(f, "\" data-block=\"%lld\">", b);
		fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"12\" text-anchor=\"end\" fill=\"#222\">", left - 8, y + row * 0.65);
		esc(f, rj_str(v[i], "service"));
		fprintf(f, "</text><rect x=\"%.0f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"" C_BLOCK "\"><title>", left, y + 3, w, row - 6);
		esc(f, rj_str(v[i], "service"));
		fprintf(f, ": %lld blocked</title></rect>", b);
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" fill=\"#222\">%lld</text></g>", left + w + 6, y + row * 0.65, b);
	}
	if (n == 0)
		fputs("<text x=\"20\" y=\"22\" font-size=\"14\" fill=\"#555\">no blocked attempts</text>", f);
	fputs("</svg></figure>\n", f);
}

static void chart_terms(FILE *f, json_t *terms)
{
	json_t *o;
	size_t i, n = json_array_size(terms);
	long long peak = 0;
	json_array_foreach(terms, i, o)
		if (rj_int(o, "events") > peak)
			peak = rj_int(o, "events");
	const double W = 1000, row = 28, left = 140, right = 90;
	double H = row * (double)(n > 0 ? n : 1) + 10;
	fputs("<figure id=\"chart-terms\"><figcaption>Actions by terms class</figcaption>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
		   "role=\"img\" aria-label=\"Actions by terms class\">", W, H, W, H);
	json_array_foreach(terms, i, o) {
		double y = 5 + row * (double)i;
		const char *t = rj_str(o, "terms");
		fputs("<g class=\"bar\" data-terms=\"", f);
		esc(f, t);
		fprintf(f, "\" data-events=\"%lld\">", rj_int(o, "events"));
		fprintf(f, "<text x=\"%.0f\" y=\"%.2f\" font-size=\"12\" text-anchor=\"end\" fill=\"#222\">", left - 8, y + row * 0.65);
		esc(f, t);
		fputs("</text>", f);
		double scale = peak > 0 ? (W - left - right) / (double)peak : 0;
		stacked(f, o, left, y + 4, row - 8, scale, t);
		fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" fill=\"#222\">%lld</text></g>",
			left + (double)rj_int(o, "events") * scale + 6, y + row * 0.65, rj_int(o, "events"));
	}
	fputs("</svg>\n", f);
	legend(f);
	fputs("</figure>\n", f);
}

static void card(FILE *f, const char *cls, const char *id, const char *key, long long v)
{
	fprintf(f, "<div class=\"card %s\" id=\"%s\"><div class=\"v\">%lld</div><div class=\"k\">%s</div></div>",
		cls, id, v, key);
}

static void share_text(FILE *f, json_t *eu, const char *share, const char *part, const char *whole)
{
	bool present;
	double v = rj_real(eu, share, &present);
	if (present)
		fprintf(f, "%.1f%% (%lld of %lld)", v * 100.0, rj_int(eu, part), rj_int(eu, whole));
	else
		fputs("n/a", f);
}

static void groups_table(FILE *f, json_t *arr, const char *key, const char *id, bool dates)
{
	json_t *g, *s;
	size_t i, j;
	if (json_array_size(arr) == 0) {
		fprintf(f, "<p id=\"%s\" class=\"note\">None in this period.</p>\n", id);
		return;
	}
	fprintf(f, "<table class=\"data\" id=\"%s\"><thead><tr><th>%s</th>%s<th class=\"n\">clients</th>%s<th>services</th></tr></thead><tbody>\n",
		id, key, counts_ths, dates ? "<th>first</th><th>last</th>" : "");
	json_array_foreach(arr, i, g) {
		fputs("<tr><td class=\"name\">", f);
		esc(f, rj_str(g, key));
		fputs("</td>", f);
		counts_tds(f, g);
		fprintf(f, "<td class=\"n\">%lld%s</td>", rj_int(g, "clients"),
			json_is_true(json_object_get(g, "clients_complete")) ? "" : "+");
		if (dates) {
			fputs("<td>", f);
			esc(f, rj_str(g, "first"));
			fputs("</td><td>", f);
			esc(f, rj_str(g, "last"));
			fputs("</td>", f);
		}
		fputs("<td>", f);
		json_array_foreach(json_object_get(g, "services"), j, s) {
			fputs(j > 0 ? ", " : "", f);
			fputs("<span class=\"name\">", f);
			esc(f, rj_str(s, "service"));
			fprintf(f, "</span> %lld", rj_int(s, "events"));
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

bool report_write_html(FILE *f, json_t *m)
{
	json_t *hdr = json_object_get(m, "report"), *tot = json_object_get(m, "totals");
	json_t *o, *s;
	size_t i, j;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"aigatectl report\">\n<title>aigate report</title>\n<style>", f);
	fputs(css, f);
	fputs("</style></head><body>\n<header><h1>aigate report</h1>\n<table class=\"meta\">", f);
	fputs("<tr><td>Files</td><td>", f);
	json_array_foreach(json_object_get(hdr, "files"), i, o) {
		fputs(i > 0 ? ", " : "", f);
		fputs("<code>", f);
		esc(f, json_string_value(o));
		fputs("</code>", f);
	}
	fprintf(f, " (%lld read, %lld failed)</td></tr>", rj_int(hdr, "files_read"), rj_int(hdr, "files_failed"));
	fputs("<tr><td>Range</td><td>", f);
	esc(f, rj_str(hdr, "since") ? rj_str(hdr, "since") : "(start)");
	fputs(" &#8211; ", f);
	esc(f, rj_str(hdr, "until") ? rj_str(hdr, "until") : "(end)");
	fputs("</td></tr><tr><td>Events seen</td><td>", f);
	esc(f, rj_str(hdr, "first_event"));
	fputs(" &#8211; ", f);
	esc(f, rj_str(hdr, "last_event"));
	fprintf(f, "</td></tr><tr><td>Input</td><td id=\"input-summary\">%lld lines, %lld events, "
		   "<span id=\"corrupt\">%lld</span> corrupt lines skipped, %lld events outside the range</td></tr>",
		rj_int(hdr, "lines"), rj_int(hdr, "records"), rj_int(hdr, "corrupt_lines"),
		rj_int(hdr, "outside_range"));
	fputs("<tr><td>Vendor facts</td><td>", f);
	esc(f, rj_str(hdr, "vendor_facts"));
	fputs("</td></tr></table></header>\n<main>\n", f);

	json_t *eu = json_object_get(m, "eu_share");
	fputs("<section id=\"summary\"><div class=\"cards\">", f);
	card(f, "", "total-events", "events (folded repeats counted)", rj_int(tot, "events"));
	card(f, "block", "total-block", "blocked", rj_int(tot, "block"));
	card(f, "log", "total-log", "logged (allowed)", rj_int(tot, "log"));
	card(f, "allow", "total-allow", "allowed", rj_int(tot, "allow"));
	fputs("<div class=\"card\" id=\"eu-share\"><div class=\"v\">", f);
	bool present;
	double share = rj_real(eu, "share", &present);
	if (present)
		fprintf(f, "%.1f%%", share * 100);
	else
		fputs("n/a", f);
	fputs("</div><div class=\"k\">to EU vendors</div></div></div>\n", f);
	fputs("<table class=\"data\" id=\"verdicts\"><thead><tr><th>verdict</th>", f);
	fputs(counts_ths, f);
	fputs("</tr></thead><tbody>", f);
	json_array_foreach(json_object_get(tot, "verdicts"), i, o) {
		fputs("<tr><td>", f);
		esc(f, rj_str(o, "verdict"));
		fputs("</td>", f);
		counts_tds(f, o);
		fputs("</tr>", f);
	}
	fputs("</tbody></table>\n", f);
	fputs("<p class=\"note\">Modes: ", f);
	json_array_foreach(json_object_get(tot, "modes"), i, o) {
		fputs(i > 0 ? ", " : "", f);
		esc(f, rj_str(o, "mode"));
		fprintf(f, " %lld", rj_int(o, "events"));
	}
	fputs(". Protocols: ", f);
	json_array_foreach(json_object_get(tot, "app_protos"), i, o) {
		fputs(i > 0 ? ", " : "", f);
		esc(f, rj_str(o, "app_proto"));
		fprintf(f, " %lld", rj_int(o, "events"));
	}
	fputs(".</p></section>\n", f);

	fputs("<section><h2>Timeline</h2>\n", f);
	chart_timeline(f, json_object_get(m, "timeline"));
	fputs("</section>\n", f);

	fputs("<section><h2>Services</h2>\n", f);
	chart_blocked_services(f, json_object_get(m, "services"));
	fputs("<table class=\"data\" id=\"services\"><thead><tr><th>service</th><th>vendor</th><th>jurisdiction</th>", f);
	fputs(counts_ths, f);
	fputs("</tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(m, "services"), i, o) {
		fputs("<tr data-service=\"", f);
		esc(f, rj_str(o, "service"));
		fputs("\"><td class=\"name\">", f);
		esc(f, rj_str(o, "service"));
		if (rj_str(o, "name")) {
			fputs(" <span class=\"note\">", f);
			esc(f, rj_str(o, "name"));
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		esc(f, rj_str(o, "vendor"));
		fputs("</td><td>", f);
		esc(f, rj_str(o, "jurisdiction"));
		fputs(json_is_true(json_object_get(o, "eu")) ? " <span class=\"eu\">EU</span>" : "", f);
		fputs("</td>", f);
		counts_tds(f, o);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);

	fputs("<section><h2>Vendors and jurisdiction</h2>\n<p id=\"eu-share-text\">EU share of events to vendors of known jurisdiction: ", f);
	share_text(f, eu, "share", "events_eu", "events_known");
	fputs("; of allowed (allow + log) events: ", f);
	share_text(f, eu, "allowed_share", "allowed_eu", "allowed_known");
	fputs(".</p>\n<table class=\"data\" id=\"vendors\"><thead><tr><th>vendor</th><th>jurisdiction</th><th>EU</th>", f);
	fputs(counts_ths, f);
	fputs("</tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(m, "vendors"), i, o) {
		json_t *e = json_object_get(o, "eu");
		fputs("<tr><td>", f);
		esc(f, rj_str(o, "vendor"));
		fputs("</td><td>", f);
		esc(f, rj_str(o, "jurisdiction"));
		fprintf(f, "</td><td>%s</td>", json_is_true(e) ? "yes" : json_is_false(e) ? "no" : "?");
		counts_tds(f, o);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);

	fputs("<section><h2>Terms classes</h2>\n", f);
	chart_terms(f, json_object_get(m, "terms"));
	fputs("<table class=\"data\" id=\"terms\"><thead><tr><th>terms</th>", f);
	fputs(counts_ths, f);
	fputs("</tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(m, "terms"), i, o) {
		fputs("<tr><td>", f);
		esc(f, rj_str(o, "terms"));
		fputs("</td>", f);
		counts_tds(f, o);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);

	json_t *tc = json_object_get(m, "top_clients");
	fputs("<section><h2>Top clients by blocked attempts</h2>\n", f);
	fputs("<table class=\"data\" id=\"clients\"><thead><tr><th>client</th><th class=\"n\">blocked</th><th>services</th></tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(tc, "clients"), i, o) {
		fputs("<tr><td class=\"name\">", f);
		esc(f, rj_str(o, "client"));
		fprintf(f, "</td><td class=\"n\">%lld", rj_int(o, "blocked"));
		if (rj_int(o, "overcount") > 0)
			fprintf(f, " (&#8804;%lld over)", rj_int(o, "overcount"));
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(o, "services"), j, s) {
			fputs(j > 0 ? " " : "", f);
			esc(f, json_string_value(s));
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	if (rj_int(tc, "evicted") > 0)
		fprintf(f, "<p class=\"note\">More than %lld distinct clients: counts are space-saving estimates.</p>\n",
			rj_int(tc, "capacity"));
	fputs("</section>\n", f);

	fputs("<section><h2>Sandbox zones</h2>\n", f);
	groups_table(f, json_object_get(m, "zones"), "zone", "zones", false);
	fputs("</section>\n<section><h2>Contracts</h2>\n", f);
	groups_table(f, json_object_get(m, "contracts"), "contract", "contracts", true);
	fputs("</section>\n", f);

	fputs("<section><h2>List serials seen</h2>\n<table class=\"data\" id=\"serials\"><thead><tr><th>serial</th>", f);
	fputs(counts_ths, f);
	fputs("<th>first</th><th>last</th></tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(m, "list_serials"), i, o) {
		fprintf(f, "<tr><td>%lld</td>", rj_int(o, "serial"));
		counts_tds(f, o);
		fputs("<td>", f);
		esc(f, rj_str(o, "first"));
		fputs("</td><td>", f);
		esc(f, rj_str(o, "last"));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);

	json_t *rv = json_object_get(m, "names_to_review");
	fprintf(f, "<section><h2>Names to review</h2>\n<p class=\"note\">Unlisted names that look like AI services "
		   "(score &#8805; %lld), for the list maintainers: %lld of %lld unlisted events.</p>\n",
		rj_int(rv, "min_score"), rj_int(rv, "candidate_events"), rj_int(rv, "unlisted_events"));
	fputs("<table class=\"data\" id=\"review\"><thead><tr><th class=\"n\">score</th><th class=\"n\">events</th><th>name</th><th>signals</th></tr></thead><tbody>\n", f);
	json_array_foreach(json_object_get(rv, "names"), i, o) {
		fprintf(f, "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"name\">",
			rj_int(o, "score"), rj_int(o, "events"));
		esc(f, rj_str(o, "name"));
		fputs("</td><td>", f);
		json_array_foreach(json_object_get(o, "signals"), j, s) {
			fputs(j > 0 ? ", " : "", f);
			esc(f, json_string_value(s));
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n</main>\n"
	      "<footer class=\"note\"><p>Generated by aigatectl report. Times are UTC. Counts include folded repeats.</p></footer>\n"
	      "</body></html>\n", f);
	return !ferror(f);
}
