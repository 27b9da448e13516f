/* aigated.h: the state of the running daemon that the main loop
 * (main.c) owns and the status report (status.c) reads.  Only the main
 * thread touches it; workers see the configuration through worker.h. */
#ifndef AIGATE_AIGATED_H
#define AIGATE_AIGATED_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "fwcount.h"

struct worker;
struct injector;

struct aigated {
	/* Command line. */
	const char *conf_path;
	const char *list_override;
	const char *contracts_override;

	struct aigate_config *cfg;        /* in force (owned) */
	struct daemon_settings boot;      /* settings as at start (strings not owned) */
	struct worker **workers;          /* n_workers, owned */
	unsigned n_workers;
	struct injector *inj;             /* owned */
	int control_fd;
	int kernel_stats_fd;              /* /proc/net/netfilter/nfnetlink_queue (root-only file) */
	char *control_path;               /* the socket created at start (owned) */
	char *event_path;                 /* the event file open now, or NULL (owned) */

	int64_t started_us;               /* realtime */
	int64_t started_mono_us;
	uint64_t reloads_ok, reloads_failed;
	int64_t last_reload_us;           /* realtime of the last attempt, 0: none */
	char *restart_needed;             /* "queue.count, user" or NULL (owned) */

	/* Packets the queue rules sent that no queue took (fail-open, queue
	 * full): see check_not_queued in main.c. */
	struct fwcount *fw;               /* owned; NULL: not watched */
	bool fw_have_base;
	uint64_t fw_prev, fw_reported, fw_total;
	int64_t fw_next_mono_us;
};

#endif
