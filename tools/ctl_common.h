/* ctl_common.h: what several aigatectl verbs share: loading the
 * configuration, list and contracts named on the command line (or the
 * installed ones), and printing names safely. */
#ifndef AIGATE_CTL_COMMON_H
#define AIGATE_CTL_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct ctl_policy_opts {
	const char *config;     /* --config FILE; NULL: installed file if present */
	const char *list;       /* --list FILE|DIR; NULL: from the configuration */
	const char *contracts;  /* --contracts DIR; NULL: from the configuration */
};

/* Load configuration, list and contracts.  Without --config the
 * installed aigate.conf is used when it exists, else built-in defaults.
 * NULL on failure, after the loader's file:line messages and a hint on
 * stderr. */
struct aigate_config *ctl_load_config(const char *verb, const struct ctl_policy_opts *o);

/* If argv[*i] is one of --config/--list/--contracts (with its value in
 * the next argument or after '='), store it, advance *i and return 1;
 * return 0 if it is not one of them, -1 (message printed) if the value
 * is missing. */
int ctl_policy_option(const char *verb, int argc, char **argv, int *i,
		      struct ctl_policy_opts *o);

/* Take the value of option `name` at argv[*i] ("--name V" or
 * "--name=V"): returns the value and advances *i, or NULL when argv[*i]
 * is not that option.  *missing is set when the option has no value. */
const char *ctl_opt_value(const char *name, int argc, char **argv, int *i, bool *missing);

/* Which of the n options in names argv[*i] is (ctl_opt_value for each):
 * its index, with its value in *value and *i advanced; n when it is none
 * of them; -1 (after "VERB: OPTION needs a value") when it has no value. */
int ctl_opt_table(const char *verb, const char *const *names, size_t n, int argc,
		  char **argv, int *i, const char **value);

/* Printable text of a raw name: bytes outside 0x21..0x7e and '\' become
 * "\xNN" (as in events).  Always NUL-terminates buf (cap > 0); returns
 * the length written. */
size_t ctl_name_text(const char *name, size_t len, char *buf, size_t cap);

#endif
