#!/bin/sh
# Install the Debian packages gilscope needs that are missing, and say so.
# Run by `make run`, `make test` and `make bench`; a no-op when all are there.
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev liburing-dev
libcmocka-dev libjansson-dev pkg-config libjs-chart.js chromium stress-ng
linux-perf procps time"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: all required packages are installed"
	exit 0
fi
echo "deps: installing missing packages:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: error: installing packages needs root; run: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
echo "deps: done"
