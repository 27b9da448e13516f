#!/bin/bash
# manpages.sh: the man pages render without a single warning, carry the
# sections an operator looks for, and document what the code accepts:
# every verb of the aigatectl verb table (tools/aigatectl.c) has its own
# subsection and an example in aigatectl(8); every key of etc/aigate.conf
# and every key daemon/config.c accepts in aigate.conf and in contract
# files has an entry in aigate.conf(5); every list key has one in
# aigate-list(5).  Prints ok / not ok lines; exits 1 on any failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fails=$((fails + 1)); }

for tool in man groff lexgrog; do
	command -v $tool >/dev/null || { echo "not ok - $tool is needed (mk/deps.sh test: man-db, groff-base)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pages="man/aigated.8 man/aigatectl.8 man/aigate.conf.5 man/aigate-list.5"
export MANWIDTH=80 LC_ALL=C.UTF-8

# A man page as text, for content checks.
render() { man -l "$1" 2>/dev/null | sed 's/.\x08//g'; }

# An entry for KEY in a page's source: a line `.B KEY`, `.BR KEY ...`,
# `.SS KEY` or `.SS ... KEY, ...` (hyphens written \- in roff).
has_entry() { # page key
	local k=${2//-/\\\\-}
	grep -Eq "^\.(B|BR|SS) (.*[ ,])?\"?$k\"?([ ,]|$)" "$1"
}

for p in $pages; do
	name=$(basename "$p")
	if [ ! -f "$p" ]; then
		notok "$name exists"
		continue
	fi
	# Render with every warning on; any output on stderr is a failure.
	man --warnings -l "$p" >"$tmp/out" 2>"$tmp/err"
	if [ $? = 0 ] && [ ! -s "$tmp/err" ] && [ -s "$tmp/out" ]; then
		ok "$name renders with man --warnings without a warning"
	else
		notok "$name renders with man --warnings without a warning"
		sed 's/^/  # /' "$tmp/err"
	fi
	groff -ww -man -z "$p" 2>"$tmp/err"
	if [ ! -s "$tmp/err" ]; then
		ok "$name passes groff -ww -man -z"
	else
		notok "$name passes groff -ww -man -z"
		sed 's/^/  # /' "$tmp/err"
	fi
	# whatis/apropos can read its NAME line.
	if lexgrog "$p" >/dev/null 2>&1; then
		ok "$name has a NAME line that lexgrog parses"
	else
		notok "$name has a NAME line that lexgrog parses"
	fi
	missing=""
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^\.SH \"\?$s\"\?\$" "$p" || missing="$missing [$s]"
	done
	if [ -z "$missing" ]; then
		ok "$name has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, FILES, EXIT STATUS, EXAMPLES, SEE ALSO"
	else
		notok "$name lacks sections:$missing"
	fi
done

# --- aigatectl(8): every verb of the table ------------------------------
verbs=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", cmd_[a-z_]*,.*/\1/p' tools/aigatectl.c)
if [ -z "$verbs" ]; then
	notok "the verb table of tools/aigatectl.c could be read"
else
	ok "the verb table of tools/aigatectl.c has $(echo "$verbs" | wc -l) verbs"
fi
render man/aigatectl.8 >"$tmp/ctl.txt"
sed -n '/^EXAMPLES/,/^SEE ALSO/p' "$tmp/ctl.txt" >"$tmp/ctl-examples.txt"
for v in $verbs; do
	if grep -Eq "^\.SS (.*[ ,])?$v([ ,]|$)" man/aigatectl.8; then
		ok "aigatectl(8) describes verb $v in its own subsection"
	else
		notok "aigatectl(8) describes verb $v in its own subsection"
	fi
	if grep -Eq "aigatectl $v( |$)" "$tmp/ctl-examples.txt"; then
		ok "aigatectl(8) EXAMPLES use verb $v"
	else
		notok "aigatectl(8) EXAMPLES use verb $v"
	fi
done

# --- aigate.conf(5): every key of etc/aigate.conf -----------------------
# Settings at the start of a line (active or commented out) are top-level
# keys; indented ones are keys of a group.
top_keys=$(sed -n 's/^#\{0,1\} \{0,1\}\([a-z][a-z0-9_-]*\) *=.*/\1/p' etc/aigate.conf | sort -u)
group_keys=$(sed -n 's/^[[:space:]]\{1,\}\([a-z][a-z0-9_-]*\) *=.*/\1/p' etc/aigate.conf | sort -u)
[ -n "$top_keys" ] || notok "top-level keys could be read from etc/aigate.conf"
for k in $top_keys; do
	if has_entry man/aigate.conf.5 "$k"; then
		ok "aigate.conf(5) documents top-level key $k of etc/aigate.conf"
	else
		notok "aigate.conf(5) documents top-level key $k of etc/aigate.conf"
	fi
done
for k in $group_keys; do
	if has_entry man/aigate.conf.5 "$k"; then
		ok "aigate.conf(5) documents key $k of etc/aigate.conf"
	else
		notok "aigate.conf(5) documents key $k of etc/aigate.conf"
	fi
done

# --- every key the loader accepts (daemon/config.c *_keys[] tables) ----
# NAME_keys[] = { "a", "b", ..., NULL }; possibly over several lines.
key_table() { # table name
	awk -v t="$1" '
		$0 ~ "static const char \\*const " t "\\[\\]" { on = 1 }
		on { line = line $0 }
		on && /NULL/ { on = 0 }
		END { print line }' daemon/config.c |
		grep -o '"[a-z][a-z0-9_-]*"' | tr -d '"' | sort -u
}
for t in root_keys update_keys action_keys queue_keys mark_keys block_keys \
	log_keys control_keys flow_keys zone_keys contract_keys; do
	keys=$(key_table "$t")
	if [ -z "$keys" ]; then
		# A table that is gone or renamed is not a documentation failure.
		echo "# daemon/config.c has no table $t"
		continue
	fi
	undocumented=""
	for k in $keys; do
		has_entry man/aigate.conf.5 "$k" || undocumented="$undocumented $k"
	done
	if [ -z "$undocumented" ]; then
		ok "aigate.conf(5) documents every key of $t in daemon/config.c"
	else
		notok "aigate.conf(5) documents every key of $t in daemon/config.c (missing:$undocumented)"
	fi
done
# Tables added later (new groups of aigate.conf) are checked too.
for t in $(grep -o 'static const char \*const [a-z_]*_keys\[\]' daemon/config.c |
	awk '{print $5}' | sed 's/\[\]//' | sort -u); do
	case $t in
	root_keys | update_keys | action_keys | queue_keys | mark_keys | block_keys | \
		log_keys | control_keys | flow_keys | zone_keys | contract_keys) ;;
	service_keys | endpoint_keys | list_keys) ;;
	*)
		undocumented=""
		for k in $(key_table "$t"); do
			has_entry man/aigate.conf.5 "$k" || undocumented="$undocumented $k"
		done
		if [ -z "$undocumented" ]; then
			ok "aigate.conf(5) documents every key of $t in daemon/config.c"
		else
			notok "aigate.conf(5) documents every key of $t in daemon/config.c (missing:$undocumented)"
		fi ;;
	esac
