/* config.c: loading aigate.conf, the maintained list and contracts.d with
 * libconfig (1.5) into one validated snapshot (config.h).
 *
 * Every loader works the same way: read the file with libconfig, walk
 * every setting, reject unknown keys and wrong types, validate values,
 * and report each problem at the file:line of the offending setting.
 * Loading continues after an error so that one run shows every problem,
 * but a loader that reported anything returns NULL and frees what it
 * built: nothing half-loaded leaves this file.
 *
 * Paths in aigate.conf (list, contracts, log.events, control.socket)
 * that are relative are taken relative to the directory of aigate.conf,
 * so a test or lab configuration can sit beside its list.
 *
 * The `update` group (url, pubkeys) is only read by aigatectl update.
 * List endpoints may carry `open_tenancy = true` (names under which
 * anyone can create resources); with diag.lint set (aigatectl lint) such
 * enterprise groups are warned about, and contracts naming them are
 * flagged (config_load_contract_ot). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ip.h"
#include "core/list.h"
#include "core/name.h"
#include "core/policy.h"

#ifndef AIGATE_RUNSTATEDIR
#define AIGATE_RUNSTATEDIR "/run"
#endif

/* Built-in defaults: the values of etc/aigate.conf. */
#define DEF_EVENT_FILE AIGATE_LOCALSTATEDIR "/log/aigate/events.json"
#define DEF_CONTROL_SOCKET AIGATE_RUNSTATEDIR "/aigate/control.sock"
#define DEF_USER "aigate"
#define DEF_EDE_TEXT \
	"Blocked by aigate: generative-AI service under consumer terms (agency AI policy)"
#define EDE_TEXT_MAX_LEN 200
#define SECONDS_PER_DAY 86400

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */

__attribute__((format(printf, 5, 0)))
static void diag_vreport(struct diag *d, const char *severity, const char *file,
			 unsigned line, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (d->emit != NULL)
		d->emit(d->ctx, severity, file, line, msg);
}

void diag_error(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	d->n_errors++;
	va_start(ap, fmt);
	diag_vreport(d, "error", file, line, fmt, ap);
	va_end(ap);
}

void diag_warn(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	d->n_warnings++;
	va_start(ap, fmt);
	diag_vreport(d, "warning", file, line, fmt, ap);
	va_end(ap);
}

static void emit_stderr(void *ctx, const char *severity, const char *file,
			unsigned line, const char *msg)
{
	(void)ctx;
	if (file != NULL && line > 0)
		fprintf(stderr, "%s:%u: %s: %s\n", file, line, severity, msg);
	else if (file != NULL)
		fprintf(stderr, "%s: %s: %s\n", file, severity, msg);
	else
		fprintf(stderr, "aigate: %s: %s\n", severity, msg);
}

void diag_init_stderr(struct diag *d)
{
	d->emit = emit_stderr;
	d->ctx = NULL;
	d->n_errors = 0;
	d->n_warnings = 0;
	d->lint = false;
}

/* ------------------------------------------------------------------ */
/* Dates                                                               */

/* Days since 1970-01-01 of a proleptic Gregorian date (y >= 0). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = y / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool date_parse(const char *s, int64_t *out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int v[3] = { 0, 0, 0 };
	static const int widths[3] = { 4, 2, 2 };

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int f = 0, pos = 0; f < 3; f++) {
		for (int i = 0; i < widths[f]; i++, pos++) {
			if (!isdigit((unsigned char)s[pos]))
				return false;
			v[f] = v[f] * 10 + (s[pos] - '0');
		}
		pos++; /* the '-' */
	}
	int y = v[0], m = v[1], d = v[2];
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return false;
	int dim = mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
	if (d > dim)
		return false;
	*out = days_from_civil(y, m, d) * SECONDS_PER_DAY;
	return true;
}

int64_t date_end_of_day(int64_t day_start)
{
	return day_start + SECONDS_PER_DAY - 1;
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static char *xstrdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void free_strv(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* True when s (len bytes) is well-formed UTF-8 without control
 * characters (C0, DEL, C1). */
static bool utf8_printable(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n > len - i - 1)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3fu);
		}
		/* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0x80 && cp <= 0x9f))
			return false;
		i += n + 1;
	}
	return true;
}

/* "dir/of/base" + "/" + p, or a copy of p when p is absolute or base
 * has no directory part.  NULL when out of memory. */
static char *resolve_path(const char *base_file, const char *p)
{
	const char *slash = base_file != NULL ? strrchr(base_file, '/') : NULL;
	char *out;

	if (p[0] == '/' || slash == NULL)
		return strdup(p);
	size_t dir_len = (size_t)(slash - base_file);
	if (asprintf(&out, "%.*s/%s", (int)dir_len, base_file, p) < 0)
		return NULL;
	return out;
}

static bool is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ------------------------------------------------------------------ */
/* Reading settings with diagnostics                                   */

/* One file being loaded. */
struct ld {
	struct diag *d;
	const char *file;  /* the file read; settings from @include name their own */
	char *text;        /* its contents, read on demand by elem_line() */
	size_t text_len;
	bool text_tried;
};

static void ld_cleanup(struct ld *ld)
{
	free(ld->text);
	ld->text = NULL;
	ld->text_len = 0;
	ld->text_tried = false;
}

static const char *s_file(const struct ld *ld, const config_setting_t *s)
{
	const char *f = s != NULL ? config_setting_source_file(s) : NULL;
	return f != NULL ? f : ld->file;
}

static unsigned s_line(const config_setting_t *s)
{
	return s != NULL ? config_setting_source_line(s) : 0;
}

static bool ld_load_text(struct ld *ld)
{
	FILE *f;

	if (ld->text_tried)
		return ld->text != NULL;
	ld->text_tried = true;
	f = fopen(ld->file, "r");
	if (f == NULL)
		return false;
	size_t cap = 0;
	for (;;) {
		if (ld->text_len + 4096 + 1 > cap) {
			size_t ncap = cap ? 2 * cap : 16384;
			char *t = realloc(ld->text, ncap);
			if (t == NULL)
				break;
			ld->text = t;
			cap = ncap;
		}
		size_t got = fread(ld->text + ld->text_len, 1, cap - ld->text_len - 1, f);
		ld->text_len += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || ld->text == NULL) {
		free(ld->text);
		ld->text = NULL;
		ld->text_len = 0;
	} else {
		ld->text[ld->text_len] = '\0';
	}
	fclose(f);
	return ld->text != NULL;
}

/* Whether line `line` (1-based) of the file text contains "value". */
static bool text_line_has(const struct ld *ld, unsigned line, const char *value)
{
	const char *p = ld->text, *end = ld->text + ld->text_len;
	size_t vlen = strlen(value);

	for (unsigned l = 1; l < line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return false;
		p = nl + 1;
	}
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (eol == NULL)
		eol = end;
	for (const char *q = p; q + vlen + 2 <= eol; q++)
		if (q[0] == '"' && memcmp(q + 1, value, vlen) == 0 && q[vlen + 1] == '"')
			return true;
	return false;
}

/* The line of a setting for messages.  libconfig records an array
 * element's line after reading the token that follows it, so the last
 * element of a multi-line array gets the line of the closing bracket;
 * for string elements the quoted value is looked up in the text between
 * the previous element and that line instead. */
static unsigned best_line(struct ld *ld, const config_setting_t *s)
{
	unsigned line = s_line(s);
	const config_setting_t *parent = s != NULL ? config_setting_parent(s) : NULL;

	if (s == NULL || parent == NULL || config_setting_name(s) != NULL ||
	    config_setting_type(s) != CONFIG_TYPE_STRING ||
	    config_setting_source_file(s) == NULL ||
	    strcmp(config_setting_source_file(s), ld->file) != 0 || !ld_load_text(ld))
		return line;
	int idx = config_setting_index(s);
	unsigned lower = idx > 0 ? s_line(config_setting_get_elem(parent, (unsigned)idx - 1))
				 : s_line(parent);
	const char *value = config_setting_get_string(s);
	for (unsigned l = line; l >= lower && l > 0; l--)
		if (text_line_has(ld, l, value))
			return l;
	return line;
}

/* The path of a setting for messages: "queue.first", "services[2].id". */
static void s_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = s != NULL ? config_setting_parent(s) : NULL;
	size_t used;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (parent == NULL)
		return;
	s_path(parent, buf, len);
	used = strlen(buf);
	if (config_setting_name(s) != NULL)
		snprintf(buf + used, len - used, "%s%s", used > 0 ? "." : "",
			 config_setting_name(s));
	else
		snprintf(buf + used, len - used, "[%d]", config_setting_index(s));
}

__attribute__((format(printf, 3, 4)))
static void err_at(struct ld *ld, const config_setting_t *s, const char *fmt, ...)
{
	char path[256], msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s_path(s, path, sizeof path);
	unsigned line = best_line(ld, s);
	if (path[0] != '\0')
		diag_error(ld->d, s_file(ld, s), line, "%s: %s", path, msg);
	else
		diag_error(ld->d, s_file(ld, s), line, "%s", msg);
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean (true/false)";
	case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
	case CONFIG_TYPE_LIST: return "a list ( ... )";
	default: return "nothing";
	}
}

