#!/bin/bash
# run.sh: the benchmarks of `make bench` (and `make bench-quick`).
#
# Offline: `aigatectl scan` over the Ethernet captures of tests/data,
# replicated (timestamps shifted so that flows expire between copies) to
# BENCH_PACKETS packets, against tshark with the truth filter over the
# same file, in the same run: packets/s, names/s, peak memory, ratios.
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
	editcap -r "$OUT/all.pcap" "$corpus" "1-$PACKETS"
	rm -f "$OUT"/part-*.pcap "$OUT/all.pcap"
fi
npk=$(capinfos -c -T -r "$corpus" | cut -f2)

# Run a command REPS times; print "median min max" of wall seconds and
# the peak RSS (KiB) of the last run.
measure() {
	local reps=$1; shift
	local times=() rss=0
	for _ in $(seq "$reps"); do
		local t0 t1
		t0=$(date +%s.%N)
		/usr/bin/time -f '%M' -o "$OUT/rss" "$@" >/dev/null 2>/dev/null || true
		rss=$(tail -1 "$OUT/rss")
		t1=$(date +%s.%N)
		times+=("$(echo "$t1 - $t0" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | sort -g | awk -v rss="$rss" '
		{ a[NR] = $1 } END { printf "%.3f %.3f %.3f %d\n", a[int((NR + 1) / 2)], a[1], a[NR], rss }'
}

log "scan over $npk packets ($REPS runs)"
read -r s_med s_min s_max s_rss < <(measure "$REPS" "$B/aigatectl" scan --json --list rules "$corpus")
names=$("$B/aigatectl" scan --json --list rules "$corpus" 2>/dev/null | wc -l)
log "tshark over the same file ($TSHARK_REPS runs)"
filter='!icmp && !icmpv6 && ((dns && dns.flags.response==0 && dns.qry.name) || tls.handshake.type==1)'
read -r t_med t_min t_max t_rss < <(measure "$TSHARK_REPS" tshark -n -r "$corpus" -Y "$filter" -T fields -e frame.number)

instr="n/a"
if command -v valgrind >/dev/null && [ "${BENCH_CALLGRIND:-1}" = 1 ]; then
	log "callgrind instructions per packet (first 50,000 packets)"
	editcap -r "$corpus" "$OUT/cg.pcap" 1-50000
	valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
		"$B/aigatectl" scan --json --list rules "$OUT/cg.pcap" >/dev/null 2>"$OUT/callgrind.log" || true
	ir=$(grep -oE 'Collected : [0-9]+' "$OUT/callgrind.log" | grep -oE '[0-9]+' || true)
	cgn=$(capinfos -c -T -r "$OUT/cg.pcap" | cut -f2)
	[ -n "$ir" ] && instr=$(echo "$ir / $cgn" | bc)
fi

# --- the matcher ---------------------------------------------------------
log "matcher"
cc -O2 -std=c17 -D_GNU_SOURCE -Idaemon/core -o "$OUT/bench_list" tests/bench/bench_list.c \
	daemon/core/list.c daemon/core/name.c daemon/core/types.c daemon/core/bytes.c
"$OUT/bench_list" >"$OUT/bench_list.txt"

pps() { echo "$npk / $1" | bc -l | xargs printf '%.0f'; }
{
	echo "## Benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
	echo
	echo "Offline scan of $npk packets (Ethernet test captures, replicated); median of $REPS runs (tshark: $TSHARK_REPS), min-max in brackets."
	echo
	echo "| tool | seconds | packets/s | names/s | peak RSS | ratio |"
	echo "|---|---|---|---|---|---|"
	echo "| aigatectl scan | $s_med ($s_min-$s_max) | $(pps "$s_med") | $(echo "$names / $s_med" | bc -l | xargs printf '%.0f') | $((s_rss / 1024)) MiB | 1 |"
	echo "| tshark -Y (truth filter) | $t_med ($t_min-$t_max) | $(pps "$t_med") | | $((t_rss / 1024)) MiB | $(echo "$t_med / $s_med" | bc -l | xargs printf '%.1f')x slower |"
	echo
	echo "aigatectl scan: $instr instructions per packet (callgrind, first 50,000 packets)."
	echo
	echo "Matcher (synthetic names):"
	echo
	echo '```'
	cat "$OUT/bench_list.txt"
	echo '```'
} >"$OUT/results.md"
cat "$OUT/results.md"
