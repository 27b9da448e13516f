#!/bin/bash
# evasion.sh: the evasions of issue 7 against the real daemon and kernel
# queue; none may let a blocked name through (README, "Evasion").
#   - a fake ClientHello for a harmless name first (TTL 2, bad TCP
#     checksum, far out of window), then the real one: reset;
#   - two ClientHellos in one connection (also behind change_cipher_spec,
#     as after a HelloRetryRequest): reset;
#   - one-byte records, handshake data before the ClientHello, SNI in odd
#     case with a trailing dot: reset;
#   - a ClientHello and a DNS query in IPv4 and IPv6 fragments (conntrack
#     defragments before the queue, so the daemon judges them whole);
#   - DNS with several questions, class CH, 0x20 mixed case: NXDOMAIN;
#   - an allowed name still completes, and its flow leaves the queue once
#     the handshake moved on.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitev

if ! t_lab up; then
	t_fail "lab up"
	t_end
fi
t_pass "lab up"

evc() { t_exec c1 python3 "$HELPERS/evasion_client.py" "$@"; }

for fam in 4 6; do
	if [ $fam = 4 ]; then srv=$LAB_SRV_V4; dns=$LAB_DNS_V4; else srv=$LAB_SRV_V6; dns=$LAB_DNS_V6; fi
	# A different blocked name per trick: events of one client, name and
	# action are folded, and the flags of each are checked below.
	for mode_name in ttl:chatgpt.com badsum:claude.ai window:grok.com; do
		mode=${mode_name%%:*} name=${mode_name#*:}
		t_is "IPv$fam: fake hello ($mode) then the real one ($name): reset" \
			"$(evc fake --addr "$srv" --sni "$name" --fake-sni harmless.example --mode $mode)" reset
	done
	t_is "IPv$fam: no fake (control): reset" \
		"$(evc fake --addr "$srv" --sni chatgpt.com --mode none)" reset
	t_is "IPv$fam: harmless name by hand: handshake" \
		"$(evc fake --addr "$srv" --sni harmless.example --mode none)" handshake
	t_is "IPv$fam: ClientHello in IP fragments: reset" \
		"$(evc frag-tls --addr "$srv" --sni chatgpt.com --frag 64)" reset
	t_is "IPv$fam: DNS query in IP fragments: NXDOMAIN" \
		"$(evc frag-dns --addr "$dns" --name chatgpt.com --frag 16)" nxdomain
	t_is "IPv$fam: unlisted DNS query in IP fragments: answered" \
		"$(evc frag-dns --addr "$dns" --name harmless.example --frag 16)" noerror
done
t_ok "event: the real name of a faked flow, blocked" \
	t_wait_event name=chatgpt.com app_proto=tls action=block verdict=reset
t_ok "event: the differing copy is flagged" \
	t_wait_event name=chatgpt.com app_proto=tls action=block flags=overlap_mismatch
t_ok "event: the out-of-window segment is flagged" \
	t_wait_event name=grok.com app_proto=tls action=block flags=out_of_window

t_is "two ClientHellos, the second blocked: reset" \
	"$(t_tls c1 "$LAB_SRV_V4" harmless.example --then-sni chatgpt.com)" reset
t_is "second ClientHello behind change_cipher_spec: reset" \
	"$(t_tls c1 "$LAB_SRV_V4" harmless.example --then-sni gemini.google.com --ccs)" reset
t_ok "event: the second ClientHello is flagged" \
	t_wait_event name=gemini.google.com app_proto=tls action=block flags=multi_hello
t_is "one-byte records: reset" "$(t_tls c1 "$LAB_SRV_V4" claude.ai --record 1)" reset
t_is "handshake data before the ClientHello: reset" \
	"$(t_tls c1 "$LAB_SRV_V4" meta.ai --prelude)" reset
t_is "SNI in odd case with a trailing dot: reset" "$(t_tls c1 "$LAB_SRV_V4" ChatGPT.COM.)" reset
t_is "an allowed name: handshake" "$(t_tls c1 "$LAB_SRV_V4" harmless.example)" handshake
out=$(t_exec c1 curl -sk --max-time 5 --resolve "harmless.example:443:$LAB_SRV_V4" \
	https://harmless.example/ 2>&1)
t_like "curl to an allowed name works end to end" "$out" "sni=harmless.example"

t_is "DNS class CH: NXDOMAIN" "$(t_dig c1 chatgpt.com "@$LAB_DNS_V4" CH TXT)" NXDOMAIN
t_is "DNS 0x20 mixed case: NXDOMAIN" "$(t_dig c1 cHaTgPt.CoM "@$LAB_DNS_V4")" NXDOMAIN
multi=$(t_exec c1 python3 - "$LAB_DNS_V4" <<'PY'
import socket, struct, sys
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 2, 0, 0, 0)
q += name("harmless.example") + struct.pack("!HH", 1, 1) + name("perplexity.ai") + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, (sys.argv[1], 53))
try:
    a = s.recv(4096)
    print({3: "NXDOMAIN", 0: "NOERROR", 5: "REFUSED", 1: "FORMERR"}.get(a[3] & 15, "rcode%d" % (a[3] & 15)))
except socket.timeout:
    print("timeout")
PY
)
t_like "two questions, the second blocked: not answered with data" "$multi" "NXDOMAIN|timeout"
t_ok "event: the second question is blocked" \
	t_wait_event name=perplexity.ai app_proto=dns action=block flags=multi_question

# A hostile name in the daemon's event file: escaped, the file stays
# JSON lines of plain ASCII.
t_exec c1 python3 - "$LAB_DNS_V4" <<'PY'
import socket, struct, sys
n = b'a\x01"b\\<i>\xff\x1b[2J.chatgpt.com'
q = struct.pack("!HHHHHH", 0x777, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l for l in n.split(b".")) + b"\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, (sys.argv[1], 53))
try:
    s.recv(4096)
except socket.timeout:
    pass
PY
t_ok "event: hostile name logged escaped" \
	t_wait_event 'name=a\x01"b\x5c<i>\xff\x1b[2j.chatgpt.com' action=block
t_ok "event file: plain ASCII JSON lines" \
	bash -c "! LC_ALL=C grep -qP '[^\x20-\x7e]' '$LAB_EVENTS' && python3 -c 'import json; [json.loads(l) for l in open(\"$LAB_EVENTS\")]'"

blocked_seen=$(grep -cE "^($LAB_C1_V4|$LAB_C1_V6) (chatgpt\.com|claude\.ai|meta\.ai|grok\.com)$" \
	"$LAB_TLS_SNI_LOG" || true)
t_is "no blocked ClientHello from client 1 reached the server" "$blocked_seen" 0

st=$(t_lab ctl status 2>&1)
t_like "status counts the evasions" "$st" "evasion: bad checksum [1-9][0-9]*, fragments [0-9]+ .*out of window [1-9]"
t_diag "$(echo "$st" | grep -E 'evasion|bounds|malformed')"
t_end
