# testlib.sh: shared by tests/integration/*.sh (sourced, not run).
#
#   . "$(dirname "$0")/../lab/testlib.sh"
#   t_begin PREFIX            lab --prefix PREFIX, cleaned up on exit
#   t_lab up ...              the lab script with that prefix
#   t_ok NAME CMD...          "ok - NAME" when CMD succeeds, else "not ok"
#   t_is NAME GOT WANT        compare two strings
#   t_end                     exit status: 1 when anything failed
#
# Each test prints TAP-like lines (ok - NAME / not ok - NAME) and exits
# non-zero on failure.  Diagnostics go to stderr prefixed with '#'.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$TOP/tests/lab/lab
HELPERS=$TOP/tests/helpers
T_FAILED=0
T_COUNT=0
T_PREFIX=""
export LAB_QUIET=1

t_diag() { printf '# %s\n' "$@" >&2; }

t_pass() { T_COUNT=$((T_COUNT + 1)); echo "ok - $1"; }
t_fail() {
	T_COUNT=$((T_COUNT + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && t_diag "$@"
	return 0
}

t_ok() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_pass "$name"
	else
		t_fail "$name" "command: $*" "${out:-(no output)}"
	fi
}

t_is() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "got:  $2" "want: $3"; fi
}

# t_like NAME TEXT REGEX
t_like() {
	if [[ $2 =~ $3 ]]; then t_pass "$1"; else t_fail "$1" "got:  $2" "want: /$3/"; fi
}

t_lab() { "$LAB" --prefix "$T_PREFIX" "$@"; }
t_exec() { "$LAB" --prefix "$T_PREFIX" exec "$@"; }

t_cleanup() {
	local rc=$?
	if [ "$T_FAILED" -gt 0 ] && [ -n "${T_KEEP_LOGS:-}" ]; then t_lab logs >&2 || true; fi
	if [ "$T_FAILED" -gt 0 ] || [ $rc -ne 0 ]; then
		t_diag "daemon log (last lines):"
		tail -15 "/run/aigate-lab/$T_PREFIX/aigated.log" 2>/dev/null | sed 's/^/#   /' >&2 || true
	fi
	t_lab down >/dev/null 2>&1 || true
	[ -n "${T_TMP:-}" ] && rm -rf "$T_TMP"
}

# Skip (exit 0) when there is no daemon to test yet; fail when root or
# the lab's tools are missing.
t_need_daemon() {
	if [ ! -x "${AIGATE_BUILD:-$TOP/build}/aigated" ]; then
		if [ -e "$TOP/daemon/main.c" ]; then
			echo "not ok - aigated built (no build/aigated: make)"
			exit 1
		fi
		echo "ok - $(basename "$0") # SKIP aigated not written yet"
		exit 0
	fi
}

t_begin() {
	T_PREFIX=$1
	[ "$(id -u)" = 0 ] || { echo "not ok - $(basename "$0") needs root"; exit 1; }
	T_TMP=$(mktemp -d "/tmp/aigate-test-$T_PREFIX.XXXXXX")
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM
	t_lab down >/dev/null 2>&1 || true
	eval "$("$LAB" --prefix "$T_PREFIX" env)"
}

t_end() {
	if [ "$T_FAILED" -gt 0 ]; then
		t_diag "$T_FAILED of $T_COUNT failed"
		exit 1
	fi
	exit 0
}

# A configuration for the test, made from tests/lab/lab.conf: the list
# and contracts paths made absolute; further sed expressions as arguments.
#   t_config FILE [SED-EXPR...]
t_config() {
	local out=$1 e
	shift
	local args=(-e "s|^list = \".*\";|list = \"$TOP/rules/list.conf\";|"
		-e "s|^contracts = \".*\";|contracts = \"$TOP/tests/lab/contracts.d\";|")
	for e in "$@"; do args+=(-e "$e"); done
	sed "${args[@]}" "$TOP/tests/lab/lab.conf" >"$out"
}

# dig in a client namespace; prints "STATUS" (NOERROR, NXDOMAIN, ...) or
# "timeout".  t_dig NODE NAME [dig options...]
t_dig() {
	local node=$1 name=$2 out
	shift 2
	out=$(t_exec "$node" dig +tries=1 +time=2 "$@" "$name" 2>&1) || true
	if [[ $out =~ status:\ ([A-Z]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo timeout
	fi
}

# The full dig output (for EDE and answers).
t_dig_full() {
	local node=$1 name=$2
	shift 2
	t_exec "$node" dig +tries=1 +time=2 "$@" "$name" 2>&1 || true
}

# t_tls NODE ADDR SNI [tls_client options]: prints handshake/reset/...
t_tls() {
	local node=$1 addr=$2 sni=$3
	shift 3
	t_exec "$node" python3 "$HELPERS/tls_client.py" --addr "$addr" --sni "$sni" "$@" | awk '{print $1}'
}

# t_events KEY=VALUE...: number of matching events (exit 1 when none).
t_events() { python3 "$HELPERS/events.py" "$LAB_EVENTS" "$@"; }

# Wait until an event matching the conditions is in the log (events are
# written by the daemon a moment after the verdict).  t_wait_event KEY=V...
t_wait_event() {
	local _
	for _ in $(seq 30); do
		python3 "$HELPERS/events.py" "$LAB_EVENTS" "$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	python3 "$HELPERS/events.py" "$LAB_EVENTS" "$@"
}
