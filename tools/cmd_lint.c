/* cmd_lint.c: `aigatectl lint`: validate a list, a configuration or
 * contract files, printing every problem as file:line. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ctl_common.h"

static void lint_usage(FILE *f)
{
	fprintf(f,
		"usage: aigatectl lint [--list FILE|DIR] [--config FILE] [--contract FILE]... [FILE]\n"
		"Validates a list (FILE, or --list), a configuration with its list and\n"
		"contracts (--config), or single contract files (--contract, checked\n"
		"against the list given or installed).  Every problem is printed as\n"
		"file:line: severity: message.\n"
		"Exit status: 0 clean, 1 problems found, 2 usage.\n");
}

int cmd_lint(int argc, char **argv)
{
	struct ctl_policy_opts po = { 0 };
	const char *contracts[64];
	size_t n_contracts = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		bool missing = false;
		const char *v;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			lint_usage(stdout);
			return 0;
		}
		if ((v = ctl_opt_value("--contract", argc, argv, &i, &missing))) {
			if (n_contracts == sizeof(contracts) / sizeof(contracts[0])) {
				ctl_errorx("lint", "too many --contract options");
				return 2;
			}
			contracts[n_contracts++] = v;
			continue;
		}
		int r = missing ? -1 : ctl_policy_option("lint", argc, argv, &i, &po);
		if (r <= 0) {
			ctl_errorx("lint", r < 0 ? "%s needs a value" : "unknown option %s", argv[i]);
			return 2;
		}
	}
	if (i < argc) {
		if (po.list || i + 1 < argc) {
			lint_usage(stderr);
			return 2;
		}
		po.list = argv[i];
	}
	if (!po.list && !po.config && n_contracts == 0) {
		lint_usage(stderr);
		return 2;
	}
	struct diag d;
	diag_init_stderr(&d);
	d.lint = true; /* also the maintainer's warnings (open tenancy, ...) */
	struct list *list = NULL;
	struct list_tenancy ot = { 0 };
	if (po.config) {
		struct aigate_config *c = config_load(po.config, po.list, po.contracts, &d);
		config_free(c);
	} else if (po.list) {
		list = config_load_list_ot(po.list, &d, &ot);
	}
	for (size_t k = 0; k < n_contracts; k++) {
		struct contract c;
		memset(&c, 0, sizeof(c));
		if (config_load_contract_ot(contracts[k], list, &ot, &c, &d) == 0)
			contract_cleanup(&c);
	}
	list_tenancy_cleanup(&ot);
	list_free(list);
	if (d.n_errors || d.n_warnings)
		fprintf(stderr, "lint: %u error(s), %u warning(s)\n", d.n_errors, d.n_warnings);
	return d.n_errors ? 1 : 0;
}
