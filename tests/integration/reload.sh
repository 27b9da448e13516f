#!/bin/bash
# reload.sh: reloads (aigatectl reload and SIGHUP) during a steady stream
# of queries lose no query and no verdict; a bad configuration is refused
# (aigatectl reload exits 1) and the old policy stays in force; a good
# new configuration takes effect.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitrel

t_config "$T_TMP/aigate.conf"
if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up"
	t_end
fi
t_pass "lab up"

# 600 queries at 150/s (4 s), three names, each from its own socket;
# reload three times while they flow.
t_exec c1 python3 "$HELPERS/dns_stream.py" --server "$LAB_DNS_V4" --count 600 --rate 150 \
	--timeout 4 www.example.org meta.ai agency-demo.openai.azure.com >"$T_TMP/stream.json" &
stream=$!
sleep 0.8
t_ok "aigatectl reload during the stream" t_lab ctl reload
sleep 0.8
t_ok "SIGHUP during the stream" t_lab daemon reload
sleep 0.8
t_ok "aigatectl reload again" t_lab ctl reload
wait "$stream"
res=$(cat "$T_TMP/stream.json")
t_diag "stream: $res"
t_like "every query answered" "$res" '"answered": 600, .*"lost": 0'
t_like "every blocked query got its NXDOMAIN" "$res" '"meta.ai": \{"NXDOMAIN": 200\}'
t_like "every unlisted query answered" "$res" '"www.example.org": \{"NOERROR": 200\}'
t_like "every contracted query answered" "$res" '"agency-demo.openai.azure.com": \{"NOERROR": 200\}'
t_ok "daemon alive after reloads" t_lab daemon pid

# A bad configuration: the new policy would pass everything (monitor),
# but an unknown key makes it invalid, so nothing of it may take effect.
cp "$LAB_CONF" "$T_TMP/good.conf"
sed -i 's|^mode = ".*";|mode = "monitor";|' "$LAB_CONF"
echo 'no_such_setting = 1;' >>"$LAB_CONF"
rc=0; out=$(t_lab ctl reload 2>&1) || rc=$?
t_is "aigatectl reload of a bad configuration exits 1" "$rc" 1
t_like "the error names file:line" "$out" "aigate\.conf:[0-9]+"
t_is "old policy in force after the refused reload" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN
t_ok "SIGHUP with the bad configuration" t_lab daemon reload
sleep 0.5
t_ok "daemon survives a bad SIGHUP" t_lab daemon pid
t_is "old policy in force after the bad SIGHUP" "$(t_dig c1 chatgpt.com "@$LAB_DNS_V4")" NXDOMAIN
t_ok "status still answers" t_lab status

# A good new configuration does take effect.
sed 's|^mode = ".*";|mode = "monitor";|' "$T_TMP/good.conf" >"$LAB_CONF"
t_ok "aigatectl reload of a good configuration" t_lab ctl reload
t_is "the new policy (monitor) is in force" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NOERROR
t_end
