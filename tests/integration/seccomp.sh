#!/bin/bash
# seccomp.sh: aigated confines itself with a seccomp filter once it runs
# (daemon/sandbox.c): the running daemon has a filter in force, still
# does its work (DNS, TLS, status, reload, reopen) under it, and a
# forbidden system call kills it (SIGSYS) instead of succeeding: the
# test-only AIGATE_TEST_SECCOMP=1 makes it try personality(2) right after
# installing the filter.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitsc
AIGATED=${AIGATED:-${AIGATE_BUILD:-$TOP/build}/aigated}

if ! t_lab up; then
	t_fail "lab up"
	t_end
fi
t_pass "lab up"
pid=$(cat "$LAB_STATE/aigated.pid")
t_like "the filter is in force (/proc status)" "$(grep -E '^Seccomp:' /proc/"$pid"/status)" \
	"Seccomp:[[:space:]]+2"
t_is "every thread is filtered" \
	"$(grep -h '^Seccomp:' /proc/"$pid"/task/*/status | sort -u | awk '{print $2}')" 2
t_is "blocked name under the filter: NXDOMAIN" "$(t_dig c1 chatgpt.com "@$LAB_DNS_V4")" NXDOMAIN
t_is "blocked name over TCP under the filter: NXDOMAIN" "$(t_dig c1 chatgpt.com "@$LAB_DNS_V4" +tcp)" NXDOMAIN
t_is "blocked SNI under the filter: reset" "$(t_tls c1 "$LAB_SRV_V4" claude.ai)" reset
t_is "unlisted SNI under the filter: handshake" "$(t_tls c1 "$LAB_SRV_V6" www.example.org)" handshake
t_ok "status under the filter" t_lab ctl status
t_ok "reload under the filter" t_lab ctl reload
t_ok "reopen under the filter" t_lab ctl reopen
t_lab daemon reload
t_lab daemon reopen
sleep 0.5
t_is "still answering after reloads: NXDOMAIN" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN
t_ok "daemon alive after all that" kill -0 "$pid"
t_lab daemon stop
t_ok "stopped cleanly (SIGTERM) under the filter" grep -q "stopped" "$LAB_DAEMON_LOG"

# A forbidden call kills the process.
rc=0
AIGATE_TEST_SECCOMP=1 timeout 20 ip netns exec "$LAB_GW" "$AIGATED" -c "$LAB_CONF" \
	>"$T_TMP/selftest.log" 2>&1 || rc=$?
t_is "forbidden system call: killed by SIGSYS (exit 128+31)" "$rc" 159
t_ok "it did try the call" grep -q "making a forbidden system call" "$T_TMP/selftest.log"
rc=0; grep -q "NOT in force" "$T_TMP/selftest.log" || rc=$?
t_is "the call never returned" "$rc" 1
# With the trap mode the forbidden call is named.
rc=0
AIGATE_SECCOMP=trap AIGATE_TEST_SECCOMP=1 timeout 20 ip netns exec "$LAB_GW" "$AIGATED" \
	-c "$LAB_CONF" >"$T_TMP/trap.log" 2>&1 || rc=$?
t_like "trap mode names the call (personality = 135 on x86_64)" "$(cat "$T_TMP/trap.log")" \
	"seccomp: forbidden system call [0-9]+"
t_end
