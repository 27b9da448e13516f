/* aigatectl.c: the command-line front end: dispatch to the verbs in
 * tools/cmd_*.c (DESIGN.md s3). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef AIGATE_VERSION
#define AIGATE_VERSION "0.1.0"
#endif

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct verb verbs[] = {
	{ "check", cmd_check, "check [--from IP] [--json] [--at DATE] [--list FILE|DIR] [--config FILE] [--contracts DIR] NAME..." },
	{ "scan", cmd_scan, "scan [--json] [--listed] [--list FILE|DIR] [--config FILE] FILE..." },
	{ "lint", cmd_lint, "lint [--list FILE|DIR] [--config FILE] [--contract FILE]..." },
	{ "status", cmd_status, "status [--json | --prometheus] [--socket PATH] [--config FILE]" },
	{ "reload", cmd_reload, "reload [--socket PATH] [--config FILE]" },
	{ "reopen", cmd_reopen, "reopen [--socket PATH] [--config FILE]" },
	{ "report", cmd_report, "report [--since DATE] [--until DATE] [--format text|json|html] [-o FILE] [--list FILE|DIR] [--top N] LOG..." },
	{ "reveal", cmd_reveal, "reveal [--key FILE] [--period SECONDS] [--at TIME] [--log LOG]... [--candidates FILE] PSEUDONYM... [ADDRESS|NETWORK]..." },
	{ "list", cmd_list, "list [--json] [--terms T] [--category C] [--list FILE|DIR] [--config FILE]" },
	{ "show", cmd_show, "show [--json] [--list FILE|DIR] [--config FILE] SERVICE..." },
	{ "update", cmd_update, "update [--from PATH|URL] [--cacert FILE] [--pubkey FILE]... [--dry-run] [--no-reload] [--list FILE] [--config FILE]" },
	{ "rollback", cmd_rollback, "rollback [--no-reload] [--list FILE] [--config FILE]" },
	{ "diff", cmd_diff, "diff A B" },
	{ "impact", cmd_impact, "impact --log EVENTS [--config FILE] [--contracts DIR] [--at DATE] LIST" },
	{ "contract", cmd_contract, "contract add|list|remove ... (contract --help)" },
	{ "import", cmd_import, "import --format hosts|domains|adblock --terms T --service ID [--name N] [--vendor V] [--jurisdiction CC] [--source URL] [--whole-list] FILE" },
	{ "export", cmd_export, "export --format dnsmasq|unbound|rpz|hosts [-o FILE] [--list FILE|DIR] [--config FILE] [--contracts DIR]" },
};

void ctl_errorx(const char *verb, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "aigatectl %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: aigatectl VERB [OPTIONS] [ARGS]\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %s\n", verbs[i].usage);
	fprintf(f, "\n`aigatectl VERB --help` describes one verb.  Exit status: 0 success,\n"
		   "1 a finding or failure to act on, 2 a usage error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("aigatectl %s\n", AIGATE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "aigatectl: unknown verb '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
