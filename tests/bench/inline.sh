#!/bin/bash
# inline.sh: the inline benchmarks of `make bench` (root): the namespace
# lab (tests/lab/lab, prefix "bench"), in one run, side by side:
#
#   noq      no queue at all (the aigate rules removed; the gateway's
#            stateful rule, conntrack, stays as in every configuration)
#   floor    the shipped rules and tests/bench/nfq_floor, the trivial
#            accept-everything queue program (the kernel-queue floor)
#   aigated  the shipped rules (systemd/aigate-firewall) and aigated with
#            the lab policy (tests/lab/lab.conf) and the shipped list
#
# repeated BENCH_INLINE_REPS times in turn (noq, floor, aigated, noq, ...),
# each measure reported as median (min-max) and as ratios.  Measures:
#   - DNS: a closed-loop latency run at a moderate rate (one query out at a
#     time, at most BENCH_DNS_LAT_RATE/s): p50/p99, and added latency
#     against no queue; a throughput run (64 queries outstanding):
#     answers/s.  One query in 5 names a blocked service (answered by the
#     gateway: counted apart).
#   - TLS: new connections/s (32 at a time) with a Chrome-like ClientHello
#     of ~1,800 bytes in two segments, one in 5 blocked (reset by the
#     gateway); connect-to-first-byte latency at one connection at a time.
#   - QUIC: client Initials/s (64 outstanding, each from a new address/port
#     pair so that it starts a new flow), one in 5 blocked (dropped).
#   - Bulk: one TCP flow to port 443 that starts with a ClientHello (so it
#     is decided and leaves the queue by its connection mark), and iperf3
#     to port 443 (its streams start with iperf3's cookie, not TLS).  The
#     target (against no queue) is judged on back-to-back pairs: with
#     aigated running, a run without the rules, then one with them.
#   - CPU per queued packet: utime+stime of the queue program
#     (/proc/PID/stat) over the packets the kernel queued (the queue's id
#     sequence, /proc/net/netfilter/nfnetlink_queue), per run; and the
#     machine's softirq share during the DNS throughput run.
# Overload: DNS sent open-loop above capacity to aigated, with fail-open
# (queue.fail_open = true and --queue-bypass) and fail-closed, comparing
# what the load generator saw (answered by the server, by the gateway,
# blocked names answered by the server = passed uninspected, lost) with
# the queue rule's packet counter, what the server received, and
# `aigatectl status` (its per-queue and kernel counters).
#
# Writes build/bench/inline.md (Markdown, with date and machine) and
# prints it.  BENCH_QUICK=1: one repetition of short runs (about a
# minute).  Every lab run holds /tmp/aigate-lab.lock (flock) so that it
# never runs beside another lab run; all traffic stays in the namespaces.
set -eu
set -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

[ "$(id -u)" = 0 ] || { echo "inline.sh: needs root (the namespace lab)" >&2; exit 1; }
if [ -z "${BENCH_LAB_LOCKED:-}" ]; then
	exec env BENCH_LAB_LOCKED=1 flock /tmp/aigate-lab.lock "$0" "$@"
fi

B=${AIGATE_BUILD:-build}
OUT=$B/bench
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	REPS=${BENCH_INLINE_REPS:-1}; T=${BENCH_INLINE_SECS:-1}; TBULK=1; TOVER=1
else
	REPS=${BENCH_INLINE_REPS:-5}; T=${BENCH_INLINE_SECS:-3}; TBULK=3; TOVER=3
fi
DNS_LAT_RATE=${BENCH_DNS_LAT_RATE:-2000}
TLS_LAT_RATE=${BENCH_TLS_LAT_RATE:-200}
OVER_RATE=${BENCH_OVERLOAD_RATE:-10000}  # per generator (the server must keep up)
OVER_GENS=${BENCH_OVERLOAD_GENS:-4}
OVER_STALL=${BENCH_OVERLOAD_STALL:-0.5}  # seconds aigated is stopped mid-run
EVERY=5                       # one request in 5 names a blocked service
PREFIX=bench
LAB="tests/lab/lab --prefix $PREFIX"
NS_C1=$PREFIX-c1 NS_GW=$PREFIX-gw NS_SRV=$PREFIX-srv
STATE=/run/aigate-lab/$PREFIX
SRV=10.251.3.11               # bench_srv: DNS :53, "QUIC" :443/udp, "TLS" :443
IPERF=10.251.3.12             # iperf3 -s on :443
QSRC=10.251.1.100 NQSRC=32    # QUIC source addresses (10.251.1.100-131)
mkdir -p "$OUT"
RES=$OUT/inline.tsv
: >"$RES"

