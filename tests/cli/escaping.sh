#!/bin/bash
# escaping.sh: names an attacker chose (control bytes, quotes,
# backslashes, HTML, invalid UTF-8) come out escaped in every sink that
# aigatectl writes: scan --json (the same event writer as the daemon's
# event file, daemon/core/event.c), the scan table, check, and report
# in text, JSON and HTML.  The daemon's event file is checked in the lab
# by tests/integration/evasion.sh; its journald fields use the same \xNN
# form (daemon/evlog.c printable_name).
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
# True when the file holds only printable ASCII, tabs and newlines.
ascii_only() { ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$1" && ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$1"; }

# A capture (raw IP) with DNS queries and TLS ClientHellos whose names
# hold hostile bytes, below a blocked name so that they are logged.
python3 - "$tmp/evil.pcap" <<'PY'
import os, struct, sys
sys.path.insert(0, "tests/helpers")
import tls_client
names = [b'a\x01"b\\c.chatgpt.com', b'<script>alert(1)</script>.claude.ai',
         b'x\xff\xfey\x1b[31m.meta.ai', b'nl\nq\'\x7f.grok.com', b'caf\xc3\xa9.chatgpt.com']
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
src, dst = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 7])
def ip(proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4
pkts = []
for i, n in enumerate(names):
    q = struct.pack("!HHHHHH", i, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l for l in n.split(b".")) + b"\0" + struct.pack("!HH", 1, 1)
    pkts.append(ip(17, struct.pack("!HHHH", 40000 + i, 53, 8 + len(q), 0) + q))
    hello, _ = tls_client.client_hello("x", False)
    # Put the raw name in place of "x" (server_name and lengths).
    body = hello[9:]
    old = b"\x00\x00\x00\x06\x00\x04\x00\x00\x01x"
    k = body.index(old)
    new = struct.pack("!HHHBH", 0, len(n) + 5, len(n) + 3, 0, len(n)) + n
    body = body[:k] + new + body[k + len(old):]
    ext_off = 2 + 32 + 1 + body[34] + 2 + struct.unpack("!H", body[35 + body[34]:37 + body[34]])[0] + 2
    ext_len_at = ext_off - 2 + 1 + body[ext_off - 2 + 0] if False else None
    # Recompute the extensions length: it is the u16 right before the first extension.
    sid = body[34]
    cs = struct.unpack("!H", body[35 + sid:37 + sid])[0]
    comp = body[37 + sid + cs]
    el_at = 38 + sid + cs + comp
    body = body[:el_at] + struct.pack("!H", len(body) - el_at - 2) + body[el_at + 2:]
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    rec = b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs
    tcp = struct.pack("!HHIIBBHHH", 50000 + i, 443, 1, 1, 0x50, 0x18, 65535, 0, 0) + rec
    pkts.append(ip(6, tcp))
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pkts):
        f.write(struct.pack("<IIII", 1764489600 + i, 0, len(p), len(p)) + p)
PY

"$ctl" scan --json --list rules "$tmp/evil.pcap" >"$tmp/ev.json" 2>"$tmp/err"
check "scan reads the hostile capture" "[ -s $tmp/ev.json ]"
check "every name seen: 5 over DNS and 5 over TLS" \
	"[ \$(grep -c '\"app_proto\":\"dns\"' $tmp/ev.json) = 5 ] && [ \$(grep -c '\"app_proto\":\"tls\"' $tmp/ev.json) = 5 ]"
check "JSON events: plain ASCII" "ascii_only $tmp/ev.json"
check "JSON events: each line valid JSON" \
	"python3 -c 'import json,sys; [json.loads(l) for l in open(\"$tmp/ev.json\")]'"
check "control byte written as \\\\x01" "grep -qF 'a\\\\x01\\\"b\\\\x5cc.chatgpt.com' $tmp/ev.json"
check "invalid UTF-8 written as \\\\xff\\\\xfe" "grep -qF 'x\\\\xff\\\\xfey\\\\x1b[31m.meta.ai' $tmp/ev.json"
check "newline and DEL escaped" "grep -qF 'nl\\\\x0aq' $tmp/ev.json && grep -qF '\\\\x7f.grok.com' $tmp/ev.json"
check "the names are blocked (by their listed suffix)" \
	"[ \$(grep -c '\"action\":\"block\"' $tmp/ev.json) = 10 ]"

"$ctl" scan --list rules "$tmp/evil.pcap" >"$tmp/table" 2>&1
check "scan table: plain ASCII" "ascii_only $tmp/table"
check "scan table: one line per name (no line broken by a newline in a name)" \
	"[ \$(grep -c 'chatgpt.com\|claude.ai\|meta.ai\|grok.com' $tmp/table) -ge 10 ]"

"$ctl" check --list rules "$(printf 'a\001"b\\c.chatgpt.com')" "$(printf 'x\377y\033[31m.meta.ai')" \
	>"$tmp/check" 2>&1
check "check: plain ASCII" "ascii_only $tmp/check"
"$ctl" check --json --list rules "$(printf 'nl\nq.chatgpt.com')" >"$tmp/checkj" 2>&1
check "check --json: plain ASCII, valid JSON" \
	"ascii_only $tmp/checkj && python3 -c 'import json; [json.loads(l) for l in open(\"$tmp/checkj\")]'"

if "$ctl" report --help >/dev/null 2>&1; then
	"$ctl" report --list rules "$tmp/ev.json" >"$tmp/rep.txt" 2>&1
	check "report text: plain ASCII" "ascii_only $tmp/rep.txt"
	"$ctl" report --format json --list rules "$tmp/ev.json" >"$tmp/rep.json" 2>&1
	check "report json: plain ASCII, valid JSON" \
		"ascii_only $tmp/rep.json && python3 -c 'import json; json.load(open(\"$tmp/rep.json\"))'"
	"$ctl" report --format html -o "$tmp/rep.html" --list rules "$tmp/ev.json" >/dev/null 2>&1
	check "report html: written" "[ -s $tmp/rep.html ]"
	check "report html: no raw <script> from a name" "! grep -q '<script>alert' $tmp/rep.html"
	check "report html: no raw control bytes" "! LC_ALL=C grep -qP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' $tmp/rep.html"
else
	ok "report # SKIP aigatectl report not built"
fi

echo "$((n - fails)) of $n passed"
[ $fails = 0 ]