done

# --- aigate-list(5): every key of the list format ----------------------
for t in list_keys service_keys endpoint_keys; do
	keys=$(key_table "$t")
	[ -n "$keys" ] || { echo "# daemon/config.c has no table $t"; continue; }
	undocumented=""
	for k in $keys; do
		has_entry man/aigate-list.5 "$k" || undocumented="$undocumented $k"
	done
	if [ -z "$undocumented" ]; then
		ok "aigate-list(5) documents every key of $t in daemon/config.c"
	else
		notok "aigate-list(5) documents every key of $t in daemon/config.c (missing:$undocumented)"
	fi
done
# Every terms class the core knows (daemon/core/types.c) is in aigate-list(5).
# The string array NAME of daemon/core/types.c, one entry a line.
names() {
	awk -v t="$1" '
		$0 ~ "static const char \\*const " t "\\[" { on = 1 }
		on { print }
		on && /};/ { exit }' daemon/core/types.c | grep -o '"[a-z_-]*"' | tr -d '"'
}
classes=$(names terms_names | grep -v '^none$')
for c in $classes; do
	if has_entry man/aigate-list.5 "$c"; then
		ok "aigate-list(5) describes terms class $c"
	else
		notok "aigate-list(5) describes terms class $c"
	fi
done

# --- aigated(8): signals, every event key, flag, verdict and reason -----
render man/aigated.8 >"$tmp/d.txt"
for s in SIGHUP SIGUSR1 SIGTERM CAP_NET_ADMIN; do
	if grep -q "$s" "$tmp/d.txt"; then ok "aigated(8) mentions $s"; else notok "aigated(8) mentions $s"; fi
done
for what in flag_names verdict_names reason_names; do
	undocumented=""
	for k in $(names "$what"); do
		has_entry man/aigated.8 "$k" || undocumented="$undocumented $k"
	done
	if [ -z "$undocumented" ]; then
		ok "aigated(8) documents every entry of $what in daemon/core/types.c"
	else
		notok "aigated(8) documents every entry of $what in daemon/core/types.c (missing:$undocumented)"
	fi
done
# Event keys as daemon/core/event.c writes them.
ev_keys=$( (grep -o 'put_key(&o, "[a-z_]*")' daemon/core/event.c | sed 's/.*"\(.*\)")/\1/'
	echo v timestamp) | sort -u)
undocumented=""
for k in $ev_keys; do
	has_entry man/aigated.8 "$k" || undocumented="$undocumented $k"
done
if [ -z "$undocumented" ]; then
	ok "aigated(8) documents every event key of daemon/core/event.c"
else
	notok "aigated(8) documents every event key of daemon/core/event.c (missing:$undocumented)"
fi

[ $fails = 0 ] || { echo "# $fails failed"; exit 1; }
exit 0
