#!/bin/sh
# Run the results.json fuzzer for a bounded time, seeded with tests/fixtures and
# tests/fuzz/seeds (compact, trimmed copies of them: inputs are kept under
# 64 KiB so that mutations stay fast).
#   tests/fuzz/run.sh FUZZER SECONDS
# The corpus grows in the fuzzer's folder (corpus/) across runs; a crash is
# saved there as crash-* and fails the run (reproduce: FUZZER crash-FILE).
set -u
bin=$1
secs=${2:-60}
dir=$(dirname "$bin")
mkdir -p "$dir/corpus"
echo "fuzz: $bin for ${secs}s (seeds: tests/fixtures tests/fuzz/seeds, dictionary: tests/fuzz/results.dict)"
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	-dict=tests/fuzz/results.dict -artifact_prefix="$dir/" "$dir/corpus" tests/fixtures tests/fuzz/seeds \
	> "$dir/fuzz.log" 2>&1
rc=$?
grep -E '^#[0-9]+.*(DONE|INITED)|^stat::number_of_executed_units|^stat::peak_rss_mb' "$dir/fuzz.log"
if [ $rc -ne 0 ]; then
	tail -60 "$dir/fuzz.log"
	echo "fuzz: FAILED (status $rc); the input is saved as $(ls -t "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -1)"
	exit 1
fi
echo "fuzz: ok, no crash, leak or hang in ${secs}s"
