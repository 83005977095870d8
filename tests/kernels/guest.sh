#!/bin/sh
# Runs inside the test VM (tests/kernels/init.sh chroots into the host's root
# and starts it): gilscope's doctor, one record, then the integration tests.
#   guest.sh CHECKOUT BUILD_DIR RESULT_DIR full|smoke|truth|boot|script:FILE [WATCHDOG_S]
# Prints one "guest: STEP: ok|FAIL" line per step and leaves them in
# RESULT_DIR/steps for tests/kernels/run.sh's summary; exits non-zero if any
# step failed.
set -u
cd "$1" || exit 1
OUT=$2
RES=$3
MODE=$4
WATCHDOG=${5:-840}
# the integration test binaries of the smoke mode: every kernel-facing figure
# against the kernel's own accounting, tp_btf and raw_tp, io_uring included;
# the truth mode runs the first alone (test_kernel_sched's run-queue time is
# not yet within its bound on PREEMPT_RT: see .ci/run)
SMOKE_TESTS="test_kernel_truth test_kernel_sched"
TRUTH_TESTS="test_kernel_truth"
steps=$RES/steps
: > "$steps"
status=0

t0=$(date +%s)
step() { # name, result: also says how long the step took
	secs=$(($(date +%s) - t0))
	t0=$(date +%s)
	echo "guest: $1: $2 (${secs}s)"
	echo "$1: $2" >> "$steps"
	[ "$2" = ok ] || status=1
}

echo "guest: kernel $(uname -r) ($(uname -v)), $(nproc) CPUs, mode $MODE"

# Two gilscope recordings of an idle process stay attached to every
# tracepoint gilscope uses until the guest powers off. A tracepoint's code is
# patched when its number of attached programs goes 0<->1 or 1<->2 (a static
# key, a static call); from 2 up nothing is patched. Under QEMU's TCG that
# patching (text_poke_bp), while another vCPU runs the tracepoint's code with
# interrupts off (sched_switch, inside __schedule), has hung the guest: the
# patching CPU waits forever for the other to answer (soft lockups in
# smp_call_function_many_cond, 4 of ~20 runs). So the keepers attach with
# the other CPUs offline, and afterwards the tests' own attaching and
# detaching patches nothing. (kernel.sched_schedstats, another patched
# switch, is on from the command line: tests/kernels/run.sh.) Native kernels
# are not concerned.
others=$(ls -d /sys/devices/system/cpu/cpu[1-9]*/online 2>/dev/null)
for c in $others; do echo 0 > "$c"; done
sleep 1000000 &
idle=$!
for k in 1 2; do
	"$OUT/gilscope" record -q -f json -o "/tmp/gs-keep$k" -p $idle >/dev/null 2>&1 &
	keeper=$!
	n=0
	for i in $(seq 120); do
		n=$(ls -l /proc/$keeper/fd 2>/dev/null | grep -c bpf_link)
		[ "$n" -ge 8 ] && break
		sleep 0.5
	done
	echo "guest: keeper $k (pid $keeper) holds $n tracepoint links"
done
for c in $others; do echo 1 > "$c"; done

# A test that hangs: say where every process is, then stop them all (kill -1
# spares this shell's parent, init, which reports the status) before the host
# kills the whole guest.
(
	sleep "$WATCHDOG"
	echo "guest: WATCHDOG: still running after ${WATCHDOG}s; what each process is doing:"
	sh tests/kernels/dump.sh
	echo "watchdog: FAIL (hung after ${WATCHDOG}s)" >> "$steps"
	kill -9 -1
) &
watchdog=$!

# script:FILE (tests/kernels/run.sh's third mode): run FILE instead, to look
# into a failure on one kernel
case "$MODE" in
script:*)
	sh "${MODE#script:}"
	status=$?
	echo "guest: script: status $status"
	echo "script: $([ $status = 0 ] && echo ok || echo "FAIL (status $status)")" >> "$steps"
	kill $watchdog 2>/dev/null
	exit $status
	;;
esac

echo "=== doctor"
t0=$(date +%s)
if "$OUT/gilscope" doctor; then step doctor ok; else step doctor FAIL; fi

# a real record of a futex ping-pong, read back by `report`
echo "=== record"
rec=/tmp/gs-record
if "$OUT/gilscope" record -o $rec --format json -- "$OUT/progs/pingpong" 2000 &&
	"$OUT/gilscope" report $rec/results.json -o /tmp/gs-report --format csv >/dev/null; then
	step record ok
else
	step record FAIL
fi

# boot: the kernel loads and runs gilscope (doctor, a record) and no more
if [ "$MODE" = boot ]; then
	kill $watchdog 2>/dev/null
	echo "guest: done, status $status"
	exit $status
fi

echo "=== integration tests"
log=$RES/integration.log
if [ "$MODE" = smoke ] || [ "$MODE" = truth ]; then
	# a subset (see .ci/run); same closing lines as tests/run_tests.sh
	tests=$SMOKE_TESTS
	[ "$MODE" = truth ] && tests=$TRUTH_TESTS
	: > "$log"
	ok=0
	bad=0
	failed=""
	for t in $tests; do
		{
			echo "=== integration/$t"
			env GILSCOPE="$OUT/gilscope" PROGS="$OUT/progs" "$OUT/tests/$t"
			echo $? > /tmp/gs-rc
		} 2>&1 | tee -a "$log"
		if [ "$(cat /tmp/gs-rc)" = 0 ]; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
			failed="$failed integration/$t"
		fi
	done
	{
		echo
		[ -n "$failed" ] && echo "failed:$failed"
		echo "tests: $ok passed, $bad failed"
	} | tee -a "$log"
else
	sh tests/run_tests.sh "$OUT" integration 2>&1 | tee "$log"
fi
summary=$(grep -E '^tests: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
case "$summary" in
"tests: "*" passed, 0 failed"*) step integration "ok" ;;
"") step integration "FAIL (no summary line)" ;;
*) step integration "FAIL (${summary#tests: })" ;;
esac
failed=$(grep '^failed:' "$log" | tail -1)
[ -n "$failed" ] && echo "integration-$failed" >> "$steps"
kill $watchdog 2>/dev/null
echo "guest: done, status $status"
exit $status
