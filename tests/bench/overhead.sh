#!/bin/sh
# make bench: what tracing costs the traced program.
#
# A switch storm (tests/progs/pingpong: two threads handing a token through a
# futex) runs untraced and traced, alternating, RUNS times each; the program
# times itself, so the tracer's start-up is not in the figure. Prints the
# median wall-time ratio traced/untraced for gilscope (all probes on), and,
# where installed, for `perf sched record` and a bpftrace script on the same
# storm, plus gilscope's BPF run time per event (kernel.bpf_stats_enabled).
set -eu
OUT=${1:-build}
RUNS=${RUNS:-7}
ROUNDS=${ROUNDS:-150000}
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

echo "switch storm: $ROUNDS round trips, $RUNS alternating runs each (medians)"
: > "$TMP/base" ; : > "$TMP/gs" ; : > "$TMP/perf" ; : > "$TMP/bt"
have_perf=false; have_bt=false
if command -v perf >/dev/null && tracefs_ready; then have_perf=true; fi
if command -v bpftrace >/dev/null && tracefs_ready; then have_bt=true; fi

i=0
while [ $i -lt "$RUNS" ]; do
	$PP "$ROUNDS" | elapsed >> "$TMP/base"
	$GS record -q -f json -o "$TMP/gsout" -- $PP "$ROUNDS" | elapsed >> "$TMP/gs"
	if $have_perf; then
		perf sched record -q -o "$TMP/perf.data" -- $PP "$ROUNDS" 2>/dev/null | elapsed >> "$TMP/perf"
	fi
	if $have_bt; then
		bpftrace -q -e 'tracepoint:sched:sched_switch { @s[args->prev_pid] = count(); }
			tracepoint:syscalls:sys_enter_futex { @f[tid] = count(); }' \
			-c "$PP $ROUNDS" 2>/dev/null | elapsed >> "$TMP/bt"
	fi
	i=$((i + 1))
done

base=$(median < "$TMP/base")
gs=$(median < "$TMP/gs")
echo "untraced        median $base s"
printf 'gilscope        median %s s   ratio %.3f\n' "$gs" "$(echo "$gs $base" | awk '{print $1/$2}')"
if $have_perf && [ -s "$TMP/perf" ]; then
	p=$(median < "$TMP/perf")
	printf 'perf sched      median %s s   ratio %.3f\n' "$p" "$(echo "$p $base" | awk '{print $1/$2}')"
fi
if $have_bt && [ -s "$TMP/bt" ]; then
	b=$(median < "$TMP/bt")
	printf 'bpftrace        median %s s   ratio %.3f\n' "$b" "$(echo "$b $base" | awk '{print $1/$2}')"
fi

# rate of the storm, and BPF cost per event measured with run-time stats on
$GS record -q --bpf-stats -f json -o "$TMP/stats" -- $PP "$ROUNDS" > /dev/null
sed -n 's/.*"voluntary_switches": \([0-9]*\),*$/\1/p' "$TMP/stats/results.json" | head -1 |
	awk -v t="$base" '{printf "storm rate      %.0f voluntary switches/s (untraced time)\n", $1/t}'
sed -n 's/.*"bpf_ns_per_event": \([0-9.e+]*\).*/\1/p' "$TMP/stats/results.json" |
	awk '{printf "BPF run time    %.0f ns per program run (kernel.bpf_stats_enabled)\n", $1}'