/* Report every member of `group` whose name is not in `allowed`
 * (NULL-terminated). */
static void check_keys(struct ld *ld, const config_setting_t *group,
		       const char *const *allowed)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(m);
		bool ok = false;
		for (size_t k = 0; allowed[k] != NULL && !ok; k++)
			ok = name != NULL && strcmp(name, allowed[k]) == 0;
		if (!ok)
			err_at(ld, m, "unknown setting");
	}
}

/* Find member `key` of `group` and check its type (CONFIG_TYPE_INT also
 * accepts 64-bit integers; CONFIG_TYPE_ARRAY also accepts a list).
 * Returns 1 found, 0 absent (an error if required), -1 wrong type. */
static int member(struct ld *ld, const config_setting_t *group, const char *key,
		  int type, bool required, config_setting_t **out)
{
	config_setting_t *s = group != NULL ? config_setting_get_member(group, key) : NULL;
	int t;

	*out = NULL;
	if (s == NULL) {
		if (required) {
			char path[256];
			s_path(group, path, sizeof path);
			diag_error(ld->d, s_file(ld, group), s_line(group),
				   "%s%s'%s' is required", path, path[0] ? ": " : "", key);
			return -1;
		}
		return 0;
	}
	t = config_setting_type(s);
	bool ok = t == type ||
		  (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64) ||
		  (type == CONFIG_TYPE_ARRAY && t == CONFIG_TYPE_LIST);
	if (!ok) {
		err_at(ld, s, "must be %s, not %s", type_name(type), type_name(t));
		return -1;
	}
	*out = s;
	return 1;
}

static int get_str(struct ld *ld, const config_setting_t *g, const char *key,
		   bool required, const char **out, config_setting_t **out_s)
{
	config_setting_t *s;
	int r = member(ld, g, key, CONFIG_TYPE_STRING, required, &s);
	if (out_s != NULL)
		*out_s = s;
	if (r == 1)
		*out = config_setting_get_string(s);
	return r;
}

static int get_bool(struct ld *ld, const config_setting_t *g, const char *key,
		    bool required, bool *out)
{
	config_setting_t *s;
	int r = member(ld, g, key, CONFIG_TYPE_BOOL, required, &s);
	if (r == 1)
		*out = config_setting_get_bool(s) != 0;
	return r;
}

