#!/bin/sh
# list-tools.sh: the list verbs around update (issue 5): lint of
# deliberately broken lists (file:line), the open-tenancy warning, diff,
# list/show, import of each format, export round trip through a running
# dnsmasq (and unbound-checkconf / named-checkzone where installed), and
# impact of a candidate list on an event log.
set -u
B=${AIGATE_BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/$B/aigatectl
[ -x "$ctl" ] || ctl=$B/aigatectl
data=$top/tests/data/lists
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }
t=$(mktemp -d)
dm=""
trap '[ -n "$dm" ] && kill $dm 2>/dev/null; rm -rf "$t"' EXIT INT TERM

# --- lint -------------------------------------------------------------
"$ctl" lint "$top/rules" >"$t/out" 2>&1
check "lint rules/ passes" test $? = 0
check "  ...warning (not failing) on open-tenancy enterprise names" \
	grep -q "list.conf:[0-9]*: warning: service azure-openai: enterprise names under open tenancy" "$t/out"
for f in "$data"/bad-*.conf; do
	want=$(sed -n 's/.*# ERROR line \([0-9]*\).*/\1/p' "$f" | head -1)
	"$ctl" lint "$f" >"$t/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && { [ -z "$want" ] || grep -q "^$f:$want: error:" "$t/out"; } &&
		grep -q "^$f:[0-9]*: error:" "$t/out"; then
		ok "lint refuses $(basename "$f") at file:line${want:+ ($want)}"
	else
		notok "lint refuses $(basename "$f") (rc=$rc, want line $want)"; cat "$t/out"
	fi
done

# --- diff -------------------------------------------------------------
"$ctl" diff "$data/base.conf" "$data/next.conf" >"$t/out" 2>&1
check "diff exits 1 on differences" test $? = 1
check "  ...service added" grep -q '^+ service claude' "$t/out"
check "  ...service removed" grep -q '^- service quad9' "$t/out"
check "  ...entry added" grep -q '^+ suffix claude.ai shared' "$t/out"
check "  ...entry removed" grep -q '^- exact  dns.quad9.net dns-bypass' "$t/out"
check "  ...entry reclassified" grep -q '^~ suffix chat.mistral.ai shared -> consumer' "$t/out"
"$ctl" diff "$data/base.conf" "$data/base.conf" >/dev/null 2>&1
check "diff of a list with itself exits 0" test $? = 0

# --- list / show ------------------------------------------------------
"$ctl" list --list "$top/rules" >"$t/out" 2>&1
check "list shows every service" sh -c "[ $? = 0 ] && [ \$(grep -c '' '$t/out') -ge 122 ]"
check "  ...EU vendors marked" grep -q '^mistral-lechat .* FR/EU ' "$t/out"
"$ctl" list --list "$top/rules" --terms dns-bypass --json >"$t/out" 2>&1
check "list --terms dns-bypass --json: one object per resolver" \
	sh -c "[ \$(grep -c '\"terms\":\"dns-bypass\"' '$t/out') -ge 10 ]"
"$ctl" show --list "$top/rules" azure-openai >"$t/out" 2>&1
check "show prints sources, notes and names with actions" \
	sh -c "grep -q 'source: *https://' '$t/out' && grep -q 'suffix *openai.azure.com *enterprise *allow' '$t/out'"
"$ctl" show --list "$top/rules" no-such-service >/dev/null 2>&1
check "show of an unknown service fails" test $? = 1

# --- import -----------------------------------------------------------
for fmt in hosts domains adblock; do
	"$ctl" import --format $fmt --terms consumer --service example-ai --whole-list \
		"$data/import/$fmt.txt" >"$t/$fmt.conf" 2>"$t/$fmt.err"
	check "import --format $fmt writes a fragment" test $? = 0
	"$ctl" lint "$t/$fmt.conf" >/dev/null 2>&1
	check "  ...that lint refuses until the TODO fields are filled" test $? = 1
	"$ctl" import --format $fmt --terms consumer --service example-ai --whole-list \
		--name "Example AI" --vendor "Example" --jurisdiction NL \
		--source https://example.org/evidence "$data/import/$fmt.txt" >"$t/$fmt.conf" 2>/dev/null
	"$ctl" lint "$t/$fmt.conf" >"$t/out" 2>&1
	check "  ...and accepts once they are given" test $? = 0
done
check "hosts: names become exact entries, localhost dropped" \
	sh -c "grep -q 'exact = \\[' '$t/hosts.conf' && ! grep -q localhost '$t/hosts.conf' && grep -q '\"cdn.example-ai.com\"' '$t/hosts.conf'"
check "hosts: bad lines reported with file:line" grep -q "hosts.txt:7: skipped" "$t/hosts.err"
check "domains: full: is exact, *. and domain: are suffixes" \
	sh -c "grep -A3 'exact = ' '$t/domains.conf' | grep -q app.example-ai.net && grep -A4 'suffix = ' '$t/domains.conf' | grep -q '\"example-ai.io\"'"
