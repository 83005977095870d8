#!/bin/sh
# Boot the kernels Debian 12 users run (6.1 and 6.1 PREEMPT_RT) under QEMU
# (TCG: no KVM needed) and run gilscope's doctor, a record and the integration
# tests inside, against the binaries already built in BUILD_DIR.
#   tests/kernels/run.sh BUILD_DIR [full|smoke|truth|boot|script:FILE]
# (script:FILE runs FILE, a path inside the checkout, instead of the tests: to
# look into a failure on one kernel)
# (boot: doctor and a record only; smoke: test_kernel_truth and
# test_kernel_sched; truth: test_kernel_truth.)
# Environment:
#   KERNEL_TESTS_RT the mode of the PREEMPT_RT flavour (default: the same)
#   KERNELS         Debian image packages to boot (default: the newest
#                   linux-image-6.1.0-N-amd64-unsigned and its -rt-amd64 flavour)
#   KERNEL_TIMEOUT  seconds one guest may take before it is killed (default 600; the guest reports where it hangs a minute before)
#   KERNEL_CACHE    where packages are unpacked (default BUILD_DIR/kernels)
# The guest is the host's own userland: its root is the host's / shared
# read-only over 9p, the checkout is shared read-write so results come back.
# Per kernel: the serial console goes to BUILD_DIR/kernels/results/VERSION/
# console.log, the guest writes its exit status to rc there. Ends with one
# line per kernel and "kernels: N passed, N failed"; exits non-zero if any failed.
set -u
OUT=${1:-build}
MODE=${2:-full}
BASE_MODE=$MODE
TIMEOUT=${KERNEL_TIMEOUT:-600}
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
cd "$checkout" || exit 1
CACHE=${KERNEL_CACHE:-$OUT/kernels}
# modules the initramfs loads (with what they depend on): virtio PCI and 9p
WANT_MODS="virtio_pci 9pnet_virtio 9p"

case "$checkout$OUT" in
*[[:space:]]*)
	echo "kernels: error: the checkout's path must not contain spaces: '$checkout'" >&2
	exit 2
	;;
