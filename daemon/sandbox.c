/* sandbox.c: the seccomp allow-list of aigated; see sandbox.h.
 *
 * The list is what `strace -f` showed the running daemon doing in the
 * lab (DNS over UDP and TCP, TLS allowed and blocked, QUIC, status,
 * reload, reopen, shutdown), plus what glibc and libsystemd need on
 * those paths (sd_notify and journald open AF_UNIX sockets per message;
 * reloads read files and the host name; abort raises a signal).  Start-up
 * calls (binding queues, raw and netlink sockets, capabilities, thread
 * creation) happen before the filter and are not in it. */
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"

static const char *const allowed[] = {
	/* packet path: queues, injection, worker wake-ups */
	"read", "write", "writev", "readv", "pread64", "pwrite64", "close",
	"poll", "ppoll", "recvmmsg", "recvmsg", "recvfrom", "sendto", "sendmsg", "sendmmsg",
	"getsockopt", "setsockopt", "getsockname", "getpeername", "shutdown",
	/* control socket */
	"accept4", "accept",
	/* reload (configuration, list, contracts.d), reopen, control-socket
	 * removal at exit */
	"openat", "open", "newfstatat", "fstat", "stat", "lstat", "statx", "lseek",
	"getdents64", "readlink", "readlinkat", "access", "faccessat", "faccessat2",
	"fcntl", "fsync", "fdatasync", "unlink", "unlinkat", "chown", "fchown", "fchmod",
	"chmod", "umask", "uname", "sysinfo", "fstatfs", "statfs", "ioctl", "memfd_create",
	"dup", "dup2", "dup3", "connect", "getrandom",
	/* the metrics textfile is replaced by rename */
	"rename", "renameat", "renameat2",
	/* memory */
	"mmap", "munmap", "mremap", "mprotect", "brk", "madvise",
	/* threads, time, signals, exit */
	"futex", "sched_yield", "clock_gettime", "clock_getres", "gettimeofday",
	"clock_nanosleep", "nanosleep", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "tgkill", "exit",
	"exit_group", "restart_syscall",
	/* a thread just started may still be setting itself up (glibc) */
	"rseq", "set_robust_list", "sigaltstack",
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer stops the world with a tracer thread at exit, and
	 * the sanitizers' reports read /proc/self/maps (SAN=1 builds only). */
	"clone", "clone3", "ptrace", "wait4", "waitid", "prctl", "pipe2", "kill", "getppid",
	"mlock", "munlock", "sched_getaffinity", "prlimit64", "getrlimit",
#endif
};

/* AIGATE_SECCOMP=trap: name the forbidden call before dying (for
 * finding what a new code path needs; the default kills silently, and
 * the kernel's audit log has the number). */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char buf[96];
	int n;

	(void)uc;
	n = snprintf(buf, sizeof(buf), "aigated: seccomp: forbidden system call %d\n",
		     si->si_syscall);
	if (n > 0 && write(2, buf, (size_t)n) < 0) {
		/* nothing left to do */
	}
	_exit(128 + sig);
}

int sandbox_enter(void)
{
	uint32_t deny = SCMP_ACT_KILL_PROCESS;
	const char *mode = getenv("AIGATE_SECCOMP");
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	if (mode != NULL && strcmp(mode, "off") == 0) {
		log_warnx("AIGATE_SECCOMP=off: running without the system-call filter");
		return 0;
	}
	if (mode != NULL && strcmp(mode, "trap") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSYS, &sa, NULL);
		deny = SCMP_ACT_TRAP;
	}
	ctx = seccomp_init(deny);
	if (ctx == NULL) {
		log_warnx("seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture (open, stat on arm64) */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc != 0) {
			log_warnx("seccomp: cannot allow %s: %s", allowed[i], strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	/* New sockets only for sd_notify, journald and syslog (AF_UNIX): the
	 * queues and raw sockets are open already. */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
			      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		log_warnx("seccomp: cannot install the filter: %s", strerror(-rc));
		return -1;
	}
	log_debug("seccomp filter installed (%zu system calls allowed)",
		  sizeof(allowed) / sizeof(allowed[0]) + 1);
	return 0;
}

bool sandbox_selftest(void)
{
	const char *t = getenv("AIGATE_TEST_SECCOMP");

	if (t == NULL || strcmp(t, "1") != 0)
		return false;
	log_warnx("AIGATE_TEST_SECCOMP=1: making a forbidden system call (personality)");
	/* 0xffffffff only queries the persona: harmless if it were allowed. */
	long r = syscall(SYS_personality, 0xffffffffUL);
	log_warnx("seccomp self-test: personality returned %ld: the filter is NOT in force", r);
	return true;
}