static int get_int(struct ld *ld, const config_setting_t *g, const char *key,
		   bool required, long long min, long long max, long long *out)
{
	config_setting_t *s;
	int r = member(ld, g, key, CONFIG_TYPE_INT, required, &s);
	if (r != 1)
		return r;
	long long v = config_setting_get_int64(s);
	if (v < min || v > max) {
		err_at(ld, s, "%lld is out of range (%lld..%lld)", v, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

/* A non-empty string without control characters. */
static int get_text(struct ld *ld, const config_setting_t *g, const char *key,
		    bool required, const char **out)
{
	config_setting_t *s;
	const char *v;
	int r = get_str(ld, g, key, required, &v, &s);
	if (r != 1)
		return r;
	if (v[0] == '\0' || !utf8_printable(v, strlen(v))) {
		err_at(ld, s, "must be non-empty printable UTF-8 text");
		return -1;
	}
	*out = v;
	return 1;
}

/* An array or list whose elements are all strings; each bad element is
 * reported at its own line. */
static int get_strv(struct ld *ld, const config_setting_t *g, const char *key,
		    bool required, config_setting_t **out)
{
	int r = member(ld, g, key, CONFIG_TYPE_ARRAY, required, out);
	if (r != 1)
		return r;
	int n = config_setting_length(*out);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(*out, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			err_at(ld, e, "must be a string, not %s",
			       type_name(config_setting_type(e)));
			r = -1;
		}
	}
	return r;
}

/* A date setting: the start of the day, or its end when end_of_day. */
static int get_date(struct ld *ld, const config_setting_t *g, const char *key,
		    bool required, bool end_of_day, int64_t *out)
{
	config_setting_t *s;
	const char *v;
	int64_t t;
	int r = get_str(ld, g, key, required, &v, &s);
	if (r != 1)
		return r;
	if (!date_parse(v, &t)) {
		err_at(ld, s, "'%s' is not a date (YYYY-MM-DD, from 1970)", v);
		return -1;
	}
	*out = end_of_day ? date_end_of_day(t) : t;
	return 1;
}

/* Read a libconfig file; false (reported) when it cannot be read or
 * parsed.  On success the caller must config_destroy(cfg). */
static bool read_file(struct diag *d, const char *path, config_t *cfg)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		diag_error(d, path, 0, "cannot open: %s", strerror(errno));
		return false;
	}
	fclose(f);
	config_init(cfg);
	if (config_read_file(cfg, path) != CONFIG_TRUE) {
		const char *ef = config_error_file(cfg);
		int line = config_error_line(cfg);
		diag_error(d, ef != NULL ? ef : path, line > 0 ? (unsigned)line : 0,
			   "%s", config_error_text(cfg) != NULL ? config_error_text(cfg)
								: "cannot read");
		config_destroy(cfg);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The list                                                            */

static const char *const categories[] = {
	"chat", "coding", "image", "video", "audio", "writing", "translation",
	"meeting", "search", "productivity", "agent", "platform", "dns-bypass",
	"ech-front", NULL,
};

/* EU member states (ISO 3166-1 alpha-2) and "EU" itself. */
static const char *const eu_codes[] = {
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
	"HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK",
	"SI", "ES", "SE", "EU", NULL,
};

static bool in_set(const char *const *set, const char *s)
{
	for (size_t i = 0; set[i] != NULL; i++)
		if (strcmp(set[i], s) == 0)
			return true;
	return false;
}

static bool valid_id(const char *s, size_t max_len)
{
	size_t n = strlen(s);
	if (n == 0 || n > max_len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return false;
	return s[0] != '-' && s[n - 1] != '-';
}

/* One entry as written, for the cross-service checks at the end. */
struct entry_rec {
	const char *name;    /* borrowed from the libconfig tree */
	bool exact;
	enum terms terms;
	const char *service;
	const char *file;
	unsigned line;
	size_t order;        /* position in the file, to keep messages stable */
};

struct list_ld {
	struct ld ld;
	struct list *l;
	struct list_tenancy *ot;           /* may be NULL */
	struct entry_rec *recs;
	size_t n_recs, cap_recs;
	const config_setting_t **svc_ids;  /* the id settings seen so far */
	size_t n_svc_ids;
	bool oom;
};

static void rec_add(struct list_ld *x, const char *name, bool exact, enum terms t,
		    const char *service, const config_setting_t *s)
{
	if (x->n_recs == x->cap_recs) {
		size_t cap = x->cap_recs ? 2 * x->cap_recs : 256;
		struct entry_rec *r = realloc(x->recs, cap * sizeof *r);
		if (r == NULL) {
			x->oom = true;
			return;
		}
		x->recs = r;
		x->cap_recs = cap;
	}
	x->recs[x->n_recs] = (struct entry_rec){
		.name = name, .exact = exact, .terms = t, .service = service,
		.file = s_file(&x->ld, s), .line = best_line(&x->ld, s), .order = x->n_recs,
	};
	x->n_recs++;
}

/* The names of one endpoint's `suffix` or `exact` array; returns how
 * many elements the array has (0 when absent or not an array). */
static size_t parse_names(struct list_ld *x, const config_setting_t *ep, const char *key,
			  bool exact, enum terms t, const char *service_id, long idx)
{
	config_setting_t *arr;

	get_strv(&x->ld, ep, key, false, &arr); /* bad elements are reported */
	if (arr == NULL)
		return 0;
	int n = config_setting_length(arr);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(arr, (unsigned)i);
		const char *name = config_setting_get_string(e);
		if (name == NULL)
			continue; /* wrong type, already reported */
		if (!name_is_valid_list_name(name)) {
			err_at(&x->ld, e, "'%s' is not a valid list name (lowercase "
			       "LDH labels of 1..63 bytes, at most 253 bytes, no "
			       "trailing dot)", name);
			continue;
		}
		if (!exact && strchr(name, '.') == NULL) {
			err_at(&x->ld, e, "suffix '%s' is a whole top-level domain", name);
			continue;
		}
		rec_add(x, name, exact, t, service_id, e);
		if (idx >= 0 && t != TERMS_NONE) {
			const struct list_entry *dup = NULL;
			int r = list_add_entry(x->l, (size_t)idx, name, exact, t,
					       best_line(&x->ld, e), &dup);
			if (r < 0)
				x->oom = true;
			/* r == 1 (a duplicate) is reported by check_entries() */
		}
	}
	return (size_t)n;
}

static const char *const endpoint_keys[] = {
	"terms", "suffix", "exact", "note", "open_tenancy", NULL,
};

void list_tenancy_cleanup(struct list_tenancy *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].service);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

const struct list_tenancy_name *list_tenancy_find(const struct list_tenancy *t,
						  const char *name)
{
	if (t == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

/* Record the valid names of one endpoint group marked open_tenancy. */
static void tenancy_add(struct list_ld *x, const config_setting_t *ep, enum terms t,
			const char *service_id)
{
	static const char *const keys[] = { "suffix", "exact" };
	for (int k = 0; k < 2 && x->ot != NULL; k++) {
		const config_setting_t *arr = config_setting_get_member(ep, keys[k]);
		int n = arr != NULL ? config_setting_length(arr) : 0;
		for (int i = 0; i < n; i++) {
			const char *name = config_setting_get_string_elem(arr, i);
			if (name == NULL || !name_is_valid_list_name(name))
				continue;
			struct list_tenancy_name *v = realloc(x->ot->v,
				(x->ot->n + 1) * sizeof *v);
			if (v == NULL) {
				x->oom = true;
				return;
			}
			x->ot->v = v;
			v[x->ot->n].name = strdup(name);
			v[x->ot->n].service = xstrdup(service_id != NULL ? service_id : "?");
			v[x->ot->n].terms = t;
			if (v[x->ot->n].name == NULL || v[x->ot->n].service == NULL) {
				free(v[x->ot->n].name);
				free(v[x->ot->n].service);
				x->oom = true;
				return;
			}
			x->ot->n++;
		}
	}
}

static void parse_endpoints(struct list_ld *x, const config_setting_t *svc,
			    const char *service_id, long idx)
{
	config_setting_t *eps;

	if (member(&x->ld, svc, "endpoints", CONFIG_TYPE_LIST, true, &eps) != 1)
		return;
	int n = config_setting_length(eps);
	if (n == 0) {
		err_at(&x->ld, eps, "a service needs at least one endpoint");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *ep = config_setting_get_elem(eps, (unsigned)i);
		config_setting_t *ts;
		const char *tname, *note;
		enum terms t = TERMS_NONE;

		if (config_setting_type(ep) != CONFIG_TYPE_GROUP) {
			err_at(&x->ld, ep, "must be a group { terms = ...; ... }");
			continue;
		}
		check_keys(&x->ld, ep, endpoint_keys);
		get_text(&x->ld, ep, "note", false, &note);
		if (get_str(&x->ld, ep, "terms", true, &tname, &ts) == 1) {
			int v = terms_from_name(tname);
			if (v < 0)
				err_at(&x->ld, ts, "unknown terms class '%s' (consumer, "
				       "shared, api, enterprise, dns-bypass)", tname);
			else
				t = (enum terms)v;
		}
		/* Names are checked even when the class is bad, to report all. */
		size_t n_names = parse_names(x, ep, "suffix", false, t, service_id, idx);
		n_names += parse_names(x, ep, "exact", true, t, service_id, idx);
		if (n_names == 0)
			err_at(&x->ld, ep, "an endpoint needs at least one name in "
			       "'suffix' or 'exact'");
		/* open_tenancy: anyone can create a resource (or use an account)
		 * under these names, so enterprise terms are not the agency's
		 * contract.  The list says so per endpoint group (rules/README.md,
		 * "Cloud resources anyone can create"); lint reminds maintainers
		 * and contract checks refuse to let it pass silently. */
		bool open_tenancy = false;
		if (get_bool(&x->ld, ep, "open_tenancy", false, &open_tenancy) == 1 &&
		    open_tenancy) {
			tenancy_add(x, ep, t, service_id);
			if (x->ld.d->lint && t == TERMS_ENTERPRISE) {
				const config_setting_t *os =
					config_setting_get_member(ep, "open_tenancy");
				const config_setting_t *sa =
					config_setting_get_member(ep, "suffix");
				const char *first = sa != NULL
					? config_setting_get_string_elem(sa, 0) : NULL;
				if (first == NULL) {
					sa = config_setting_get_member(ep, "exact");
					first = sa != NULL ? config_setting_get_string_elem(sa, 0)
							   : NULL;
				}
				diag_warn(x->ld.d, s_file(&x->ld, os), s_line(os),
					  "service %s: enterprise names under open tenancy "
					  "(%s%s): anyone can create resources there, so "
					  "these terms are not the agency's contract; "
					  "contracts should name the agency's own hosts",
					  service_id != NULL ? service_id : "?",
					  first != NULL ? first : "?",
					  n_names > 1 ? ", ..." : "");
			}
		}
	}
}

static const char *const service_keys[] = {
	"id", "name", "vendor", "jurisdiction", "eu", "open_weights", "category",
	"verified", "sources", "notes", "endpoints", NULL,
};

static void parse_service(struct list_ld *x, const config_setting_t *s)
{
	struct ld *ld = &x->ld;
	unsigned errors_before = ld->d->n_errors;
	config_setting_t *id_s, *jur_s, *cat_s, *src, *ver_s;
	const char *id = NULL, *name = NULL, *vendor = NULL, *jur = NULL;
	const char *category = NULL, *verified = NULL, *notes = NULL;
	bool open_weights = false, eu = false;
	int64_t vdate;
	long idx = -1;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		err_at(ld, s, "must be a group { id = ...; ... }");
		return;
	}
	check_keys(ld, s, service_keys);
	if (get_str(ld, s, "id", true, &id, &id_s) == 1) {
		if (!valid_id(id, 64)) {
			err_at(ld, id_s, "service id '%s' must be 1..64 of [a-z0-9-], "
			       "not starting or ending with '-'", id);
			id = NULL;
		} else {
			for (size_t i = 0; i < x->n_svc_ids; i++) {
				const config_setting_t *o = x->svc_ids[i];
				if (strcmp(config_setting_get_string(o), id) == 0) {
					err_at(ld, id_s, "duplicate service id '%s' (first "
					       "defined at %s:%u)", id, s_file(ld, o), s_line(o));
					id = NULL;
					break;
				}
			}
			if (id != NULL) {
				const config_setting_t **v = realloc(x->svc_ids,
					(x->n_svc_ids + 1) * sizeof *v);
				if (v == NULL) {
					x->oom = true;
				} else {
					x->svc_ids = v;
					x->svc_ids[x->n_svc_ids++] = id_s;
				}
			}
		}
	}
	get_text(ld, s, "name", true, &name);
	get_text(ld, s, "vendor", true, &vendor);
	if (get_str(ld, s, "jurisdiction", true, &jur, &jur_s) == 1) {
		bool ok = strlen(jur) == 2 && jur[0] >= 'A' && jur[0] <= 'Z' &&
			  jur[1] >= 'A' && jur[1] <= 'Z';
		if (!ok)
			err_at(ld, jur_s, "jurisdiction '%s' must be an ISO 3166 "
			       "alpha-2 code in capitals (or EU)", jur);
		else
			eu = in_set(eu_codes, jur);
	}
	get_bool(ld, s, "eu", false, &eu);
	get_bool(ld, s, "open_weights", true, &open_weights);
	if (get_str(ld, s, "category", false, &category, &cat_s) == 1 &&
	    !in_set(categories, category)) {
		err_at(ld, cat_s, "unknown category '%s' (see rules/README.md)", category);
		category = NULL;
	}
	if (get_str(ld, s, "verified", true, &verified, &ver_s) == 1 &&
	    !date_parse(verified, &vdate))
		err_at(ld, ver_s, "'%s' is not a date (YYYY-MM-DD)", verified);
	if (get_strv(ld, s, "sources", true, &src) == 1) {
		int n = config_setting_length(src);
		if (n == 0)
			err_at(ld, src, "at least one source URL is required");
		for (int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(src, (unsigned)i);
			const char *u = config_setting_get_string(e);
			if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
				err_at(ld, e, "source '%s' is not an http(s) URL", u);
			else if (!utf8_printable(u, strlen(u)) || strchr(u, ' ') != NULL)
				err_at(ld, e, "source URL contains spaces or control characters");
		}
	}
	get_text(ld, s, "notes", false, &notes);

	if (ld->d->n_errors == errors_before && !x->oom) {
		struct list_service svc = { 0 };
		size_t n = (size_t)config_setting_length(src);
		bool ok;
		svc.id = xstrdup(id);
		svc.name = xstrdup(name);
		svc.vendor = xstrdup(vendor);
		svc.jurisdiction = xstrdup(jur);
		svc.eu = eu;
		svc.open_weights = open_weights;
		svc.category = xstrdup(category);
		svc.verified = xstrdup(verified);
		svc.notes = xstrdup(notes);
		svc.line = s_line(s);
		svc.sources = calloc(n, sizeof *svc.sources);
		ok = svc.id && svc.name && svc.vendor && svc.jurisdiction &&
		     svc.verified && svc.sources && (category == NULL || svc.category) &&
		     (notes == NULL || svc.notes);
		for (size_t i = 0; ok && i < n; i++) {
			svc.sources[i] = strdup(config_setting_get_string_elem(src, (int)i));
			ok = svc.sources[i] != NULL;
			svc.n_sources++;
		}
		if (ok) {
			unsigned dup_line = 0;
			/* list_add_service owns the strings from here, also on failure */
			idx = list_add_service(x->l, &svc, &dup_line);
			if (idx < 0 && dup_line != 0)
				err_at(ld, id_s, "duplicate service id '%s' (line %u)", id,
				       dup_line);
			else if (idx < 0)
				x->oom = true;
		} else {
			x->oom = true;
			free(svc.id);
			free(svc.name);
			free(svc.vendor);
			free(svc.jurisdiction);
			free(svc.category);
			free(svc.verified);
			free(svc.notes);
			free_strv(svc.sources, svc.n_sources);
		}
	}
	parse_endpoints(x, s, id, idx);
}

static int rec_cmp(const void *a, const void *b)
{
	const struct entry_rec *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Duplicate entries (same name, same kind) and a name listed with two
 * different terms classes (as exact and as suffix), across services. */
static void check_entries(struct list_ld *x)
{
	if (x->n_recs == 0)
		return;
	qsort(x->recs, x->n_recs, sizeof *x->recs, rec_cmp);
	for (size_t i = 0; i < x->n_recs;) {
		size_t j = i + 1;
		while (j < x->n_recs && strcmp(x->recs[i].name, x->recs[j].name) == 0)
			j++;
		for (size_t b = i + 1; b < j; b++) {
			const struct entry_rec *later = &x->recs[b];
			for (size_t a = i; a < b; a++) {
				const struct entry_rec *first = &x->recs[a];
				if (first->exact == later->exact) {
					diag_error(x->ld.d, later->file, later->line,
						   "duplicate %s entry '%s' (service %s; first "
						   "listed at %s:%u, service %s)",
						   later->exact ? "exact" : "suffix", later->name,
						   later->service ? later->service : "?",
						   first->file, first->line,
						   first->service ? first->service : "?");
					break;
				}
				if (first->terms != later->terms && first->terms != TERMS_NONE &&
				    later->terms != TERMS_NONE) {
					diag_error(x->ld.d, later->file, later->line,
						   "'%s' is listed as %s here and as %s at %s:%u: "
						   "one name has one terms class",
						   later->name, terms_name(later->terms),
						   terms_name(first->terms), first->file, first->line);
					break;
				}
			}
		}
		i = j;
	}
}

static const char *const list_keys[] = { "version", "serial", "services", NULL };

struct list *config_load_list(const char *path, struct diag *d)
{
	return config_load_list_ot(path, d, NULL);
}

struct list *config_load_list_ot(const char *path, struct diag *d, struct list_tenancy *ot)
{
	struct diag silent = { 0 };
	char *file = NULL;
	config_t cfg;
	struct list_ld x = { 0 };
	long long version = 0, serial = 0;
	config_setting_t *svcs;

	if (d == NULL)
		d = &silent;
	unsigned errors_before = d->n_errors;
	if (path == NULL) {
		diag_error(d, NULL, 0, "no list file given");
		return NULL;
	}
	if (is_directory(path)) {
		if (asprintf(&file, "%s/list.conf", path) < 0) {
			diag_error(d, path, 0, "out of memory");
			return NULL;
		}
	} else {
		file = strdup(path);
		if (file == NULL) {
			diag_error(d, path, 0, "out of memory");
			return NULL;
		}
	}
	if (!read_file(d, file, &cfg)) {
		free(file);
		return NULL;
	}
	x.ld.d = d;
	x.ld.file = file;
	x.ot = ot;
	if (ot != NULL)
		memset(ot, 0, sizeof *ot);
	x.l = list_new();
	if (x.l == NULL) {
		x.oom = true;
		goto out;
	}

	const config_setting_t *root = config_root_setting(&cfg);
	check_keys(&x.ld, root, list_keys);
	get_int(&x.ld, root, "version", true, 1, 1, &version);
	get_int(&x.ld, root, "serial", true, 1, LLONG_MAX, &serial);
	if (member(&x.ld, root, "services", CONFIG_TYPE_LIST, true, &svcs) == 1) {
		int n = config_setting_length(svcs);
		if (n == 0)
			diag_warn(d, file, s_line(svcs), "the list has no services");
		for (int i = 0; i < n; i++)
			parse_service(&x, config_setting_get_elem(svcs, (unsigned)i));
	}
	if (!x.oom)
		check_entries(&x);
	if (d->n_errors == errors_before && !x.oom) {
		list_set_serial(x.l, (uint64_t)serial);
		if (!list_finish(x.l))
			x.oom = true;
	}
out:
	if (x.oom)
		diag_error(d, file, 0, "out of memory");
	if (d->n_errors != errors_before) {
		list_free(x.l);
		x.l = NULL;
		list_tenancy_cleanup(ot);
	}
	free(x.recs);
	free(x.svc_ids);
	ld_cleanup(&x.ld);
	config_destroy(&cfg);
	free(file);
	return x.l;
}

/* ------------------------------------------------------------------ */
/* Contracts                                                           */

void contract_cleanup(struct contract *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->reference);
	free(c->approved_by);
	free_strv(c->services, c->n_services);
	free_strv(c->hosts, c->n_hosts);
	free(c->file);
	memset(c, 0, sizeof *c);
}

static bool valid_contract_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' &&
		    s[i] != '.')
			return false;
	return true;
}

