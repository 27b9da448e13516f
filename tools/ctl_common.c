/* ctl_common.c: shared helpers of the aigatectl verbs; see ctl_common.h. */
#include "ctl_common.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

const char *ctl_opt_value(const char *name, int argc, char **argv, int *i, bool *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	*missing = false;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	*i += 1;
	return argv[*i];
}

int ctl_opt_table(const char *verb, const char *const *names, size_t n, int argc,
		  char **argv, int *i, const char **value)
{
	for (size_t k = 0; k < n; k++) {
		bool missing;
		*value = ctl_opt_value(names[k], argc, argv, i, &missing);
		if (missing) {
			ctl_errorx(verb, "%s needs a value", names[k]);
			return -1;
		}
		if (*value != NULL)
			return (int)k;
	}
	return (int)n;
}

int ctl_policy_option(const char *verb, int argc, char **argv, int *i,
		      struct ctl_policy_opts *o)
{
	static const char *const names[] = { "--config", "--list", "--contracts" };
	const char **slots[] = { &o->config, &o->list, &o->contracts };
	const char *v;
	int k = ctl_opt_table(verb, names, 3, argc, argv, i, &v);
	if (k < 0)
		return -1;
	if (k == 3)
		return 0;
	*slots[k] = v;
	return 1;
}

struct aigate_config *ctl_load_config(const char *verb, const struct ctl_policy_opts *o)
{
	struct diag d;
	diag_init_stderr(&d);
	const char *conf = o->config;
	if (!conf && access(AIGATE_CONF_PATH, R_OK) == 0)
		conf = AIGATE_CONF_PATH;
	struct aigate_config *c = config_load(conf, o->list, o->contracts, &d);
	if (!c) {
		if (!o->list)
			ctl_errorx(verb, "could not load the policy (give the list with --list FILE|DIR, e.g. --list rules in a checkout)");
		else
			ctl_errorx(verb, "could not load the policy");
	}
	return c;
}

size_t ctl_name_text(const char *name, size_t len, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		bool plain = c >= 0x21 && c <= 0x7e && c != '\\';
		size_t need = plain ? 1 : 4;
		if (o + need >= cap)
			break;
		if (plain) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return o;
}
