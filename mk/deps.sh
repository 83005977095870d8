#!/bin/sh
# Install the Debian packages gilscope needs that are missing, and say so.
# Run by `make run`, `make test` and `make bench` (`deps.sh bench` adds the
# tools the benchmark compares against); a no-op when all are there.
#   deps.sh san      + clang's sanitizer and libFuzzer runtimes (make sanitize, make fuzz)
#   deps.sh kernels  + QEMU, busybox and cpio to boot Debian's kernels (make test-kernels)
set -eu

PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev liburing-dev
libcmocka-dev libjansson-dev pkg-config libjs-chart.js chromium stress-ng
linux-perf procps time python3"
# make bench compares gilscope's cost with a bpftrace script on the same storm
[ "${1:-}" = bench ] && PKGS="$PKGS bpftrace"
# make sanitize and make fuzz build with clang 14's ASan/UBSan/libFuzzer runtimes
[ "${1:-}" = san ] && PKGS="$PKGS libclang-rt-14-dev"
# make test-kernels boots Debian's 6.1 kernels under QEMU (TCG) from a busybox
# initramfs; apt-get downloads the kernel packages themselves
[ "${1:-}" = kernels ] && PKGS="$PKGS qemu-system-x86 busybox-static cpio kmod"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

# node runs the browser test; the machine image may carry its own build
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
	echo "deps: installing missing packages:$missing"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: error: installing packages needs root; run: sudo apt-get install$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
else
	echo "deps: all required Debian packages are installed"
fi

# playwright-core drives Debian's chromium in the browser test (no browser download)
if [ ! -d tests/browser/node_modules/playwright-core ]; then
	echo "deps: installing the browser test's npm packages (tests/browser)"
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "deps: done"