static const char *const contract_keys[] = {
	"id", "reference", "approved_by", "services", "hosts", "starts", "expires", NULL,
};

/* Copy the strings of array `arr` into a new vector; names are
 * normalised when `hosts`.  Reports bad and repeated elements. */
static char **contract_strv(struct ld *ld, const config_setting_t *arr, bool hosts,
			    const struct list *list, size_t *out_n, bool *oom)
{
	int n = config_setting_length(arr);
	char **v = calloc((size_t)n + 1, sizeof *v);
	size_t k = 0;

	*out_n = 0;
	if (v == NULL) {
		*oom = true;
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(arr, (unsigned)i);
		const char *s = config_setting_get_string(e);
		char norm[NAME_BUF_LEN];
		size_t norm_len = 0;

		if (s == NULL)
			continue; /* reported by get_strv */
		if (hosts) {
			uint32_t flags = name_normalize(s, strlen(s), norm, &norm_len);
			if ((flags & FLAG_NAME_INVALID) || !name_is_valid_list_name(norm)) {
				err_at(ld, e, "'%s' is not a valid host name", s);
				continue;
			}
			s = norm;
		} else if (list != NULL && list_find_service(list, s) == NULL) {
			err_at(ld, e, "service '%s' is not in the list", s);
			continue;
		} else if (list == NULL && !valid_id(s, 64)) {
			err_at(ld, e, "'%s' is not a service id", s);
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(v[j], s) == 0;
		if (dup) {
			err_at(ld, e, "'%s' is named twice", s);
			continue;
		}
		v[k] = strdup(s);
		if (v[k] == NULL) {
			*oom = true;
			break;
		}
		k++;
	}
	*out_n = k;
	return v;
}

/* Warnings for a contract that would allow resources anyone can create
 * (see struct list_tenancy). */
static void check_contract_tenancy(struct ld *ld, const config_setting_t *svcs,
				   const config_setting_t *hosts,
				   const struct list_tenancy *ot)
{
	int n = hosts != NULL ? config_setting_length(hosts) : 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(hosts, (unsigned)i);
		const char *h = config_setting_get_string(e);
		char norm[NAME_BUF_LEN];
		size_t norm_len = 0;
		if (h == NULL)
			continue;
		name_normalize(h, strlen(h), norm, &norm_len);
		const struct list_tenancy_name *t = list_tenancy_find(ot, norm);
		if (t != NULL)
			diag_warn(ld->d, s_file(ld, e), best_line(ld, e),
				  "host '%s' is an open-tenancy name of service %s: every "
				  "customer's resources use it, so this contract allows them "
				  "all; name the agency's own resource host (a name below it)",
				  norm, t->service);
	}
	n = svcs != NULL ? config_setting_length(svcs) : 0;
	for (int i = 0; i < n && ot != NULL; i++) {
		const config_setting_t *e = config_setting_get_elem(svcs, (unsigned)i);
		const char *sv = config_setting_get_string(e);
		if (sv == NULL)
			continue;
		for (size_t k = 0; k < ot->n; k++) {
			if (strcmp(ot->v[k].service, sv) != 0)
				continue;
			diag_warn(ld->d, s_file(ld, e), best_line(ld, e),
				  "service '%s' is reached through open-tenancy names (%s): "
				  "a contract for the whole service allows resources anyone "
				  "can create; name the agency's own hosts in 'hosts' instead",
				  sv, ot->v[k].name);
			break;
		}
	}
}

