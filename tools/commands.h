/* commands.h: the verbs of aigatectl.  Each verb lives in its own file
 * tools/cmd_<verb>.c and returns the exit status: 0 success, 1 a finding
 * or failure the user must act on, 2 a usage error (DESIGN.md s3). */
#ifndef AIGATE_COMMANDS_H
#define AIGATE_COMMANDS_H

int cmd_scan(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_reopen(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_reveal(int argc, char **argv);
/* The list and its lifecycle (issue 5): cmd_list.c, cmd_update.c,
 * cmd_diff.c, cmd_impact.c, cmd_contract.c, cmd_import.c, cmd_export.c. */
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_impact(int argc, char **argv);
int cmd_contract(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Shared by verbs: print "aigatectl VERB: message" to stderr. */
void ctl_errorx(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