log() { echo "inline: $*" >&2; }

# --- the programs -------------------------------------------------------
CF="-O2 -g -std=c17 -D_GNU_SOURCE -Wall -Wextra -Itests/helpers -Idaemon/core"
build_one() { # build_one NAME SOURCES... -- LIBS...
	local name=$1 src=() libs=() s newer=no
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do src+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	libs=("$@")
	for s in "${src[@]}" tests/bench/bench_common.h; do
		[ "$s" -nt "$OUT/$name" ] && newer=yes
	done
	[ -x "$OUT/$name" ] && [ $newer = no ] && return 0
	log "building $OUT/$name"
	# shellcheck disable=SC2086
	cc $CF -o "$OUT/$name" "${src[@]}" "${libs[@]}"
}
build_one bench_srv tests/bench/bench_srv.c
build_one load_tls tests/bench/load_tls.c tests/helpers/tls_build.c
build_one load_udp tests/bench/load_udp.c tests/helpers/quic_build.c -- "$B/libaigate-core.a" -lcrypto
# shellcheck disable=SC2046
build_one nfq_floor tests/bench/nfq_floor.c -- $(pkg-config --cflags --libs libnetfilter_queue libmnl)
[ -x "$B/aigated" ] || { echo "inline.sh: no $B/aigated (make)" >&2; exit 1; }
for b in iperf3 python3 iptables; do
	command -v $b >/dev/null || { echo "inline.sh: $b missing (mk/deps.sh bench)" >&2; exit 1; }
done
CTL=$B/aigatectl
[ -x "$CTL" ] || CTL=""

# The names the generators treat as blocked must be blocked by the lab
# policy, or the counts below mean nothing.
if [ -n "$CTL" ]; then
	for n in chatgpt.com claude.ai gemini.google.com meta.ai chat.openai.com perplexity.ai \
		poe.com copilot.microsoft.com; do
		"$CTL" check --config tests/lab/lab.conf --from 10.251.1.10 "$n" 2>/dev/null |
			grep -q 'action: *block' || log "warning: $n is not blocked by the lab policy"
	done
fi

# --- the lab ------------------------------------------------------------
SRV_PID="" IPERF_PID="" FLOOR_PID=""
stop_pid() { # stop_pid PID: TERM, wait up to 3 s, KILL
	local p=$1 i
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || return 0
	for i in $(seq 60); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.05; done
	kill -KILL "$p" 2>/dev/null || true
}
cleanup() {
	stop_pid "$FLOOR_PID"; stop_pid "$IPERF_PID"; stop_pid "$SRV_PID"
	LAB_QUIET=1 $LAB down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LAB_QUIET=1 $LAB down >/dev/null 2>&1 || true
log "lab up (prefix $PREFIX)"
LAB_QUIET=1 $LAB up --no-daemon >"$OUT/inline-lab.log" 2>&1 || { cat "$OUT/inline-lab.log" >&2; exit 1; }
FWOPTS=$(cat "$STATE/firewall.options")
# One list for the whole run: a snapshot of rules/list.conf (the working
# tree may change under a long run); when the working tree's list does not
# load, the committed one.
LIST_NOTE="rules/list.conf of the working tree"
cp rules/list.conf "$STATE/list.conf"
sed -i "s|^\([[:space:]]*\)list\([[:space:]]*[=:][[:space:]]*\)\"[^\"]*\"|\1list\2\"$STATE/list.conf\"|" "$STATE/aigate.conf"
if ! "$B/aigated" -n -c "$STATE/aigate.conf" >"$OUT/inline-list.log" 2>&1; then
	git show HEAD:rules/list.conf >"$STATE/list.conf"
	LIST_NOTE="the committed rules/list.conf (the working tree's does not load: $(grep -m1 error "$OUT/inline-list.log"))"
	"$B/aigated" -n -c "$STATE/aigate.conf" >"$OUT/inline-list.log" 2>&1 ||
		{ cat "$OUT/inline-list.log" >&2; echo "inline.sh: neither list loads: is $B/aigated stale (make)?" >&2; exit 1; }
fi
log "list: $LIST_NOTE"
# An egress gateway keeps connection state (NAT, a stateful forward
# policy), so every configuration, "no queue" included, has the usual
# stateful rule: conntrack runs in all three, and what is compared is
# aigate's cost on top of it (without it, "no queue" would also save the
# conntrack work that aigate's connection marks need: about 10% of bulk
# throughput here).
for ipt in iptables ip6tables; do
	ip netns exec $NS_GW $ipt -w -A FORWARD -m conntrack --ctstate INVALID -j DROP
done
# The lab's Python TLS server holds [::]:443; bench_srv is faster and
# needs the port: stop it (this lab is ours).
[ -s "$STATE/tls-server.pid" ] && stop_pid "$(cat "$STATE/tls-server.pid")"
ip -n $NS_SRV addr add $SRV/24 dev eth0
ip -n $NS_SRV addr add $IPERF/24 dev eth0
for i in $(seq 0 $((NQSRC - 1))); do
	ip -n $NS_C1 addr add 10.251.1.$((100 + i))/24 dev eth0
done
ip netns exec $NS_C1 sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
ip netns exec $NS_SRV "$OUT/bench_srv" -a $SRV -s "$OUT/srv.stats" 2>"$OUT/srv.log" &
SRV_PID=$!
ip netns exec $NS_SRV iperf3 -s -B $IPERF -p 443 >"$OUT/iperf3-server.log" 2>&1 &
IPERF_PID=$!
sleep 0.5
kill -0 $SRV_PID 2>/dev/null || { cat "$OUT/srv.log" >&2; exit 1; }

gw() { ip netns exec $NS_GW "$@"; }
c1() { ip netns exec $NS_C1 "$@"; }

queue_bound() { gw cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null | awk '$1 == 0 { f = 1 } END { exit !f }'; }
queue_idseq() { gw cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null | awk '$1 == 0 { print $8; f = 1 } END { if (!f) print 0 }'; }
cpu_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
softirq() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $8, t }' /proc/stat; }
HZ=$(getconf CLK_TCK)

