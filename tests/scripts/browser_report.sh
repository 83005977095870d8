#!/bin/sh
# The HTML report in a real browser: headless Chromium (Debian's) driven by
# playwright-core (tests/browser) loads reports made from the fixtures, which
# carry markup planted in a command name, a thread name and a file name, and
# checks them with tests/browser/check_report.mjs. Screenshots are left in
# BUILD_DIR/report-*.png.
set -eu
OUT=${1:-build}
TMP=$(mktemp -d /tmp/gilscope-browser.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
CHECK="node tests/browser/check_report.mjs"

if [ ! -x /usr/bin/chromium ] || [ ! -d tests/browser/node_modules/playwright-core ]; then
	echo "browser test: chromium or playwright-core missing (run make deps)" >&2
	exit 1
fi
"$OUT/gilscope" report tests/fixtures/run_small.json -o "$TMP/run" -f html
$CHECK "$TMP/run/report.html" "$OUT/report-run.png" 6 '<script>alert(1)</script>' \
	verdict-table claims-table runs-table
# run --python at two switch intervals (trimmed from a real run): sim and real
# side by side per cell, the calibration table, the interval sweep's 3 charts, the
# workers sweep's chart;
# markup planted in the interpreter's runtime name (it comes from the
# interpreter) and in a thread name
"$OUT/gilscope" report tests/fixtures/run_python_small.json -o "$TMP/python" -f html
$CHECK "$TMP/python/report.html" "$OUT/report-python.png" 10 'cpython-3.11.2<img src=x onerror=alert(2)>' \
	verdict-table claims-table sim-vs-real calibration-table runs-table \
	'=[data-chart="interval-handoffs"]' '=[data-chart="interval-switches"]' \
	'=[data-chart="interval-convoy"]' '=[data-chart="workers-sweep"]'
"$OUT/gilscope" report tests/fixtures/record_small.json -o "$TMP/record" -f html
$CHECK "$TMP/record/report.html" "$OUT/report-record.png" 2 '<script>alert(1)</script>' runs-table
# a recorded CPython (I/O thread beside a spinning one): the breakdown chart,
# the findings and the named lock table must be there
"$OUT/gilscope" report tests/fixtures/record_python.json -o "$TMP/python" -f html
$CHECK "$TMP/python/report.html" "$OUT/report-python.png" 3 '<script>alert(2)</script>' runs-table \
	'=[data-chart="breakdown"]' '=#findings li[data-finding="gil_convoy"]' '=.locks-table tr.lock-gil'
evil='<img src=x onerror=alert(3)>.json'
cp tests/fixtures/run_small.json "$TMP/$evil"
"$OUT/gilscope" compare tests/fixtures/run_small.json "$TMP/$evil" -o "$TMP/cmp" >/dev/null
$CHECK "$TMP/cmp/compare.html" "$OUT/report-compare.png" 1 "$evil" sources compare-table
