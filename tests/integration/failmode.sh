#!/bin/bash
# failmode.sh: with aigated killed, the default rules let traffic pass
# (fail-open, queue bypass); the --fail-closed rules stop exactly the
# name-carrying packets (DNS, ClientHellos) until aigated is back.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitfail

t_config "$T_TMP/aigate.conf"
if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up"
	t_end
fi
t_pass "lab up (fail-open rules)"
t_is "daemon up: consumer name blocked" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN

t_ok "kill -9 aigated" t_lab daemon kill
t_is "fail-open: consumer name answered while the daemon is down" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NOERROR
t_is "fail-open: DNS over TCP answered" "$(t_dig c1 meta.ai "@$LAB_DNS_V4" +tcp)" NOERROR
t_is "fail-open: IPv6 DNS answered" "$(t_dig c1 meta.ai "@$LAB_DNS_V6" AAAA)" NOERROR
t_is "fail-open: TLS handshake" "$(t_tls c1 "$LAB_SRV_V4" chatgpt.com)" handshake
t_is "fail-open: TLS over IPv6" "$(t_tls c1 "$LAB_SRV_V6" chatgpt.com)" handshake

t_ok "restart aigated" t_lab daemon start
t_is "daemon back: consumer name blocked again" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN
t_is "daemon back: blocked SNI reset again" "$(t_tls c1 "$LAB_SRV_V4" chatgpt.com)" reset

# shellcheck disable=SC2046 # the saved options are words
t_ok "rules reinstalled --fail-closed" t_lab fw install $(cat "$LAB_STATE/firewall.options") --fail-closed
t_is "fail-closed, daemon up: unlisted name answered" "$(t_dig c1 www.example.org "@$LAB_DNS_V4")" NOERROR
t_ok "kill -9 aigated" t_lab daemon kill
t_is "fail-closed: DNS stopped while the daemon is down" "$(t_dig c1 www.example.org "@$LAB_DNS_V4")" timeout
t_is "fail-closed: DNS over TCP stopped" "$(t_dig c1 www.example.org "@$LAB_DNS_V4" +tcp)" timeout
t_is "fail-closed: IPv6 DNS stopped" "$(t_dig c1 www.example.org "@$LAB_DNS_V6" AAAA)" timeout
t_is "fail-closed: ClientHello stopped" "$(t_tls c1 "$LAB_SRV_V4" www.example.org --timeout 1.5)" timeout
t_is "fail-closed: ClientHello over IPv6 stopped" "$(t_tls c1 "$LAB_SRV_V6" www.example.org --timeout 1.5)" timeout
t_ok "restart aigated" t_lab daemon start
t_is "fail-closed, daemon back: unlisted name answered" "$(t_dig c1 www.example.org "@$LAB_DNS_V4")" NOERROR
t_is "fail-closed, daemon back: consumer name blocked" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN
t_end