QPID=""
set_config() { # set_config noq|floor|aigated
	stop_pid "$FLOOR_PID"; FLOOR_PID=""
	LAB_QUIET=1 $LAB daemon stop >/dev/null 2>&1 || true
	QPID=""
	case $1 in
	noq) LAB_QUIET=1 $LAB fw remove >/dev/null ;;
	floor)
		# shellcheck disable=SC2086
		LAB_QUIET=1 $LAB fw install $FWOPTS >/dev/null
		ip netns exec $NS_GW "$OUT/nfq_floor" -q 0 2>"$OUT/floor.log" &
		FLOOR_PID=$!
		QPID=$FLOOR_PID
		;;
	aigated)
		# shellcheck disable=SC2086
		LAB_QUIET=1 $LAB fw install $FWOPTS >/dev/null
		LAB_QUIET=1 $LAB daemon start >/dev/null
		QPID=$($LAB daemon pid)
		;;
	esac
	if [ "$1" != noq ]; then
		for _ in $(seq 50); do queue_bound && break; sleep 0.1; done
		queue_bound || { echo "inline.sh: queue 0 not bound for $1" >&2; exit 1; }
	fi
	sleep 0.3
}

kv() { # kv KEY LINE
	local k=$1 w
	for w in $2; do
		case $w in "$k="*) echo "${w#*=}"; return ;; esac
	done
	echo 0
}
rec() { echo "$1 $2 $3 $4" >>"$RES"; } # rec CFG REP METRIC VALUE

QTUPLE=0
# run CFG REP NAME COMMAND...: a load run with the queue program's CPU and
# the packets queued around it; prints the generator's line.
run() {
	local cfg=$1 rep=$2 name=$3 c0 c1v i0 i1 s0 s1 line pk
	shift 3
	c0=$(cpu_ticks "$QPID"); i0=$(queue_idseq); s0=$(softirq)
	line=$("$@")
	c1v=$(cpu_ticks "$QPID"); i1=$(queue_idseq); s1=$(softirq)
	pk=$((i1 - i0))
	if [ -n "$QPID" ] && [ $pk -gt 0 ]; then
		rec "$cfg" "$rep" "$name.pkts" $pk
		rec "$cfg" "$rep" "$name.cpu_us" "$(echo "($c1v - $c0) * 1000000 / $HZ / $pk" | bc -l)"
	fi
	set -- $s0 $s1
	[ "$4" -gt "$2" ] && rec "$cfg" "$rep" "$name.softirq_pct" "$(echo "($3 - $1) * 100 / ($4 - $2)" | bc -l)"
	echo "$line"
}

