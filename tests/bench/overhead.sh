#!/bin/sh
# make bench: what tracing costs the traced program.
#
# A switch storm (tests/progs/pingpong: two threads handing a token through a
# futex; one round trip = 2 switches, 2 wake-ups, about 4 futex calls) runs
# untraced and traced, alternating, RUNS times each; the program times itself,
# so the tracer's start-up is not in the figure. Variants:
#   floor     gilscope's programs attached but returning at once
#             (GILSCOPE_BENCH_NOOP): the kernel's own dispatch cost
#   gilscope  every probe on, as `gilscope record` runs
#   perf      `perf sched record`           (where perf is installed)
#   bpftrace  a two-probe counting script   (where bpftrace is installed)
# Two storms: "spread" lets the scheduler place the threads (the two CPUs wake
# each other with IPIs, whose cost depends heavily on the host), "one-cpu"
# pins both threads to CPU 0, the densest event rate this machine produces.
# For each: median wall ratio traced/untraced and the time added per round trip,
# which does not depend on the storm's rate.
set -eu
OUT=${1:-build}
RUNS=${RUNS:-7}
ROUNDS=${ROUNDS:-150000}               # one-cpu storm
SPREAD_ROUNDS=${SPREAD_ROUNDS:-30000}  # spread storm (slower per round trip)
PP=$OUT/progs/pingpong
GS=${GS:-$OUT/gilscope}
TMP=$(mktemp -d /tmp/gilscope-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

elapsed() { sed -n 's/^elapsed //p'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

tracefs_ready() {
	[ -d /sys/kernel/tracing/events ] && return 0
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && [ -d /sys/kernel/tracing/events ]
}

have_perf=false; have_bt=false
if command -v perf >/dev/null && tracefs_ready; then have_perf=true; fi
if command -v bpftrace >/dev/null && tracefs_ready; then have_bt=true; fi
$have_perf || echo "bench: perf (with tracefs) not available: no perf comparison"
$have_bt || echo "bench: bpftrace (with tracefs) not available: no bpftrace comparison"

# one_run VARIANT PIN ROUNDS: prints the storm's elapsed seconds
one_run() {
	v=$1 pin=$2 n=$3
	case $v in
	base) $pin $PP "$n" ;;
	floor) GILSCOPE_BENCH_NOOP=1 $pin $GS record -q -f json -o "$TMP/gsout" -- $PP "$n" 2>/dev/null ;;
	gilscope) $pin $GS record -q -f json -o "$TMP/gsout" -- $PP "$n" ;;
	perf) $pin timeout 300 perf sched record -q -o "$TMP/perf.data" -- $PP "$n" 2>/dev/null ;;
	bpftrace) $pin timeout 300 bpftrace -q -e \
		'tracepoint:sched:sched_switch { @s[args->prev_pid] = count(); }
		 tracepoint:syscalls:sys_enter_futex { @f[tid] = count(); }' \
		-c "$PP $n" 2>/dev/null ;;
	esac | elapsed
}

# storm NAME PIN ROUNDS
storm() {
	name=$1 pin=$2 n=$3
	variants="base floor gilscope"
	$have_perf && variants="$variants perf"
	$have_bt && variants="$variants bpftrace"
	for v in $variants; do : > "$TMP/$v"; done
	i=0
	while [ $i -lt "$RUNS" ]; do
		for v in $variants; do one_run "$v" "$pin" "$n" >> "$TMP/$v"; done
		i=$((i + 1))
	done
	base=$(median < "$TMP/base")
	echo
	echo "storm '$name': $n round trips, $RUNS alternating runs of each (medians)"
	printf '  %-10s %9.4f s  %8.0f round trips/s\n' untraced "$base" \
		"$(echo "$n $base" | awk '{print $1/$2}')"
	for v in $variants; do
		[ "$v" = base ] && continue
		[ -s "$TMP/$v" ] || { echo "  $v: no result"; continue; }
		m=$(median < "$TMP/$v")
		echo "$v $m $base $n" | awk '{printf "  %-10s %9.4f s  ratio %.3f  %+5.0f ns per round trip\n",
			$1, $2, $2/$3, ($2-$3)/$4*1e9}'
	done
}

storm spread "" "$SPREAD_ROUNDS"
storm one-cpu "taskset -c 0" "$ROUNDS"

# what the storm looks like to gilscope, and its BPF cost per event
echo
$GS record -q --bpf-stats -f json -o "$TMP/stats" -- taskset -c 0 $PP "$ROUNDS" > /dev/null
sed -n 's/.*"voluntary_switches": \([0-9]*\),*$/\1/p' "$TMP/stats/results.json" | head -1 |
	awk -v n="$ROUNDS" '{printf "one-cpu storm   %.1f voluntary switches per round trip\n", $1/n}'
sed -n 's/.*"events": \([0-9]*\),*$/\1/p' "$TMP/stats/results.json" | tail -1 |
	awk -v n="$ROUNDS" '{printf "                %.1f traced events per round trip\n", $1/n}'
sed -n 's/.*"bpf_ns_per_event": \([0-9.e+]*\).*/\1/p' "$TMP/stats/results.json" |
	awk '{printf "BPF run time    %.0f ns per program run (kernel.bpf_stats_enabled)\n", $1}'
