#!/bin/bash
# scan-check.sh: aigatectl scan and check as a user runs them: output
# formats, exit statuses, and clear errors for bad captures.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${AIGATE_BUILD:-build}
ctl=$B/aigatectl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); echo "ok - $1"; }
no() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

pc=tests/data/pcaps

# scan: JSON events, one per name, with pcap_cnt.
"$ctl" scan --json --list rules "$pc/curl-enabled-tls13.pcap" >"$tmp/ev" 2>"$tmp/err"
check "scan exits 0 on a good capture" "[ $? = 0 ]"
check "scan prints three events for curl-enabled-tls13" "[ \$(wc -l <$tmp/ev) = 3 ]"
check "scan events are valid JSON with pcap_cnt" \
	"python3 -c 'import json,sys; [json.loads(l)[\"pcap_cnt\"] for l in open(\"$tmp/ev\")]'"
check "the TLS event sits on frame 8 with the SNI" \
	"grep -q '\"app_proto\":\"tls\",\"name\":\"enabled.tls13.com\"' $tmp/ev && grep '\"app_proto\":\"tls\"' $tmp/ev | grep -q '\"pcap_cnt\":8'"

# --listed keeps only listed names.
"$ctl" scan --json --listed --list rules "$pc/dns_doh.pcap" "$pc/curl-enabled-tls13.pcap" >"$tmp/ev2" 2>/dev/null
check "scan --listed prints only listed names" "[ \$(wc -l <$tmp/ev2) = 1 ] && grep -q cloudflare-dns $tmp/ev2"

# The table is readable and labels files when there are several.
"$ctl" scan --list rules "$pc/dns_doh.pcap" "$pc/tcpdns.pcap" >"$tmp/table" 2>/dev/null
check "the table has a header and file labels" "head -1 $tmp/table | grep -q '^FRAME' && grep -q '^# $pc/tcpdns.pcap' $tmp/table"

# A truncated capture: the events up to the cut, a clear error, exit 1.
head -c 40000 "$pc/iphone.pcap" >"$tmp/cut.pcap"
"$ctl" scan --json --list rules "$tmp/cut.pcap" >"$tmp/ev3" 2>"$tmp/err3"
rc=$?
check "a truncated capture exits 1" "[ $rc = 1 ]"
check "a truncated capture says where it stopped" "grep -q 'unreadable after frame' $tmp/err3"
check "the events before the cut are printed" "[ \$(wc -l <$tmp/ev3) -gt 0 ]"

# Garbage and missing files.
head -c 5000 /dev/urandom >"$tmp/garbage.pcap"
"$ctl" scan --list rules "$tmp/garbage.pcap" >/dev/null 2>"$tmp/err4"
check "a garbage file exits 1 with a message naming it" "[ $? = 1 ] && grep -q garbage.pcap $tmp/err4"
"$ctl" scan --list rules "$tmp/none.pcap" >/dev/null 2>&1
check "a missing file exits 1" "[ $? = 1 ]"
"$ctl" scan >/dev/null 2>&1
check "scan without files is a usage error (2)" "[ $? = 2 ]"
"$ctl" scan --bogus x >/dev/null 2>&1
check "an unknown option is a usage error (2)" "[ $? = 2 ]"

# Every link type the scanner reads, on generated captures.
for link in ether vlan qinq sll sll2 raw null; do
	AIGATE_LINK=$link python3 tests/scenario/make-capture.py "$tmp/$link.pcap" \
		10.1.0.5 dns chatgpt.com 10.1.0.5 tls claude.ai 10.1.0.5 dnstcp perplexity.ai
	got=$("$ctl" scan --json --list rules "$tmp/$link.pcap" 2>/dev/null | python3 -c '
import json, sys
print(" ".join("%s:%s" % (e["app_proto"], e["name"]) for e in map(json.loads, sys.stdin)))')
	check "link type $link: all three names" "[ '$got' = 'dns:chatgpt.com tls:claude.ai dns:perplexity.ai' ]"
done

# check: text walk and JSON in the order given.
"$ctl" check --list rules chatgpt.com >"$tmp/c1"
check "check explains a shared name" "grep -q 'suffix entry chatgpt.com' $tmp/c1 && grep -q 'action:   block' $tmp/c1"
"$ctl" check --json --list rules ChatGPT.com. notchatgpt.com api.business.githubcopilot.com >"$tmp/c2"
check "check --json prints one object per name in order" \
	"python3 - $tmp/c2 <<'PY'
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert [x['name'] for x in o] == ['chatgpt.com', 'notchatgpt.com', 'api.business.githubcopilot.com'], o
assert o[0]['action'] == 'block' and o[0]['terms'] == 'shared' and o[0]['service'] == 'chatgpt'
assert o[1]['action'] == 'allow' and o[1]['reason'] == 'unlisted' and o[1]['service'] is None
assert o[2]['terms'] == 'enterprise' and o[2]['action'] == 'allow'
PY"
"$ctl" check --list rules >/dev/null 2>&1
check "check without names is a usage error (2)" "[ $? = 2 ]"
"$ctl" check --from not-an-ip --list rules chatgpt.com >/dev/null 2>&1
check "check --from with a bad address is a usage error (2)" "[ $? = 2 ]"
"$ctl" check --list "$tmp/nolist" chatgpt.com >/dev/null 2>"$tmp/err5"
check "check with a missing list exits 1 and says so" "[ $? = 1 ] && grep -q nolist $tmp/err5"

# A zone from a configuration, with --from.
cat >"$tmp/z.conf" <<CONF
contracts = "/nonexistent";
zones = ( { name = "sandbox"; networks = [ "10.99.0.0/16" ]; action = "log"; } );
CONF
"$ctl" check --config "$tmp/z.conf" --list rules --from 10.99.1.2 chatgpt.com >"$tmp/c3"
check "check --from in a zone names the zone" "grep -q 'sandbox contains 10.99.1.2' $tmp/c3 && grep -q 'action:   log' $tmp/c3"

echo "$((n - fails)) passed, $fails failed"
[ $fails = 0 ]
