/* cmd_contract.c: `aigatectl contract add|list|remove`: the contracts
 * an agency has with AI vendors, one file per contract in contracts.d/
 * (DESIGN.md s3), never hand-merged.
 *
 *   add     writes contracts.d/ID.conf atomically (temporary file, fsync,
 *           link: an existing id is never overwritten), after checking
 *           every field; services must be in the list.
 *   list    each contract with its status at the time (UTC): active,
 *           expiring (within 30 days), expired, not yet started.
 *   remove  moves ID.conf to contracts.d/archive/ID.conf.<UTC timestamp>,
 *           so the record of what was allowed when is kept.
 *
 * add and remove ask aigated to reload (the policy re-evaluates dates per
 * decision, so expiry needs no reload). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "commands.h"
#include "core/list.h"
#include "core/name.h"
#include "ctl_common.h"
#include "lifecycle.h"

#define EXPIRING_DAYS 30
#define SECONDS_PER_DAY 86400
#define MAX_ITEMS 256

struct copts {
	const char *id, *reference, *approved_by, *starts, *expires, *dir, *conf, *list, *socket;
	const char *services[MAX_ITEMS], *hosts[MAX_ITEMS];
	size_t n_services, n_hosts;
	bool json, no_reload;
};

static void contract_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl contract add --id ID --reference TEXT (--service S | --host H)...\n"
		"                              --expires DATE --approved-by WHO [--starts DATE]\n"
		"       aigatectl contract list [--json]\n"
		"       aigatectl contract remove ID\n"
		"common: [--dir DIR] [--config FILE] [--list FILE|DIR] [--no-reload] [--socket PATH]\n"
		"Dates are YYYY-MM-DD, UTC; a contract is in force from the start of its\n"
		"start day through the end of its expiry day.  add refuses an unknown\n"
		"service, a bad date and an existing id; remove archives the file in\n"
		"DIR/archive/.  list: status active, expiring (within %d days), expired or\n"
		"not yet started.  AIGATE_NOW=YYYY-MM-DD sets \"today\" for tests.\n"
		"Exit status: 0 done, 1 refused or failed, 2 usage.\n", EXPIRING_DAYS);
}

static int parse(int argc, char **argv, struct copts *o)
{
	for (int i = 2; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
			continue;
		}
		if (strcmp(argv[i], "--no-reload") == 0) {
			o->no_reload = true;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			contract_usage(stdout);
			return 0;
		}
		static const char *const names[] = {
			"--id", "--reference", "--approved-by", "--starts", "--expires", "--dir",
			"--config", "--list", "--socket", "--service", "--host",
		};
		const char **slots[] = {
			&o->id, &o->reference, &o->approved_by, &o->starts, &o->expires, &o->dir,
			&o->conf, &o->list, &o->socket,
		};
		int kk = ctl_opt_table("contract", names, sizeof names / sizeof names[0], argc,
				       argv, &i, &v);
		if (kk < 0)
			return 2;
		size_t k = (size_t)kk;
		if (k == sizeof names / sizeof names[0]) {
			if (argv[i][0] == '-') {
				ctl_errorx("contract", "unknown option %s", argv[i]);
				return 2;
			}
			if (o->id != NULL) {
				ctl_errorx("contract", "unexpected argument %s", argv[i]);
				return 2;
			}
			o->id = argv[i]; /* remove ID */
			continue;
		}
		if (k < 9) {
			*slots[k] = v;
		} else {
			const char **arr = k == 9 ? o->services : o->hosts;
			size_t *n = k == 9 ? &o->n_services : &o->n_hosts;
			if (*n == MAX_ITEMS) {
				ctl_errorx("contract", "too many %s options", names[k]);
				return 2;
			}
			arr[(*n)++] = v;
		}
	}
	return -1;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* Printable text without control characters (bytes >= 0x80 are left to
 * the loader's UTF-8 check). */
static bool plain_text(const char *s)
{
	if (s[0] == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* s as a libconfig string literal (quotes and backslashes escaped). */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static char *contracts_dir(const struct copts *o, struct aigate_config **cfg)
{
	*cfg = lc_load_settings("contract", o->conf);
	if (*cfg == NULL)
		return NULL;
	return strdup(o->dir != NULL ? o->dir : (*cfg)->contracts_dir);
}

/* Warnings from the loader, without the temporary file's name. */
static void emit_plain(void *ctx, const char *severity, const char *file, unsigned line,
		       const char *msg)
{
	(void)ctx;
	(void)file;
	(void)line;
	fprintf(stderr, "aigatectl contract: %s: %s\n", severity, msg);
}

static int contract_add(struct copts *o)
{
	struct aigate_config *cfg = NULL;
	struct list *list = NULL;
	struct list_tenancy ot = { 0 };
	char *dir = NULL, *path = NULL, *text = NULL, tmpl[] = "/tmp/aigate-contract-XXXXXX";
	size_t text_len = 0;
	int64_t starts = 0, expires = 0, now = lc_now();
	int rc = 1, bad = 0;

	if (o->id == NULL || o->reference == NULL || o->expires == NULL || o->approved_by == NULL ||
	    (o->n_services == 0 && o->n_hosts == 0)) {
		ctl_errorx("contract", "add needs --id, --reference, --expires, --approved-by and "
			   "at least one --service or --host");
		return 2;
	}
	if (!valid_id(o->id)) {
		ctl_errorx("contract", "id '%s': 1..128 of [A-Za-z0-9._-], starting with a letter "
			   "or digit", o->id);
		bad++;
	}
	if (!plain_text(o->reference) || !plain_text(o->approved_by)) {
		ctl_errorx("contract", "--reference and --approved-by are non-empty text without "
			   "control characters");
		bad++;
	}
	if (!date_parse(o->expires, &expires)) {
		ctl_errorx("contract", "--expires '%s' is not a date (YYYY-MM-DD)", o->expires);
		bad++;
	} else if (date_end_of_day(expires) < now) {
		ctl_errorx("contract", "--expires %s is in the past", o->expires);
		bad++;
	}
	if (o->starts != NULL && !date_parse(o->starts, &starts)) {
		ctl_errorx("contract", "--starts '%s' is not a date (YYYY-MM-DD)", o->starts);
		bad++;
	} else if (o->starts != NULL && expires != 0 && starts > expires) {
		ctl_errorx("contract", "the contract expires (%s) before it starts (%s)", o->expires,
			   o->starts);
		bad++;
	}
	for (size_t i = 0; i < o->n_hosts; i++) {
		char norm[NAME_BUF_LEN];
		size_t nl;
		uint32_t fl = name_normalize(o->hosts[i], strlen(o->hosts[i]), norm, &nl);
		if ((fl & FLAG_NAME_INVALID) || !name_is_valid_list_name(norm)) {
			ctl_errorx("contract", "--host '%s' is not a valid host name", o->hosts[i]);
			bad++;
		}
	}
	dir = contracts_dir(o, &cfg);
	if (dir == NULL)
		goto out;
	struct diag d;
	diag_init_stderr(&d);
	list = config_load_list_ot(o->list != NULL ? o->list : cfg->list_path, &d, &ot);
	if (list == NULL) {
		ctl_errorx("contract", "the list does not load, so services cannot be checked "
			   "(give --list FILE|DIR)");
		goto out;
	}
	for (size_t i = 0; i < o->n_services; i++) {
		if (list_find_service(list, o->services[i]) == NULL) {
			ctl_errorx("contract", "service '%s' is not in the list (aigatectl list shows "
				   "the ids)", o->services[i]);
			bad++;
		}
	}
	if (bad > 0)
		goto out;
	if (asprintf(&path, "%s/%s.conf", dir, o->id) < 0)
		goto out;
	if (access(path, F_OK) == 0) {
		ctl_errorx("contract", "%s exists: contract '%s' is already there (remove it "
			   "first, or choose another id)", path, o->id);
		goto out;
	}

	/* The file. */
	char stamp[32];
	time_t tnow = time(NULL);
	struct tm tm;
	gmtime_r(&tnow, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	FILE *f = open_memstream(&text, &text_len);
	if (f == NULL)
		goto out;
	const char *user = getenv("SUDO_USER") != NULL ? getenv("SUDO_USER") : getenv("USER");
	fprintf(f, "# %s.conf: contract written by `aigatectl contract add` on %s%s%s.\n"
		   "# Dates are UTC; expires is valid through the end of that day.\n"
		   "# Remove with `aigatectl contract remove %s` (archived, not deleted).\n",
		o->id, stamp, user != NULL && plain_text(user) ? " by " : "",
		user != NULL && plain_text(user) ? user : "", o->id);
	fputs("id = ", f);
	put_quoted(f, o->id);
	fputs(";\nreference = ", f);
	put_quoted(f, o->reference);
	fputs(";\napproved_by = ", f);
	put_quoted(f, o->approved_by);
	fputs(";\n", f);
	for (int pass = 0; pass < 2; pass++) {
		const char **arr = pass == 0 ? o->services : o->hosts;
		size_t n = pass == 0 ? o->n_services : o->n_hosts;
		if (n == 0)
			continue;
		fprintf(f, "%s = [ ", pass == 0 ? "services" : "hosts");
		for (size_t i = 0; i < n; i++) {
			char norm[NAME_BUF_LEN];
			size_t nl;
			if (pass == 1)
				name_normalize(arr[i], strlen(arr[i]), norm, &nl);
			if (i > 0)
				fputs(", ", f);
			put_quoted(f, pass == 1 ? norm : arr[i]);
		}
		fputs(" ];\n", f);
	}
	if (o->starts != NULL)
		fprintf(f, "starts = \"%s\";\n", o->starts);
	fprintf(f, "expires = \"%s\";\n", o->expires);
	if (fclose(f) != 0)
		goto out;

	/* The loader must accept exactly these bytes before they go live. */
	int tfd = mkstemp(tmpl);
	if (tfd < 0 || write(tfd, text, text_len) != (ssize_t)text_len) {
		ctl_errorx("contract", "cannot write a temporary file: %s", strerror(errno));
		if (tfd >= 0) {
			close(tfd);
			unlink(tmpl);
		}
		goto out;
	}
	close(tfd);
	struct contract c;
	struct diag dc = { .emit = emit_plain };
	int lr = config_load_contract_ot(tmpl, list, &ot, &c, &dc);
	unlink(tmpl);
	if (lr != 0) {
		ctl_errorx("contract", "the contract does not load: not written");
		goto out;
	}
	contract_cleanup(&c);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		ctl_errorx("contract", "%s: %s", dir, strerror(errno));
		goto out;
	}
	char err[512];
	if (!lc_write_atomic(path, text, text_len, 0644, true, err, sizeof err)) {
		ctl_errorx("contract", "%s", err);
		goto out;
	}
	printf("contract %s written to %s\n", o->id, path);
	rc = o->no_reload ? 0 : lc_daemon_reload("contract", o->socket != NULL
					? o->socket : cfg->daemon.control_socket);
out:
	list_tenancy_cleanup(&ot);
	list_free(list);
	config_free(cfg);
	free(dir);
	free(path);
	free(text);
	return rc;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf files of dir, sorted; NULL with *n = 0 when there are none. */
static char **contract_files(const char *dir, size_t *n)
{
	DIR *dh = opendir(dir);
	char **v = NULL;
	struct dirent *de;
	*n = 0;
	if (dh == NULL)
		return NULL;
	while ((de = readdir(dh)) != NULL) {
		size_t len = strlen(de->d_name);
		char *full;
		struct stat st;
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (asprintf(&full, "%s/%s", dir, de->d_name) < 0)
			break;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		char **nv = realloc(v, (*n + 1) * sizeof *nv);
		if (nv == NULL) {
			free(full);
			break;
		}
		v = nv;
		v[(*n)++] = full;
	}
	closedir(dh);
	if (*n > 0)
		qsort(v, *n, sizeof *v, strp_cmp);
	return v;
}

static const char *status_of(const struct contract *c, int64_t now, long *days_left)
{
	*days_left = (long)((c->expires - now) / SECONDS_PER_DAY);
	if (c->starts != 0 && now < c->starts)
		return "not-yet-started";
	if (c->expires != 0 && now > c->expires)
		return "expired";
	if (c->expires != 0 && c->expires - now < (int64_t)EXPIRING_DAYS * SECONDS_PER_DAY)
		return "expiring";
	return "active";
}

static int contract_list(struct copts *o)
{
	struct aigate_config *cfg = NULL;
	char *dir = contracts_dir(o, &cfg);
	struct list *list = NULL;
	int64_t now = lc_now();
	size_t n = 0;
	int rc = 0;

	if (dir == NULL)
		return 1;
	struct diag quiet = { 0 };
	list = config_load_list(o->list != NULL ? o->list : cfg->list_path, &quiet);
	char **files = contract_files(dir, &n);
	if (!o->json)
		printf("%-24s %-16s %-10s %-10s %-5s %-40s %s\n", "ID", "STATUS", "STARTS",
		       "EXPIRES", "DAYS", "COVERS", "REFERENCE (APPROVED BY)");
	for (size_t i = 0; i < n; i++) {
		struct contract c;
		struct diag d;
		diag_init_stderr(&d);
		if (config_load_contract(files[i], list, &c, &d) != 0) {
			if (!o->json)
				printf("%-24s %-16s (%s: see the messages above)\n", "?", "invalid", files[i]);
			rc = 1;
			continue;
		}
		long days;
		const char *st = status_of(&c, now, &days);
		char s1[11] = "-", s2[11];
		if (c.starts != 0)
			lc_date_text(c.starts, s1);
		lc_date_text(c.expires, s2);
		char covers[512] = "";
		size_t used = 0;
		for (size_t k = 0; k < c.n_services + c.n_hosts; k++) {
			const char *item = k < c.n_services ? c.services[k] : c.hosts[k - c.n_services];
			int w = snprintf(covers + used, sizeof covers - used, "%s%s%s", used ? "," : "",
					 k < c.n_services ? "service:" : "host:", item);
			if (w < 0 || (size_t)w >= sizeof covers - used)
				break;
			used += (size_t)w;
		}
		if (o->json) {
			json_t *j = json_object();
			json_object_set_new(j, "id", json_string(c.id));
			json_object_set_new(j, "status", json_string(st));
			json_object_set_new(j, "starts", c.starts ? json_string(s1) : json_null());
			json_object_set_new(j, "expires", json_string(s2));
			json_object_set_new(j, "days_left", json_integer(days));
			json_t *sv = json_array(), *hv = json_array();
			for (size_t k = 0; k < c.n_services; k++)
				json_array_append_new(sv, json_string(c.services[k]));
			for (size_t k = 0; k < c.n_hosts; k++)
				json_array_append_new(hv, json_string(c.hosts[k]));
			json_object_set_new(j, "services", sv);
			json_object_set_new(j, "hosts", hv);
			json_object_set_new(j, "reference", json_string(c.reference));
			json_object_set_new(j, "approved_by", json_string(c.approved_by));
			json_object_set_new(j, "file", json_string(files[i]));
			char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (txt != NULL)
				puts(txt);
			free(txt);
			json_decref(j);
		} else {
			printf("%-24s %-16s %-10s %-10s %-5ld %-40s %s (%s)\n", c.id, st, s1, s2,
			       days < 0 ? 0 : days, covers, c.reference, c.approved_by);
		}
		contract_cleanup(&c);
	}
	if (!o->json && n == 0)
		printf("no contracts in %s\n", dir);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	list_free(list);
	config_free(cfg);
	free(dir);
	return rc;
}

static int contract_remove(struct copts *o)
{
	struct aigate_config *cfg = NULL;
	char *dir, *path = NULL, *archive = NULL, *dest = NULL;
	int rc = 1;

	if (o->id == NULL) {
		ctl_errorx("contract", "remove needs the contract id");
		return 2;
	}
	dir = contracts_dir(o, &cfg);
	if (dir == NULL)
		return 1;
	/* ID.conf, or a hand-named file holding that id */
	size_t n = 0;
	char **files = contract_files(dir, &n);
	for (size_t i = 0; i < n && path == NULL; i++) {
		struct contract c;
		struct diag quiet = { 0 };
		if (config_load_contract(files[i], NULL, &c, &quiet) == 0) {
			if (strcmp(c.id, o->id) == 0)
				path = strdup(files[i]);
			contract_cleanup(&c);
		}
	}
	if (path == NULL && valid_id(o->id) && asprintf(&path, "%s/%s.conf", dir, o->id) >= 0 &&
	    access(path, F_OK) != 0) {
		free(path);
		path = NULL;
	}
	if (path == NULL) {
		ctl_errorx("contract", "no contract '%s' in %s", o->id, dir);
		goto out;
	}
	char stamp[32];
	time_t tnow = time(NULL);
	struct tm tm;
	gmtime_r(&tnow, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	if (asprintf(&archive, "%s/archive", dir) < 0)
		goto out;
	if (mkdir(archive, 0755) != 0 && errno != EEXIST) {
		ctl_errorx("contract", "%s: %s", archive, strerror(errno));
		goto out;
	}
	const char *base = strrchr(path, '/') + 1;
	for (int k = 0; k < 100; k++) {
		free(dest);
		dest = NULL;
		if ((k == 0 ? asprintf(&dest, "%s/%s.%s", archive, base, stamp)
			    : asprintf(&dest, "%s/%s.%s-%d", archive, base, stamp, k)) < 0)
			goto out;
		/* link, then unlink: an archived record is never overwritten */
		if (link(path, dest) == 0)
			break;
		if (errno != EEXIST) {
			ctl_errorx("contract", "%s: %s", dest, strerror(errno));
			goto out;
		}
	}
	if (unlink(path) != 0) {
		ctl_errorx("contract", "%s: %s", path, strerror(errno));
		unlink(dest);
		goto out;
	}
	char err[512];
	if (!lc_sync_dir_of(path, err, sizeof err) || !lc_sync_dir_of(dest, err, sizeof err))
		ctl_errorx("contract", "%s", err);
	printf("contract %s removed: archived as %s\n", o->id, dest);
	rc = o->no_reload ? 0 : lc_daemon_reload("contract", o->socket != NULL
					? o->socket : cfg->daemon.control_socket);
out:
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	config_free(cfg);
	free(dir);
	free(path);
	free(archive);
	free(dest);
	return rc;
}

int cmd_contract(int argc, char **argv)
{
	struct copts o = { 0 };
	if (argc < 2) {
		contract_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		contract_usage(stdout);
		return 0;
	}
	int r = parse(argc, argv, &o);
	if (r >= 0)
		return r;
	if (strcmp(argv[1], "add") == 0)
		return contract_add(&o);
	if (strcmp(argv[1], "list") == 0)
		return contract_list(&o);
	if (strcmp(argv[1], "remove") == 0)
		return contract_remove(&o);
	ctl_errorx("contract", "unknown subcommand '%s' (add, list, remove)", argv[1]);
	return 2;
}