check "adblock: ||name^ suffix, options/paths/exceptions skipped" \
	sh -c "grep -q '\"example-ai.net\"' '$t/adblock.conf' && ! grep -q allowed '$t/adblock.conf' && grep -q 'adblock.txt:6: skipped' '$t/adblock.err'"
"$ctl" import --format hosts --terms consumer --service example-ai --list "$data/base.conf" \
	"$data/import/hosts.txt" >"$t/out" 2>"$t/err"
check "import --list leaves out names already listed" \
	sh -c "grep -q 'already listed: chatgpt.com' '$t/err' && ! grep -q '\"chatgpt.com\"' '$t/out'"

# --- export -----------------------------------------------------------
cat >"$t/aigate.conf" <<CONF
list = "$data/base.conf";
contracts = "contracts.d";
log = { events = ""; };
CONF
for fmt in dnsmasq unbound rpz hosts; do
	"$ctl" export --format $fmt --config "$t/aigate.conf" -o "$t/export.$fmt" 2>/dev/null
	check "export --format $fmt" test $? = 0
done
check "dnsmasq: blocked suffix, enterprise exception inside it" \
	sh -c "grep -qx 'address=/githubcopilot.com/' '$t/export.dnsmasq' && grep -qx 'server=/business.githubcopilot.com/#' '$t/export.dnsmasq'"
check "dnsmasq: enterprise-only names are not exported" sh -c "! grep -q openai.azure.com '$t/export.dnsmasq'"
check "rpz: exact-only names get no wildcard" sh -c "grep -qx 'chat.openai.com CNAME .' '$t/export.rpz' && ! grep -q '^\\*.chat.openai.com' '$t/export.rpz'"
check "unbound: local-zone lines" grep -qx '  local-zone: "chatgpt.com." always_nxdomain' "$t/export.unbound"
check "hosts: one name per line" grep -qx '0.0.0.0 dns.quad9.net' "$t/export.hosts"
if command -v dnsmasq >/dev/null 2>&1; then
	dnsmasq --test --conf-file="$t/export.dnsmasq" >"$t/out" 2>&1
	check "dnsmasq --test accepts the export" test $? = 0
	port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	dnsmasq --keep-in-foreground --port="$port" --listen-address=127.0.0.1 --bind-interfaces \
		--no-resolv --no-hosts --pid-file= --user="$(id -un)" --group="$(id -gn)" \
		--conf-file="$t/export.dnsmasq" --log-facility=- >"$t/dnsmasq.log" 2>&1 &
	dm=$!
	sleep 0.5
	st() { dig +tries=1 +time=2 @127.0.0.1 -p "$port" "$1" A 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
	if command -v dig >/dev/null 2>&1 && kill -0 $dm 2>/dev/null; then
		check "dnsmasq with the export: blocked name -> NXDOMAIN" test "$(st chatgpt.com)" = NXDOMAIN
		check "  ...and the names below it" test "$(st ws.chatgpt.com)" = NXDOMAIN
		check "  ...the enterprise exception is forwarded (not NXDOMAIN)" test "$(st api.business.githubcopilot.com)" = REFUSED
		check "  ...an unlisted name is forwarded (not NXDOMAIN)" test "$(st example.org)" = REFUSED
	else
		notok "dnsmasq did not start with the export (or dig is missing)"; cat "$t/dnsmasq.log"
	fi
	kill $dm 2>/dev/null; dm=""
else
	notok "dnsmasq is needed (mk/deps.sh test: dnsmasq-base)"
fi
if command -v unbound-checkconf >/dev/null 2>&1; then
	printf 'server:\n  username: ""\n  chroot: ""\n  directory: "%s"\ninclude: "%s"\n' "$t" "$t/export.unbound" >"$t/unbound.conf"
	unbound-checkconf "$t/unbound.conf" >"$t/out" 2>&1
	check "unbound-checkconf accepts the export" test $? = 0
fi
if command -v named-checkzone >/dev/null 2>&1; then
	named-checkzone rpz.aigate "$t/export.rpz" >"$t/out" 2>&1
	check "named-checkzone accepts the rpz export" test $? = 0
fi

# --- impact -----------------------------------------------------------
"$ctl" impact --log "$data/events.jsonl" --config "$t/aigate.conf" "$data/next.conf" >"$t/out" 2>&1
check "impact exits 1 when something changes" test $? = 1
check "  ...newly blocked: claude.ai with both clients" \
	sh -c "sed -n '/^newly blocked/,/^newly allowed/p' '$t/out' | grep 'claude.ai' | grep -q '192.0.2.11 192.0.2.12'"
check "  ...newly allowed: dns.quad9.net (removed from the list)" \
	sh -c "sed -n '/^newly allowed/,\$p' '$t/out' | grep -q 'dns.quad9.net .*192.0.2.13'"
check "  ...unchanged names are not reported" sh -c "! grep -q 'chatgpt.com\|chat.mistral.ai' '$t/out'"
check "  ...the bad line is counted" grep -q '5 events, 1 lines skipped' "$t/out"
"$ctl" impact --log "$data/events.jsonl" --config "$t/aigate.conf" "$data/base.conf" >"$t/out" 2>&1
check "impact of the list the log was made with: no change, exit 0" test $? = 0
[ $fails = 0 ]
