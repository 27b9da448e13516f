#!/bin/bash
# firewall.sh: systemd/aigate-firewall on its own (no daemon): install is
# idempotent and leaves foreign rules alone, fail-open passes traffic while
# nothing reads the queue, fail-closed stops exactly the packets that carry
# names (the payload test lets the TCP handshake through and catches every
# payload segment, however small), remove cleans up, and the nft ruleset
# is accepted by nft.
. "$(dirname "$0")/../lab/testlib.sh"
t_begin aitfw
FW=$TOP/systemd/aigate-firewall

t_ok "lab up without daemon (fail-open rules)" t_lab up --no-daemon

# --- fail-open: nothing reads the queue, everything passes
t_is "fail-open: DNS answered with no daemon" "$(t_dig c1 chatgpt.com @"$LAB_DNS_V4")" NOERROR
t_is "fail-open: DNS over TCP answered" "$(t_dig c1 chatgpt.com @"$LAB_DNS_V4" +tcp)" NOERROR
t_is "fail-open: DNS over IPv6 answered" "$(t_dig c1 chatgpt.com @"$LAB_DNS_V6" AAAA)" NOERROR
t_is "fail-open: TLS handshake" "$(t_tls c1 "$LAB_SRV_V4" chatgpt.com)" handshake
t_is "fail-open: TLS handshake over IPv6" "$(t_tls c1 "$LAB_SRV_V6" chatgpt.com)" handshake
t_is "fail-open: Chrome-sized ClientHello in two segments" \
	"$(t_tls c1 "$LAB_SRV_V4" chatgpt.com --big --split-sni)" handshake

# --- idempotent, foreign rules kept
t_exec gw iptables -t mangle -A FORWARD -m comment --comment foreign-rule -j RETURN
t_exec gw ip6tables -t mangle -A OUTPUT -m comment --comment foreign-rule -j RETURN
save() { t_exec gw iptables-save -t mangle; t_exec gw ip6tables-save -t mangle; }
norm() { grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; }
before=$(save | norm)
t_ok "install again" t_exec gw "$FW" install
t_ok "install a third time" t_exec gw "$FW" install
after=$(save | norm)
t_is "install twice gives the same rules" "$after" "$before"
t_is "one jump per hook and family" "$(save | grep -c -- '-j aigate$')" 4
t_is "foreign rules kept" "$(save | grep -c foreign-rule)" 2
t_like "status names the backend" "$(t_exec gw "$FW" status)" "backend: (iptables|nft)"

# --- fail-closed: the handshake passes, every payload packet is stopped
t_ok "install --fail-closed" t_exec gw "$FW" install --fail-closed
t_is "fail-closed: no bypass left" "$(save | grep -c -- '--queue-bypass')" 0
t_is "fail-closed: DNS query dropped" "$(t_dig c1 chatgpt.com @"$LAB_DNS_V4")" timeout
t_is "fail-closed: DNS over TCP dropped" "$(t_dig c1 chatgpt.com @"$LAB_DNS_V4" +tcp)" timeout
t_is "fail-closed: TCP handshake to 443 passes, ClientHello dropped" \
	"$(t_tls c1 "$LAB_SRV_V4" example.org --timeout 1.5)" timeout
t_is "fail-closed: same over IPv6" "$(t_tls c1 "$LAB_SRV_V6" example.org --timeout 1.5)" timeout
t_is "fail-closed: 1-byte segments dropped too (payload test not evadable)" \
	"$(t_tls c1 "$LAB_SRV_V4" example.org --segment 1 --pause 0.001 --timeout 1.5)" timeout
t_is "fail-closed: 1-byte segments over IPv6" \
	"$(t_tls c1 "$LAB_SRV_V6" example.org --segment 1 --pause 0.001 --timeout 1.5)" timeout
# Other ports are not touched: port 80 has no listener, so a quick refusal
# (curl exit 7) proves the SYN and RST went through.
rc=0; t_exec c1 curl -s --max-time 3 "http://$LAB_SRV_V4/" >/dev/null 2>&1 || rc=$?
t_is "fail-closed: other ports untouched" "$rc" 7
# The handshake packets went through the u32 payload test (RETURN), the
# payload packets reached the queue rule.
ret4=$(t_exec gw iptables -t mangle -L aigate -v -n -x | awk '/u32/ {s+=$1} END {print s+0}')
q4=$(t_exec gw iptables -t mangle -L aigate -v -n -x | awk '$3 == "NFQUEUE" && $4 == "6" {s+=$1} END {print s+0}')
t_ok "counters: handshake packets accepted by the payload test ($ret4)" test "$ret4" -gt 0
t_ok "counters: payload packets queued ($q4)" test "$q4" -gt 0

# --- several queues
t_ok "install --queues 2:3" t_exec gw "$FW" install --queues 2:3
t_like "queue balance over 2..4" "$(save)" "--queue-balance 2:4"
t_ok "install --tls-ports 443,8443" t_exec gw "$FW" install --tls-ports 443,8443
t_like "TLS ports" "$(save)" "--dports 53,443,8443"
rc=0; t_exec gw "$FW" install --queues 1 >/dev/null 2>&1 || rc=$?
t_is "bad --queues is a usage error" "$rc" 2

# --- remove
t_ok "remove" t_exec gw "$FW" remove
t_ok "remove when absent" t_exec gw "$FW" remove
t_is "no aigate rules left" "$(save | grep -c aigate)" 0
t_is "foreign rules still there" "$(save | grep -c foreign-rule)" 2
rc=0; t_exec gw "$FW" status >/dev/null 2>&1 || rc=$?
t_is "status without rules exits 1" "$rc" 1

# --- the nftables ruleset (this kernel may lack the queue expression:
# check the rest with the queue statement replaced)
if command -v nft >/dev/null; then
	rules=$("$FW" print --backend nft)
	t_ok "nft: generated ruleset parses (queue replaced by drop)" \
		t_exec gw nft -c -f <(sed 's/queue [a-z, ]*to [0-9-]*/drop/' <<<"$rules")
	t_like "nft: bypass by default" "$rules" "queue flags bypass to 0"
	t_like "nft: fanout with several queues" "$("$FW" print --backend nft --queues 0:4 --fail-closed)" "queue flags fanout to 0-3"
	t_is "nft: shipped systemd/aigate.nft is the default ruleset" "$(cat "$TOP/systemd/aigate.nft")" "$rules"
fi

t_end
