#!/bin/bash
# bypass.sh: the bypasses of issue 4 closed on the real path: a QUIC
# Initial for a blocked name is dropped at the gateway and logged while
# one for an unlisted name passes; Firefox's DoH canary is answered
# NXDOMAIN and the RFC 9462 discovery name with no data; DNS over TLS to
# a server that is not the agency's resolver is reset, and passes once
# that server is configured as a resolver (reload).
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitbyp
B=${AIGATE_BUILD:-$TOP/build}
QI=$B/tests/tools/quic_initial
[ -x "$QI" ] || { echo "not ok - $QI built (make $QI)"; exit 1; }

# The server's address is not an agency resolver (yet).
t_config "$T_TMP/aigate.conf" '$a dot = { resolvers = [ "10.251.99.53" ]; action = "block"; };'
if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up"
	t_end
fi
t_pass "lab up"

# A UDP responder on the server (443 and 853): it answers every datagram.
cat >"$T_TMP/udp_echo.py" <<'PY'
import socket, sys, threading
def serve(family, addr, port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(4096)
        s.sendto(b"pong", peer)
for port in (443, 853):
    threading.Thread(target=serve, args=(socket.AF_INET, sys.argv[1], port), daemon=True).start()
    threading.Thread(target=serve, args=(socket.AF_INET6, sys.argv[2], port), daemon=True).start()
threading.Event().wait()
PY
t_exec srv python3 "$T_TMP/udp_echo.py" "$LAB_SRV_V4" "$LAB_SRV_V6" >/dev/null 2>&1 &
sleep 0.5

# QUIC: an unlisted name passes, a blocked one is dropped (no reply).
t_is "QUIC Initial, unlisted name: passes" "$(t_exec c1 "$QI" "$LAB_SRV_V4" 443 www.example.org 1500)" reply
t_is "QUIC Initial, blocked name: dropped at the gateway" "$(t_exec c1 "$QI" "$LAB_SRV_V4" 443 chatgpt.com 1500)" timeout
t_is "QUIC Initial over IPv6, blocked name: dropped" "$(t_exec c1 "$QI" "$LAB_SRV_V6" 443 claude.ai 1500)" timeout
t_ok "event: QUIC block logged" t_wait_event name=chatgpt.com app_proto=quic action=block verdict=drop
t_ok "event: QUIC over IPv6 logged" t_wait_event name=claude.ai app_proto=quic action=block

# Encrypted-DNS signals.
t_is "DoH canary use-application-dns.net: NXDOMAIN" "$(t_dig c1 use-application-dns.net "@$LAB_DNS_V4")" NXDOMAIN
out=$(t_dig_full c1 _dns.resolver.arpa "@$LAB_DNS_V4" SVCB)
t_like "DDR _dns.resolver.arpa SVCB: NOERROR" "$out" "status: NOERROR"
t_like "DDR _dns.resolver.arpa: no answer records" "$out" "ANSWER: 0,"
t_ok "event: DDR answered with no data" t_wait_event name=_dns.resolver.arpa verdict=nodata
t_is "a DoH resolver's name: NXDOMAIN" "$(t_dig c1 dns.google "@$LAB_DNS_V4")" NXDOMAIN

# DNS over TLS to a non-agency server: reset, whatever the SNI.
t_exec srv python3 "$HELPERS/tls_server.py" --cert "$LAB_STATE/server.crt" --key "$LAB_STATE/server.key" \
	--port 853 --bind "$LAB_SRV_V4" >/dev/null 2>&1 &
sleep 0.5
t_is "DoT to a non-agency server: reset" "$(t_tls c1 "$LAB_SRV_V4" resolver.example --port 853)" reset
t_ok "event: DoT decided by the dot rule" t_wait_event name=resolver.example app_proto=tls reason=dot action=block
# ...and passes once the server is the agency's resolver (reload).
sed -i "s|\"10.251.99.53\"|\"$LAB_SRV_V4\"|" "$LAB_STATE/aigate.conf"
t_ok "reload with the server as resolver" "$B/aigatectl" reload --socket "$LAB_STATE/control.sock"
t_is "DoT to the agency's resolver: handshake" "$(t_tls c1 "$LAB_SRV_V4" resolver2.example --port 853)" handshake
t_end
