/* lifecycle.h: what the list-lifecycle verbs of aigatectl share
 * (update, rollback, diff, impact, contract, import, export, list):
 * whole-file reads, atomic writes, asking the daemon to reload, the
 * settings-only configuration, and the list diff. */
#ifndef AIGATE_LIFECYCLE_H
#define AIGATE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"

/* Read a whole file (at most max bytes) into a malloc'd buffer with a
 * NUL after the data.  false with a reason in err (ENOENT is reported as
 * "no such file"; *missing, if not NULL, is set for it). */
bool lc_read_file(const char *path, size_t max, char **out, size_t *out_len, bool *missing,
		  char *err, size_t err_len);

/* Write data to path atomically: a temporary file in the same
 * directory, fsync, rename over path (or, with no_clobber, link to it:
 * an existing path is then an error, "exists" in err), fsync of the
 * directory.  On failure path is untouched and the temporary file
 * removed. */
bool lc_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		     bool no_clobber, char *err, size_t err_len);

/* fsync the directory holding path; false with a reason on failure. */
bool lc_sync_dir_of(const char *path, char *err, size_t err_len);

/* The settings of aigate.conf for a verb that writes files: --config
 * FILE, else the installed aigate.conf when it exists, else the
 * built-in defaults (config_load_settings).  NULL after messages. */
struct aigate_config *lc_load_settings(const char *verb, const char *conf);

/* The list file a path names: path itself, or path/list.conf for a
 * directory.  malloc'd; NULL when out of memory. */
char *lc_list_file(const char *path);

/* Ask aigated to reload through the control socket (socket_path).  A
 * daemon that is not running (no socket, nobody listening) is reported
 * on stdout and is success: the change applies when it starts.
 * Returns 0 reloaded or not running, 1 the daemon refused (its
 * messages printed) or did not answer. */
int lc_daemon_reload(const char *verb, const char *socket_path);

/* Print what changes from list a to list b (either may be NULL: empty):
 * services added, removed and changed (vendor, jurisdiction, ...), and
 * entries added, removed and reclassified (terms class or service),
 * one line each, "+", "-" or "~" first.  Returns the number of
 * differences (0: the same entries and services). */
size_t lc_list_diff(const struct list *a, const struct list *b, FILE *out);

/* Current time, or the AIGATE_NOW environment variable (seconds since
 * the epoch, or YYYY-MM-DD) so tests can fix "today". */
int64_t lc_now(void);

/* Seconds since the epoch as "YYYY-MM-DD" (UTC). buf needs 11 bytes. */
void lc_date_text(int64_t t, char buf[11]);

#endif