measure() { # measure CFG REP
	local cfg=$1 rep=$2 l
	l=$(run "$cfg" "$rep" dnslat c1 "$OUT/load_udp" -m dns -d $SRV -t "$T" -w 1 -r "$DNS_LAT_RATE" -b $EVERY)
	rec "$cfg" "$rep" dnslat.p50 "$(kv p50_us "$l")"; rec "$cfg" "$rep" dnslat.p99 "$(kv p99_us "$l")"
	rec "$cfg" "$rep" dnslat.lost "$(kv lost "$l")"
	l=$(run "$cfg" "$rep" dns c1 "$OUT/load_udp" -m dns -d $SRV -t "$T" -w 64 -b $EVERY)
	rec "$cfg" "$rep" dns.qps "$(kv rate "$l")"; rec "$cfg" "$rep" dns.gw "$(kv gw "$l")"
	rec "$cfg" "$rep" dns.srv "$(kv srv "$l")"; rec "$cfg" "$rep" dns.leaked "$(kv leaked "$l")"
	rec "$cfg" "$rep" dns.lost "$(kv lost "$l")"; rec "$cfg" "$rep" dns.answers "$(kv answers "$l")"
	l=$(run "$cfg" "$rep" tlslat c1 "$OUT/load_tls" -d $SRV -t "$T" -c 1 -r "$TLS_LAT_RATE" -b $EVERY)
	rec "$cfg" "$rep" tlslat.p50 "$(kv p50_us "$l")"; rec "$cfg" "$rep" tlslat.p99 "$(kv p99_us "$l")"
	l=$(run "$cfg" "$rep" tls c1 "$OUT/load_tls" -d $SRV -t "$T" -c 32 -b $EVERY)
	rec "$cfg" "$rep" tls.cps "$(kv rate "$l")"; rec "$cfg" "$rep" tls.ok "$(kv ok "$l")"
	rec "$cfg" "$rep" tls.reset "$(kv reset "$l")"; rec "$cfg" "$rep" tls.timeout "$(kv timeout "$l")"
	rec "$cfg" "$rep" tls.conns "$(( $(kv ok "$l") + $(kv reset "$l") ))"
	l=$(run "$cfg" "$rep" quic c1 "$OUT/load_udp" -m quic -d $SRV -t "$T" -w 64 -b $EVERY \
		-S $QSRC -N $NQSRC -o $QTUPLE -T 300)
	QTUPLE=$(kv next_tuple "$l")
	rec "$cfg" "$rep" quic.ips "$(kv rate "$l")"; rec "$cfg" "$rep" quic.leaked "$(kv leaked "$l")"
	rec "$cfg" "$rep" quic.lost "$(kv lost "$l")"
	l=$(c1 "$OUT/load_tls" -d $SRV -t "$TBULK" -B)
	rec "$cfg" "$rep" bulk.mbit "$(kv mbit "$l")"
	if [ "$cfg" = aigated ]; then
		# The bulk target compares with no queue; runs half a minute
		# apart differ by more than the rules cost on this shared
		# machine, so each repetition also measures the pair back to
		# back (the rules removed and put back around a run, aigated
		# left running) and the ratio is taken per pair.
		LAB_QUIET=1 $LAB fw remove >/dev/null
		l=$(c1 "$OUT/load_tls" -d $SRV -t "$TBULK" -B)
		# shellcheck disable=SC2086
		LAB_QUIET=1 $LAB fw install $FWOPTS >/dev/null
		nb=$(kv mbit "$l")
		l=$(c1 "$OUT/load_tls" -d $SRV -t "$TBULK" -B)
		ab=$(kv mbit "$l")
		[ "$nb" -gt 0 ] 2>/dev/null && rec pair "$rep" bulk.ratio "$(echo "$ab / $nb" | bc -l)"
	fi
	l=$(c1 iperf3 -c $IPERF -p 443 -t "$TBULK" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' 2>/dev/null || echo 0)
	rec "$cfg" "$rep" iperf.mbit "$l"
	log "  $cfg rep $rep: dns $(grep "^$cfg $rep dns.qps" "$RES" | cut -d' ' -f4) q/s," \
		"tls $(grep "^$cfg $rep tls.cps" "$RES" | cut -d' ' -f4) conn/s," \
		"quic $(grep "^$cfg $rep quic.ips" "$RES" | cut -d' ' -f4) Initials/s," \
		"bulk $(grep "^$cfg $rep bulk.mbit" "$RES" | cut -d' ' -f4) Mbit/s," \
		"iperf3 $l Mbit/s"
}

start_s=$(date +%s)
for rep in $(seq "$REPS"); do
	for cfg in noq floor aigated; do
		set_config $cfg
		measure $cfg "$rep"
	done
done
set_config noq

# --- overload -----------------------------------------------------------
srv_dns() { kill -USR1 $SRV_PID; sleep 0.3; awk -F= '$1 == "dns_queries" { print $2 }' "$OUT/srv.stats"; }
rule_pkts() { gw iptables -w -t mangle -L aigate -v -n -x 2>/dev/null | awk '/aigate: DNS, QUIC/ { print $1; f = 1 } END { if (!f) print 0 }'; }
status_json() { if [ -n "$CTL" ]; then $LAB status --json 2>/dev/null || echo '{}'; else echo '{}'; fi; }
srv_key() { awk -F= -v k="$1" '$1 == k { print $2 }' "$OUT/srv.stats"; }
# Packets the kernel dropped because a CPU's input backlog was full
# (veth delivers through it): machine-wide, /proc/net/softnet_stat.
backlog_drops() { local s=0 a b r; while read -r a b r; do s=$((s + 0x$b)); done </proc/net/softnet_stat; echo $s; }
udp_rcvbuf_errors() { # UDP receive-buffer drops in a namespace
	ip netns exec "$1" cat /proc/net/snmp | awk '$1 == "Udp:" { if (h) { for (i = 2; i <= NF; i++) if (n[i] == "RcvbufErrors") print $i; exit } for (i = 2; i <= NF; i++) n[i] = $i; h = 1 }'
}
# Sum the numeric key=value fields of generator lines (mode= kept).
sum_lines() {
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "mode") { m = kv[2]; continue }
		if (!(kv[1] in s)) o[++n] = kv[1]; s[kv[1]] += kv[2] } }
	END { printf "mode=%s", m; for (i = 1; i <= n; i++) if (o[i] !~ /^p[0-9]+_us$/) printf " %s=%.0f", o[i], s[o[i]]; printf "\n" }' "$@"
}
OVER=$OUT/overload.tsv
: >"$OVER"
for mode in open closed; do
	stop_pid "$FLOOR_PID"; FLOOR_PID=""
	LAB_QUIET=1 $LAB daemon stop >/dev/null 2>&1 || true
	if [ $mode = open ]; then
		sed -i 's/^\([[:space:]]*fail_open[[:space:]]*=[[:space:]]*\)[a-z]*/\1true/' "$STATE/aigate.conf"
		# shellcheck disable=SC2086
		LAB_QUIET=1 $LAB fw install $FWOPTS >/dev/null
	else
		sed -i 's/^\([[:space:]]*fail_open[[:space:]]*=[[:space:]]*\)[a-z]*/\1false/' "$STATE/aigate.conf"
		# shellcheck disable=SC2086
		LAB_QUIET=1 $LAB fw install $FWOPTS --fail-closed >/dev/null
	fi
	LAB_QUIET=1 $LAB daemon start >/dev/null
	for _ in $(seq 50); do queue_bound && break; sleep 0.1; done
	sleep 0.3
	r0=$(rule_pkts); d0=$(srv_dns); se0=$(udp_rcvbuf_errors $NS_SRV); ce0=$(udp_rcvbuf_errors $NS_C1)
	sf0=$(srv_key dns_send_fail); bl0=$(backlog_drops)
	# Several generators: one alone pays the whole forwarding path in its
	# own system calls and cannot outrun the queue on two cores.
	gens=()
	for g in $(seq "$OVER_GENS"); do
		ip netns exec $NS_C1 "$OUT/load_udp" -m dns -d $SRV -t "$TOVER" -w 0 -r "$OVER_RATE" \
			-b $EVERY -k 16 -T 2000 >"$OUT/over.$g" &
		gens+=($!)
	done
	# On two shared cores the generators cannot outrun aigated for long
	# (each pays the forwarding path in its own system calls), so aigated
	# is also stalled (SIGSTOP) for OVER_STALL seconds in the middle: the
	# queue must overflow.
	dpid=$($LAB daemon pid)
	sleep "$(echo "$TOVER / 3" | bc -l)"
	kill -STOP "$dpid"; sleep "$OVER_STALL"; kill -CONT "$dpid"
	for g in "${gens[@]}"; do wait "$g" || true; done
	sleep 0.5
	r1=$(rule_pkts); d1=$(srv_dns); se1=$(udp_rcvbuf_errors $NS_SRV); ce1=$(udp_rcvbuf_errors $NS_C1)
	sf1=$(srv_key dns_send_fail); bl1=$(backlog_drops)
	line=$(sum_lines "$OUT"/over.[0-9]*)
	rm -f "$OUT"/over.[0-9]*
	st=$(status_json)
	echo "$mode $line rule=$((r1 - r0)) srv_received=$((d1 - d0)) srv_sockdrop=$((se1 - se0)) cli_sockdrop=$((ce1 - ce0)) srv_sendfail=$((sf1 - sf0)) backlog=$((bl1 - bl0))" >>"$OVER"
	python3 -c '
