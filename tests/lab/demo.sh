#!/bin/bash
# demo.sh: `sudo make demo`.  Brings the namespace lab up with the shipped
# list (rules/list.conf) and the demo policy (tests/lab/lab.conf: a contract
# for the agency's own Azure OpenAI resource, client network 2 as an
# exploration sandbox), shows with real clients what aigate does, prints the
# events and the daemon's status, and removes everything it created, also
# on failure or Ctrl-C.
set -u
set -o pipefail

LABDIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
TOP=$(cd "$LABDIR/../.." && pwd)
PREFIX=${AIGATE_DEMO_PREFIX:-demo}
LAB=("$LABDIR/lab" --prefix "$PREFIX")
export LAB_QUIET=1

CONSUMER=meta.ai                          # consumer terms: blocked
SHARED=chatgpt.com                        # shared terms: blocked without a contract
CONTRACTED=agency-demo.openai.azure.com   # contracts.d/agency-demo.conf
UNCONTRACTED=someone-else.openai.azure.com
UNLISTED=www.example.org

if [ -t 1 ]; then B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; else B="" D="" G="" R="" N=""; fi

failures=0
step() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
show() { printf '%s$ %s%s\n' "$D" "$*" "$N"; }
good() { printf '%s   -> %s%s\n' "$G" "$*" "$N"; }
bad() { printf '%s   -> UNEXPECTED: %s%s\n' "$R" "$*" "$N"; failures=$((failures + 1)); }

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	# Ignored signals stay ignored in children: a second Ctrl-C cannot
	# interrupt the clean-up half-way.
	trap '' INT TERM
	trap - EXIT
	printf '\n%s== removing the lab (namespaces, daemon, servers, state)%s\n' "$B" "$N"
	"${LAB[@]}" down >/dev/null 2>&1 || true
	exit "$rc"
}

