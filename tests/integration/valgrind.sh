#!/bin/bash
# valgrind.sh: aigated under valgrind memcheck in the lab, for a stream
# of mixed traffic: DNS over UDP and TCP (blocked, unlisted, AAAA), TLS
# blocked and allowed (whole, in tiny segments, two hellos, a fake first),
# QUIC Initials replayed from a capture, IP fragments, malformed DNS and
# TLS, a reload and a reopen; then SIGTERM.  Zero errors, no definite
# leaks.  The seccomp filter is off (AIGATE_SECCOMP=off): libseccomp
# cannot set it up under valgrind, which makes system calls of its own.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitvg
command -v valgrind >/dev/null || { echo "not ok - valgrind installed (mk/deps.sh test)"; exit 1; }
BIN=${AIGATE_BUILD:-$TOP/build}/aigated
case $BIN in
*build-san*) echo "ok - valgrind.sh # SKIP the ASan build cannot run under valgrind"; exit 0 ;;
esac

cat >"$T_TMP/vg-aigated" <<EOF2
#!/bin/sh
AIGATE_SECCOMP=off exec valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no \\
	--log-file=$T_TMP/vg.%p.log $BIN "\$@"
EOF2
chmod +x "$T_TMP/vg-aigated"
if ! AIGATED="$T_TMP/vg-aigated" t_lab up; then
	t_fail "lab up with aigated under valgrind"
	t_end
fi
t_pass "lab up with aigated under valgrind"
pid=$(cat "$LAB_STATE/aigated.pid")

t_is "DNS blocked" "$(t_dig c1 chatgpt.com "@$LAB_DNS_V4")" NXDOMAIN
t_is "DNS unlisted" "$(t_dig c1 www.example.org "@$LAB_DNS_V4")" NOERROR
t_is "DNS AAAA over IPv6" "$(t_dig c1 meta.ai "@$LAB_DNS_V6" AAAA)" NXDOMAIN
t_is "DNS over TCP blocked" "$(t_dig c1 claude.ai "@$LAB_DNS_V4" +tcp)" NXDOMAIN
t_is "DNS over TCP unlisted" "$(t_dig c1 www.example.org "@$LAB_DNS_V4" +tcp)" NOERROR
t_is "TLS blocked" "$(t_tls c1 "$LAB_SRV_V4" chatgpt.com)" reset
t_is "TLS allowed" "$(t_tls c1 "$LAB_SRV_V4" www.example.org)" handshake
t_is "TLS big, split" "$(t_tls c1 "$LAB_SRV_V6" claude.ai --big --split-sni)" reset
t_is "TLS tiny segments" "$(t_tls c1 "$LAB_SRV_V4" grok.com --segment 9 --pause 0.01)" reset
t_is "TLS two hellos" "$(t_tls c1 "$LAB_SRV_V4" www.example.org --then-sni meta.ai --ccs)" reset
out=$(t_exec c1 curl -sk --max-time 10 --resolve "www.example.org:443:$LAB_SRV_V4" https://www.example.org/ 2>&1)
t_like "curl end to end" "$out" "sni=www.example.org"
t_is "fake hello first" "$(t_exec c1 python3 "$HELPERS/evasion_client.py" fake --addr "$LAB_SRV_V4" \
	--sni chatgpt.com --mode ttl --timeout 5)" reset
t_is "DNS in fragments" "$(t_exec c1 python3 "$HELPERS/evasion_client.py" frag-dns \
	--addr "$LAB_DNS_V4" --name chatgpt.com --timeout 5)" nxdomain

# QUIC Initials from a capture, and malformed DNS and TLS.
t_exec c1 python3 - "$TOP" "$LAB_SRV_V4" "$LAB_SRV_V6" <<'PY'
import os, socket, sys
sys.path.insert(0, os.path.join(sys.argv[1], "tests", "fuzz"))
import importlib.util
spec = importlib.util.spec_from_file_location("seeds", os.path.join(sys.argv[1], "tests", "fuzz", "make-seeds.py"))
seeds = importlib.util.module_from_spec(spec); spec.loader.exec_module(seeds)
v4, v6 = sys.argv[2], sys.argv[3]
n = 0
for cap in ("quic_kyber.pcapng", "quic-v2__input.pcap", "quic_win11_firefox_google.pcap"):
    for lt, f in seeds.frames(os.path.join(sys.argv[1], "tests", "data", "pcaps", cap)):
        x = seeds.l4(seeds.ip_of(lt, f))
        if x and x[0] == 17 and x[2] == 443:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(x[3], (v4, 443)); u.close(); n += 1
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for junk in (b"\x00", b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01",
             b"\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00\x3fabc", os.urandom(300),
             b"\xc0\x00\x00\x00\x01" + os.urandom(1200)):
    u.sendto(junk, (v4, 53)); u.sendto(junk, (v4, 443))
for junk in (b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\xff", b"\x16\x03\x09\xff\xff", os.urandom(700),
             b"\x16\x03\x01\x00\x04\x02\x00\x00\x00"):
    t = socket.create_connection((v4, 443), timeout=3)
    try:
        t.sendall(junk); t.recv(10)
    except OSError:
        pass
    t.close()
print("quic datagrams", n)
PY
t_pass "QUIC Initials and malformed packets sent"
t_ok "reload under valgrind" t_lab ctl reload
t_ok "reopen under valgrind" t_lab ctl reopen
t_is "still blocking" "$(t_dig c1 chatgpt.com "@$LAB_DNS_V4")" NXDOMAIN
t_ok "QUIC Initial inspected" t_wait_event app_proto=quic

# Stop and let valgrind write its report (the lab's stop waits only 5 s).
kill -TERM "$pid"
for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
t_ok "aigated exited" bash -c "! kill -0 $pid 2>/dev/null"
log=$(ls "$T_TMP"/vg.*.log | while read -r f; do grep -q "build.*aigated -c" "$f" && echo "$f"; done | head -1)
[ -n "$log" ] || log=$(ls -S "$T_TMP"/vg.*.log | head -1)
t_diag "$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|in use at exit' "$log")"
grep -q 'ERROR SUMMARY: 0 errors' "$log" ||
	t_diag "$(grep -m3 -A24 -E '== (Invalid|Conditional|Syscall param|Use of|Mismatched|Source and dest|Warning)' "$log")"
t_like "valgrind: zero errors" "$(grep 'ERROR SUMMARY' "$log")" "ERROR SUMMARY: 0 errors"
t_ok "valgrind: no definite leaks" bash -c "! grep -qE 'definitely lost: [1-9]' '$log'"
t_end
