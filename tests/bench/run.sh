#!/bin/bash
# run.sh: the benchmarks of `make bench` (and `make bench-quick`).
#
# Offline: `aigatectl scan` over the Ethernet captures of tests/data,
# replicated (timestamps shifted so that flows expire between copies) to
# BENCH_PACKETS packets, against tshark with the truth filter over the
# same file, in the same run: packets/s, names/s, peak memory, ratios;
# ndpiReader (nDPI, -q: detection only, nothing printed) likewise.
# Matcher: lookups/s, load time and memory for 1k, 100k and 1M names.
# Each timing is repeated BENCH_REPS times; the median and the spread
# (min-max) are reported, because this machine is shared and noisy.
#
# Results: build/bench/results.md (Markdown, with date and machine).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${AIGATE_BUILD:-build}
OUT=$B/bench
PACKETS=${BENCH_PACKETS:-1000000}
REPS=${BENCH_REPS:-3}
TSHARK_REPS=${BENCH_TSHARK_REPS:-1}
mkdir -p "$OUT"

log() { echo "bench: $*" >&2; }

# --- the corpus ---------------------------------------------------------
corpus=$OUT/corpus-$PACKETS.pcap
# The corpus is a classic pcap file (what aigatectl scan reads in large
# blocks; editcap and mergecap write pcapng unless told).  An older
# pcapng corpus is converted.
is_classic() { [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' ')" = d4c3b2a1 ]; }
if [ -s "$corpus" ] && ! is_classic "$corpus"; then
	log "converting $corpus to classic pcap"
	editcap -F pcap "$corpus" "$corpus.tmp" && mv "$corpus.tmp" "$corpus"
fi
if [ ! -s "$corpus" ]; then
	log "building a corpus of $PACKETS packets"
	eth=()
	for f in tests/data/pcaps/*.pcap tests/data/pcaps/*.pcapng; do
		enc=$(capinfos -E -T -r "$f" 2>/dev/null | cut -f2)
		[ "$enc" = "ether" ] && eth+=("$f")
	done
	mergecap -a -F pcap -w "$OUT/one.pcap" "${eth[@]}"
	per=$(capinfos -c -T -r "$OUT/one.pcap" | cut -f2)
	copies=$(( (PACKETS + per - 1) / per ))
	parts=()
	for i in $(seq 0 $((copies - 1))); do
		# Each copy an hour later than the previous one: flows of one
		# copy have expired when the next starts, as in a long capture.
		editcap -t $((i * 3600)) "$OUT/one.pcap" "$OUT/part-$i.pcap"
		parts+=("$OUT/part-$i.pcap")
	done
	mergecap -a -F pcap -w "$OUT/all.pcap" "${parts[@]}"
	editcap -F pcap -r "$OUT/all.pcap" "$corpus" "1-$PACKETS"
	rm -f "$OUT"/part-*.pcap "$OUT/all.pcap"
fi
npk=$(capinfos -c -T -r "$corpus" | cut -f2)

# Run a command once: "seconds peak-RSS-KiB".
run_once() {
	local t0 t1
	t0=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$OUT/rss" "$@" >/dev/null 2>/dev/null || true
	t1=$(date +%s.%N)
	echo "$(echo "$t1 - $t0" | bc -l) $(tail -1 "$OUT/rss")"
}

# "median min max" of the numbers on stdin.
stats() {
	sort -g | awk '{ a[NR] = $1 } END { printf "%.3f %.3f %.3f\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}

# The three tools take turns within each repetition, so that the load
# of this shared machine falls on all of them alike; ratios are taken
# per repetition (same moment), then their median and spread.
filter='!icmp && !icmpv6 && ((dns && dns.flags.response==0 && dns.qry.name) || tls.handshake.type==1)'
: >"$OUT/times"
for rep in $(seq "$REPS"); do
	log "repetition $rep/$REPS: scan, ndpiReader$([ "$rep" -le "$TSHARK_REPS" ] && echo ", tshark") over $npk packets"
	read -r s s_rss < <(run_once "$B/aigatectl" scan --json --list rules "$corpus")
	read -r n n_rss < <(run_once ndpiReader -i "$corpus" -q)
	t=""
	if [ "$rep" -le "$TSHARK_REPS" ]; then
		read -r t t_rss < <(run_once tshark -n -r "$corpus" -Y "$filter" -T fields -e frame.number)
	fi
	echo "$s $n ${t:--}" >>"$OUT/times"
done
read -r s_med s_min s_max < <(awk '{ print $1 }' "$OUT/times" | stats)
read -r n_med n_min n_max < <(awk '{ print $2 }' "$OUT/times" | stats)
read -r t_med t_min t_max < <(awk '$3 != "-" { print $3 }' "$OUT/times" | stats)
read -r rn_med rn_min rn_max < <(awk '{ print $2 / $1 }' "$OUT/times" | stats)
read -r rt_med rt_min rt_max < <(awk '$3 != "-" { print $3 / $1 }' "$OUT/times" | stats)
names=$("$B/aigatectl" scan --json --list rules "$corpus" 2>/dev/null | wc -l)

# Cold against warm page cache: the corpus's pages are dropped (this
# file only, POSIX_FADV_DONTNEED), then the scan runs twice; the
# difference is the time the kernel spends fetching the file.
evict() { python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$1"; }
evict "$corpus"
read -r cold _ < <(run_once "$B/aigatectl" scan --json --list rules "$corpus")
read -r warm _ < <(run_once "$B/aigatectl" scan --json --list rules "$corpus")

instr="n/a" instr_marg="n/a" list_instr="n/a"
if command -v valgrind >/dev/null && [ "${BENCH_CALLGRIND:-1}" = 1 ]; then
	# Instructions do not depend on the machine's load: the number to
	# track over time.  The whole run over 50,000 packets includes the
	# start-up (list load, dynamic linking); the difference with a run
	# over 25,000 packets is the cost per packet alone.
	log "callgrind instructions per packet (first 25,000 and 50,000 packets)"
	for k in 25000 50000; do
		editcap -F pcap -r "$corpus" "$OUT/cg-$k.pcap" "1-$k"
		valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind-$k.out" \
			"$B/aigatectl" scan --json --list rules "$OUT/cg-$k.pcap" >/dev/null 2>"$OUT/callgrind-$k.log" || true
	done
	ir25=$(grep -oE 'Collected : [0-9]+' "$OUT/callgrind-25000.log" | grep -oE '[0-9]+' || true)
	ir50=$(grep -oE 'Collected : [0-9]+' "$OUT/callgrind-50000.log" | grep -oE '[0-9]+' || true)
	if [ -n "$ir25" ] && [ -n "$ir50" ]; then
		instr=$(echo "$ir50 / 50000" | bc)
		instr_marg=$(echo "($ir50 - $ir25) / 25000" | bc)
	fi
fi
# The history of that number, one line per full run (commit it with the
# README's figures): tests/bench/history.tsv.
HIST=tests/bench/history.tsv
if [ "$REPS" -gt 1 ] && [ "$instr_marg" != n/a ]; then
	printf '%s\t%s%s\t%s\t%s\n' "$(date -u +%Y-%m-%d)" "$(git rev-parse --short HEAD 2>/dev/null || echo -)" \
		"$(git diff --quiet HEAD -- daemon tools 2>/dev/null || echo +changes)" "$instr_marg" "$npk" >>"$HIST"
fi

# --- the matcher ---------------------------------------------------------
log "matcher"
cc -O2 -std=c17 -D_GNU_SOURCE -Idaemon/core -o "$OUT/bench_list" tests/bench/bench_list.c \
	daemon/core/list.c daemon/core/name.c daemon/core/types.c daemon/core/bytes.c
cc -O2 -std=c17 -D_GNU_SOURCE -o "$OUT/chase" tests/bench/chase.c
"$OUT/bench_list" >"$OUT/bench_list.txt"

# --- parsing: TLS ClientHellos against QUIC Initials, same flows, same run
log "TLS ClientHellos and QUIC Initials per second"
cc -O2 -std=c17 -D_GNU_SOURCE -DAIGATE_SYSCONFDIR='"/etc"' -DAIGATE_LOCALSTATEDIR='"/var"' \
	-Idaemon -Idaemon/core -Itests/helpers $(pkg-config --cflags libconfig libcrypto) \
	-o "$OUT/bench_parse" tests/bench/bench_parse.c daemon/core/*.c daemon/config.c \
	tests/helpers/*.c $(pkg-config --libs libconfig libcrypto) -lm
"$OUT/bench_parse" 20000 "$REPS" >"$OUT/bench_parse.txt"
"$OUT/chase" >"$OUT/chase.txt"
if command -v valgrind >/dev/null && [ "${BENCH_CALLGRIND:-1}" = 1 ]; then
	log "callgrind instructions per lookup (1M names, 200,000 lookups)"
	valgrind --tool=callgrind --toggle-collect=list_match --callgrind-out-file="$OUT/callgrind-list.out" \
		"$OUT/bench_list" 200000 1 1000000 >/dev/null 2>"$OUT/callgrind-list.log" || true
	ir=$(grep -oE 'Collected : [0-9]+' "$OUT/callgrind-list.log" | grep -oE '[0-9]+' || true)
	[ -n "$ir" ] && list_instr=$(echo "$ir / 200000" | bc)
fi

pps() { echo "$npk / $1" | bc -l | xargs printf '%.0f'; }
{
	echo "## Benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
	echo
	echo "Offline scan of $npk packets (Ethernet test captures, replicated), the same file for every tool; median of $REPS runs (tshark: $TSHARK_REPS), min-max in brackets."
	echo
	echo "| tool | seconds | packets/s | names/s | peak RSS | aigate is faster by |"
	echo "|---|---|---|---|---|---|"
	echo "| aigatectl scan --json | $s_med ($s_min-$s_max) | $(pps "$s_med") | $(echo "$names / $s_med" | bc -l | xargs printf '%.0f') | $((s_rss / 1024)) MiB | 1 |"
	echo "| ndpiReader -q | $n_med ($n_min-$n_max) | $(pps "$n_med") | | $((n_rss / 1024)) MiB | ${rn_med}x ($rn_min-$rn_max) |"
	echo "| tshark -Y (truth filter) | $t_med ($t_min-$t_max) | $(pps "$t_med") | | $((t_rss / 1024)) MiB | ${rt_med}x ($rt_min-$rt_max) |"
	echo
	echo "Ratios are taken per repetition (the tools run in turn), median (min-max); every run reads the file from a warm page cache."
	printf 'Page cache: aigatectl scan took %.3f s with the corpus evicted, %.3f s right after (the kernel fetching the file: %.0f%% of the cold run).\n' \
		"$cold" "$warm" "$(echo "($cold - $warm) * 100 / $cold" | bc -l)"
	echo "aigatectl scan: $instr instructions per packet over the first 50,000 packets with start-up, $instr_marg without (callgrind)."
	echo "Instructions per packet over time (tests/bench/history.tsv, the last runs):"
	echo
	echo "| date | commit | instructions/packet | corpus packets |"
	echo "|---|---|---|---|"
	grep -v '^#' "$HIST" | tail -5 | awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
	echo
	echo "Parsing through inspect_packet, one core, new flows (tests/bench/bench_parse.c, best of $REPS):"
	echo
	echo '```'
	cat "$OUT/bench_parse.txt"
	echo '```'
	echo
	echo "Matcher (synthetic names):"
	echo
	echo '```'
	cat "$OUT/bench_list.txt"
	echo '```'
	echo
	echo "list_match: $list_instr instructions per lookup at 1M names (callgrind, the same mix)."
	echo "One dependent random read on this machine (tests/bench/chase.c): a lookup that must"
	echo "read a table slot and then the entry it points at pays this twice."
	echo
	echo '```'
	cat "$OUT/chase.txt"
	echo '```'
} >"$OUT/results.md"
# aigatectl report over a generated event log (1M events; 100k in quick mode).
log "report over a generated event log"
if BENCH_EVENTS=$([ "$REPS" = 1 ] && echo 100000 || echo 1000000) tests/bench/report.sh >"$OUT/report.txt" 2>/dev/null; then
	{ echo; echo "aigatectl report (tests/bench/report.sh):"; echo; echo '```'; cat "$OUT/report.txt"; echo '```'; } >>"$OUT/results.md"
fi
cat "$OUT/results.md"
[ "$(id -u)" = 0 ] && BENCH_QUICK=${BENCH_QUICK:-$([ "$REPS" = 1 ] && echo 1 || echo 0)} tests/bench/inline.sh || echo "bench: inline benchmarks skipped (need root) or failed" >&2