import json, sys
try:
    st = json.loads(sys.argv[1])
except Exception:
    st = {}
q = (st.get("queues") or [{}])[0]
k = q.get("kernel", {})
fw = st.get("firewall", {})
print("status packets=%d accept=%d drop=%d dns_answers=%d missed=%d enobufs=%d kdropped=%d kuser_dropped=%d not_received=%d fw_rules=%d fw_uninspected=%d fw_passed=%d fw_dropped=%d" % (
    q.get("packets", -1), q.get("v_accept", -1), q.get("v_drop", -1), q.get("dns_answers", -1),
    q.get("missed", -1), q.get("enobufs", -1), k.get("dropped", -1), k.get("user_dropped", -1),
    k.get("ids_not_received", -1), fw.get("queued_by_rules", -1), fw.get("uninspected", -1),
    fw.get("passed_uninspected", -1), fw.get("dropped_uninspected", -1)))' "$st" | sed "s/^/$mode /" >>"$OVER"
	log "  overload fail-$mode: $line rule=$((r1 - r0)) srv_received=$((d1 - d0))"
done
LAB_QUIET=1 $LAB daemon stop >/dev/null 2>&1 || true
elapsed=$(( $(date +%s) - start_s ))

# --- the table ----------------------------------------------------------
# stat METRIC CFG: "median min max" over the repetitions (empty: none).
stat() {
	awk -v m="$1" -v c="$2" '$1 == c && $3 == m { print $4 }' "$RES" | sort -g | awk '
		{ a[NR] = $1 } END { if (NR) printf "%s %s %s\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}
med() { stat "$1" "$2" | cut -d' ' -f1; }
fmt() { # fmt METRIC CFG DIGITS: "median (min-max)"
	local s
	s=$(stat "$1" "$2")
	[ -n "$s" ] || { echo "-"; return; }
	set -- $s "$3"
	if [ "$REPS" = 1 ]; then printf "%.*f" "$4" "$1"; else printf "%.*f (%.*f-%.*f)" "$4" "$1" "$4" "$2" "$4" "$3"; fi
}
ratio() { # ratio A B: A/B with 2 decimals, "-" when B is 0 or missing
	if [ -z "$1" ] || [ -z "$2" ] || [ "$(echo "$2 == 0" | bc -l)" = 1 ]; then echo "-"; return; fi
	printf "%.2f" "$(echo "$1 / $2" | bc -l)"
}
# Added latency: p50 of the configuration minus the median p50 of noq.
added() { # added METRIC CFG
	local base v
	base=$(med "$1" noq); v=$(med "$1" "$2")
	[ -n "$base" ] && [ -n "$v" ] && printf "%.0f" "$(echo "$v - $base" | bc -l)" || echo "-"
}
row() { # row LABEL METRIC DIGITS TARGET_TEXT TARGET_KIND
	local f n a
	f=$(med "$2" floor); n=$(med "$2" noq); a=$(med "$2" aigated)
	echo "| $1 | $(fmt "$2" noq "$3") | $(fmt "$2" floor "$3") | $(fmt "$2" aigated "$3") | $(ratio "$a" "$f") | $(ratio "$a" "$n") | $4 |"
}
okmark() { # okmark VALUE OP LIMIT -> "met" / "missed"
	if [ "$1" = "-" ]; then echo "n/a"; return; fi
	if [ "$(echo "$1 $2 $3" | bc -l)" = 1 ]; then echo "met"; else echo "missed"; fi
}

# Per-repetition ratios: within a repetition the configurations run
# back to back, so slow changes of this shared machine's load cancel.
# prat METRIC: "median min max" over the repetitions of aigated/floor;
# prat_added METRIC: of (aigated - noq) / (floor - noq).
prat() {
	awk -v m="$1" '$3 == m { v[$1 " " $2] = $4; r[$2] = 1 }
		END { for (k in r) if ((("floor " k) in v) && v["floor " k] > 0) print v["aigated " k] / v["floor " k] }' "$RES" |
		sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.2f %.2f %.2f\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}
prat_added() {
	awk -v m="$1" '$3 == m { v[$1 " " $2] = $4; r[$2] = 1 }
		END { for (k in r) if ((("noq " k) in v) && (("floor " k) in v) && v["floor " k] > v["noq " k])
			print (v["aigated " k] - v["noq " k]) / (v["floor " k] - v["noq " k]) }' "$RES" |
		sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.2f %.2f %.2f\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}
pfmt() { # pfmt "median min max" -> "median (min-max)"
	set -- $1
	[ $# -ge 3 ] || { echo "-"; return; }
	if [ "$REPS" = 1 ]; then echo "$1"; else echo "$1 ($2-$3)"; fi
}
read -r dns_r _ < <(prat dns.qps; echo)
read -r tls_r _ < <(prat tls.cps; echo)
read -r lat_pr _ < <(prat_added dnslat.p50; echo)
dns_r=${dns_r:--} tls_r=${tls_r:--} lat_pr=${lat_pr:--}
bulk_r=$(ratio "$(med bulk.mbit aigated)" "$(med bulk.mbit noq)")
# The back-to-back pairs: median (min-max) of the per-pair ratios.
read -r bp_med bp_min bp_max < <(stat bulk.ratio pair; echo)
bp_fmt() { printf '%.2f' "$1"; }
add_f=$(added dnslat.p50 floor); add_a=$(added dnslat.p50 aigated)
lat_r=$(ratio "$add_a" "$add_f")
tadd_f=$(added tlslat.p50 floor); tadd_a=$(added tlslat.p50 aigated)
{
	echo "## Inline benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname), $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
	echo
	echo "Namespace lab (client, gateway, server over veth, one machine), the three configurations in turn,"
	echo "$REPS repetition(s) of ${T}s runs (bulk ${TBULK}s): median (min-max). One request in $EVERY names a blocked"
	echo "service. Every configuration has the gateway's stateful rule (conntrack, as on any egress gateway)."
	echo "no queue = the aigate rules removed; floor = the shipped rules and tests/bench/nfq_floor"
	echo "(accepts everything); aigated = the shipped rules and aigated with tests/lab/lab.conf and"
	echo "$LIST_NOTE. The machine is shared: differences under about 20% between runs are noise."
	echo
	echo "Targets are judged on per-repetition ratios (each repetition runs the configurations back to back),"
	echo "their median (min-max) in the target column; the ratio columns divide the medians."
	echo
	echo "| measure | no queue | floor | aigated | aigated/floor | aigated/no queue | target |"
	echo "|---|---|---|---|---|---|---|"
	row "DNS answers/s (64 outstanding)" dns.qps 0 "per repetition $(pfmt "$(prat dns.qps)"); aigated/floor >= 0.9: $(okmark "$dns_r" '>=' 0.9)"
	row "DNS p50 latency, us (1 outstanding, <= ${DNS_LAT_RATE}/s)" dnslat.p50 0 ""
	row "DNS p99 latency, us" dnslat.p99 0 ""
	echo "| DNS p50 added latency, us (vs no queue) | 0 | $add_f | $add_a | $lat_r | | per repetition $(pfmt "$(prat_added dnslat.p50)"); aigated/floor <= 1.1: $(okmark "$lat_pr" '<=' 1.1) |"
	row "TLS new connections/s (32 at a time)" tls.cps 0 "per repetition $(pfmt "$(prat tls.cps)"); aigated/floor >= 0.9: $(okmark "$tls_r" '>=' 0.9)"
	row "TLS connect-to-first-byte p50, us (1 at a time)" tlslat.p50 0 ""
	echo "| TLS p50 added latency, us (vs no queue) | 0 | $tadd_f | $tadd_a | $(ratio "$tadd_a" "$tadd_f") | | |"
	row "QUIC Initials/s (64 outstanding)" quic.ips 0 ""
	row "bulk TCP Mbit/s, decided TLS flow to :443" bulk.mbit 0 ""
	if [ -n "${bp_med:-}" ]; then
		echo "| bulk, aigated/no queue measured back to back (per-pair ratio) | | | | | $(bp_fmt "$bp_med") ($(bp_fmt "$bp_min")-$(bp_fmt "$bp_max")) | aigated/no queue >= 0.95: $(okmark "$bp_med" '>=' 0.95) |"
	fi
	row "iperf3 Mbit/s to :443 (not TLS)" iperf.mbit 0 ""
	row "CPU us per queued packet, DNS at <= ${DNS_LAT_RATE}/s" dnslat.cpu_us 1 ""
	row "CPU us per queued packet, DNS saturated" dns.cpu_us 1 ""
	row "CPU us per queued packet, TLS" tls.cpu_us 1 ""
	row "CPU us per queued packet, QUIC" quic.cpu_us 1 ""
	row "machine softirq %, DNS saturated" dns.softirq_pct 0 ""
	echo
	tf=$(med tls.pkts floor); ta=$(med tls.pkts aigated); tc_f=$(med tls.conns floor); tc_a=$(med tls.conns aigated)
	echo "Packets queued per TLS connection: floor $(ratio "$tf" "$tc_f"), aigated $(ratio "$ta" "$tc_a")."
	echo "Blocked names (medians per run): DNS answered by the gateway: no queue $(med dns.gw noq), floor $(med dns.gw floor), aigated $(med dns.gw aigated)"
	echo "(blocked names answered by the server: aigated $(med dns.leaked aigated)); TLS resets: aigated $(med tls.reset aigated);"
	echo "QUIC blocked Initials answered by the server: no queue $(med quic.leaked noq), floor $(med quic.leaked floor), aigated $(med quic.leaked aigated)."
	echo "Lost (no answer within 1 s): DNS noq $(med dns.lost noq), floor $(med dns.lost floor), aigated $(med dns.lost aigated); TLS timeouts aigated $(med tls.timeout aigated)."
	echo
	echo "### Overload: DNS open-loop, $OVER_GENS generators at up to ${OVER_RATE}/s each for ${TOVER}s, aigated"
	echo
	echo "Two shared cores cannot offer more than aigated takes for long, so aigated is also stopped (SIGSTOP) for ${OVER_STALL}s"
	echo "in the middle of the run: the queue (maxlen 4096) must overflow."
	echo
	echo "| | fail-open | fail-closed |"
	echo "|---|---|---|"
	ov() { awk -v m="$1" '$1 == m && $2 ~ /^mode=/' "$OVER"; }
	os() { awk -v m="$1" '$1 == m && $2 == "status"' "$OVER"; }
	ol=$(ov open); cl=$(ov closed); osl=$(os open); csl=$(os closed)
	orow() { echo "| $1 | $(kv "$2" "$ol") | $(kv "$2" "$cl") |"; }
	srow() { echo "| $1 | $(kv "$2" "$osl") | $(kv "$2" "$csl") |"; }
	orow "generator: queries sent" sent
	orow "generator: sent of which blocked names" blocked_sent
	orow "generator: answered by the server" srv
	orow "generator: answered by the gateway (blocked)" gw
	orow "generator: blocked names answered by the server (passed uninspected)" leaked
	orow "generator: lost (no answer in 2 s)" lost
	orow "generator: answered after that (counted lost)" stale
	orow "generator: answers dropped by its own socket buffer" cli_sockdrop
	orow "queue rule: packets that reached NFQUEUE" rule
	orow "server: queries received" srv_received
	orow "server: queries dropped by its socket buffer" srv_sockdrop
	orow "server: answers it could not send" srv_sendfail
	orow "kernel: input backlog drops (machine-wide)" backlog
	srow "status: packets inspected" packets
	srow "status: verdict accept" accept
	srow "status: verdict drop" drop
	srow "status: missed ids (gaps)" missed
	srow "status: enobufs" enobufs
	srow "status: kernel dropped (queue full)" kdropped
	srow "status: kernel dropped (not delivered)" kuser_dropped
	srow "status: ids not received" not_received
	srow "status (firewall): packets the queue rules sent" fw_rules
	srow "status (firewall): uninspected" fw_uninspected
	srow "status (firewall): of which passed" fw_passed
	srow "status (firewall): of which dropped by the kernel" fw_dropped
	for m in open closed; do
		l=$(ov $m); s=$(os $m)
		rule=$(kv rule "$l"); pk=$(kv packets "$s"); acc=$(kv accept "$s")
		recv=$(kv srv_received "$l")
		uninsp=$((rule - pk)); fwp=$(kv fw_passed "$s"); fwd=$(kv fw_dropped "$s")
		if [ $m = open ]; then
			sd=$(kv srv_sockdrop "$l")
			passed=$((recv + sd - acc))
			echo "| uninspected, measured: rule - inspected (fail-open: passed; reached the server $((recv + sd)), aigated accepted $acc: $passed passed unseen) | $uninsp | |"
			echo "| uninspected reported by status as passed | $fwp | |"
			ok_open=$([ "$uninsp" = "$fwp" ] && echo yes || echo no)
		else
			echo "| uninspected, measured: rule - inspected (fail-closed: dropped) | | $uninsp |"
			echo "| uninspected reported by status as dropped | | $fwd |"
			ok_closed=$([ "$uninsp" = "$fwd" ] && echo yes || echo no)
		fi
	done
	echo
	echo "\"passed unseen\" counts every query the kernel let through without aigated (what reached the server, received or"
	echo "dropped by its socket buffer, minus what aigated accepted); the generator sees the blocked share of it as blocked"
	echo "names answered by the server."
	echo "A status that accounts for everything reports what was measured: fail-open $ok_open, fail-closed $ok_closed"
	echo "(target: no packet lost without a counter saying so: $([ "$ok_open$ok_closed" = yesyes ] && echo met || echo missed))."
	echo
	echo "Run time: ${elapsed}s."
} >"$OUT/inline.md"
cat "$OUT/inline.md"