static int load_contract(const char *path, const struct list *list,
			 const struct list_tenancy *ot,
			 struct contract *out, struct diag *d, unsigned *id_line)
{
	struct diag silent = { 0 };
	struct ld ld = { 0 };
	config_t cfg;
	const char *id = NULL, *reference = NULL, *approved = NULL;
	config_setting_t *id_s, *svcs = NULL, *hosts = NULL;
	bool oom = false;

	memset(out, 0, sizeof *out);
	if (d == NULL)
		d = &silent;
	unsigned errors_before = d->n_errors;
	if (!read_file(d, path, &cfg))
		return -1;
	ld.d = d;
	ld.file = path;

	const config_setting_t *root = config_root_setting(&cfg);
	check_keys(&ld, root, contract_keys);
	int r_id = get_str(&ld, root, "id", true, &id, &id_s);
	*id_line = s_line(id_s);
	if (r_id == 1 && !valid_contract_id(id))
		err_at(&ld, id_s, "contract id '%s' must be 1..128 of [A-Za-z0-9._-], "
		       "starting with a letter or digit", id);
	get_text(&ld, root, "reference", true, &reference);
	get_text(&ld, root, "approved_by", true, &approved);
	get_strv(&ld, root, "services", false, &svcs);
	get_strv(&ld, root, "hosts", false, &hosts);
	if (get_date(&ld, root, "starts", false, false, &out->starts) < 0)
		out->starts = 0;
	config_setting_t *exp_s = config_setting_get_member(root, "expires");
	if (get_date(&ld, root, "expires", true, true, &out->expires) == 1 &&
	    out->starts != 0 && out->expires < out->starts)
		err_at(&ld, exp_s, "the contract expires before it starts");

	if (svcs != NULL)
		out->services = contract_strv(&ld, svcs, false, list, &out->n_services, &oom);
	if (hosts != NULL)
		out->hosts = contract_strv(&ld, hosts, true, NULL, &out->n_hosts, &oom);
	if ((svcs == NULL || config_setting_length(svcs) == 0) &&
	    (hosts == NULL || config_setting_length(hosts) == 0))
		diag_error(d, path, s_line(id_s),
			   "a contract names at least one service or host");
	if (ot != NULL)
		check_contract_tenancy(&ld, svcs, hosts, ot);
	out->id = xstrdup(id);
	out->reference = xstrdup(reference);
	out->approved_by = xstrdup(approved);
	out->file = strdup(path);
	if ((id && !out->id) || (reference && !out->reference) ||
	    (approved && !out->approved_by) || !out->file)
		oom = true;
	if (oom)
		diag_error(d, path, 0, "out of memory");
	ld_cleanup(&ld);
	config_destroy(&cfg);
	if (d->n_errors != errors_before) {
		contract_cleanup(out);
		return -1;
	}
	return 0;
}

int config_load_contract(const char *path, const struct list *list,
			 struct contract *out, struct diag *d)
{
	unsigned id_line;
	return load_contract(path, list, NULL, out, d, &id_line);
}

int config_load_contract_ot(const char *path, const struct list *list,
			    const struct list_tenancy *ot, struct contract *out,
			    struct diag *d)
{
	unsigned id_line;
	return load_contract(path, list, ot, out, d, &id_line);
}

static int strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.conf in dir, sorted; a missing directory is an empty set. */
static bool load_contracts(const char *dir, const struct list *list,
			   const struct list_tenancy *ot, struct diag *d,
			   struct contract **out, size_t *out_n)
{
	DIR *dh;
	struct dirent *de;
	char **names = NULL;
	size_t n_names = 0;
	struct contract *cs = NULL;
	size_t n = 0;
	unsigned errors_before = d->n_errors;

	*out = NULL;
	*out_n = 0;
	dh = opendir(dir);
	if (dh == NULL) {
		if (errno == ENOENT)
			return true;
		diag_error(d, dir, 0, "cannot read the contracts directory: %s",
			   strerror(errno));
		return false;
	}
	bool oom = false;
	while (!oom && (de = readdir(dh)) != NULL) {
		size_t len = strlen(de->d_name);
		char *full;
		struct stat st;
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (asprintf(&full, "%s/%s", dir, de->d_name) < 0) {
			oom = true;
			break;
		}
		/* other kinds of file (directories, sockets, ...) are ignored */
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		char **v = realloc(names, (n_names + 1) * sizeof *v);
		if (v == NULL) {
			free(full);
			oom = true;
			break;
		}
		names = v;
		names[n_names++] = full;
	}
	closedir(dh);
	if (oom) {
		diag_error(d, dir, 0, "out of memory");
		free_strv(names, n_names);
		return false;
	}
	if (n_names > 0)
		qsort(names, n_names, sizeof *names, strptr_cmp);
	cs = calloc(n_names + 1, sizeof *cs);
	if (cs == NULL) {
		diag_error(d, dir, 0, "out of memory");
		free_strv(names, n_names);
		return false;
	}
	for (size_t i = 0; i < n_names; i++) {
		struct contract c;
		unsigned id_line = 0;
		if (load_contract(names[i], list, ot, &c, d, &id_line) != 0)
			continue;
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++) {
			if (strcmp(cs[j].id, c.id) == 0) {
				diag_error(d, c.file, id_line,
					   "duplicate contract id '%s' (also in %s)",
					   c.id, cs[j].file);
				dup = true;
			}
		}
		if (dup) {
			contract_cleanup(&c);
			continue;
		}
		cs[n++] = c;
	}
	free_strv(names, n_names);
	if (d->n_errors != errors_before) {
		for (size_t i = 0; i < n; i++)
			contract_cleanup(&cs[i]);
		free(cs);
		return false;
	}
	*out = cs;
	*out_n = n;
	return true;
}

/* ------------------------------------------------------------------ */
/* aigate.conf                                                         */

/* What aigate.conf says about the policy, before the list is loaded. */
struct conf_policy {
	enum mode mode;
	enum action actions[TERMS_COUNT_];
	bool log_unlisted;
	/* Closing the bypasses: see struct policy. */
	enum action no_sni, undecided, quic_unparsed, dot_action;
	bool quic_block;
	struct cidr *dot_resolvers;
	size_t n_dot_resolvers;
	struct zone *zones;
	size_t n_zones;
	char *list;       /* as written (relative paths not yet resolved) */
	char *contracts;
};

static void zones_free(struct zone *z, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(z[i].name);
		free(z[i].networks);
	}
	free(z);
}

static void contracts_free(struct contract *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		contract_cleanup(&c[i]);
	free(c);
}

static bool set_str(char **dst, const char *v)
{
	char *s = strdup(v);
	if (s == NULL)
		return false;
	free(*dst);
	*dst = s;
	return true;
}

static bool set_defaults(struct aigate_config *c, struct conf_policy *p)
{
	struct daemon_settings *s = &c->daemon;
	char host[256];

	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		snprintf(host, sizeof host, "%s", "aigate");
	host[sizeof host - 1] = '\0';
	/* The policy defaults are the core's (policy_set_defaults). */
	struct policy def;
	memset(&def, 0, sizeof(def));
	policy_set_defaults(&def);
	p->mode = def.mode;
	memcpy(p->actions, def.terms_action, sizeof(p->actions));
	p->log_unlisted = def.log_unlisted;
	p->no_sni = def.no_sni_action;
	p->undecided = def.undecided_action;
	p->quic_block = def.quic_block;
	p->quic_unparsed = def.quic_unparsed_action;
	p->dot_action = def.dot_action;
	s->queue_first = 0;
	s->n_queues = 1;
	s->queue_maxlen = 4096;
	s->rcvbuf_bytes = 8388608;
	s->fail_open = 1;
	s->mark_allow = 0x100;
	s->mark_block = 0x200;
	s->mark_mask = 0x300;
	s->mark_inject = 0x400;
	s->tls_ports[0] = 443;
	s->tls_ports[1] = 853;
	s->n_tls_ports = 2;
	s->dns_answer = DNS_BLOCK_NXDOMAIN;
	ip_addr_parse("0.0.0.0", &s->sinkhole_v4);
	ip_addr_parse("::", &s->sinkhole_v6);
	s->dns_ttl = 60;
	s->tcp_reset = 1;
	s->log_syslog = 1;
	s->syslog_facility = 3;
	s->fold_window_s = 60;
	s->pseudonym_period_s = 86400;
	s->metrics_interval_s = 15;
	s->max_flows = 65536;
	s->flow_idle_s = 120;
	s->max_flow_buffer = 16384;
	s->max_buffer_total = 67108864;
	c->update_pubkeys = calloc(2, sizeof *c->update_pubkeys);
	if (c->update_pubkeys == NULL)
		return false;
	c->update_pubkeys[0] = strdup(AIGATE_PUBKEY_PATH);
	if (c->update_pubkeys[0] == NULL)
		return false;
	c->n_update_pubkeys = 1;
	return set_str(&c->sensor, host) && set_str(&s->ede_text, DEF_EDE_TEXT) &&
	       set_str(&s->event_file, DEF_EVENT_FILE) &&
	       set_str(&s->control_socket, DEF_CONTROL_SOCKET) &&
	       set_str(&s->user, DEF_USER) && set_str(&p->list, AIGATE_LIST_PATH) &&
	       set_str(&s->pseudonym_key, AIGATE_SYSCONFDIR "/aigate/pseudonym.key") &&
	       set_str(&p->contracts, AIGATE_CONTRACTS_DIR);
}

