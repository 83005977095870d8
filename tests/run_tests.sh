#!/bin/sh
# Run gilscope's tests: cmocka unit tests, then root integration tests (which
# load the real BPF programs), then script tests (tests/scripts/*.sh, e.g. the
# headless-browser check of the HTML report).
#   tests/run_tests.sh BUILD_DIR [unit|integration|scripts]
# Ends with one line "N passed, N failed". A test binary that exits non-zero
# fails; an integration test may only skip (exit 77) where BPF is unavailable,
# and never when CI=true.
set -u
OUT=${1:-build}
ONLY=${2:-all}
passed=0
failed=0
skipped=0
failures=""

run_one() { # name, command...
	name=$1
	shift
	echo "=== $name"
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
	elif [ $rc -eq 77 ] && [ "${CI:-}" != "true" ]; then
		echo "!!! SKIPPED: $name (see the reason above) !!!"
		skipped=$((skipped + 1))
	else
		[ $rc -eq 77 ] && echo "!!! $name skipped under CI=true: counted as a failure"
		failed=$((failed + 1))
		failures="$failures $name"
	fi
}

if [ "$ONLY" = all ] || [ "$ONLY" = unit ]; then
	for t in tests/unit/test_*.c; do
		[ -e "$t" ] || continue
		b=$OUT/tests/$(basename "$t" .c)
		run_one "unit/$(basename "$b")" "$b"
	done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = integration ]; then
	for t in tests/integration/test_*.c; do
		[ -e "$t" ] || continue
		b=$OUT/tests/$(basename "$t" .c)
		run_one "integration/$(basename "$b")" env GILSCOPE="$OUT/gilscope" PROGS="$OUT/progs" "$b"
	done
fi
if [ "$ONLY" = all ] || [ "$ONLY" = scripts ]; then
	for t in tests/scripts/*.sh; do
		[ -e "$t" ] || continue
		run_one "scripts/$(basename "$t" .sh)" sh "$t" "$OUT"
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
