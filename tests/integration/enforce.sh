#!/bin/bash
# enforce.sh: aigated in enforce mode on the lab gateway, with real clients:
# the demo's checks as assertions (consumer name NXDOMAIN with EDE, the
# contracted host answered, the sandbox zone allowed and logged, a blocked
# SNI reset at once, an unlisted name untouched and not logged), plus DNS
# over TCP, other query types, IPv6 end to end, a Chrome-sized ClientHello
# split over two segments, tiny segments, an expired contract, decided
# flows leaving the queue, and the events written for all of it.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitenf

mkdir -p "$T_TMP/contracts.d"
cp "$TOP/tests/lab/contracts.d/agency-demo.conf" "$T_TMP/contracts.d/"
cat >"$T_TMP/contracts.d/expired.conf" <<'EOF'
id = "old-tenant-aoai";
reference = "LAB-2024-007 (expired)";
approved_by = "CIO office (test)";
hosts = [ "old-tenant.openai.azure.com" ];
starts = "2024-01-01";
expires = "2024-12-31";
EOF
t_config "$T_TMP/aigate.conf" "s|^contracts = \".*\";|contracts = \"$T_TMP/contracts.d\";|"

if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up with aigated"
	t_end
fi
t_pass "lab up with aigated (control socket answers)"

C1=$LAB_C1_V4
DNS=@$LAB_DNS_V4

# --- DNS
out=$(t_dig_full c1 meta.ai "$DNS")
t_like "consumer name: NXDOMAIN" "$out" "status: NXDOMAIN"
t_like "consumer name: EDE 15 (Blocked) with the configured text" "$out" "EDE: 15 \(Blocked\).*Blocked by aigate \(lab\)"
t_like "blocked answer echoes the question" "$out" "QUESTION SECTION:"$'\n'";meta\.ai\.[[:space:]]+IN[[:space:]]+A"
t_is "consumer name, AAAA: NXDOMAIN" "$(t_dig c1 meta.ai "$DNS" AAAA)" NXDOMAIN
t_is "consumer name, HTTPS: NXDOMAIN" "$(t_dig c1 meta.ai "$DNS" HTTPS)" NXDOMAIN
t_is "a name below a listed suffix: NXDOMAIN" "$(t_dig c1 www.meta.ai "$DNS")" NXDOMAIN
t_is "shared name (chatgpt.com): NXDOMAIN" "$(t_dig c1 chatgpt.com "$DNS")" NXDOMAIN
out=$(t_dig_full c1 meta.ai "$DNS" +tcp)
t_like "DNS over TCP: NXDOMAIN" "$out" "status: NXDOMAIN"
t_like "DNS over TCP: EDE 15" "$out" "EDE: 15"
out=$(t_dig_full c1 agency-demo.openai.azure.com "$DNS")
t_like "contracted host: answered" "$out" "agency-demo\.openai\.azure\.com\.[[:space:]].*IN[[:space:]]+A[[:space:]]+$LAB_SRV_V4"
t_is "an Azure OpenAI resource without contract: NXDOMAIN" "$(t_dig c1 someone-else.openai.azure.com "$DNS")" NXDOMAIN
t_is "expired contract not honoured: NXDOMAIN" "$(t_dig c1 old-tenant.openai.azure.com "$DNS")" NXDOMAIN
t_is "unlisted name: NOERROR" "$(t_dig c1 www.example.org "$DNS")" NOERROR
t_is "unlisted name over TCP: NOERROR" "$(t_dig c1 www.example.org "$DNS" +tcp)" NOERROR
t_is "sandbox zone: blocked name answered" "$(t_dig c2 chatgpt.com "$DNS")" NOERROR

# One UDP socket for all queries (one conntrack flow): a decided
# allowed query must not let later queries of that flow skip inspection.
res=$(t_exec c1 python3 "$HELPERS/dns_stream.py" --server "$LAB_DNS_V4" --count 20 --rate 50 \
	--same-socket www.example.org meta.ai)
t_like "same socket: every query for the blocked name still NXDOMAIN" "$res" '"meta.ai": \{"NXDOMAIN": 10\}'
t_like "same socket: unlisted name answered" "$res" '"www.example.org": \{"NOERROR": 10\}'