/* A group member that must be a group; NULL when absent or wrong. */
static config_setting_t *group_of(struct ld *ld, const config_setting_t *root,
				  const char *key, const char *const *keys)
{
	config_setting_t *g;
	if (member(ld, root, key, CONFIG_TYPE_GROUP, false, &g) != 1)
		return NULL;
	check_keys(ld, g, keys);
	return g;
}

static int get_action(struct ld *ld, const config_setting_t *g, const char *key,
		      bool required, enum action *out)
{
	config_setting_t *s;
	const char *v;
	int r = get_str(ld, g, key, required, &v, &s);
	if (r != 1)
		return r;
	int a = action_from_name(v);
	if (a < 0) {
		err_at(ld, s, "unknown action '%s' (allow, log or block)", v);
		return -1;
	}
	*out = (enum action)a;
	return 1;
}

static const char *const dot_keys[] = { "resolvers", "action", NULL };

/* The strings of a list setting as networks (cidr_parse), what names
 * the expected form in the error for one that is not.  Returns the array
 * (the good ones, *n of them; NULL and *oom set when out of memory). */
static struct cidr *parse_networks(struct ld *ld, const config_setting_t *list,
				   const char *what, size_t *n, bool *oom)
{
	int len = config_setting_length(list);
	struct cidr *nets = calloc((size_t)len + 1, sizeof *nets);
	if (nets == NULL) {
		*oom = true;
		return NULL;
	}
	for (int k = 0; k < len; k++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)k);
		const char *v = config_setting_get_string(e);
		if (!cidr_parse(v, &nets[*n]))
			err_at(ld, e, "'%s' is not %s", v, what);
		else
			(*n)++;
	}
	return nets;
}

/* The settings that close the bypasses of issue 4: ECH fronts,
 * ClientHellos without SNI, unfinished handshakes, QUIC, DNS over TLS. */
static void parse_bypass(struct ld *ld, const config_setting_t *root, struct conf_policy *p,
			 bool *oom)
{
	config_setting_t *e;
	const char *v;
	const config_setting_t *g;

	get_action(ld, root, "ech", false, &p->actions[TERMS_ECH_FRONT]);
	get_action(ld, root, "no_sni", false, &p->no_sni);
	get_action(ld, root, "undecided", false, &p->undecided);
	if (get_str(ld, root, "quic", false, &v, &e) == 1) {
		if (strcmp(v, "inspect") == 0)
			p->quic_block = false;
		else if (strcmp(v, "block") == 0)
			p->quic_block = true;
		else
			err_at(ld, e, "unknown quic mode '%s' (inspect or block)", v);
	}
	if (get_str(ld, root, "quic_unparsed", false, &v, &e) == 1) {
		if (strcmp(v, "pass") == 0)
			p->quic_unparsed = ACTION_ALLOW;
		else if (strcmp(v, "drop") == 0)
			p->quic_unparsed = ACTION_BLOCK;
		else
			err_at(ld, e, "unknown quic_unparsed '%s' (pass or drop)", v);
	}
	if ((g = group_of(ld, root, "dot", dot_keys)) == NULL)
		return;
	get_action(ld, g, "action", false, &p->dot_action);
	config_setting_t *nets;
	if (get_strv(ld, g, "resolvers", false, &nets) == 1)
		p->dot_resolvers = parse_networks(ld, nets, "an address or network",
						  &p->n_dot_resolvers, oom);
}

static const char *const zone_keys[] = {
	"name", "networks", "action", "starts", "expires", NULL,
};

static void parse_zones(struct ld *ld, const config_setting_t *root, struct conf_policy *p,
			bool *oom)
{
	config_setting_t *zl;

	if (member(ld, root, "zones", CONFIG_TYPE_LIST, false, &zl) != 1)
		return;
	int n = config_setting_length(zl);
	p->zones = calloc((size_t)n + 1, sizeof *p->zones);
	if (p->zones == NULL) {
		*oom = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *zs = config_setting_get_elem(zl, (unsigned)i);
		struct zone *z = &p->zones[p->n_zones];
		config_setting_t *name_s, *nets;
		const char *name;

		if (config_setting_type(zs) != CONFIG_TYPE_GROUP) {
			err_at(ld, zs, "must be a group { name = ...; networks = [...]; ... }");
			continue;
		}
		memset(z, 0, sizeof *z);
		z->line = s_line(zs);
		check_keys(ld, zs, zone_keys);
		if (get_str(ld, zs, "name", true, &name, &name_s) == 1) {
			if (name[0] == '\0' || !utf8_printable(name, strlen(name))) {
				err_at(ld, name_s, "a zone name is non-empty printable text");
			} else {
				for (size_t j = 0; j < p->n_zones; j++)
					if (p->zones[j].name != NULL &&
					    strcmp(p->zones[j].name, name) == 0)
						err_at(ld, name_s, "duplicate zone '%s' (line %u)",
						       name, p->zones[j].line);
				z->name = strdup(name);
				if (z->name == NULL)
					*oom = true;
			}
		}
		get_action(ld, zs, "action", true, &z->action);
		get_date(ld, zs, "starts", false, false, &z->starts);
		if (get_date(ld, zs, "expires", false, true, &z->expires) == 1 &&
		    z->starts != 0 && z->expires < z->starts)
			err_at(ld, config_setting_get_member(zs, "expires"),
			       "the zone expires before it starts");
		if (get_strv(ld, zs, "networks", true, &nets) == 1) {
			if (config_setting_length(nets) == 0)
				err_at(ld, nets, "a zone needs at least one network");
			z->networks = parse_networks(ld, nets,
						     "a network (address/prefix, no host bits set)",
						     &z->n_networks, oom);
		}
		p->n_zones++;
	}
}

static const char *const root_keys[] = {
	"sensor", "mode", "list", "contracts", "actions", "log_unlisted", "zones",
	"queue", "marks", "tls_ports", "block", "log", "control", "user", "flows",
	"update", "ech", "no_sni", "undecided", "quic", "quic_unparsed", "dot", "metrics",
	NULL,
};
static const char *const update_keys[] = { "url", "pubkeys", NULL };
static const char *const action_keys[] = {
	"consumer", "shared", "api", "enterprise", "dns-bypass", "unlisted", NULL,
};
static const char *const queue_keys[] = {
	"first", "count", "maxlen", "rcvbuf", "fail_open", NULL,
};
static const char *const mark_keys[] = { "allow", "block", "mask", "inject", NULL };
static const char *const block_keys[] = {
	"dns", "sinkhole_v4", "sinkhole_v6", "ttl", "ede_text", "tcp_reset", NULL,
};
static const char *const log_keys[] = {
	"events", "syslog", "syslog_facility", "syslog_socket", "fold_window",
	"pseudonymize", "pseudonym_key", "pseudonym_period", NULL,
};
static const char *const metrics_keys[] = { "textfile", "interval", NULL };

/* RFC 5424 s6.2.1 facility numbers of the names an operator would use. */
static int facility_from_name(const char *v)
{
	if (strcmp(v, "daemon") == 0)
		return 3;
	if (strcmp(v, "user") == 0)
		return 1;
	if (strcmp(v, "authpriv") == 0)
		return 10;
	if (strncmp(v, "local", 5) == 0 && v[5] >= '0' && v[5] <= '7' && v[6] == '\0')
		return 16 + (v[5] - '0');
	return -1;
}
static const char *const control_keys[] = { "socket", NULL };
static const char *const flow_keys[] = {
	"max", "idle_timeout", "max_buffer", "max_buffer_total", NULL,
};

/* A path setting: non-empty, resolved against the directory of conf. */
static void get_path(struct ld *ld, const config_setting_t *g, const char *key,
		     bool allow_empty, char **dst, bool *oom)
{
	config_setting_t *s;
	const char *v;

	if (get_str(ld, g, key, false, &v, &s) != 1)
		return;
	if (v[0] == '\0' && allow_empty) {
		free(*dst);
		*dst = NULL;
		return;
	}
	if (v[0] == '\0' || !utf8_printable(v, strlen(v))) {
		err_at(ld, s, "must be a non-empty path");
		return;
	}
	char *r = resolve_path(ld->file, v);
	if (r == NULL) {
		*oom = true;
		return;
	}
	free(*dst);
	*dst = r;
}

static void parse_queue(struct ld *ld, const config_setting_t *root,
			struct daemon_settings *s)
{
	const config_setting_t *g = group_of(ld, root, "queue", queue_keys);
	long long first = s->queue_first, count = s->n_queues, v;
	bool b;

