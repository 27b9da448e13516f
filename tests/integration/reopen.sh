#!/bin/bash
# reopen.sh: after a logrotate-style rename of the event log, `aigatectl
# reopen` (and SIGUSR1) make aigated continue in a new file at the old
# path; nothing is written to the renamed file any more.
. "$(dirname "$0")/../lab/testlib.sh"
t_need_daemon
t_begin aitlog

t_config "$T_TMP/aigate.conf"
if ! t_lab up --config "$T_TMP/aigate.conf"; then
	t_fail "lab up"
	t_end
fi
t_pass "lab up"

t_is "blocked query" "$(t_dig c1 meta.ai "@$LAB_DNS_V4")" NXDOMAIN
t_ok "its event written" t_wait_event name=meta.ai

mv "$LAB_EVENTS" "$LAB_EVENTS.1"
t_ok "aigatectl reopen" t_lab ctl reopen
t_is "blocked query after rotation" "$(t_dig c1 coze.com "@$LAB_DNS_V4")" NXDOMAIN
t_ok "new event log created at the old path" test -f "$LAB_EVENTS"
t_ok "the new event goes to the new file" t_wait_event name=coze.com
rc=0; python3 "$HELPERS/events.py" "$LAB_EVENTS.1" name=coze.com >/dev/null || rc=$?
t_is "nothing more in the rotated file" "$rc" 1
t_ok "the rotated file kept the old events" python3 "$HELPERS/events.py" "$LAB_EVENTS.1" name=meta.ai

mv "$LAB_EVENTS" "$LAB_EVENTS.2"
t_ok "SIGUSR1" t_lab daemon reopen
sleep 0.3
t_is "blocked query after the second rotation" "$(t_dig c1 trae.ai "@$LAB_DNS_V4")" NXDOMAIN
t_ok "SIGUSR1: the new event goes to a new file" t_wait_event name=trae.ai
rc=0; python3 "$HELPERS/events.py" "$LAB_EVENTS.2" name=trae.ai >/dev/null || rc=$?
t_is "SIGUSR1: nothing more in the rotated file" "$rc" 1
t_end