[ "$(id -u)" = 0 ] || { echo "demo: needs root: sudo make demo" >&2; exit 1; }
[ -x "$TOP/build/aigated" ] || { echo "demo: no build/aigated: run make first" >&2; exit 1; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A lab left behind by an interrupted run goes first.
"${LAB[@]}" down >/dev/null 2>&1 || true

step "Setting up: clients 1 and 2, a gateway running aigated, a server network (DNS + TLS on any name)"
show "tests/lab/lab --prefix $PREFIX up --config tests/lab/lab.conf"
if ! "${LAB[@]}" up --config "$LABDIR/lab.conf"; then
	echo "demo: the lab did not come up" >&2
	"${LAB[@]}" logs >&2 || true
	exit 1
fi
eval "$("${LAB[@]}" env)"
echo "   client 1 $LAB_C1_V4 (office), client 2 $LAB_C2_V4 (sandbox zone), server $LAB_SRV_V4; list $(grep -m1 -o 'serial *= *[0-9]*' "$TOP/rules/list.conf" || true)"

dig_c() { # dig_c NODE NAME: show the interesting lines of dig's answer
	local node=$1 name=$2 out
	show "lab exec $node dig $name"
	out=$("${LAB[@]}" exec "$node" dig +tries=1 +time=3 "$name" 2>&1)
	grep -E 'status:|EDE|^[^;].*IN[[:space:]]+A[[:space:]]|timed out' <<<"$out" | sed 's/^/   /'
	DIG_STATUS=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$out" | head -1)
	DIG_OUT=$out
}

step "1. An office client asks for a consumer AI service: the gateway answers NXDOMAIN itself, with an Extended DNS Error saying why"
dig_c c1 "$CONSUMER"
if [ "$DIG_STATUS" = NXDOMAIN ] && grep -q 'EDE: 15' <<<"$DIG_OUT"; then good "blocked at once, EDE 15 (Blocked) with the policy text"; else bad "status ${DIG_STATUS:-none}"; fi

step "2. The agency's own Azure OpenAI resource is under contract: answered normally"
dig_c c1 "$CONTRACTED"
if [ "$DIG_STATUS" = NOERROR ]; then good "allowed by contract agency-demo-aoai"; else bad "status ${DIG_STATUS:-none}"; fi
echo "   ...while an Azure OpenAI resource anyone could create is not the agency's contract:"
dig_c c1 "$UNCONTRACTED"
if [ "$DIG_STATUS" = NXDOMAIN ]; then good "blocked (enterprise terms, but no contract)"; else bad "status ${DIG_STATUS:-none}"; fi

step "3. Client 2 sits in the exploration sandbox zone: a blocked service is reachable there, and logged"
dig_c c2 "$SHARED"
if [ "$DIG_STATUS" = NOERROR ]; then good "answered (zone sandbox, action log)"; else bad "status ${DIG_STATUS:-none}"; fi
show "lab exec c2 curl -sk https://$SHARED/"
out=$("${LAB[@]}" exec c2 curl -sk --max-time 5 "https://$SHARED/" 2>&1)
echo "   $out"
if [[ $out == *"sni=$SHARED"* ]]; then good "TLS to $SHARED works from the sandbox"; else bad "curl: $out"; fi

step "4. An office client skips DNS and connects straight to the address with a blocked SNI: the gateway resets the connection"
show "lab exec c1 curl -sk --resolve $SHARED:443:$LAB_SRV_V4 https://$SHARED/"
start=$(date +%s%N)
out=$("${LAB[@]}" exec c1 curl -sS -k --max-time 10 --resolve "$SHARED:443:$LAB_SRV_V4" "https://$SHARED/" 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "   $out"
if [ $rc -ne 0 ] && [ $ms -lt 2000 ] && [[ $out == *reset* ]]; then
	good "connection reset after $ms ms: the browser shows an error at once, not after a timeout"
else
	bad "curl exit $rc after $ms ms"
fi

step "5. A name that is not on the list is untouched (and, by default, not logged)"
dig_c c1 "$UNLISTED"
show "lab exec c1 curl -sk https://$UNLISTED/"
out=$("${LAB[@]}" exec c1 curl -sk --max-time 5 "https://$UNLISTED/" 2>&1)
echo "   $out"
if [ "$DIG_STATUS" = NOERROR ] && [[ $out == *"sni=$UNLISTED"* ]]; then good "answered and connected"; else bad "status ${DIG_STATUS:-none}, curl: $out"; fi

sleep 0.5
step "6. The event log: one JSON line per decision (schema v1, Suricata EVE 5-tuple keys)"
show "tests/lab/lab --prefix $PREFIX events | head -1"
"${LAB[@]}" events | head -1 | sed 's/^/   /'
echo "   all of them, one per line (client, protocol, name, service/terms, action/verdict, why):"
python3 - "$LAB_EVENTS" <<'PY' | sed 's/^/   /'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    why = e["reason"] + (" " + (e.get("zone") or e.get("contract") or "") if e.get("zone") or e.get("contract") else "")
    print("%-15s %-4s %-30s %-24s %-15s %s" % (e["src_ip"], e["app_proto"], e["name"],
          "%s/%s" % (e["service"], e["terms"]), "%s/%s" % (e["action"], e["verdict"]), why))
PY
if grep -q "\"$UNLISTED\"" "$LAB_EVENTS" 2>/dev/null; then bad "the unlisted name was logged"; fi
if ! grep -q "\"$CONSUMER\"" "$LAB_EVENTS" 2>/dev/null; then bad "no event for $CONSUMER"; fi

step "7. The daemon's own view"
show "tests/lab/lab --prefix $PREFIX status   (aigatectl status)"
"${LAB[@]}" status 2>&1 | sed 's/^/   /' || bad "aigatectl status failed"

if [ "$failures" -gt 0 ]; then
	printf '\n%sdemo: %d step(s) did not behave as described%s\n' "$R" "$failures" "$N"
	exit 1
fi
printf '\n%sdemo: every step behaved as described.%s Try it yourself: sudo tests/lab/lab up; sudo tests/lab/lab --help\n' "$G" "$N"
exit 0
