#!/bin/sh
# report-text-json.sh: `aigatectl report` over a generated log with known
# contents (tests/data/events/gen_events.py): every figure of the JSON
# and text outputs against check_report.py's own count; the same figures
# from rotated and gzip-compressed pieces and from a directory; a
# per-hour timeline for a short --since/--until range; corrupt lines
# reported with file and line number and skipped; exit statuses.
set -u
B=${AIGATE_BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
CTL=$B/aigatectl
GEN=tests/data/events/gen_events.py
CHECK=tests/data/events/check_report.py
LIST=tests/data/events/list.conf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; }
t() { # name command...
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}

python3 $GEN fixture "$tmp/events.json" || exit 1
n=$(wc -l <"$tmp/events.json")

$CTL report --list $LIST --format json "$tmp/events.json" >"$tmp/r.json" 2>"$tmp/err"
t "json report exits 0" [ $? = 0 ]
t "json: every figure" python3 $CHECK json "$tmp/r.json" --lines "$n"
$CTL report --list $LIST "$tmp/events.json" >"$tmp/r.txt" 2>"$tmp/err"
t "text report exits 0" [ $? = 0 ]
t "text: every figure" python3 $CHECK text "$tmp/r.txt" --lines "$n"
t "nothing on stderr for a clean log" [ ! -s "$tmp/err" ]

# A short range: per-hour timeline, events outside counted.
$CTL report --list $LIST --since 2026-11-30 --until 2026-11-30 --format json "$tmp/events.json" >"$tmp/h.json"
t "hourly json" python3 $CHECK json "$tmp/h.json" --lines "$n" --since 2026-11-30T00:00:00 --until 2026-11-30T23:59:59.999999
$CTL report --list $LIST --since 2026-11-30 --until 2026-11-30 "$tmp/events.json" >"$tmp/h.txt"
t "hourly text" python3 $CHECK text "$tmp/h.txt" --lines "$n" --since 2026-11-30T00:00:00 --until 2026-11-30T23:59:59.999999
$CTL report --list $LIST --since 2026-11-27T08:30:00Z --until 2026-11-29T11:03:07 --format json "$tmp/events.json" >"$tmp/r2.json"
t "since/until with times (inclusive)" python3 $CHECK json "$tmp/r2.json" --lines "$n" --since 2026-11-27T08:30:00 --until 2026-11-29T11:03:07

# Rotated pieces, the oldest compressed, and the same as a directory.
mkdir "$tmp/rot"
head -n 20 "$tmp/events.json" | gzip -c >"$tmp/rot/events.json.2.gz"
sed -n '21,40p' "$tmp/events.json" >"$tmp/rot/events.json.1"
sed -n '41,$p' "$tmp/events.json" >"$tmp/rot/events.json"
$CTL report --list $LIST --format json "$tmp/rot/events.json.2.gz" "$tmp/rot/events.json.1" "$tmp/rot/events.json" >"$tmp/rot.json"
t "rotated + gzip: every figure" python3 $CHECK json "$tmp/rot.json" --lines "$n"
t "rotated + gzip: 3 files read" python3 -c "import json,sys; sys.exit(json.load(open('$tmp/rot.json'))['report']['files_read'] != 3)"
$CTL report --list $LIST "$tmp/rot" >"$tmp/dir.txt"
t "a directory of rotated logs: every figure" python3 $CHECK text "$tmp/dir.txt" --lines "$n"
gzip -c "$tmp/events.json" | $CTL report --list $LIST --format json - >"$tmp/stdin.json"
t "gzip on standard input" python3 $CHECK json "$tmp/stdin.json" --lines "$n"

# Corrupt lines: skipped with file:line on stderr, the rest counted, exit 0.
{
	sed -n '1,9p' "$tmp/events.json"
	echo '{"v":1,"timestamp":"2026-11-30T08:00:00Z","action":'
	sed -n '10,19p' "$tmp/events.json"
	echo 'not json at all'
	sed -n '20,29p' "$tmp/events.json"
	echo '{"v":2,"timestamp":"2026-11-30T08:00:00Z","action":"block"}'
	echo '{"v":1,"timestamp":"2026-02-30T08:00:00Z","action":"block"}'
	sed -n '30,$p' "$tmp/events.json"
} >"$tmp/corrupt.json"
gzip -c "$tmp/corrupt.json" >"$tmp/corrupt.json.1.gz"
$CTL report --list $LIST --format json "$tmp/corrupt.json" >"$tmp/c.json" 2>"$tmp/c.err"
t "corrupt lines: exit 0" [ $? = 0 ]
t "corrupt line 10 reported" grep -q "^$tmp/corrupt.json:10: skipped: not valid JSON" "$tmp/c.err"
t "corrupt line 21 reported" grep -q "^$tmp/corrupt.json:21: skipped: not valid JSON" "$tmp/c.err"
t "schema v2 line 32 reported" grep -q "^$tmp/corrupt.json:32: skipped: not a schema-v1 event" "$tmp/c.err"
t "bad date line 33 reported" grep -q "^$tmp/corrupt.json:33: skipped: missing or invalid timestamp" "$tmp/c.err"
t "four messages, no more" [ "$(wc -l <"$tmp/c.err")" = 4 ]
t "corrupt: every other figure intact" python3 $CHECK json "$tmp/c.json" --lines $((n + 4)) --corrupt 4
$CTL report --list $LIST --format json "$tmp/corrupt.json.1.gz" >"$tmp/cz.json" 2>"$tmp/cz.err"
t "corrupt lines in a .gz: reported with line numbers" grep -q "^$tmp/corrupt.json.1.gz:21: skipped" "$tmp/cz.err"
t "corrupt .gz: figures intact" python3 $CHECK json "$tmp/cz.json" --lines $((n + 4)) --corrupt 4
# A truncated .gz gives what it holds and says so.
head -c 600 "$tmp/rot/events.json.2.gz" >"$tmp/trunc.json.gz"
$CTL report --list $LIST "$tmp/trunc.json.gz" "$tmp/events.json" >/dev/null 2>"$tmp/t.err"
t "truncated .gz beside a good log: exit 0" [ $? = 0 ]
t "truncated .gz: reported" grep -q "trunc.json.gz" "$tmp/t.err"

# Exit statuses: nothing readable 1, usage 2.
$CTL report --list $LIST "$tmp/missing.json" >/dev/null 2>"$tmp/m.err"
t "no readable log: exit 1" [ $? = 1 ]
t "no readable log: file named" grep -q "missing.json" "$tmp/m.err"
$CTL report --list $LIST >/dev/null 2>&1
t "no log: exit 2" [ $? = 2 ]
$CTL report --format pdf "$tmp/events.json" >/dev/null 2>&1
t "unknown format: exit 2" [ $? = 2 ]
$CTL report --since 2026-13-01 "$tmp/events.json" >/dev/null 2>&1
t "bad date: exit 2" [ $? = 2 ]
$CTL report --list $LIST -o "$tmp/out.txt" "$tmp/events.json" && cmp -s "$tmp/out.txt" "$tmp/r.txt"
t "-o FILE writes the same report" [ $? = 0 ]
# A --list that cannot be loaded is an error, not a silent fallback.
$CTL report --list /nonexistent "$tmp/events.json" >/dev/null 2>&1
t "unloadable --list: exit 1" [ $? = 1 ]

exit $fail
