#!/bin/bash
# run-libfuzzer.sh: build every fuzz target with clang's libFuzzer, ASan
# and UBSan, and run each for SECONDS seconds on its corpus.
#
#   tests/fuzz/run-libfuzzer.sh SECONDS [TARGET...]
#
# New interesting inputs go to build-fuzz/corpus/TARGET (the committed
# corpus in tests/fuzz/corpus/ is read, never written); FUZZ_MERGE=1
# merges them back into tests/fuzz/corpus/ afterwards (minimised).
# Crashes are written to build-fuzz/crashes/; copy each into the corpus
# as a regression input once fixed.  A summary line per target gives
# executions and coverage (libFuzzer's cov: edges, ft: features).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${1:-60}
shift || true
targets=${*:-$(ls tests/fuzz/fuzz_*.c | xargs -n1 basename | sed 's/\.c$//')}
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || { echo "run-libfuzzer: clang not found (apt-get install clang)" >&2; exit 1; }
out=build-fuzz
mkdir -p "$out/crashes"
defs="-DAIGATE_SYSCONFDIR=\"/etc\" -DAIGATE_LOCALSTATEDIR=\"/var\" -DAIGATE_DATADIR=\"/usr/share\" -DAIGATE_RUNSTATEDIR=\"/run\""
status=0
summary=()
for t in $targets; do
	name=${t#fuzz_}
	bin=$out/$t
	# A target names what else it needs on a "fuzz-build:" line of its
	# comment: defines, include paths, sources from tools/, libraries.
	extra=$(sed -n 's/^.*fuzz-build: \([^*]*\).*$/\1/p' "tests/fuzz/$t.c")
	xsrc=$(printf '%s\n' $extra | grep -v '^-l' | tr '\n' ' ')
	xlib=$(printf '%s\n' $extra | grep '^-l' | tr '\n' ' ')
	# shellcheck disable=SC2086
	$CLANG -std=c17 -D_GNU_SOURCE -O1 -g $defs -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Idaemon -Idaemon/core -Itests/helpers \
		$(pkg-config --cflags libconfig libcrypto) -o "$bin" "tests/fuzz/$t.c" $xsrc \
		daemon/core/*.c daemon/config.c tests/helpers/*.c \
		$(pkg-config --libs libconfig libcrypto) $xlib -lm || { status=1; continue; }
	mkdir -p "$out/corpus/$name"
	log=$out/$t.log
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crashes/$t-" "$out/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	if [ $rc != 0 ]; then
		status=1
		summary+=("$t: FAILED (exit $rc) after ${execs:-?} executions; see $log and $out/crashes/")
	else
		summary+=("$t: ${execs:-?} executions in ${secs}s, ${cov:-?}")
	fi
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$bin" -merge=1 "tests/fuzz/corpus/$name" "$out/corpus/$name" >>"$log" 2>&1
	fi
done
printf '%s\n' "${summary[@]}"
exit $status
