#!/bin/sh
# report-reveal.sh: `aigatectl reveal` re-identifies a pseudonym only
# with the key and a candidate set: the address among candidate networks
# and among addresses in a log, the period taken from the events that
# carry the pseudonym (or --at), nothing with another key or another
# period, refusal without a key; and `report` counts a pseudonymous
# client like an address.  The key and pseudonyms are those of the
# known-answer tests in tests/unit/test_pseudonym.c.
set -u
B=${AIGATE_BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
CTL=$B/aigatectl
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

# Key bytes 0..31; 192.0.2.10 is p-odhdh366bzbxby5l in day 20423
# (2025-12-01) and p-sob7b6jzbdj3wd4u in period 0.
python3 -c "import sys; sys.stdout.buffer.write(bytes(range(32)))" >"$tmp/key"
chmod 600 "$tmp/key"
python3 -c "import sys; sys.stdout.buffer.write(bytes(range(1,33)))" >"$tmp/otherkey"
chmod 600 "$tmp/otherkey"
P=p-odhdh366bzbxby5l
ev() { # time src
	echo "{\"v\":1,\"timestamp\":\"$1\",\"src_ip\":\"$2\",\"src_port\":1,\"dest_ip\":\"198.51.100.7\",\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"name\":\"chatgpt.com\",\"service\":\"chatgpt\",\"vendor\":\"OpenAI\",\"terms\":\"shared\",\"action\":\"block\",\"verdict\":\"reset\",\"reason\":\"terms\",\"mode\":\"enforce\",\"zone\":null,\"contract\":null,\"list_serial\":1,\"flags\":[]}"
}
{
	ev 2025-12-01T10:00:00.000000Z $P
	ev 2025-12-01T11:00:00.000000Z $P
	ev 2025-12-01T12:00:00.000000Z p-aaaaaaaaaaaaaaaa
} >"$tmp/pseud.json"
{
	ev 2025-12-01T09:00:00.000000Z 192.0.2.9
	ev 2025-12-01T09:00:00.000000Z 192.0.2.10
} >"$tmp/plain.json"

out=$($CTL reveal --key "$tmp/key" --log "$tmp/pseud.json" $P 192.0.2.0/24)
t "reveal over a /24 with the period from the log: exit 0" [ $? = 0 ]
t "the address is named" sh -c "echo '$out' | grep -q '^$P 192.0.2.10 period 20423 (from 2025-12-01T00:00:00Z'"
$CTL reveal --key "$tmp/key" --log "$tmp/pseud.json" --log "$tmp/plain.json" $P >"$tmp/o2" 2>&1
t "candidates from the addresses in a log" grep -q "^$P 192.0.2.10 " "$tmp/o2"
printf '# DHCP leases\n198.51.100.0/28\n192.0.2.10\n' >"$tmp/cands"
$CTL reveal --key "$tmp/key" --at 2025-12-01T17:00:00Z --candidates "$tmp/cands" $P >"$tmp/o3" 2>&1
t "candidates from a file, period from --at" grep -q "^$P 192.0.2.10 " "$tmp/o3"
$CTL reveal --key "$tmp/key" --period 0 --at 2025-12-01 p-sob7b6jzbdj3wd4u 192.0.2.10 >"$tmp/o4" 2>&1
t "period 0 (never rotated)" grep -q "^p-sob7b6jzbdj3wd4u 192.0.2.10 period 0" "$tmp/o4"
$CTL reveal --key "$tmp/otherkey" --log "$tmp/pseud.json" $P 192.0.2.0/24 >"$tmp/o5" 2>&1
t "another key reveals nothing: exit 1" [ $? = 1 ]
t "another key: says not found" grep -q "^$P not among" "$tmp/o5"
$CTL reveal --key "$tmp/key" --at 2025-12-02 $P 192.0.2.0/24 >/dev/null 2>&1
t "another period reveals nothing" [ $? = 1 ]
$CTL reveal --key "$tmp/nokey" --log "$tmp/pseud.json" $P 192.0.2.0/24 >/dev/null 2>"$tmp/e6"
t "no key, no reveal: exit 1" [ $? = 1 ]
t "no key: the message says the key is needed" grep -q "key is needed" "$tmp/e6"
chmod 644 "$tmp/key"
$CTL reveal --key "$tmp/key" --log "$tmp/pseud.json" $P 192.0.2.10 >/dev/null 2>"$tmp/e7"
t "a key readable by others is warned about" grep -q "should be 0600" "$tmp/e7"
$CTL reveal --key "$tmp/key" $P 192.0.2.10 >/dev/null 2>&1
t "no period (neither --at nor --log): exit 2" [ $? = 2 ]
$CTL reveal --key "$tmp/key" --at 2025-12-01 $P 10.0.0.0/7 >/dev/null 2>&1
t "a network above 2^24 addresses is refused: exit 2" [ $? = 2 ]

# report: pseudonyms are clients like addresses.
$CTL report --list $LIST --format json "$tmp/pseud.json" >"$tmp/r.json"
t "report counts a pseudonymous client" python3 -c "
import json,sys
c=json.load(open('$tmp/r.json'))['top_clients']['clients']
sys.exit(not (c[0]['client']=='$P' and c[0]['blocked']==2 and c[1]['client']=='p-aaaaaaaaaaaaaaaa'))"
exit $fail
