/* cmd_import.c: `aigatectl import`: turn a third-party block list into a
 * candidate list fragment (one service, libconfig) for a maintainer to
 * review, source and merge into rules/list.conf.  Nothing imported is
 * ever enforced directly: the output carries TODO fields that lint
 * refuses until a person fills them in (unless given as options).
 *
 * Formats:
 *   hosts    "0.0.0.0 name [name...]" (any address): exact entries
 *   domains  one name per line: suffix entries; "full:NAME" exact,
 *            "domain:NAME" suffix (v2fly style); "*.NAME" suffix
 *   adblock  "||NAME^" suffix entries; "|https://NAME/" exact; rules
 *            with paths, options other than $important/$all, exceptions
 *            (@@) and cosmetic rules are skipped and counted
 * Comments (#, !), blank lines, "localhost"-style names and invalid
 * names are skipped; every skipped line is reported with its number on
 * stderr.  With --list, names the list already has are left out and
 * reported.  Output goes to stdout (or -o FILE). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/list.h"
#include "core/name.h"
#include "ctl_common.h"
#include "lifecycle.h"

#define IMPORT_MAX_BYTES (64u << 20)

struct item {
	char *name;
	bool exact;
	unsigned line;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : (int)x->exact - (int)y->exact;
}

static bool items_add(struct items *it, const char *name, bool exact, unsigned line)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct item *v = realloc(it->v, cap * sizeof *v);
		if (v == NULL)
			return false;
		it->v = v;
		it->cap = cap;
	}
	it->v[it->n].name = strdup(name);
	if (it->v[it->n].name == NULL)
		return false;
	it->v[it->n].exact = exact;
	it->v[it->n].line = line;
	it->n++;
	return true;
}

static const char *const local_names[] = {
	"localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost",
	"ip6-loopback", "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
	"ip6-allhosts", "0.0.0.0", NULL,
};

/* Normalise and check one name; false (reported) when it is not
 * importable. */
static bool take_name(const char *file, unsigned line, const char *raw, size_t len, char *out,
		      unsigned *skipped)
{
	size_t n;
	char shown[300];
	uint32_t fl = name_normalize(raw, len, out, &n);
	ctl_name_text(raw, len > 200 ? 200 : len, shown, sizeof shown);
	for (size_t i = 0; local_names[i] != NULL; i++)
		if (strcmp(out, local_names[i]) == 0)
			return false; /* hosts-file boilerplate, not worth a message */
	if ((fl & FLAG_NAME_INVALID) || !name_is_valid_list_name(out) || strchr(out, '.') == NULL) {
		fprintf(stderr, "%s:%u: skipped: '%s' is not a host name a list can hold\n", file,
			line, shown);
		(*skipped)++;
		return false;
	}
	return true;
}

static void parse_line(const char *fmt, const char *file, unsigned line, char *s,
		       struct items *it, unsigned *skipped, bool *oom)
{
	char norm[NAME_BUF_LEN];
	size_t len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return;
	if (strcmp(fmt, "hosts") == 0) {
		char *hash = strchr(s, '#');
		if (hash != NULL)
			*hash = '\0';
		char *save = NULL, *addr = strtok_r(s, " \t", &save);
		if (addr == NULL)
			return;
		if (strspn(addr, "0123456789.:abcdefABCDEF") != strlen(addr)) {
			fprintf(stderr, "%s:%u: skipped: not an address-and-names line\n", file, line);
			(*skipped)++;
			return;
		}
		for (char *w = strtok_r(NULL, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save))
			if (take_name(file, line, w, strlen(w), norm, skipped) &&
			    !items_add(it, norm, true, line))
				*oom = true;
		return;
	}
	if (strcmp(fmt, "domains") == 0) {
		if (*s == '#')
			return;
		char *hash = strstr(s, " #");
		if (hash != NULL)
			*hash = '\0';
		len = strcspn(s, " \t");
		s[len] = '\0';
		bool exact = false;
		if (strncmp(s, "full:", 5) == 0) {
			exact = true;
			s += 5;
		} else if (strncmp(s, "domain:", 7) == 0) {
			s += 7;
		} else if (strncmp(s, "*.", 2) == 0) {
			s += 2;
		} else if (strchr(s, ':') != NULL) {
			fprintf(stderr, "%s:%u: skipped: '%s' (keyword and regexp rules cannot be "
				"listed)\n", file, line, s);
			(*skipped)++;
			return;
		}
		if (take_name(file, line, s, strlen(s), norm, skipped) &&
		    !items_add(it, norm, exact, line))
			*oom = true;
		return;
	}
	/* adblock */
	if (*s == '!' || *s == '[' || *s == '#')
		return;
	if (strncmp(s, "@@", 2) == 0 || strstr(s, "##") != NULL || strstr(s, "#@#") != NULL) {
		fprintf(stderr, "%s:%u: skipped: exception or cosmetic rule\n", file, line);
		(*skipped)++;
		return;
	}
	char *opts = strchr(s, '$');
	if (opts != NULL) {
		*opts++ = '\0';
		if (strcmp(opts, "important") != 0 && strcmp(opts, "all") != 0) {
			fprintf(stderr, "%s:%u: skipped: rule with options ($%s)\n", file, line, opts);
			(*skipped)++;
			return;
		}
	}
	bool exact = false;
	if (strncmp(s, "||", 2) == 0) {
		s += 2;
	} else if (strncmp(s, "|https://", 9) == 0 || strncmp(s, "|http://", 8) == 0) {
		s = strchr(s, '/') + 2;
		exact = true;
	} else {
		fprintf(stderr, "%s:%u: skipped: not a domain rule (||name^)\n", file, line);
		(*skipped)++;
		return;
	}
	len = strcspn(s, "^/|");
	const char *rest = s + len;
	if (strcmp(rest, "^") != 0 && strcmp(rest, "") != 0 && strcmp(rest, "/") != 0 &&
	    strcmp(rest, "^|") != 0) {
		fprintf(stderr, "%s:%u: skipped: rule with a path (only whole hosts can be listed)\n",
			file, line);
		(*skipped)++;
		return;
	}
	if (take_name(file, line, s, len, norm, skipped) && !items_add(it, norm, exact, line))
		*oom = true;
}