# --- IPv6
t_is "IPv6: consumer name AAAA over v6: NXDOMAIN" "$(t_dig c1 meta.ai "@$LAB_DNS_V6" AAAA)" NXDOMAIN
t_is "IPv6: DNS over TCP over v6: NXDOMAIN" "$(t_dig c1 meta.ai "@$LAB_DNS_V6" AAAA +tcp)" NXDOMAIN
t_is "IPv6: unlisted AAAA over v6: NOERROR" "$(t_dig c1 www.example.org "@$LAB_DNS_V6" AAAA)" NOERROR
t_is "IPv6: blocked SNI reset" "$(t_tls c1 "$LAB_SRV_V6" chatgpt.com)" reset
t_is "IPv6: unlisted SNI completes the handshake" "$(t_tls c1 "$LAB_SRV_V6" www.example.org)" handshake
out=$(t_exec c1 curl -6 -sk --max-time 5 https://www.example.net/ 2>&1)
t_like "IPv6: curl to an unlisted name works end to end" "$out" "sni=www.example.net"

# --- TLS
# grok.com: not asked for over DNS before, so its TLS event is not folded
# into a DNS event (repeats of client, name and action fold into one).
res=$(t_exec c1 python3 "$HELPERS/tls_client.py" --addr "$LAB_SRV_V4" --sni grok.com)
t_like "blocked SNI straight to the address: reset" "$res" "^reset "
ms=${res#* }; ms=${ms%%.*}
t_ok "reset at once (${ms} ms)" test "$ms" -lt 1000
t_is "Chrome-sized ClientHello (2 segments, SNI in the second): reset" \
	"$(t_tls c1 "$LAB_SRV_V4" chatgpt.com --big --split-sni)" reset
t_is "Chrome-sized ClientHello, unlisted SNI: handshake" \
	"$(t_tls c1 "$LAB_SRV_V4" www.example.org --big --split-sni)" handshake
t_is "ClientHello in 1-byte segments, blocked SNI: reset" \
	"$(t_tls c1 "$LAB_SRV_V4" claude.ai --segment 1 --pause 0.002)" reset
t_is "ClientHello in 1-byte segments, unlisted SNI: handshake" \
	"$(t_tls c1 "$LAB_SRV_V4" www.example.com --segment 1 --pause 0.002)" handshake
rc=0; start=$(date +%s%N)
t_exec c1 curl -sk --max-time 10 --resolve "meta.ai:443:$LAB_SRV_V4" https://meta.ai/ >/dev/null 2>&1 || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_ok "curl with a blocked SNI fails at once (exit $rc, $ms ms)" test "$rc" -ne 0 -a "$rc" -ne 28 -a "$ms" -lt 2000
t_is "contracted host over TLS: handshake" "$(t_tls c1 "$LAB_SRV_V4" agency-demo.openai.azure.com)" handshake
out=$(t_exec c2 curl -sk --max-time 5 https://chatgpt.com/ 2>&1)
t_like "sandbox zone: TLS to a blocked name works" "$out" "sni=chatgpt.com"
out=$(t_exec c1 curl -sk --max-time 5 https://www.example.org/ 2>&1)
t_like "unlisted name: curl end to end" "$out" "sni=www.example.org"
blocked_seen=$(grep -cE "^($LAB_C1_V4|$LAB_C1_V6) (chatgpt\.com|claude\.ai|meta\.ai|grok\.com)$" "$LAB_TLS_SNI_LOG" || true)
t_is "no blocked ClientHello from client 1 reached the server" "$blocked_seen" 0

# Decided flows are marked and leave the queue: the connmark rules count.
# An allowed flow is decided once its handshake has moved on (the
# client's second flight, README "The decision point"): what the client
# sends after that, here a request body, bypasses the queue.
head -c 300000 /dev/zero | t_exec c1 curl -sk --max-time 5 -o /dev/null --data-binary @- \
	--resolve "www.example.org:443:$LAB_SRV_V4" https://www.example.org/ >/dev/null 2>&1 || true
allowed=$(t_exec gw iptables -t mangle -L aigate -v -n -x | awk '/aigate: allowed flow/ {print $1}')
t_ok "allowed flows bypass the queue by connection mark ($allowed packets)" test "${allowed:-0}" -gt 0

# --- events
t_ok "event: consumer DNS block" t_wait_event name=meta.ai app_proto=dns action=block verdict=nxdomain \
	src_ip="$C1" service=meta-ai terms=consumer reason=terms mode=enforce v=1
t_ok "event: DNS event carries dns.rrtype" t_events name=meta.ai app_proto=dns dns.rrtype=AAAA
t_ok "event: TLS reset" t_wait_event name=grok.com app_proto=tls action=block verdict=reset src_ip="$C1" dest_port=443
t_ok "event: IPv6 client" t_events src_ip="$LAB_C1_V6" action=block
t_ok "event: contract named" t_events name=agency-demo.openai.azure.com contract=agency-demo-aoai
t_ok "event: expired contract, decided by terms" t_events name=old-tenant.openai.azure.com action=block reason=terms
t_ok "event: sandbox zone logged" t_events name=chatgpt.com src_ip="$LAB_C2_V4" action=log zone=sandbox
rc=0; t_events name=www.example.org >/dev/null || rc=$?
t_is "unlisted names not logged" "$rc" 1
t_ok "event log is JSON lines" python3 "$HELPERS/events.py" "$LAB_EVENTS" --min 0

t_ok "aigatectl status answers" t_lab status
t_ok "daemon still running" t_lab daemon pid
t_end
