#!/bin/sh
# contract-lifecycle.sh: aigatectl contract add/list/remove (issue 5):
# add writes contracts.d/ID.conf that the loader accepts and refuses an
# unknown service, a bad date, an existing id and an expiry in the past;
# list shows active / expiring / expired / not yet started by the date
# (AIGATE_NOW fixes "today"); an expired contract stops allowing without
# any change (aigatectl check at a later date); remove archives the
# file.  A contract that names an open-tenancy suffix is flagged.
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
trap 'rm -rf "$t"' EXIT INT TERM
cat >"$t/aigate.conf" <<CONF
list = "$data/base.conf";
contracts = "contracts.d";
log = { events = ""; };
control = { socket = "no-daemon.sock"; };
CONF
export AIGATE_NOW=2026-12-01
c() { "$ctl" contract "$@" --config "$t/aigate.conf"; }

c add --id chatgpt-2026 --reference "DG-2026/17 \"ChatGPT Enterprise\"" --service chatgpt \
	--expires 2027-06-30 --approved-by "CIO office" >"$t/out" 2>&1
check "add writes contracts.d/ID.conf" sh -c "[ $? = 0 ] && [ -f '$t/contracts.d/chatgpt-2026.conf' ]"
check "  ...which lint accepts" "$ctl" lint --list "$data/base.conf" --contract "$t/contracts.d/chatgpt-2026.conf"
check "  ...and which allows the service (check)" sh -c "'$ctl' check --config '$t/aigate.conf' chatgpt.com | grep -q 'action: *allow'"

c add --id soon --reference R --service mistral --expires 2026-12-20 --approved-by A >/dev/null 2>&1
c add --id later --reference R --host Agency-WEU.openai.azure.com --starts 2027-01-01 \
	--expires 2027-12-31 --approved-by A >/dev/null 2>&1
check "a host is stored normalised" grep -q '"agency-weu.openai.azure.com"' "$t/contracts.d/later.conf"

refuse() { # name, args...
	name=$1; shift
	n=$(ls "$t/contracts.d" | wc -l)
	c add "$@" >"$t/out" 2>&1
	rc=$?
	if [ $rc != 0 ] && [ "$(ls "$t/contracts.d" | wc -l)" = "$n" ]; then ok "add refuses $name"; else
		notok "add refuses $name (rc=$rc)"; cat "$t/out"; fi
}
refuse "an unknown service" --id x1 --reference R --service no-such --expires 2027-01-01 --approved-by A
refuse "a bad date" --id x2 --reference R --service chatgpt --expires 2027-02-30 --approved-by A
refuse "an expiry in the past" --id x3 --reference R --service chatgpt --expires 2026-01-01 --approved-by A
refuse "an expiry before the start" --id x4 --reference R --service chatgpt --starts 2027-05-01 --expires 2027-04-01 --approved-by A
refuse "an existing id" --id chatgpt-2026 --reference R --service mistral --expires 2027-01-01 --approved-by A
refuse "a bad id" --id ../evil --reference R --service chatgpt --expires 2027-01-01 --approved-by A
refuse "a missing --approved-by" --id x5 --reference R --service chatgpt --expires 2027-01-01
check "  ...and the existing contract is unchanged" grep -q 'services = \[ "chatgpt" \]' "$t/contracts.d/chatgpt-2026.conf"

c add --id ot --reference R --host openai.azure.com --expires 2027-01-01 --approved-by A >"$t/out" 2>&1
check "a contract naming an open-tenancy suffix is flagged" grep -q "open-tenancy" "$t/out"
c add --id ot2 --reference R --service azure-openai --expires 2027-01-01 --approved-by A >"$t/out" 2>&1
check "a contract for an open-tenancy service is flagged" grep -q "open-tenancy" "$t/out"
"$ctl" lint --list "$data/base.conf" --contract "$t/contracts.d/ot.conf" >"$t/out" 2>&1
check "lint flags it at file:line" grep -q "ot.conf:[0-9]*: warning: host 'openai.azure.com' is an open-tenancy name" "$t/out"

c list >"$t/list" 2>&1
check "list: active" grep -q "^chatgpt-2026 *active" "$t/list"
check "list: expiring within 30 days" grep -q "^soon *expiring" "$t/list"
check "list: not yet started" grep -q "^later *not-yet-started" "$t/list"
AIGATE_NOW=2027-07-01 c list >"$t/list" 2>&1
check "list: expired (later date)" grep -q "^chatgpt-2026 *expired" "$t/list"

# Expiry needs no reload: the same loaded files decide differently by date.
"$ctl" check --config "$t/aigate.conf" --at 2027-06-30 chatgpt.com >"$t/a" 2>&1
"$ctl" check --config "$t/aigate.conf" --at 2027-07-01 chatgpt.com >"$t/b" 2>&1
check "a contract allows through its expiry day" grep -q "action: *allow" "$t/a"
check "  ...and stops allowing the day after" grep -q "action: *block" "$t/b"

c remove chatgpt-2026 >"$t/out" 2>&1
check "remove moves the file out of contracts.d" sh -c "[ $? = 0 ] && [ ! -e '$t/contracts.d/chatgpt-2026.conf' ]"
check "  ...into archive/ with a timestamp" sh -c "ls '$t/contracts.d/archive/' | grep -q '^chatgpt-2026.conf.[0-9]\{8\}T[0-9]\{6\}Z$'"
check "  ...and the policy no longer has it" sh -c "'$ctl' check --config '$t/aigate.conf' chatgpt.com | grep -q 'action: *block'"
c remove chatgpt-2026 >/dev/null 2>&1
check "removing an unknown id fails" test $? = 1
[ $fails = 0 ]
