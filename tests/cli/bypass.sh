#!/bin/bash
# bypass.sh: the settings that close the bypasses (issue 4), through
# aigatectl scan over real and generated captures: ECH fronts, ClientHellos
# without SNI, DNS over TLS to non-agency resolvers, QUIC block and
# unparsed-QUIC actions, the DoH canary and the RFC 9462 discovery name.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${AIGATE_BUILD:-build}
ctl=$B/aigatectl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0
check() {
	n=$((n + 1))
	if eval "$2"; then echo "ok - $1"; else fails=$((fails + 1)); echo "not ok - $1"; fi
}
pc=tests/data/pcaps
# ev CONF FILE -> one line per event: app_proto name action verdict reason flags
ev() {
	"$ctl" scan --json --config "$1" --list rules "$2" 2>/dev/null | python3 -c '
import json, sys
for e in map(json.loads, sys.stdin):
    print(e["app_proto"], e["name"], e["action"], e["verdict"], e["reason"], ",".join(e["flags"]) or "-")'
}

echo 'contracts = "/nonexistent";' >"$tmp/default.conf"
ev "$tmp/default.conf" "$pc/tls13-ech.pcap" >"$tmp/ech"
check "ECH with the cloudflare-ech.com front: logged, flagged ech_front" \
	"grep -q '^tls cloudflare-ech.com log accept terms ech,ech_front' $tmp/ech"
printf 'contracts = "/nonexistent";\nech = "block";\n' >"$tmp/ech-block.conf"
ev "$tmp/ech-block.conf" "$pc/tls13-ech.pcap" >"$tmp/ech2"
check "ech = block: the ECH flow is reset" "grep -q '^tls cloudflare-ech.com block reset terms' $tmp/ech2"

ev "$tmp/default.conf" "$pc/dns_dot.pcap" >"$tmp/dot"
check "DoT without SNI to a non-agency resolver: blocked by the dot rule" \
	"grep -q '^tls None block reset dot' $tmp/dot"
printf 'contracts = "/nonexistent";\ndot = { resolvers = [ \"8.8.8.8\", \"8.8.4.4\" ]; };\n' >"$tmp/dot-ok.conf"
ev "$tmp/dot-ok.conf" "$pc/dns_dot.pcap" >"$tmp/dot2"
check "DoT to a configured resolver: the no-SNI action (log) instead" \
	"grep -q '^tls None log accept no_sni' $tmp/dot2 && ! grep -q ' dot ' $tmp/dot2"

ev "$tmp/default.conf" "$pc/no_sni.pcap" >"$tmp/nosni"
check "ClientHello without SNI: logged (no_sni)" "grep -q '^tls None log accept no_sni' $tmp/nosni"

printf 'contracts = "/nonexistent";\nquic = "block";\n' >"$tmp/quic-block.conf"
ev "$tmp/quic-block.conf" "$pc/quic_kyber.pcapng" >"$tmp/qb"
check "quic = block: the UDP/443 flow is dropped without reading it" \
	"[ \"\$(cat $tmp/qb)\" = 'quic None block drop quic -' ]"
ev "$tmp/default.conf" "$pc/http_ipv6.pcap" >"$tmp/gq"
check "Google QUIC on UDP/443: passed by default (quic_unparsed)" "grep -q '^quic None allow accept quic' $tmp/gq"
printf 'contracts = "/nonexistent";\nquic_unparsed = "drop";\n' >"$tmp/quic-drop.conf"
ev "$tmp/quic-drop.conf" "$pc/http_ipv6.pcap" >"$tmp/gq2"
check "quic_unparsed = drop: dropped" "grep -q '^quic None block drop quic' $tmp/gq2"

python3 tests/scenario/make-capture.py "$tmp/doh.pcap" 10.1.0.5 dns use-application-dns.net \
	10.1.0.5 dns _dns.resolver.arpa 10.1.0.5 tls dns.google
ev "$tmp/default.conf" "$tmp/doh.pcap" >"$tmp/doh"
check "the Firefox canary is answered NXDOMAIN" "grep -q '^dns use-application-dns.net block nxdomain' $tmp/doh"
check "the RFC 9462 discovery name is answered with no data" "grep -q '^dns _dns.resolver.arpa block nodata' $tmp/doh"
check "a DoH resolver's SNI is reset" "grep -q '^tls dns.google block reset terms' $tmp/doh"

printf 'quic = "sometimes";\n' >"$tmp/bad.conf"
"$ctl" lint --config "$tmp/bad.conf" --list rules >/dev/null 2>"$tmp/err"
check "a bad quic mode is refused with file:line" "[ $? = 1 ] && grep -q 'bad.conf:1: error' $tmp/err"

echo "$((n - fails)) passed, $fails failed"
[ $fails = 0 ]
