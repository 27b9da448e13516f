/* sandbox.h: the seccomp filter aigated installs once it has opened
 * everything it needs (queues, raw sockets, control socket, event file)
 * and started its threads: from then on only the system calls that the
 * packet path, reloads, reopens, the control socket and logging make
 * are allowed, and any other kills the whole process (a crash the
 * supervisor restarts is better than a compromised gateway daemon).
 *
 * Test-only: with AIGATE_TEST_SECCOMP=1 in its environment the daemon
 * makes one forbidden system call right after installing the filter,
 * so that a test can see it killed by SIGSYS instead of going on
 * (tests/integration/seccomp.sh).  AIGATE_SECCOMP=off skips the filter,
 * for running under valgrind, which makes system calls of its own on
 * the daemon's behalf; AIGATE_SECCOMP=trap names a forbidden call on
 * stderr before exiting (finding what a new code path needs); all are
 * logged. */
#ifndef AIGATE_SANDBOX_H
#define AIGATE_SANDBOX_H

#include <stdbool.h>

/* Install the filter on every thread of the process (TSYNC).  Returns 0,
 * or -1 with a diagnostic logged when libseccomp or the kernel refuses
 * (a start-up error: the caller exits).  Honours AIGATE_SECCOMP=off
 * (returns 0, filter not installed, warning logged). */
int sandbox_enter(void);

/* When AIGATE_TEST_SECCOMP=1: make a system call the filter forbids
 * (personality(2)); under the filter the process dies here.  Returns
 * true when it survived the call (the filter did not work: logged; the
 * caller exits 3), false when the test was not asked for. */
bool sandbox_selftest(void);

#endif