esac
case "$OUT" in
/*)
	echo "kernels: error: BUILD_DIR must be relative to the checkout (got $OUT)" >&2
	exit 2
	;;
esac
for f in "$OUT/gilscope" "$OUT/progs/pingpong" "$OUT/tests/test_tracer"; do
	[ -x "$f" ] || {
		echo "kernels: error: $f is missing: build first (make test-kernels does)" >&2
		exit 2
	}
done

# The newest package whose name matches an extended regex, by version order.
newest() {
	apt-cache pkgnames linux-image-6.1.0- | grep -E "^$1\$" | sort -V | tail -1
}

if [ -z "${KERNELS:-}" ]; then
	k=$(newest 'linux-image-6\.1\.0-[0-9]+-amd64-unsigned')
	if [ -z "$k" ]; then
		apt-get update -q >/dev/null
		k=$(newest 'linux-image-6\.1\.0-[0-9]+-amd64-unsigned')
	fi
	rt=$(newest 'linux-image-6\.1\.0-[0-9]+-rt-amd64-unsigned')
	KERNELS="$k $rt"
	[ -n "$k" ] && [ -n "$rt" ] || {
		echo "kernels: error: no linux-image-6.1.0-*-amd64-unsigned package known to apt" >&2
		exit 2
	}
fi

# Download and unpack a package once; prints the unpacked root.
fetch() { # package
	root=$CACHE/$1/root
	if [ ! -e "$CACHE/$1/.unpacked" ]; then
		echo "kernels: downloading $1" >&2
		rm -rf "${CACHE:?}/$1"
		mkdir -p "$CACHE/$1"
		# stale package lists name a file the mirror no longer has: update once
		(cd "$CACHE/$1" && { apt-get download -q -o APT::Sandbox::User=root "$1" ||
			{ apt-get update -q && apt-get download -q -o APT::Sandbox::User=root "$1"; }; } >&2) ||
			return 1
		dpkg-deb -x "$CACHE/$1"/*.deb "$root" || return 1
		rm -f "$CACHE/$1"/*.deb
		touch "$CACHE/$1/.unpacked"
	fi
	echo "$root"
}

# Modules to insmod, in load order: each wanted module after what it needs.
module_order() { # root version
	dep=$1/lib/modules/$2/modules.dep
	[ -s "$dep" ] || depmod -b "$1" "$2" || return 1
	for m in $WANT_MODS; do
		line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$dep") || {
			grep -qE "/$m\.ko" "$1/lib/modules/$2/modules.builtin" && continue
			echo "kernels: error: module $m not in $dep" >&2
			return 1
		}
		# modules.dep lists a module's needs, the last to load first
		# shellcheck disable=SC2086
		printf '%s\n' ${line#*:} | tac
		echo "${line%%:*}"
	done | awk 'NF && !seen[$0]++'
}

# The initramfs: static busybox, /init, the modules in load order.
make_initramfs() { # root version output
	stage=$(mktemp -d)
	mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" "$stage/dev"
	cp "$(command -v busybox)" "$stage/bin/busybox"
	cp "$here/init.sh" "$stage/init"
	chmod 755 "$stage/init"
	order=$(module_order "$1" "$2") || {
		rm -rf "$stage"
		return 1
	}
	for m in $order; do
		cp "$1/lib/modules/$2/$m" "$stage/lib/modules/"
		basename "$m" >> "$stage/modules"
	done
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$3.tmp" && mv "$3.tmp" "$3"
	rc=$?
	rm -rf "$stage"
	return $rc
}

# Boot one kernel; prints the guest's output as it comes, returns its status.
boot() { # package
	root=$(fetch "$1") || {
		echo "FAIL $1: could not download or unpack the package" >> "$OUT/kernels/summary"
		return 1
	}
	ver=$(ls "$root/lib/modules")
	kernel=$root/boot/vmlinuz-$ver
	res=$OUT/kernels/results/$ver
	rm -rf "$res"
	mkdir -p "$res"
	make_initramfs "$root" "$ver" "$CACHE/$1/initramfs.gz" || {
		echo "FAIL $ver: could not build the initramfs" >> "$OUT/kernels/summary"
		return 1
	}
	# the PREEMPT_RT flavour may be given a mode of its own (KERNEL_TESTS_RT)
	MODE=$BASE_MODE
	case "$ver" in *-rt-*) MODE=${KERNEL_TESTS_RT:-$BASE_MODE} ;; esac
	echo "kernels: booting $ver (timeout ${TIMEOUT}s, mode $MODE)"
	start=$(date +%s)
	: > "$res/console.log"
	# -nodefaults: no NIC/VGA; the serial console goes to a file, the guest's
	# exit status to $res/rc; a guest that hangs is killed by timeout.
	# tsc=reliable: TCG's TSC is the host's, the same on every vCPU; without
	# it the guest falls back to the HPET, whose every read traps into QEMU
	# (clock_gettime ~10x slower). loglevel=5: warnings and their backtraces
	# (soft lockups, RCU stalls) reach the console, boot chatter does not.
	# schedstats=enable: test_kernel_sched's truth (wait_sum) without
	# switching it on at run time, which patches the scheduler's code (see
	# guest.sh on patching under TCG).
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -nodefaults -no-reboot -display none \
		-accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
		-kernel "$kernel" -initrd "$CACHE/$1/initramfs.gz" \
		-append "console=ttyS0 panic=-1 loglevel=5 tsc=reliable schedstats=enable gs_dir=$checkout gs_out=$OUT gs_res=$res gs_mode=$MODE gs_ci=${CI:-} gs_watchdog=$((TIMEOUT - 60))" \
		-serial "file:$res/console.log" \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$checkout,mount_tag=work,security_model=none,multidevs=remap" \
		> "$res/qemu.log" 2>&1 &
	qpid=$!
	tail -n +1 -f --pid=$qpid "$res/console.log" | sed -u "s/^/[$ver] /"
	wait $qpid
	qrc=$?
	secs=$(($(date +%s) - start))
	if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		why="killed after ${TIMEOUT}s (hung guest)"
	elif [ ! -s "$res/rc" ]; then
		why="no exit status from the guest (qemu status $qrc: $(tail -1 "$res/qemu.log"))"
	elif [ "$(cat "$res/rc")" != 0 ]; then
		why="guest status $(cat "$res/rc")"
	else
		why=""
	fi
	steps=$(grep -v '^integration-failed' "$res/steps" 2>/dev/null | sed 's/: /=/' | tr '\n' ' ')
	ifailed=$(sed -n 's/^integration-failed: *//p' "$res/steps" 2>/dev/null)
	if [ -z "$why" ]; then
		echo "PASS $ver ($MODE): ${steps}in ${secs}s" >> "$OUT/kernels/summary"
		return 0
	fi
	echo "FAIL $ver ($MODE): $why; ${steps}${ifailed:+failed: $ifailed; }in ${secs}s; log: $res/console.log" >> "$OUT/kernels/summary"
	return 1
}

mkdir -p "$OUT/kernels"
: > "$OUT/kernels/summary"
passed=0
failed=0
for k in $KERNELS; do
	if boot "$k"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo
echo "kernel results:"
sed 's/^/  /' "$OUT/kernels/summary"
echo "kernels: $passed passed, $failed failed"
[ $failed -eq 0 ]
