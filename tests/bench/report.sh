#!/bin/sh
# report.sh: speed and memory of `aigatectl report` (for `make bench`, not
# check): a generated log of BENCH_EVENTS events (default 1,000,000; a
# mix of listed and unlisted names, ~250,000 distinct clients, 30 days,
# tests/data/events/gen_events.py bench) is reported as text, JSON and
# HTML, plain and gzip-compressed; prints events per second and the peak
# resident memory (/usr/bin/time -f %M) of each run.  Memory must not
# grow with the log: compare BENCH_EVENTS=100000 with the default.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${AIGATE_BUILD:-build}
N=${BENCH_EVENTS:-1000000}
OUT=$B/bench
mkdir -p "$OUT"
log=$OUT/report-events-$N.json
if [ ! -s "$log" ]; then
	echo "bench: generating $N events into $log" >&2
	python3 tests/data/events/gen_events.py bench "$N" "$log"
fi
[ -s "$log.gz" ] || gzip -1 -k -c "$log" >"$log.gz"
echo "report over $N events ($(du -h "$log" | cut -f1) plain, $(du -h "$log.gz" | cut -f1) gzip)"
printf '%-14s %10s %12s %10s\n' input seconds events/s peak-KiB
for run in "text plain" "json plain" "html plain" "text gz"; do
	set -- $run
	in=$log
	[ "$2" = gz ] && in=$log.gz
	/usr/bin/time -f '%e %M' -o "$OUT/report.time" \
		"$B/aigatectl" report --list tests/data/events/list.conf --format "$1" -o "$OUT/report.out" "$in"
	read -r secs kib <"$OUT/report.time"
	eps=$(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
	printf '%-14s %10s %12s %10s\n' "$1/$2" "$secs" "$eps" "$kib"
done
