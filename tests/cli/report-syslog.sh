#!/bin/sh
# report-syslog.sh: RFC 5424 messages from daemon/core/syslog5424 over a
# unix datagram socket (as to /dev/log or an rsyslog imuxsock socket),
# received by a small Python receiver that parses each datagram with the
# RFC 5424 grammar (header, SD element with escaped PARAM-VALUEs, MSG)
# and checks the fields and that MSG is the JSON event.  The sender is
# the unit-test binary in --send mode ($AIGATE_BUILD/tests/test_syslog5424).
set -u
B=${AIGATE_BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
SENDER=$B/tests/test_syslog5424
tmp=$(mktemp -d)
trap 'kill $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
rpid=

if [ ! -x "$SENDER" ]; then
	echo "not ok - $SENDER is built (make $SENDER)"
	exit 1
fi

cat >"$tmp/recv.py" <<'PY'
import json, os, re, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
open(path + ".ready", "w").close()
s.settimeout(20)
msgs = []
try:
    while len(msgs) < 3:
        msgs.append(s.recv(65536))
except socket.timeout:
    pass
# RFC 5424 s6: HEADER SP STRUCTURED-DATA [SP MSG]
hdr = re.compile(rb'^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) ')
param = re.compile(rb' ([^= \]"]{1,32})="((?:[^"\\\]]|\\["\\\]])*)"')
res = []
for m in msgs:
    h = hdr.match(m)
    if not h:
        res.append({"error": "header", "raw": m.decode("latin-1")})
        continue
    rest = m[h.end():]
    if not rest.startswith(b"[aigate@32473"):
        res.append({"error": "sd", "raw": m.decode("latin-1")})
        continue
    i = len(b"[aigate@32473")
    params = {}
    while True:
        p = param.match(rest, i)
        if not p:
            break
        v = re.sub(rb'\\(["\\\]])', rb'\1', p.group(2))
        params[p.group(1).decode()] = v.decode("utf-8")
        i = p.end()
    if rest[i:i + 2] != b"] ":
        res.append({"error": "sd end", "raw": m.decode("latin-1")})
        continue
    msg = rest[i + 2:]
    res.append({"pri": int(h.group(1)), "ts": h.group(2).decode(), "host": h.group(3).decode(),
                "app": h.group(4).decode(), "procid": h.group(5).decode(), "msgid": h.group(6).decode(),
                "params": params, "bom": msg.startswith(b"\xef\xbb\xbf"), "msg": json.loads(msg)})
json.dump(res, open(out, "w"))
PY

python3 "$tmp/recv.py" "$tmp/sock" "$tmp/got.json" &
rpid=$!
for i in $(seq 50); do [ -e "$tmp/sock.ready" ] && break; sleep 0.1; done
"$SENDER" --send "$tmp/sock"
src=$?
wait $rpid
rpid=

python3 - "$tmp/got.json" "$src" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
fail = 0
def t(name, cond):
    global fail
    print(("ok - " if cond else "not ok - ") + name)
    fail |= not cond
t("sender exited 0", sys.argv[2] == "0")
t("three datagrams received and parsed", len(got) == 3 and all("error" not in g for g in got))
if len(got) == 3 and all("error" not in g for g in got):
    a, b, c = got
    t("PRI: local0.warning for a block (132), local0.info for an allow (134)",
      (a["pri"], b["pri"], c["pri"]) == (132, 132, 134))
    t("header: time, host from the sensor, app aigated, procid, msgid event",
      a["ts"] == "2026-11-30T07:09:45.123456Z" and a["host"] == "gw1" and a["app"] == "aigated"
      and a["procid"].isdigit() and a["msgid"] == "event")
    t("SD params of a blocked chatgpt.com",
      a["params"] == {"name": "chatgpt.com", "action": "block", "verdict": "reset", "service": "chatgpt",
                      "terms": "shared", "reason": "terms", "app_proto": "tls", "src_ip": "192.0.2.10"})
    t("hostile name: '\"', ']' and '\\' escaped in SD and recovered",
      b["params"]["name"] == 'a"b]c\\x5cd\\x01\\xff.odd.example' and b["params"]["terms"] == "consumer")
    t("SD name equals the JSON event's name", b["params"]["name"] == b["msg"]["name"])
    t("MSG is the JSON event (count kept)", b["msg"]["v"] == 1 and b["msg"]["count"] == 3)
    t("unlisted: service and terms left out of SD, IPv6 src_ip",
      "service" not in c["params"] and "terms" not in c["params"] and c["params"]["src_ip"] == "2001:db8::10"
      and c["msg"]["service"] is None and c["params"]["app_proto"] == "dns")
    t("no BOM before MSG (RFC 5424 s6.4: MSG-ANY, plain ASCII JSON)", not any(g["bom"] for g in got))
sys.exit(fail)
PY
