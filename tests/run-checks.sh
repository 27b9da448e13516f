#!/bin/sh
# run-checks.sh: the test suites of `make check`, with one closing line
# "N passed, N failed" that CI reads.
#
#   tests/run-checks.sh BUILD_DIR SAN [SECTION...]
#
# Sections: unit, lint, scenario, cli, fuzz, integration, deb (default: all).
# cli runs tests/cli/*.sh: command-line tests that need no root.
# Integration tests need root (they create network namespaces); without
# root they are reported as skipped, never silently passed.
set -u
B=${1:?build dir}
SAN=${2:-}
shift 2 || true
sections=${*:-unit lint scenario cli fuzz integration deb}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

pass=0
fail=0
skip=0
failed=""

result() { # name status
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
		echo "ok - $1"
	else
		fail=$((fail + 1))
		failed="$failed $1"
		echo "not ok - $1"
	fi
}

run_unit() {
	echo "== unit tests ($B/tests)"
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		rc=$?
		echo "$out" | grep -E '^\[  (FAILED|PASSED|ERROR)|FAILED|ERROR' | sed 's/^/  /' | tail -5
		result "unit $(basename "$t")" $rc
	done
}

run_lint() {
	echo "== lint of the shipped list and configuration"
	"$B/aigatectl" lint rules >/dev/null 2>&1
	result "lint rules/" $?
	"$B/aigatectl" lint --config etc/aigate.conf --list rules >/dev/null 2>&1
	result "lint etc/aigate.conf" $?
}

run_scenario() {
	echo "== scenario tests (captures against tshark truth, scenario dirs)"
	python3 tests/scenario/truth.py --aigatectl "$B/aigatectl" >"$B/scenario.log" 2>&1
	rc=$?
	grep -E '^(not ok|ok)' "$B/scenario.log" | grep -c '^ok' | sed 's/^/  captures matching truth: /'
	grep -E '^not ok' "$B/scenario.log" | head -20
	result "scenario truth (see $B/scenario.log)" $rc
	for d in tests/scenario/*/; do
		[ -f "$d/expected.jsonl" ] || continue
		python3 tests/scenario/run-dir.py --aigatectl "$B/aigatectl" "$d" >"$B/scenario-$(basename "$d").log" 2>&1
		rc=$?
		[ $rc = 0 ] || tail -20 "$B/scenario-$(basename "$d").log"
		result "scenario $(basename "$d")" $rc
	done
}

run_cli() {
	echo "== command-line tests (tests/cli)"
	for t in tests/cli/*.sh; do
		[ -x "$t" ] || continue
		AIGATE_BUILD=$B timeout 600 "$t" >"$B/$(basename "$t").log" 2>&1
		rc=$?
		grep -E '^(ok|not ok)' "$B/$(basename "$t").log" | sed 's/^/  /'
		[ $rc = 0 ] || tail -30 "$B/$(basename "$t").log"
		result "cli $(basename "$t")" $rc
	done
}

run_fuzz() {
	echo "== fuzz corpora replayed under ASan/UBSan"
	for t in build-fuzz-replay/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		corpus=tests/fuzz/corpus/${name#fuzz_}
		[ -d "$corpus" ] || corpus=tests/fuzz/corpus/$name
		"$t" "$corpus" >"$B/$name.log" 2>&1
		rc=$?
		[ $rc = 0 ] || tail -20 "$B/$name.log"
		result "fuzz replay $name" $rc
	done
}

run_integration() {
	echo "== integration tests (network namespaces)"
	if [ "$(id -u)" != 0 ]; then
		for t in tests/integration/*.sh; do
			[ -x "$t" ] || continue
			skip=$((skip + 1))
			echo "skip - $(basename "$t") (needs root)"
		done
		return
	fi
	for t in tests/integration/*.sh; do
		[ -x "$t" ] || continue
		AIGATE_BUILD=$B timeout 600 "$t" >"$B/$(basename "$t").log" 2>&1
		rc=$?
		grep -E '^(ok|not ok)' "$B/$(basename "$t").log" | sed 's/^/  /'
		[ $rc = 0 ] || tail -30 "$B/$(basename "$t").log"
		result "integration $(basename "$t")" $rc
	done
}

run_deb() {
	echo "== Debian package (tests/deb/run.sh: build, lintian, install into a throw-away root)"
	timeout 900 tests/deb/run.sh "$B/deb" >"$B/deb.log" 2>&1
	rc=$?
	grep -E '^(ok|not ok|skip)' "$B/deb.log" | sed 's/^/  /'
	[ $rc = 0 ] || tail -30 "$B/deb.log"
	result "deb package (tests/deb/run.sh)" $rc
}

for s in $sections; do
	case $s in
	unit) run_unit ;;
	lint) run_lint ;;
	scenario) run_scenario ;;
	cli) run_cli ;;
	fuzz) run_fuzz ;;
	integration) run_integration ;;
	deb) run_deb ;;
	*) echo "unknown section $s" >&2; exit 2 ;;
	esac
done

echo
[ -n "$failed" ] && echo "failed:$failed"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail = 0 ]
