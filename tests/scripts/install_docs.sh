#!/bin/sh
# make install puts the binary, the man page and the bash completion under
# DESTDIR/PREFIX; the man page formats without warnings; the man page and the
# completion know every subcommand and every long option its --help lists.
set -eu
OUT=${1:-build}
TMP=$(mktemp -d /tmp/gilscope-install.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0
bad() { echo "FAIL $*"; fail=1; }

make -s --no-print-directory install DESTDIR="$TMP" PREFIX=/usr OUT="$OUT" >/dev/null
for f in usr/bin/gilscope usr/share/man/man1/gilscope.1 usr/share/bash-completion/completions/gilscope; do
	[ -f "$TMP/$f" ] && echo "ok   installed $f" || bad "not installed: $f"
done
MAN=$TMP/usr/share/man/man1/gilscope.1
COMP=$TMP/usr/share/bash-completion/completions/gilscope
if command -v man >/dev/null; then
	warn=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null || true)
	[ -z "$warn" ] && echo "ok   man page formats cleanly" || bad "man warnings: $warn"
fi
bash -n "$COMP" && echo "ok   completion parses" || bad "completion does not parse"
for cmd in run record report compare doctor; do
	grep -q "^\.SS $cmd\$" "$MAN" || bad "man page: no section for $cmd"
	grep -q "$cmd" "$COMP" || bad "completion: no $cmd"
	for opt in $("$OUT/gilscope" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[ "$opt" = --help ] && continue
		grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$MAN" || bad "man page: $cmd $opt missing"
		grep -q -- "$opt" "$COMP" || bad "completion: $cmd $opt missing"
	done
done
[ $fail -eq 0 ] && echo "install: all checks passed"
exit $fail