	if (g == NULL)
		return;
	int rf = get_int(ld, g, "first", false, 0, 65535, &first);
	int rc = get_int(ld, g, "count", false, 1, 64, &count);
	if (rf >= 0 && rc >= 0 && first + count > 65536)
		err_at(ld, config_setting_get_member(g, rc == 1 ? "count" : "first"),
		       "queues %lld..%lld: numbers go up to 65535", first,
		       first + count - 1);
	s->queue_first = (unsigned)first;
	s->n_queues = (unsigned)count;
	if (get_int(ld, g, "maxlen", false, 1, 16777216, &v) == 1)
		s->queue_maxlen = (uint32_t)v;
	if (get_int(ld, g, "rcvbuf", false, 0, 1073741824, &v) == 1)
		s->rcvbuf_bytes = (uint32_t)v;
	if (get_bool(ld, g, "fail_open", false, &b) == 1)
		s->fail_open = b;
}

static void parse_marks(struct ld *ld, const config_setting_t *root,
			struct daemon_settings *s)
{
	const config_setting_t *g = group_of(ld, root, "marks", mark_keys);
	static const char *const names[4] = { "allow", "block", "mask", "inject" };
	uint32_t *dst[4] = { &s->mark_allow, &s->mark_block, &s->mark_mask, &s->mark_inject };
	uint32_t v[4];
	bool bad = false;

	if (g == NULL)
		return;
	for (int i = 0; i < 4; i++) {
		long long x = *dst[i];
		if (get_int(ld, g, names[i], false, 1, 0xffffffffLL, &x) < 0)
			bad = true;
		v[i] = (uint32_t)x;
	}
	if (bad)
		return;
	/* The line of a mark that breaks a rule: its own if set here, else
	 * the group's. */
	const config_setting_t *at[4];
	for (int i = 0; i < 4; i++) {
		at[i] = config_setting_get_member(g, names[i]);
		if (at[i] == NULL)
			at[i] = g;
	}
	if (v[0] & v[1])
		err_at(ld, at[1], "marks.allow and marks.block share bits");
	if (v[0] & v[3])
		err_at(ld, at[3], "marks.allow and marks.inject share bits");
	if (v[1] & v[3])
		err_at(ld, at[3], "marks.block and marks.inject share bits");
	if (v[0] & ~v[2])
		err_at(ld, at[0], "marks.allow has bits outside marks.mask");
	if (v[1] & ~v[2])
		err_at(ld, at[1], "marks.block has bits outside marks.mask");
	if (v[3] & v[2])
		err_at(ld, at[3], "marks.inject must lie outside marks.mask");
	for (int i = 0; i < 4; i++)
		*dst[i] = v[i];
}

static void parse_tls_ports(struct ld *ld, const config_setting_t *root,
			    struct daemon_settings *s)
{
	config_setting_t *a;

	if (member(ld, root, "tls_ports", CONFIG_TYPE_ARRAY, false, &a) != 1)
		return;
	int n = config_setting_length(a);
	if (n < 1 || n > 16) {
		err_at(ld, a, "between 1 and 16 ports, not %d", n);
		return;
	}
	uint16_t ports[16];
	unsigned k = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
		int t = config_setting_type(e);
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
			err_at(ld, e, "must be a port number, not %s", type_name(t));
			return;
		}
		long long p = config_setting_get_int64(e);
		if (p < 1 || p > 65535) {
			err_at(ld, e, "port %lld is out of range (1..65535)", p);
			return;
		}
		for (unsigned j = 0; j < k; j++)
			if (ports[j] == p) {
				err_at(ld, e, "port %lld is listed twice", p);
				return;
			}
		ports[k++] = (uint16_t)p;
	}
	memcpy(s->tls_ports, ports, k * sizeof ports[0]);
	s->n_tls_ports = k;
}

static void parse_block(struct ld *ld, const config_setting_t *root,
			struct daemon_settings *s, bool *oom)
{
	const config_setting_t *g = group_of(ld, root, "block", block_keys);
	config_setting_t *e;
	const char *v;
	long long ttl;
	bool b;

	if (g == NULL)
		return;
	if (get_str(ld, g, "dns", false, &v, &e) == 1) {
		if (strcmp(v, "nxdomain") == 0)
			s->dns_answer = DNS_BLOCK_NXDOMAIN;
		else if (strcmp(v, "refused") == 0)
			s->dns_answer = DNS_BLOCK_REFUSED;
		else if (strcmp(v, "sinkhole") == 0)
			s->dns_answer = DNS_BLOCK_SINKHOLE;
		else
			err_at(ld, e, "unknown answer '%s' (nxdomain, refused or sinkhole)", v);
	}
	if (get_str(ld, g, "sinkhole_v4", false, &v, &e) == 1) {
		struct ip_addr a;
		if (!ip_addr_parse(v, &a) || a.family != 4)
			err_at(ld, e, "'%s' is not an IPv4 address", v);
		else
			s->sinkhole_v4 = a;
	}
	if (get_str(ld, g, "sinkhole_v6", false, &v, &e) == 1) {
		struct ip_addr a;
		if (!ip_addr_parse(v, &a) || a.family != 6)
			err_at(ld, e, "'%s' is not an IPv6 address", v);
		else
			s->sinkhole_v6 = a;
	}
	if (get_int(ld, g, "ttl", false, 0, 86400, &ttl) == 1)
		s->dns_ttl = (uint32_t)ttl;
	if (get_str(ld, g, "ede_text", false, &v, &e) == 1) {
		size_t len = strlen(v);
		if (len > EDE_TEXT_MAX_LEN)
			err_at(ld, e, "%zu bytes: at most %d", len, EDE_TEXT_MAX_LEN);
		else if (!utf8_printable(v, len))
			err_at(ld, e, "must be printable UTF-8 text");
		else if (!set_str(&s->ede_text, v))
			*oom = true;
	}
	if (get_bool(ld, g, "tcp_reset", false, &b) == 1)
		s->tcp_reset = b;
}

/* update = { url = "https://..."; pubkeys = [ "list.pub", ... ]; }:
 * where `aigatectl update` fetches the list and which minisign public
 * keys it trusts (paths relative to aigate.conf's directory). */
static void parse_update(struct ld *ld, const config_setting_t *g, struct aigate_config *c,
			 bool *oom)
{
	config_setting_t *e, *keys;
	const char *v;

	if (get_str(ld, g, "url", false, &v, &e) == 1) {
		if (v[0] == '\0') {
			free(c->update_url);
			c->update_url = NULL;
		} else if (strncmp(v, "https://", 8) != 0 || v[8] == '\0' ||
			   !utf8_printable(v, strlen(v)) || strpbrk(v, " \t") != NULL) {
			err_at(ld, e, "'%s' is not an https:// URL", v);
		} else if (!set_str(&c->update_url, v)) {
			*oom = true;
		}
	}
	if (get_strv(ld, g, "pubkeys", false, &keys) != 1)
		return;
	int n = config_setting_length(keys);
	char **pk = calloc((size_t)n + 1, sizeof *pk);
	size_t k = 0;
	if (pk == NULL) {
		*oom = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(keys, (unsigned)i);
		const char *p = config_setting_get_string(el);
		if (p == NULL || p[0] == '\0' || !utf8_printable(p, strlen(p))) {
			err_at(ld, el, "must be a non-empty path");
			continue;
		}
		pk[k] = resolve_path(ld->file, p);
		if (pk[k] == NULL) {
			*oom = true;
			break;
		}
		k++;
	}
	free_strv(c->update_pubkeys, c->n_update_pubkeys);
	c->update_pubkeys = pk;
	c->n_update_pubkeys = k;
}

static void parse_settings(struct ld *ld, const config_setting_t *root,
			   struct aigate_config *c, struct conf_policy *p, bool *oom)
{
	struct daemon_settings *s = &c->daemon;
	const config_setting_t *g;
	config_setting_t *e;
	const char *v;
	long long n;
	bool b;

