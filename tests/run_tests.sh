#!/bin/sh
# Run gilscope's tests: cmocka unit tests, then root integration tests (which
# load the real BPF programs), then script tests (tests/scripts/*.sh, e.g. the
# headless-browser check of the HTML report).
#   tests/run_tests.sh BUILD_DIR [unit|integration|scripts]
# Ends with one line "N passed, N failed". A test binary that exits non-zero
# fails; an integration test may only skip (exit 77) where BPF is unavailable,
# and never when CI=true.
# Every binary runs under a timeout (TEST_TIMEOUT seconds, default 60 for a
# unit test and 300 for the others): a hang is a failure that names the test,
# never a CI job that waits forever. timeout(1) runs the test in a process
# group of its own and signals the whole group, so programs the test started
# go with it.
set -u
OUT=${1:-build}
ONLY=${2:-all}
passed=0
failed=0
skipped=0
failures=""

run_one() { # name, seconds, command...
	name=$1
	limit=${TEST_TIMEOUT:-$2}
	shift 2
	echo "=== $name"
	timeout --kill-after=10 "$limit" "$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		return
	fi
	if [ $rc -eq 77 ] && [ "${CI:-}" != "true" ]; then
		echo "!!! SKIPPED: $name (see the reason above) !!!"
		skipped=$((skipped + 1))
		return
	fi
	# 124: the TERM of the timeout ended it; 137: it ignored TERM and was KILLed
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "!!! TIMEOUT: $name did not finish within $limit s (a hang?): counted as a failure"
	elif [ $rc -eq 77 ]; then
		echo "!!! $name skipped under CI=true: counted as a failure"
	else
		echo "!!! FAILED: $name (exit status $rc)"
	fi
	failed=$((failed + 1))
	failures="$failures $name"
}

if [ "$ONLY" = all ] || [ "$ONLY" = unit ]; then
	for t in tests/unit/test_*.c; do
		[ -e "$t" ] || continue
		b=$OUT/tests/$(basename "$t" .c)
		run_one "unit/$(basename "$b")" 60 "$b"
	done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = integration ]; then
	for t in tests/integration/test_*.c; do
		[ -e "$t" ] || continue
		b=$OUT/tests/$(basename "$t" .c)
		run_one "integration/$(basename "$b")" 300 env GILSCOPE="$OUT/gilscope" PROGS="$OUT/progs" "$b"
	done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = scripts ]; then
	for t in tests/scripts/*.sh; do
		[ -e "$t" ] || continue
		run_one "scripts/$(basename "$t" .sh)" 300 sh "$t" "$OUT"
	done
fi

echo
[ -n "$failures" ] && echo "failed:$failures"
if [ $skipped -gt 0 ]; then
	echo "tests: $passed passed, $failed failed, $skipped skipped"
else
	echo "tests: $passed passed, $failed failed"
fi
[ $failed -eq 0 ]