static void import_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl import --format hosts|domains|adblock --terms T --service ID\n"
		"                        [--name TEXT] [--vendor TEXT] [--jurisdiction CC]\n"
		"                        [--source URL] [--list FILE|DIR] [--whole-list] [-o FILE] FILE\n"
		"Turns a third-party list into a candidate list fragment (one service) for\n"
		"review: hosts-file names become exact entries, domain-list and adblock\n"
		"(||name^) names suffix entries.  Fields not given are TODO, which lint\n"
		"refuses until a maintainer fills them in with evidence (rules/README.md).\n"
		"--list leaves out names the list already has.  --whole-list wraps the\n"
		"fragment into a complete list file (for lint, diff and impact).\n"
		"Exit status: 0 written, 1 nothing importable or an error, 2 usage.\n");
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

int cmd_import(int argc, char **argv)
{
	const char *fmt = NULL, *terms = NULL, *service = NULL, *name = NULL, *vendor = NULL;
	const char *jur = NULL, *source = NULL, *listp = NULL, *outp = NULL, *file = NULL;
	bool whole = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			import_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--whole-list") == 0) {
			whole = true;
			continue;
		}
		static const char *const names[] = {
			"--format", "--terms", "--service", "--name", "--vendor", "--jurisdiction",
			"--source", "--list", "-o",
		};
		const char **slots[] = { &fmt, &terms, &service, &name, &vendor, &jur, &source,
					 &listp, &outp };
		int k = ctl_opt_table("import", names, sizeof names / sizeof names[0], argc, argv,
				      &i, &v);
		if (k < 0)
			return 2;
		if ((size_t)k < sizeof names / sizeof names[0]) {
			*slots[k] = v;
			continue;
		}
		if (argv[i][0] == '-' || file != NULL) {
			import_usage(stderr);
			return 2;
		}
		file = argv[i];
	}
	if (fmt == NULL || terms == NULL || service == NULL || file == NULL) {
		import_usage(stderr);
		return 2;
	}
	if (strcmp(fmt, "hosts") != 0 && strcmp(fmt, "domains") != 0 && strcmp(fmt, "adblock") != 0) {
		ctl_errorx("import", "--format: hosts, domains or adblock");
		return 2;
	}
	int t = terms_from_name(terms);
	if (t <= 0 || t == TERMS_ECH_FRONT) {
		ctl_errorx("import", "--terms: consumer, shared, api, enterprise or dns-bypass");
		return 2;
	}
	if (source != NULL && strncmp(source, "https://", 8) != 0 && strncmp(source, "http://", 7) != 0) {
		ctl_errorx("import", "--source must be an http(s) URL");
		return 2;
	}

	char *data = NULL, err[512];
	size_t len = 0;
	if (!lc_read_file(file, IMPORT_MAX_BYTES, &data, &len, NULL, err, sizeof err)) {
		ctl_errorx("import", "%s", err);
		return 1;
	}
	struct list *list = NULL;
	if (listp != NULL) {
		struct diag d;
		diag_init_stderr(&d);
		list = config_load_list(listp, &d);
		if (list == NULL) {
			free(data);
			return 1;
		}
	}
	struct items it = { 0 };
	unsigned skipped = 0, line = 0, known = 0, dups = 0;
	bool oom = false;
	for (char *p = data, *nl; p != NULL && *p != '\0' && !oom; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		line++;
		if (strlen(p) > 4096) {
			fprintf(stderr, "%s:%u: skipped: line too long\n", file, line);
			skipped++;
			continue;
		}
		parse_line(fmt, file, line, p, &it, &skipped, &oom);
	}
	free(data);
	if (oom) {
		ctl_errorx("import", "out of memory");
		return 1;
	}
	if (it.n > 0)
		qsort(it.v, it.n, sizeof *it.v, item_cmp);
	/* drop repeats, and names the list has already */
	size_t w = 0;
	for (size_t r = 0; r < it.n; r++) {
		if (w > 0 && strcmp(it.v[w - 1].name, it.v[r].name) == 0 &&
		    it.v[w - 1].exact == it.v[r].exact) {
			dups++;
			free(it.v[r].name);
			continue;
		}
		if (list != NULL) {
			struct list_match m;
			/* covered: below (or at) a listed suffix, or the same exact name */
			if (list_match(list, it.v[r].name, strlen(it.v[r].name), &m) &&
			    (!m.entry->exact ||
			     (it.v[r].exact && strcmp(m.entry->name, it.v[r].name) == 0))) {
				fprintf(stderr, "%s:%u: already listed: %s (under %s, service %s, %s)\n", file,
					it.v[r].line, it.v[r].name, m.entry->name, m.service->id,
					terms_name(m.entry->terms));
				known++;
				free(it.v[r].name);
				continue;
			}
		}
		it.v[w++] = it.v[r];
	}
	it.n = w;
	list_free(list);

	FILE *out = stdout;
	if (outp != NULL && (out = fopen(outp, "w")) == NULL) {
		ctl_errorx("import", "%s: cannot write", outp);
		return 1;
	}
	char today[11];
	lc_date_text(lc_now(), today);
	fprintf(out, "# Candidate fragment imported by `aigatectl import --format %s` from %s\n"
		     "# on %s: %zu names, %u lines skipped, %u repeats, %u already listed.\n"
		     "# NOT FOR USE AS IS: check every name against vendor documentation, fill\n"
		     "# in the TODO fields, and merge it into rules/list.conf (rules/README.md).\n",
		fmt, file, today, it.n, skipped, dups, known);
	const char *ind = whole ? "  " : "";
	if (whole)
		fprintf(out, "version = 1;\nserial = 1L;\nservices = (\n");
	fprintf(out, "%s{ id = ", ind);
	put_str(out, service);
	fprintf(out, "; name = ");
	put_str(out, name != NULL ? name : "TODO");
	fprintf(out, "; vendor = ");
	put_str(out, vendor != NULL ? vendor : "TODO");
	fprintf(out, ";\n%s  jurisdiction = ", ind);
	put_str(out, jur != NULL ? jur : "TODO");
	fprintf(out, "; open_weights = false; verified = ");
	put_str(out, source != NULL ? today : "TODO");
	fprintf(out, ";\n%s  sources = [ ", ind);
	put_str(out, source != NULL ? source : "TODO: the vendor's documentation");
	fprintf(out, " ];\n%s  notes = ", ind);
	fprintf(out, "\"Imported from %s (%s format); open_weights unchecked.\";\n", 
		strchr(file, '"') == NULL && strchr(file, '\\') == NULL ? file : "a file", fmt);
	fprintf(out, "%s  endpoints = (\n%s    { terms = \"%s\";\n", ind, ind, terms);
	for (int pass = 0; pass < 2; pass++) {
		bool exact = pass == 1;
		size_t count = 0;
		for (size_t r = 0; r < it.n; r++)
			count += it.v[r].exact == exact;
		if (count == 0)
			continue;
		fprintf(out, "%s      %s = [\n", ind, exact ? "exact" : "suffix");
		size_t k = 0;
		for (size_t r = 0; r < it.n; r++) {
			if (it.v[r].exact != exact)
				continue;
			fprintf(out, "%s        \"%s\"%s\n", ind, it.v[r].name, ++k < count ? "," : "");
		}
		fprintf(out, "%s      ];\n", ind);
	}
	fprintf(out, "%s    }\n%s  );\n%s}\n", ind, ind, ind);
	if (whole)
		fprintf(out, ");\n");
	for (size_t r = 0; r < it.n; r++)
		free(it.v[r].name);
	free(it.v);
	if (out != stdout && fclose(out) != 0) {
		ctl_errorx("import", "%s: write error", outp);
		return 1;
	}
	fprintf(stderr, "import: %zu names, %u skipped, %u repeats, %u already listed\n", w, skipped,
		dups, known);
	return w > 0 ? 0 : 1;
}
