#!/bin/sh
# list-update.sh: aigatectl update and rollback (issue 5), with lists
# signed by the real minisign tool: a good signature installs (from a
# file and from an https URL served on 127.0.0.1 with a throw-away
# certificate); a wrong key, a tampered file, a truncated download, a
# lower or equal serial, a list that fails lint and a plain http URL are
# refused and leave the installed list untouched; rollback swaps back.
# Everything lives in a temporary directory; no daemon is running, which
# update reports and accepts.
set -u
B=${AIGATE_BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=$top/$B/aigatectl
[ -x "$ctl" ] || ctl=$B/aigatectl
data=$top/tests/data/lists
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { # name, command...
	name=$1; shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
for tool in minisign openssl python3; do
	command -v $tool >/dev/null || { echo "not ok - $tool is needed (mk/deps.sh test)"; exit 1; }
done

t=$(mktemp -d)
srv=""
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT INT TERM

# The publisher's keys (passwordless for the test) and a stranger's.
minisign -G -W -p "$t/pub.key" -s "$t/sec.key" >/dev/null 2>&1 || { notok "minisign -G"; exit 1; }
minisign -G -W -p "$t/other.pub" -s "$t/other.key" >/dev/null 2>&1
mkdir -p "$t/pub" "$t/var" "$t/contracts.d"
cat >"$t/aigate.conf" <<CONF
list = "var/list.conf";
contracts = "contracts.d";
log = { events = ""; };
control = { socket = "no-daemon.sock"; };
update = { pubkeys = [ "pub.key" ]; };
CONF
sign() { # file [key]
	minisign -S -s "${2:-$t/sec.key}" -m "$1" -t "aigate list $(basename "$1")" >/dev/null 2>&1
}
cp "$data/base.conf" "$t/pub/base.conf" && sign "$t/pub/base.conf"
cp "$data/next.conf" "$t/pub/next.conf" && sign "$t/pub/next.conf"
# The legacy (non-prehashed) signature form must verify too.
cp "$data/next.conf" "$t/pub/legacy.conf"
minisign -S -l -s "$t/sec.key" -m "$t/pub/legacy.conf" >/dev/null 2>&1
upd() { "$ctl" update --config "$t/aigate.conf" "$@"; }
installed_serial() { sed -n 's/^serial = \([0-9]*\)L;/\1/p' "$t/var/list.conf"; }

# 1. First install from a file.
upd --from "$t/pub/base.conf" >"$t/out" 2>&1
check "update from a file installs a good signature" test "$(installed_serial)" = 2026120100
check "update reports that no daemon is running" grep -q "aigated is not running" "$t/out"
check "the signature is kept beside the list" cmp -s "$t/pub/base.conf.minisig" "$t/var/list.conf.minisig"
"$ctl" lint "$t/var/list.conf" >/dev/null 2>&1
check "the installed list lints" test $? = 0
check "no temporary file is left behind" sh -c "! ls -A '$t/var' | grep -q -e '^\\.' -e '\\.new'"

# 2. The same file again: up to date, exit 0.
upd --from "$t/pub/base.conf" >"$t/out" 2>&1
rc=$?
check "the same list again is 'already up to date' (exit 0)" sh -c "[ $rc = 0 ] && grep -q 'already up to date' '$t/out'"

snapshot() { cp "$t/var/list.conf" "$t/before"; }
unchanged() { cmp -s "$t/before" "$t/var/list.conf"; }
refused() { # name, update args...
	name=$1; shift
	snapshot
	upd "$@" >"$t/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && unchanged; then ok "$name: refused, old list kept"; else
		notok "$name (rc=$rc)"; cat "$t/out"; fi
}

# 3. Wrong key.
cp "$data/next.conf" "$t/pub/wrongkey.conf" && sign "$t/pub/wrongkey.conf" "$t/other.key"
refused "signed by another key" --from "$t/pub/wrongkey.conf"
check "  ...says the key is not trusted" grep -q "not a trusted key" "$t/out"
# 4. Tampered file (one byte changed after signing).
cp "$t/pub/next.conf" "$t/pub/tampered.conf"; cp "$t/pub/next.conf.minisig" "$t/pub/tampered.conf.minisig"
sed -i 's/"consumer"; suffix = \[ "chat.mistral.ai"/"enterprise"; suffix = [ "chat.mistral.ai"/' "$t/pub/tampered.conf"
refused "tampered list" --from "$t/pub/tampered.conf"
check "  ...says the signature does not verify" grep -q "verification failed" "$t/out"
# 5. Tampered trusted comment.
cp "$t/pub/next.conf" "$t/pub/tc.conf"
sed 's/^trusted comment: .*/trusted comment: something else/' "$t/pub/next.conf.minisig" >"$t/pub/tc.conf.minisig"
refused "altered trusted comment" --from "$t/pub/tc.conf"
# 6. Truncated file with the signature of the whole.
head -c 400 "$t/pub/next.conf" >"$t/pub/trunc.conf"; cp "$t/pub/next.conf.minisig" "$t/pub/trunc.conf.minisig"
refused "truncated list" --from "$t/pub/trunc.conf"
# 7. Missing signature.
cp "$t/pub/next.conf" "$t/pub/nosig.conf"
refused "no signature file" --from "$t/pub/nosig.conf"
# 8. Lower serial, and equal serial with other bytes.
sed 's/^serial = .*/serial = 2026110100L;/' "$data/next.conf" >"$t/pub/lower.conf" && sign "$t/pub/lower.conf"
refused "lower serial" --from "$t/pub/lower.conf"
check "  ...says the serial is not higher" grep -q "not higher than the installed" "$t/out"
sed 's/^serial = .*/serial = 2026120100L;/' "$data/next.conf" >"$t/pub/equal.conf" && sign "$t/pub/equal.conf"
refused "equal serial, other content" --from "$t/pub/equal.conf"
# 9. Signed but does not pass lint.
sed 's/^serial = .*/serial = 2026129900L;/' "$data/bad-dup.conf" >"$t/pub/badlint.conf" && sign "$t/pub/badlint.conf"
refused "a signed list that fails lint" --from "$t/pub/badlint.conf"
check "  ...with the loader's file:line" grep -q "error: duplicate suffix entry" "$t/out"
# 10. A contract that the new list would orphan.
cat >"$t/contracts.d/q9.conf" <<C
id = "q9"; reference = "test"; approved_by = "test";
services = [ "quad9" ]; expires = "2099-12-31";
C
refused "a list without a contracted service" --from "$t/pub/next.conf"
rm -f "$t/contracts.d/q9.conf"
# 11. Plain http is never used.
refused "an http:// URL" --from "http://127.0.0.1:9/next.conf"

# 12. A good update over https, served locally with a test certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/tls.key" -out "$t/tls.crt" -days 2 \
	-subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
cat >"$t/serve.py" <<'PY'
# An https server on 127.0.0.1 for the update test; /short/NAME sends a
# Content-Length larger than the body and closes (a truncated download).
import http.server, os, ssl, sys
root, cert, key, portfile = sys.argv[1:5]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, *a):
        pass
    def do_GET(self):
        if self.path.startswith("/short/"):
            body = open(os.path.join(root, self.path[7:]), "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()
httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(httpd.server_address[1]))
os.rename(portfile + ".tmp", portfile)
httpd.serve_forever()
PY
python3 "$t/serve.py" "$t/pub" "$t/tls.crt" "$t/tls.key" "$t/port" >"$t/serve.log" 2>&1 &
srv=$!
for i in $(seq 50); do [ -s "$t/port" ] && break; sleep 0.1; done
port=$(cat "$t/port" 2>/dev/null)
url=https://127.0.0.1:$port
refused "https without trusting the test certificate" --from "$url/next.conf"
refused "truncated https download" --cacert "$t/tls.crt" --from "$url/short/next.conf"
check "  ...says the transfer was cut short" grep -q -i "transfer closed\|partial" "$t/out"
upd --cacert "$t/tls.crt" --from "$url/next.conf" >"$t/out" 2>&1
check "update from an https URL installs a good signature" test "$(installed_serial)" = 2026120200
check "  ...printing the diff" grep -q "~ suffix chat.mistral.ai shared -> consumer" "$t/out"
check "  ...keeping the previous list" cmp -s "$t/var/list.conf.prev" "$data/base.conf"
check "  ...and its signature" cmp -s "$t/var/list.conf.prev.minisig" "$t/pub/base.conf.minisig"

# 13. Rollback swaps back, twice.
"$ctl" rollback --config "$t/aigate.conf" >"$t/out" 2>&1
check "rollback restores the previous list" sh -c "[ $? = 0 ] && cmp -s '$t/var/list.conf' '$data/base.conf'"
check "  ...and its signature" cmp -s "$t/var/list.conf.minisig" "$t/pub/base.conf.minisig"
check "  ...keeping the rolled-back one as previous" cmp -s "$t/var/list.conf.prev" "$data/next.conf"
"$ctl" rollback --config "$t/aigate.conf" >/dev/null 2>&1
check "a second rollback undoes the first" cmp -s "$t/var/list.conf" "$data/next.conf"

# 14. The legacy signature form, with --pubkey instead of the configuration.
"$ctl" rollback --config "$t/aigate.conf" >/dev/null 2>&1
upd --pubkey "$t/pub.key" --from "$t/pub/legacy.conf" >"$t/out" 2>&1
check "a legacy (Ed) signature verifies" test "$(installed_serial)" = 2026120200
# 15. No trusted key configured.
"$ctl" rollback --config "$t/aigate.conf" >/dev/null 2>&1
refused "no readable public key" --pubkey "$t/no-such.pub" --from "$t/pub/next.conf"
# 16. --dry-run installs nothing.
refused_dry() { snapshot; upd --dry-run --from "$t/pub/next.conf" >"$t/out" 2>&1; [ $? = 0 ] && unchanged; }
check "--dry-run verifies and shows the diff but installs nothing" refused_dry

[ $fails = 0 ]
