#!/bin/bash
# siem.sh: the SIEM and privacy sinks of the real daemon: events with
# pseudonymised client addresses that `aigatectl reveal` maps back only
# with the key, RFC 5424 messages to a syslog socket, the Prometheus
# textfile and `aigatectl status --prometheus`.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitsiem
B=${AIGATE_BUILD:-$TOP/build}

head -c 32 /dev/urandom >"$T_TMP/pseudonym.key"
chmod 0600 "$T_TMP/pseudonym.key"
cat >"$T_TMP/syslog_rx.py" <<'PY'
import os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
PY
python3 "$T_TMP/syslog_rx.py" "$T_TMP/syslog.sock" "$T_TMP/syslog.txt" &
RX=$!
trap 'kill $RX 2>/dev/null; t_cleanup' EXIT
for _ in $(seq 50); do [ -S "$T_TMP/syslog.sock" ] && break; sleep 0.1; done

t_config "$T_TMP/aigate.conf" "\$a metrics = { textfile = \"$T_TMP/aigate.prom\"; interval = 1; };"
# The lab replaces the log group with its own paths; add ours through it.
python3 - "$T_TMP/aigate.conf" "$T_TMP" <<'PY'
import re, sys
p, tmp = sys.argv[1], sys.argv[2]
s = open(p).read()
extra = ('syslog_socket = "%s/syslog.sock"; syslog_facility = "local5"; pseudonymize = true; '
         'pseudonym_key = "%s/pseudonym.key"; pseudonym_period = 86400;' % (tmp, tmp))
if re.search(r"^log\s*=\s*\{", s, re.M):
    s = re.sub(r"^(log\s*=\s*\{)", r"\1 " + extra, s, count=1, flags=re.M)
else:
    s += "\nlog = { %s };\n" % extra
open(p, "w").write(s)
PY
if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up with pseudonyms, syslog socket and metrics"
	t_end
fi
t_pass "lab up with pseudonyms, syslog socket and metrics"

t_is "consumer name blocked" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN
t_ok "event written" t_wait_event name=meta.ai action=block
src=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("name") == "meta.ai": print(e["src_ip"]); break' "$LAB_EVENTS")
t_like "the event carries a pseudonym, not the address" "$src" '^p-[a-z2-7]{16}$'
if grep -q "$LAB_C1_V4" "$LAB_EVENTS"; then t_fail "the client address appears nowhere in the event log"; else t_pass "the client address appears nowhere in the event log"; fi
out=$("$B/aigatectl" reveal --key "$T_TMP/pseudonym.key" --log "$LAB_EVENTS" "$src" "$LAB_C1_V4" 10.251.2.0/24 2>&1)
t_like "reveal with the key finds the client" "$out" "$LAB_C1_V4"
head -c 32 /dev/urandom >"$T_TMP/other.key"; chmod 0600 "$T_TMP/other.key"
rc=0
"$B/aigatectl" reveal --key "$T_TMP/other.key" --log "$LAB_EVENTS" "$src" "$LAB_C1_V4" >/dev/null 2>&1 || rc=$?
t_is "reveal with another key finds nothing (exit 1)" "$rc" 1

for _ in $(seq 30); do grep -q 'meta.ai' "$T_TMP/syslog.txt" 2>/dev/null && break; sleep 0.1; done
msg=$(grep -m1 'meta.ai' "$T_TMP/syslog.txt")
t_like "RFC 5424 message: PRI local5, version 1, app aigated" "$msg" '^<1[0-9][0-9]>1 [0-9T:.-]+Z [^ ]+ aigated [0-9]+ '
t_like "RFC 5424 structured data with the key fields" "$msg" '\[aigate@32473 [^]]*name="meta.ai"[^]]*action="block"'
t_like "RFC 5424: the pseudonym, not the address" "$msg" "src_ip=\"$src\""
t_like "RFC 5424: the JSON event as MSG" "$msg" '\] \{"v":1,'

sleep 2
t_ok "metrics textfile written" test -s "$T_TMP/aigate.prom"
t_ok "metrics textfile: packets and names counters" grep -q '^aigate_names_total{app_proto="dns",action="block"} [1-9]' "$T_TMP/aigate.prom"
out=$(t_lab status --prometheus)
t_like "aigatectl status --prometheus" "$out" 'aigate_packets_total\{queue="0"\} [1-9]'
t_like "status --prometheus: HELP and TYPE lines" "$out" '# TYPE aigate_verdicts_total counter'
t_end
