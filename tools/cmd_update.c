/* cmd_update.c: `aigatectl update` and `aigatectl rollback`: replace
 * the installed list with a signed newer one, or go back to the one it
 * replaced (DESIGN.md s3).
 *
 * update: fetch the list and its detached signature (LIST.minisig) from
 * --from PATH or an https:// URL (or update.url of aigate.conf), verify
 * the minisign signature against the trusted public keys (update.pubkeys,
 * or --pubkey), require a serial higher than the installed one, load and
 * lint the candidate, check that the configuration and every contract
 * still load with it, print the diff, and install atomically: the list
 * through a temporary file in the same directory, fsync, rename, fsync
 * of the directory; the replaced list and signature are kept as
 * LIST.prev and LIST.prev.minisig.  Then aigated is asked to reload.
 * Any failure before the rename leaves the installed list untouched.
 * A candidate with the installed serial and the same bytes is "already
 * up to date" (exit 0), so a daily timer does not fail between
 * publications; the same serial with other bytes, or a lower serial, is
 * refused.
 *
 * rollback: swap LIST and LIST.prev (with their signatures), after the
 * same load checks, and reload; a second rollback undoes the first.
 *
 * One update or rollback runs at a time (flock on LIST.lock). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "commands.h"
#include "core/list.h"
#include "ctl_common.h"
#include "lifecycle.h"
#include "minisign.h"

#ifndef AIGATE_VERSION
#define AIGATE_VERSION "0.1.0"
#endif

#define LIST_MAX_BYTES (32u << 20)
#define SIG_MAX_BYTES 4096u
#define MAX_PUBKEYS 16

struct upd_opts {
	const char *from, *cacert, *conf, *list, *contracts, *socket;
	const char *pubkeys[MAX_PUBKEYS];
	size_t n_pubkeys;
	bool dry_run, no_reload;
};

/* ------------------------------------------------------------------ */
/* Fetching                                                            */

struct membuf {
	char *p;
	size_t len, max;
	bool too_big;
};

static size_t membuf_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct membuf *m = ctx;
	size_t n = size * nmemb;
	if (n > m->max - m->len) {
		m->too_big = true;
		return 0; /* makes libcurl fail the transfer */
	}
	char *np = realloc(m->p, m->len + n + 1);
	if (np == NULL)
		return 0;
	m->p = np;
	memcpy(m->p + m->len, data, n);
	m->len += n;
	m->p[m->len] = '\0';
	return n;
}

/* GET url over https only (also after redirects), certificates verified
 * (against cacert when given).  false after a message. */
static bool fetch_https(const char *verb, const char *url, const char *cacert, size_t max,
			char **out, size_t *out_len)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct membuf m = { .max = max };
	CURL *h = curl_easy_init();
	CURLcode rc = CURLE_FAILED_INIT;

	if (h != NULL) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
		curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
		if (cacert != NULL)
			curl_easy_setopt(h, CURLOPT_CAINFO, cacert);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 300L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "aigatectl/" AIGATE_VERSION);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, membuf_write);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &m);
		rc = curl_easy_perform(h);
		curl_easy_cleanup(h);
	}
	if (rc != CURLE_OK || m.too_big) {
		ctl_errorx(verb, "%s: %s", url,
			   m.too_big ? "larger than the size limit"
				     : errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		free(m.p);
		return false;
	}
	if (m.p == NULL) {
		m.p = strdup("");
		if (m.p == NULL)
			return false;
	}
	*out = m.p;
	*out_len = m.len;
	return true;
}

static bool is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

