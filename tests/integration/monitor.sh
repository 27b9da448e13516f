#!/bin/bash
# monitor.sh: in monitor mode aigated logs what it would have done and
# passes everything: blocked names are answered, blocked SNIs complete
# the handshake, and the events say action=block, verdict=accept.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitmon

t_config "$T_TMP/aigate.conf" 's|^mode = ".*";|mode = "monitor";|'
if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up in monitor mode"
	t_end
fi
t_pass "lab up in monitor mode"

t_is "consumer name answered" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NOERROR
t_is "consumer name over TCP answered" "$(t_dig c1 meta.ai "@$LAB_DNS_V4" +tcp)" NOERROR
t_is "consumer name over IPv6 answered" "$(t_dig c1 meta.ai "@$LAB_DNS_V6" AAAA)" NOERROR
t_is "blocked SNI: handshake completes" "$(t_tls c1 "$LAB_SRV_V4" chatgpt.com)" handshake
t_is "Chrome-sized ClientHello, blocked SNI: handshake completes" \
	"$(t_tls c1 "$LAB_SRV_V4" claude.ai --big --split-sni)" handshake
out=$(t_exec c1 curl -sk --max-time 5 --resolve "meta.ai:443:$LAB_SRV_V4" https://meta.ai/ 2>&1)
t_like "curl to a blocked name works" "$out" "sni=meta.ai"

t_ok "event: DNS would-block logged" t_wait_event name=meta.ai app_proto=dns action=block verdict=accept mode=monitor src_ip="$LAB_C1_V4"
t_ok "event: TLS would-block logged" t_wait_event name=chatgpt.com app_proto=tls action=block verdict=accept mode=monitor
t_ok "event: big ClientHello name found" t_wait_event name=claude.ai app_proto=tls mode=monitor
rc=0; t_events mode=enforce >/dev/null || rc=$?
t_is "no event claims enforce" "$rc" 1
t_end
