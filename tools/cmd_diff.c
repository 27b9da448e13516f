/* cmd_diff.c: `aigatectl diff A B`: what changes from list A to list B
 * (services and entries added, removed, reclassified), and
 * lc_list_diff, which update and rollback print before installing.
 * Exit status: 0 no difference, 1 differences (or a list that does not
 * load), 2 usage: like diff(1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/list.h"
#include "lifecycle.h"

static int entry_cmp(const void *pa, const void *pb)
{
	const struct list_entry *a = *(const struct list_entry *const *)pa;
	const struct list_entry *b = *(const struct list_entry *const *)pb;
	int c = strcmp(a->name, b->name);
	if (c != 0)
		return c;
	return (int)a->exact - (int)b->exact;
}

static int service_cmp(const void *pa, const void *pb)
{
	const struct list_service *a = *(const struct list_service *const *)pa;
	const struct list_service *b = *(const struct list_service *const *)pb;
	return strcmp(a->id, b->id);
}

/* Entries (or services) of l sorted; NULL with *n = 0 for an empty or
 * NULL list.  Exits on out of memory: a diff cannot be half printed. */
static const struct list_entry **sorted_entries(const struct list *l, size_t *n)
{
	*n = l != NULL ? list_n_entries(l) : 0;
	if (*n == 0)
		return NULL;
	const struct list_entry **v = calloc(*n, sizeof *v);
	if (v == NULL) {
		fprintf(stderr, "aigatectl: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < *n; i++)
		v[i] = list_entry_at(l, i);
	qsort(v, *n, sizeof *v, entry_cmp);
	return v;
}

static const struct list_service **sorted_services(const struct list *l, size_t *n)
{
	*n = l != NULL ? list_n_services(l) : 0;
	if (*n == 0)
		return NULL;
	const struct list_service **v = calloc(*n, sizeof *v);
	if (v == NULL) {
		fprintf(stderr, "aigatectl: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < *n; i++)
		v[i] = list_service_at(l, i);
	qsort(v, *n, sizeof *v, service_cmp);
	return v;
}

static const char *nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Print the fields of a service that changed; returns how many. */
static size_t service_changes(const struct list_service *a, const struct list_service *b,
			      FILE *out)
{
	struct { const char *key, *x, *y; } f[] = {
		{ "name", a->name, b->name },
		{ "vendor", a->vendor, b->vendor },
		{ "jurisdiction", a->jurisdiction, b->jurisdiction },
		{ "category", nz(a->category), nz(b->category) },
		{ "verified", a->verified, b->verified },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (strcmp(f[i].x, f[i].y) == 0)
			continue;
		fprintf(out, "~ service %s: %s \"%s\" -> \"%s\"\n", a->id, f[i].key, f[i].x,
			f[i].y);
		n++;
	}
	if (a->eu != b->eu) {
		fprintf(out, "~ service %s: eu %s -> %s\n", a->id, a->eu ? "true" : "false",
			b->eu ? "true" : "false");
		n++;
	}
	if (a->open_weights != b->open_weights) {
		fprintf(out, "~ service %s: open_weights %s -> %s\n", a->id,
			a->open_weights ? "true" : "false", b->open_weights ? "true" : "false");
		n++;
	}
	return n;
}

size_t lc_list_diff(const struct list *a, const struct list *b, FILE *out)
{
	size_t na, nb, sa, sb;
	size_t n_add = 0, n_del = 0, n_mod = 0, s_add = 0, s_del = 0, s_mod = 0;
	const struct list_service **va = sorted_services(a, &sa), **vb = sorted_services(b, &sb);
	const struct list_entry **ea = sorted_entries(a, &na), **eb = sorted_entries(b, &nb);

	fprintf(out, "serial %llu -> %llu\n",
		(unsigned long long)(a != NULL ? list_serial(a) : 0),
		(unsigned long long)(b != NULL ? list_serial(b) : 0));
	for (size_t i = 0, j = 0; i < sa || j < sb;) {
		int c = i == sa ? 1 : j == sb ? -1 : strcmp(va[i]->id, vb[j]->id);
		if (c < 0) {
			fprintf(out, "- service %s \"%s\" (%s, %s)\n", va[i]->id, va[i]->name,
				va[i]->vendor, va[i]->jurisdiction);
			s_del++;
			i++;
		} else if (c > 0) {
			fprintf(out, "+ service %s \"%s\" (%s, %s%s)\n", vb[j]->id, vb[j]->name,
				vb[j]->vendor, vb[j]->jurisdiction, vb[j]->eu ? ", EU" : "");
			s_add++;
			j++;
		} else {
			if (service_changes(va[i], vb[j], out) > 0)
				s_mod++;
			i++;
			j++;
		}
	}
	for (size_t i = 0, j = 0; i < na || j < nb;) {
		int c = i == na ? 1 : j == nb ? -1 : entry_cmp(&ea[i], &eb[j]);
		if (c < 0) {
			const struct list_service *s = list_service_at(a, ea[i]->service);
			fprintf(out, "- %-6s %s %s (service %s)\n", ea[i]->exact ? "exact" : "suffix",
				ea[i]->name, terms_name(ea[i]->terms), s ? s->id : "?");
			n_del++;
			i++;
		} else if (c > 0) {
			const struct list_service *s = list_service_at(b, eb[j]->service);
			fprintf(out, "+ %-6s %s %s (service %s)\n", eb[j]->exact ? "exact" : "suffix",
				eb[j]->name, terms_name(eb[j]->terms), s ? s->id : "?");
			n_add++;
			j++;
		} else {
			const struct list_service *x = list_service_at(a, ea[i]->service);
			const struct list_service *y = list_service_at(b, eb[j]->service);
			bool changed = false;
			if (ea[i]->terms != eb[j]->terms) {
				fprintf(out, "~ %-6s %s %s -> %s (service %s)\n",
					ea[i]->exact ? "exact" : "suffix", ea[i]->name,
					terms_name(ea[i]->terms), terms_name(eb[j]->terms),
					y ? y->id : "?");
				changed = true;
			}
			if (x != NULL && y != NULL && strcmp(x->id, y->id) != 0) {
				fprintf(out, "~ %-6s %s service %s -> %s\n",
					ea[i]->exact ? "exact" : "suffix", ea[i]->name, x->id, y->id);
				changed = true;
			}
			n_mod += changed;
			i++;
			j++;
		}
	}
	fprintf(out, "services: %zu added, %zu removed, %zu changed; "
		"entries: %zu added, %zu removed, %zu reclassified\n",
		s_add, s_del, s_mod, n_add, n_del, n_mod);
	free(va);
	free(vb);
	free(ea);
	free(eb);
	return s_add + s_del + s_mod + n_add + n_del + n_mod;
}

static int diff_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl diff A B\n"
		"Shows what changes from list A to list B (files, or directories holding\n"
		"list.conf): services added (+), removed (-) and changed (~), entries\n"
		"added, removed and reclassified (terms class or service).\n"
		"Exit status: 0 no difference, 1 differences or a list that does not\n"
		"load, 2 usage.\n");
	return f == stdout ? 0 : 2;
}

int cmd_diff(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return diff_usage(stdout);
	if (argc != 3)
		return diff_usage(stderr);
	struct diag d;
	diag_init_stderr(&d);
	struct list *a = config_load_list(argv[1], &d);
	struct list *b = config_load_list(argv[2], &d);
	if (a == NULL || b == NULL) {
		ctl_errorx("diff", "%s does not load", a == NULL ? argv[1] : argv[2]);
		list_free(a);
		list_free(b);
		return 1;
	}
	size_t n = lc_list_diff(a, b, stdout);
	list_free(a);
	list_free(b);
	return n > 0 ? 1 : 0;
}