static bool fetch(const char *verb, const char *src, const char *cacert, size_t max,
		  char **out, size_t *out_len)
{
	char err[512];
	if (is_url(src)) {
		if (strncmp(src, "https://", 8) != 0) {
			ctl_errorx(verb, "%s: only https:// URLs are accepted", src);
			return false;
		}
		return fetch_https(verb, src, cacert, max, out, out_len);
	}
	if (!lc_read_file(src, max, out, out_len, NULL, err, sizeof err)) {
		ctl_errorx(verb, "%s", err);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Checks shared by update and rollback                                */

/* The settings and paths a run works with. */
struct target {
	struct aigate_config *cfg;
	char *list, *sig, *prev, *prev_sig, *lock;
	const char *conf_path;   /* the aigate.conf in use, or NULL */
	const char *contracts;
	int lock_fd;
};

static void target_cleanup(struct target *t)
{
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	config_free(t->cfg);
	free(t->list);
	free(t->sig);
	free(t->prev);
	free(t->prev_sig);
	free(t->lock);
}

static bool target_init(const char *verb, const struct upd_opts *o, struct target *t)
{
	memset(t, 0, sizeof *t);
	t->lock_fd = -1;
	t->conf_path = o->conf;
	if (t->conf_path == NULL && access(AIGATE_CONF_PATH, R_OK) == 0)
		t->conf_path = AIGATE_CONF_PATH;
	t->cfg = lc_load_settings(verb, o->conf);
	if (t->cfg == NULL)
		return false;
	t->contracts = o->contracts != NULL ? o->contracts : t->cfg->contracts_dir;
	t->list = lc_list_file(o->list != NULL ? o->list : t->cfg->list_path);
	if (t->list == NULL || asprintf(&t->sig, "%s.minisig", t->list) < 0 ||
	    asprintf(&t->prev, "%s.prev", t->list) < 0 ||
	    asprintf(&t->prev_sig, "%s.prev.minisig", t->list) < 0 ||
	    asprintf(&t->lock, "%s.lock", t->list) < 0) {
		ctl_errorx(verb, "out of memory");
		return false;
	}
	t->lock_fd = open(t->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (t->lock_fd < 0) {
		ctl_errorx(verb, "%s: %s", t->lock, strerror(errno));
		return false;
	}
	if (flock(t->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		ctl_errorx(verb, "another update or rollback is running (%s is locked)", t->lock);
		return false;
	}
	return true;
}

/* The candidate at `path` must load and lint cleanly, and the whole
 * configuration with its contracts must load with it, or the daemon
 * would refuse the reload.  Returns the loaded list, or NULL after the
 * loader's file:line messages. */
static struct list *check_candidate(const char *verb, const struct target *t, const char *path,
				    const char *shown_as)
{
	struct diag d;
	diag_init_stderr(&d);
	struct list *l = config_load_list(path, &d);
	if (l == NULL) {
		ctl_errorx(verb, "%s does not pass lint: refused", shown_as);
		return NULL;
	}
	struct aigate_config *c = config_load(t->conf_path, path, t->contracts, &d);
	if (c == NULL) {
		ctl_errorx(verb, "the configuration or the contracts in %s do not load with %s: "
			   "refused (fix them first)", t->contracts, shown_as);
		list_free(l);
		return NULL;
	}
	config_free(c);
	return l;
}

/* The installed list, or NULL (*missing set when there is none). */
static struct list *load_installed(const struct target *t, bool *missing)
{
	struct diag quiet = { 0 };
	*missing = access(t->list, F_OK) != 0 && errno == ENOENT;
	return *missing ? NULL : config_load_list(t->list, &quiet);
}

/* Replace `path` with data (NULL: remove it). */
static bool put_or_remove(const char *verb, const char *path, const char *data, size_t len)
{
	char err[512];
	if (data == NULL) {
		if (unlink(path) != 0 && errno != ENOENT) {
			ctl_errorx(verb, "%s: %s", path, strerror(errno));
			return false;
		}
		return true;
	}
	if (!lc_write_atomic(path, data, len, 0644, false, err, sizeof err)) {
		ctl_errorx(verb, "%s", err);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static int parse_opts(const char *verb, int argc, char **argv, struct upd_opts *o,
		      void (*usage)(FILE *))
{
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--dry-run") == 0 && strcmp(verb, "update") == 0) {
			o->dry_run = true;
			continue;
		}
		if (strcmp(argv[i], "--no-reload") == 0) {
			o->no_reload = true;
			continue;
		}
		static const char *const names[] = {
			"--from", "--cacert", "--config", "--list", "--contracts", "--socket",
			"--pubkey",
		};
		int kk = ctl_opt_table(verb, names, sizeof names / sizeof names[0], argc, argv,
				       &i, &v);
		if (kk < 0)
			return 2;
		size_t k = (size_t)kk;
		if (k == sizeof names / sizeof names[0] ||
		    (strcmp(verb, "update") != 0 && k <= 1) ||
		    (strcmp(verb, "update") != 0 && k == 6)) {
			ctl_errorx(verb, "unknown argument %s", argv[i]);
			usage(stderr);
			return 2;
		}
		const char **slot[] = { &o->from, &o->cacert, &o->conf, &o->list, &o->contracts,
					&o->socket };
		if (k < 6) {
			*slot[k] = v;
		} else if (o->n_pubkeys == MAX_PUBKEYS) {
			ctl_errorx(verb, "too many --pubkey options");
			return 2;
		} else {
			o->pubkeys[o->n_pubkeys++] = v;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* update                                                              */

static void update_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl update [--from PATH|https://URL] [--cacert FILE] [--pubkey FILE]...\n"
		"                        [--dry-run] [--no-reload] [--list FILE] [--config FILE]\n"
		"                        [--contracts DIR] [--socket PATH]\n"
		"Fetches a list and its signature (the same name + .minisig), verifies the\n"
		"minisign signature against update.pubkeys of aigate.conf (or --pubkey),\n"
		"requires a serial above the installed one, lints, checks that the\n"
		"configuration and contracts load with it, shows the diff, installs it\n"
		"atomically keeping the previous list for `aigatectl rollback`, and asks\n"
		"aigated to reload.  The source is --from, else update.url.  --dry-run\n"
		"stops before installing.  Exit status: 0 installed or already up to\n"
		"date, 1 refused or failed (the installed list is untouched), 2 usage.\n");
}

static bool load_keys(const char *verb, const struct upd_opts *o, const struct target *t,
		      struct minisign_pubkey *keys, size_t *n_keys)
{
	const char *const *paths = o->n_pubkeys > 0 ? o->pubkeys
						     : (const char *const *)t->cfg->update_pubkeys;
	size_t n = o->n_pubkeys > 0 ? o->n_pubkeys : t->cfg->n_update_pubkeys;
	char err[512];

	*n_keys = 0;
	for (size_t i = 0; i < n && *n_keys < MAX_PUBKEYS; i++) {
		if (minisign_pubkey_load(paths[i], &keys[*n_keys], err, sizeof err))
			(*n_keys)++;
		else
			ctl_errorx(verb, "public key %s", err);
	}
	if (*n_keys == 0) {
		ctl_errorx(verb, "no trusted public key could be read (update.pubkeys in "
			   "aigate.conf, or --pubkey FILE): refusing to install an unverified list");
		return false;
	}
	return true;
}

int cmd_update(int argc, char **argv)
{
	static const char verb[] = "update";
	struct upd_opts o = { 0 };
	struct target t;
	struct minisign_pubkey keys[MAX_PUBKEYS];
	struct minisign_sig sig;
	size_t n_keys, data_len = 0, sig_len = 0, old_len = 0, old_sig_len = 0;
	char *data = NULL, *sig_text = NULL, *old = NULL, *old_sig = NULL, *sig_src = NULL;
	char *tmp = NULL;
	struct list *cand = NULL, *inst = NULL;
	char err[512];
	int rc = 1;

	int r = parse_opts(verb, argc, argv, &o, update_usage);
	if (r >= 0)
		return r;
	if (!target_init(verb, &o, &t))
		goto out;
	const char *src = o.from != NULL ? o.from : t.cfg->update_url;
	if (src == NULL) {
		ctl_errorx(verb, "no source: give --from PATH|URL or set update.url in aigate.conf");
		rc = 2;
		goto out;
	}
	if (!load_keys(verb, &o, &t, keys, &n_keys))
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ctl_errorx(verb, "libcurl initialisation failed");
		goto out;
	}
	if (asprintf(&sig_src, "%s.minisig", src) < 0)
		goto out;
	printf("fetching %s\n", src);
	if (!fetch(verb, src, o.cacert, LIST_MAX_BYTES, &data, &data_len) ||
	    !fetch(verb, sig_src, o.cacert, SIG_MAX_BYTES, &sig_text, &sig_len)) {
		ctl_errorx(verb, "nothing installed");
		goto out;
	}
	if (!minisign_sig_parse(sig_text, sig_len, &sig, err, sizeof err)) {
		ctl_errorx(verb, "%s: %s: refused", sig_src, err);
		goto out;
	}
	int k = minisign_verify((const uint8_t *)data, data_len, &sig, keys, n_keys, err,
				sizeof err);
	if (k < 0) {
		ctl_errorx(verb, "%s: %s: refused", src, err);
		goto out;
	}
	char id[17];
	minisign_keyid_text(keys[k].key_id, id);
	printf("signature good: key %s, trusted comment: %s\n", id, sig.trusted_comment);

	/* The candidate is written beside the installed list, so the lint
	 * reads exactly the bytes that will be renamed into place. */
	if (asprintf(&tmp, "%s.new", t.list) < 0)
		goto out;
	if (!put_or_remove(verb, tmp, data, data_len))
		goto out;
	cand = check_candidate(verb, &t, tmp, src);
	if (cand == NULL)
		goto out;

	bool missing = false;
	inst = load_installed(&t, &missing);
	uint64_t old_serial = inst != NULL ? list_serial(inst) : 0;
	if (!missing && inst == NULL)
		fprintf(stderr, "aigatectl update: warning: the installed %s does not load; "
			"replacing it\n", t.list);
	if (!missing && !lc_read_file(t.list, LIST_MAX_BYTES, &old, &old_len, NULL, err,
				      sizeof err)) {
		ctl_errorx(verb, "%s", err);
		goto out;
	}
	if (list_serial(cand) <= old_serial) {
		if (list_serial(cand) == old_serial && old != NULL && old_len == data_len &&
		    memcmp(old, data, data_len) == 0) {
			printf("already up to date: serial %llu is installed\n",
			       (unsigned long long)old_serial);
			rc = 0;
		} else {
			ctl_errorx(verb, "serial %llu is not higher than the installed %llu: "
				   "refused (a replayed or older list)",
				   (unsigned long long)list_serial(cand),
				   (unsigned long long)old_serial);
		}
		goto out;
	}
	lc_list_diff(inst, cand, stdout);
	if (o.dry_run) {
		printf("dry run: nothing installed\n");
		rc = 0;
		goto out;
	}
	/* Keep what is installed for rollback, then switch. */
	if (old != NULL) {
		bool no_sig = false;
		if (!lc_read_file(t.sig, SIG_MAX_BYTES, &old_sig, &old_sig_len, &no_sig, err,
				  sizeof err) && !no_sig) {
			ctl_errorx(verb, "%s", err);
			goto out;
		}
		if (!put_or_remove(verb, t.prev, old, old_len) ||
		    !put_or_remove(verb, t.prev_sig, old_sig, old_sig_len))
			goto out;
	}
	if (rename(tmp, t.list) != 0) {
		ctl_errorx(verb, "%s: rename: %s", t.list, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (!lc_sync_dir_of(t.list, err, sizeof err))
		ctl_errorx(verb, "%s", err);
	if (!put_or_remove(verb, t.sig, sig_text, sig_len))
		ctl_errorx(verb, "the list is installed but its signature could not be kept");
	printf("installed serial %llu in %s (previous kept in %s)\n",
	       (unsigned long long)list_serial(cand), t.list, old != NULL ? t.prev : "nothing");
	rc = o.no_reload ? 0 : lc_daemon_reload(verb, o.socket != NULL ? o.socket
							   : t.cfg->daemon.control_socket);
out:
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	list_free(cand);
	list_free(inst);
	free(data);
	free(sig_text);
	free(sig_src);
	free(old);
	free(old_sig);
	target_cleanup(&t);
	return rc;
}

/* ------------------------------------------------------------------ */
/* rollback                                                            */

static void rollback_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl rollback [--no-reload] [--list FILE] [--config FILE]\n"
		"                          [--contracts DIR] [--socket PATH]\n"
		"Puts back the list that the last update replaced (LIST.prev), keeping the\n"
		"current one as LIST.prev, so a second rollback undoes the first; checks\n"
		"that it loads with the configuration and contracts, shows the diff and\n"
		"asks aigated to reload.  Exit status: 0 done, 1 refused or failed, 2 usage.\n");
}

int cmd_rollback(int argc, char **argv)
{
	static const char verb[] = "rollback";
	struct upd_opts o = { 0 };
	struct target t;
	char *cur = NULL, *cur_sig = NULL, *prev = NULL, *prev_sig = NULL;
	size_t cur_len = 0, cur_sig_len = 0, prev_len = 0, prev_sig_len = 0;
	struct list *a = NULL, *b = NULL;
	char err[512];
	bool missing;
	int rc = 1;

	int r = parse_opts(verb, argc, argv, &o, rollback_usage);
	if (r >= 0)
		return r;
	if (!target_init(verb, &o, &t))
		goto out;
	if (!lc_read_file(t.prev, LIST_MAX_BYTES, &prev, &prev_len, &missing, err, sizeof err)) {
		ctl_errorx(verb, missing ? "no previous list (%s): nothing to roll back to" : "%s",
			   missing ? t.prev : err);
		goto out;
	}
	if (!lc_read_file(t.list, LIST_MAX_BYTES, &cur, &cur_len, NULL, err, sizeof err)) {
		ctl_errorx(verb, "%s", err);
		goto out;
	}
	if ((!lc_read_file(t.sig, SIG_MAX_BYTES, &cur_sig, &cur_sig_len, &missing, err,
			   sizeof err) && !missing) ||
	    (!lc_read_file(t.prev_sig, SIG_MAX_BYTES, &prev_sig, &prev_sig_len, &missing, err,
			   sizeof err) && !missing)) {
		ctl_errorx(verb, "%s", err);
		goto out;
	}
	b = check_candidate(verb, &t, t.prev, t.prev);
	if (b == NULL)
		goto out;
	struct diag quiet = { 0 };
	a = config_load_list(t.list, &quiet);
	lc_list_diff(a, b, stdout);
	/* Swap: the previous list goes in first, then the current one is
	 * kept as the new previous; each step is atomic. */
	if (!put_or_remove(verb, t.list, prev, prev_len) ||
	    !put_or_remove(verb, t.sig, prev_sig, prev_sig_len) ||
	    !put_or_remove(verb, t.prev, cur, cur_len) ||
	    !put_or_remove(verb, t.prev_sig, cur_sig, cur_sig_len))
		goto out;
	printf("rolled back to serial %llu in %s (serial %llu kept in %s)\n",
	       (unsigned long long)list_serial(b), t.list,
	       (unsigned long long)(a != NULL ? list_serial(a) : 0), t.prev);
	rc = o.no_reload ? 0 : lc_daemon_reload(verb, o.socket != NULL ? o.socket
							   : t.cfg->daemon.control_socket);
out:
	list_free(a);
	list_free(b);
	free(cur);
	free(cur_sig);
	free(prev);
	free(prev_sig);
	target_cleanup(&t);
	return rc;
}
