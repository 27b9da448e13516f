#!/bin/sh
# report-html.sh: the HTML report of `aigatectl report` over the known
# log of gen_events.py, rendered by headless Chromium (Debian's
# chromium, mk/deps.sh test): the DOM after parsing holds every expected
# figure (summary cards, the bars of the three SVG charts, the tables),
# hostile names and vendors come out as text and never as markup, the
# file is self-contained (no script, no external reference), and a
# screenshot is written to $AIGATE_BUILD/report-fixture.png for a person
# to look at.
set -u
B=${AIGATE_BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
CTL=$B/aigatectl
CHECK=tests/data/events/check_report.py
LIST=tests/data/events/list.conf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; fail=1; }
t() {
	name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	nok "chromium is installed (mk/deps.sh test installs it)"
	exit 1
fi
chromium_run() {
	prof=$(mktemp -d)
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" "$@" 2>>"$tmp/chromium.err"
	rc=$?
	rm -rf "$prof"
	return $rc
}

python3 tests/data/events/gen_events.py fixture "$tmp/events.json" || exit 1
n=$(wc -l <"$tmp/events.json")
# One corrupt line, so the page shows a non-zero count.
{ cat "$tmp/events.json"; echo '{"v":1,'; } >"$tmp/log.json"
$CTL report --list $LIST --format html -o "$tmp/report.html" "$tmp/log.json" 2>/dev/null
t "html report exits 0" [ $? = 0 ]
$CTL report --list $LIST --html "$tmp/report2.html" "$tmp/log.json" 2>/dev/null
t "--html FILE is the same page" cmp -s "$tmp/report.html" "$tmp/report2.html"

# Self-contained: nothing that loads or runs anything.
t "no <script>" sh -c "! grep -qi '<script' '$tmp/report.html'"
t "no <link>, <img>, @import or url()" sh -c "! grep -qiE '<link|<img|@import|url\\(' '$tmp/report.html'"
t "no http(s) reference but the SVG namespace" \
	sh -c "! grep -o 'https\\?://[^\"]*' '$tmp/report.html' | grep -qv '^http://www.w3.org/2000/svg\$'"
t "a Content-Security-Policy forbids loading" grep -q "default-src 'none'" "$tmp/report.html"
t "print styles" grep -q "@media print" "$tmp/report.html"
t "charts are inline SVG" [ "$(grep -o '<svg ' "$tmp/report.html" | wc -l)" = 3 ]

chromium_run --dump-dom "file://$tmp/report.html" >"$tmp/dom.html"
t "chromium rendered the page" [ -s "$tmp/dom.html" ]
t "DOM: every figure, escaping, no markup from the log" python3 $CHECK dom "$tmp/dom.html" --lines $((n + 1)) --corrupt 1

chromium_run --hide-scrollbars --window-size=1200,3400 --screenshot="$tmp/shot.png" "file://$tmp/report.html" >/dev/null
t "screenshot taken" [ -s "$tmp/shot.png" ]
cp "$tmp/shot.png" "$B/report-fixture.png" 2>/dev/null && cp "$tmp/report.html" "$B/report-fixture.html"
# A PNG of the requested size that is not blank: many distinct bytes.
t "screenshot is a 1200x3400 PNG" python3 -c "
import struct,sys
d=open('$tmp/shot.png','rb').read()
sys.exit(not (d[:8]==b'\x89PNG\r\n\x1a\n' and struct.unpack('>II',d[16:24])==(1200,3400) and len(d)>50000))"
echo "# screenshot: $B/report-fixture.png"
exit $fail
