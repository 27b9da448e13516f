/* worker.h: one worker thread per netfilter queue: receive, inspect,
 * decide the verdict (and inject answers), log events, and keep the
 * counters that `aigatectl status` shows.
 *
 * The configuration in force is one pointer, swapped atomically by the
 * main thread on reload (workers_swap_config).  Workers take no lock on
 * the packet path: each reads the pointer at the start of a round and
 * announces a quiescent point (its generation counter) after the round,
 * when it holds no pointer into any configuration.  The main thread
 * frees an old configuration only when every worker has passed a
 * quiescent point after the swap. */
#ifndef AIGATE_WORKER_H
#define AIGATE_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct injector;
struct worker;

/* Counters of one worker; written by the worker only, read by anyone
 * (relaxed atomics: each value is exact, a set of them is not a
 * snapshot). */
struct worker_stats {
	atomic_uint_fast64_t packets;        /* queued packets received */
	atomic_uint_fast64_t v_accept;       /* NF_ACCEPT without mark */
	atomic_uint_fast64_t v_allow;        /* NF_REPEAT with the allow mark */
	atomic_uint_fast64_t v_block;        /* NF_REPEAT with the block mark */
	atomic_uint_fast64_t v_drop;         /* NF_DROP */
	atomic_uint_fast64_t dns_answers;    /* block answers injected */
	atomic_uint_fast64_t resets;         /* TCP resets injected */
	atomic_uint_fast64_t inject_errors;  /* answers/resets that could not be sent */
	atomic_uint_fast64_t errors;         /* packets we could not inspect (no payload, ...) */
	atomic_uint_fast64_t missed;         /* gaps in packet ids: never seen by us */
	atomic_uint_fast64_t enobufs;        /* netlink receive overruns */
	atomic_uint_fast64_t verdict_errors; /* verdicts the kernel refused or that failed */
	atomic_uint_fast64_t bad_messages;   /* undecodable queue messages */
	atomic_uint_fast64_t names;          /* names completed (DNS questions, SNIs) */
	atomic_uint_fast64_t names_by[APP_QUIC + 1][ACTION_COUNT_]; /* by app_proto and action */
	/* From inspector_stats, refreshed about once a second. */
	atomic_uint_fast64_t flows_active, flows_created, flows_evicted, flows_expired;
	atomic_uint_fast64_t ip_malformed, dns_malformed, tls_malformed, quic_malformed;
	/* Malformed or evasive input by kind, and the bounds at work. */
	atomic_uint_fast64_t bad_checksum, fragments, fragments_first, overlap_mismatches,
		tls_out_of_window, tls_multi_hello, tls_unreadable, flows_given_up,
		flows_evicted_undecided, dns_overflow, quic_unparsed, buffer_bytes;
};

/* Create the worker for queue `queue_num`: binds and configures the
 * queue (nfqueue_open) and creates its inspector (limits from the
 * settings' flows.*) and fold table.  `inj` is shared and stays owned by
 * the caller.  NULL on failure, with a diagnostic logged: a start-up
 * error.  The thread is not started yet (worker_start). */
struct worker *worker_new(unsigned index, unsigned queue_num,
			  const struct daemon_settings *s, struct injector *inj);

/* Start the thread.  -1 (errno set) when it cannot be created. */
int worker_start(struct worker *w);

/* Ask to stop and wait: the worker gives verdicts to what it has
 * received, writes its folded events and returns.  Then free (also
 * unbinds the queue).  Both accept a worker that was never started. */
void worker_stop(struct worker *w);
void worker_free(struct worker *w);

const struct worker_stats *worker_stats(const struct worker *w);
unsigned worker_queue(const struct worker *w);

/* The configuration workers use now.  Set once before the workers start
 * (ownership stays with the caller). */
void workers_set_config(struct aigate_config *cfg);

/* Publish `cfg` to all n workers and wait until none uses the previous
 * configuration any more; return the previous one, for the caller to
 * free.  Called only by the main thread.  Never fails; waits as long as
 * a worker takes to finish its round (milliseconds). */
struct aigate_config *workers_swap_config(struct worker **ws, unsigned n,
					  struct aigate_config *cfg);

/* Wake every worker (to write folded events after a reopen, say). */
void workers_flush_events(struct worker **ws, unsigned n);

#endif