	check_keys(ld, root, root_keys);
	if (get_text(ld, root, "sensor", false, &v) == 1 && !set_str(&c->sensor, v))
		*oom = true;
	if (get_str(ld, root, "mode", false, &v, &e) == 1) {
		int m = mode_from_name(v);
		if (m < 0)
			err_at(ld, e, "unknown mode '%s' (enforce or monitor)", v);
		else
			p->mode = (enum mode)m;
	}
	get_path(ld, root, "list", false, &p->list, oom);
	get_path(ld, root, "contracts", false, &p->contracts, oom);
	if ((g = group_of(ld, root, "actions", action_keys)) != NULL) {
		get_action(ld, g, "consumer", false, &p->actions[TERMS_CONSUMER]);
		get_action(ld, g, "shared", false, &p->actions[TERMS_SHARED]);
		get_action(ld, g, "api", false, &p->actions[TERMS_API]);
		get_action(ld, g, "enterprise", false, &p->actions[TERMS_ENTERPRISE]);
		get_action(ld, g, "dns-bypass", false, &p->actions[TERMS_DNS_BYPASS]);
		get_action(ld, g, "unlisted", false, &p->actions[TERMS_NONE]);
	}
	if (get_bool(ld, root, "log_unlisted", false, &b) == 1)
		p->log_unlisted = b;
	parse_bypass(ld, root, p, oom);
	parse_zones(ld, root, p, oom);
	parse_queue(ld, root, s);
	parse_marks(ld, root, s);
	parse_tls_ports(ld, root, s);
	parse_block(ld, root, s, oom);
	if ((g = group_of(ld, root, "log", log_keys)) != NULL) {
		get_path(ld, g, "events", true, &s->event_file, oom);
		if (get_bool(ld, g, "syslog", false, &b) == 1)
			s->log_syslog = b;
		if (get_int(ld, g, "fold_window", false, 0, 86400, &n) == 1)
			s->fold_window_s = (uint32_t)n;
		if (get_str(ld, g, "syslog_facility", false, &v, &e) == 1) {
			int fac = facility_from_name(v);
			if (fac < 0)
				err_at(ld, e, "unknown facility '%s' (daemon, user, authpriv, "
				       "local0 .. local7)", v);
			else
				s->syslog_facility = (unsigned)fac;
		}
		get_path(ld, g, "syslog_socket", true, &s->syslog_socket, oom);
		if (get_bool(ld, g, "pseudonymize", false, &b) == 1)
			s->pseudonymize = b;
		get_path(ld, g, "pseudonym_key", false, &s->pseudonym_key, oom);
		if (get_int(ld, g, "pseudonym_period", false, 0, 31622400, &n) == 1)
			s->pseudonym_period_s = (uint32_t)n;
	}
	if ((g = group_of(ld, root, "metrics", metrics_keys)) != NULL) {
		get_path(ld, g, "textfile", true, &s->metrics_textfile, oom);
		if (get_int(ld, g, "interval", false, 1, 86400, &n) == 1)
			s->metrics_interval_s = (uint32_t)n;
	}
	if ((g = group_of(ld, root, "control", control_keys)) != NULL)
		get_path(ld, g, "socket", false, &s->control_socket, oom);
	if (get_text(ld, root, "user", false, &v) == 1) {
		if (strpbrk(v, " \t/:") != NULL)
			err_at(ld, config_setting_get_member(root, "user"),
			       "'%s' is not a user name", v);
		else if (!set_str(&s->user, v))
			*oom = true;
	}
	if ((g = group_of(ld, root, "update", update_keys)) != NULL)
		parse_update(ld, g, c, oom);
	if ((g = group_of(ld, root, "flows", flow_keys)) != NULL) {
		if (get_int(ld, g, "max", false, 16, 16777216, &n) == 1)
			s->max_flows = (uint32_t)n;
		if (get_int(ld, g, "idle_timeout", false, 1, 86400, &n) == 1)
			s->flow_idle_s = (uint32_t)n;
		if (get_int(ld, g, "max_buffer", false, 2048, 1048576, &n) == 1)
			s->max_flow_buffer = (uint32_t)n;
		if (get_int(ld, g, "max_buffer_total", false, 2048, 0xffffffffLL, &n) == 1)
			s->max_buffer_total = (uint32_t)n;
		if (s->max_buffer_total < s->max_flow_buffer) {
			const config_setting_t *at = config_setting_get_member(g, "max_buffer_total");
			err_at(ld, at != NULL ? at : g, "max_buffer_total (%u) is below "
			       "max_buffer (%u)", s->max_buffer_total, s->max_flow_buffer);
		}
	}
}

void config_free(struct aigate_config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->sensor);
	free(c->list_path);
	free(c->contracts_dir);
	free(c->daemon.ede_text);
	free(c->daemon.event_file);
	free(c->daemon.syslog_socket);
	free(c->daemon.pseudonym_key);
	free(c->daemon.metrics_textfile);
	free(c->daemon.control_socket);
	free(c->daemon.user);
	free(c->update_url);
	free_strv(c->update_pubkeys, c->n_update_pubkeys);
	policy_free(c->policy);
	free(c);
}

/* Free what a conf_policy still owns. */
static void conf_policy_cleanup(struct conf_policy *p)
{
	zones_free(p->zones, p->n_zones);
	free(p->dot_resolvers);
	free(p->list);
	free(p->contracts);
	memset(p, 0, sizeof(*p));
}

/* What config_load and config_load_settings share: defaults, then
 * aigate.conf (when conf_path is given) parsed into the settings and *p.
 * NULL when out of memory or the file is unreadable (*p then holds
 * nothing to free); errors in the file are counted in d, not fatal here. */
static struct aigate_config *read_settings(const char *conf_path, struct diag *d,
					   struct conf_policy *p, bool *oom)
{
	struct aigate_config *c = calloc(1, sizeof *c);

	if (c == NULL || !set_defaults(c, p)) {
		diag_error(d, conf_path, 0, "out of memory");
		goto fail;
	}
	if (conf_path != NULL) {
		config_t cfg;
		struct ld ld = { .d = d, .file = conf_path };
		c->path = strdup(conf_path);
		if (c->path == NULL)
			*oom = true;
		/* Unreadable: its list and contracts settings are unknown, so
		 * loading the default ones would only add misleading errors. */
		if (!read_file(d, conf_path, &cfg))
			goto fail;
		parse_settings(&ld, config_root_setting(&cfg), c, p, oom);
		ld_cleanup(&ld);
		config_destroy(&cfg);
	}
	return c;
fail:
	conf_policy_cleanup(p);
	config_free(c);
	return NULL;
}


struct aigate_config *config_load_settings(const char *conf_path, struct diag *d)
{
	struct diag silent = { 0 };
	struct conf_policy p = { 0 };
	bool oom = false;

	if (d == NULL)
		d = &silent;
	unsigned errors_before = d->n_errors;
	struct aigate_config *c = read_settings(conf_path, d, &p, &oom);
	if (c == NULL)
		return NULL;
	c->list_path = p.list;
	c->contracts_dir = p.contracts;
	p.list = p.contracts = NULL;
	if (oom)
		diag_error(d, conf_path, 0, "out of memory");
	conf_policy_cleanup(&p);
	if (d->n_errors != errors_before) {
		config_free(c);
		return NULL;
	}
	return c;
}

struct aigate_config *config_load(const char *conf_path, const char *list_override,
				  const char *contracts_override, struct diag *d)
{
	struct diag silent = { 0 };
	struct conf_policy p = { 0 };
	struct list *list = NULL;
	struct contract *contracts = NULL;
	size_t n_contracts = 0;
	bool oom = false;

	if (d == NULL)
		d = &silent;
	unsigned errors_before = d->n_errors;
	struct aigate_config *c = read_settings(conf_path, d, &p, &oom);
	if (c == NULL)
		return NULL;
	c->list_path = strdup(list_override != NULL ? list_override : p.list);
	c->contracts_dir = strdup(contracts_override != NULL ? contracts_override
							       : p.contracts);
	if (oom || c->list_path == NULL || c->contracts_dir == NULL) {
		diag_error(d, conf_path, 0, "out of memory");
		goto fail;
	}
	/* The list and contracts are checked even after a configuration
	 * error, so that one run reports every problem. */
	struct list_tenancy ot = { 0 };
	list = config_load_list_ot(c->list_path, d, d->lint ? &ot : NULL);
	load_contracts(c->contracts_dir, list, d->lint ? &ot : NULL, d, &contracts,
		       &n_contracts);
	list_tenancy_cleanup(&ot);
	if (d->n_errors != errors_before || list == NULL)
		goto fail;
	c->policy = policy_new(list);
	if (c->policy == NULL) {
		diag_error(d, conf_path, 0, "out of memory");
		goto fail;
	}
	list = NULL; /* owned by the policy */
	c->policy->mode = p.mode;
	memcpy(c->policy->terms_action, p.actions, sizeof p.actions);
	c->policy->log_unlisted = p.log_unlisted;
	c->policy->no_sni_action = p.no_sni;
	c->policy->undecided_action = p.undecided;
	c->policy->quic_block = p.quic_block;
	c->policy->quic_unparsed_action = p.quic_unparsed;
	c->policy->dot_action = p.dot_action;
	c->policy->dot_resolvers = p.dot_resolvers;
	c->policy->n_dot_resolvers = p.n_dot_resolvers;
	p.dot_resolvers = NULL;
	c->policy->zones = p.zones;
	c->policy->n_zones = p.n_zones;
	p.zones = NULL;
	p.n_zones = 0;
	c->policy->contracts = contracts;
	c->policy->n_contracts = n_contracts;
	conf_policy_cleanup(&p);
	return c;

fail:
	list_free(list);
	contracts_free(contracts, n_contracts);
	conf_policy_cleanup(&p);
	config_free(c);
	return NULL;
}
