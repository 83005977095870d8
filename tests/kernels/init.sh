#!/bin/busybox sh
# /init of the test initramfs (tests/kernels/run.sh builds it): load the 9p
# modules listed in /modules, mount the host's root read-only and the checkout
# read-write over 9p, give the chroot fresh proc/sys/dev/tmp, run guest.sh in
# it, write its exit status into the shared checkout and power off.
# The kernel hands unknown name=value boot parameters to init as environment:
#   gs_dir  the checkout's path (the same inside and outside)
#   gs_res  the result folder, relative to the checkout
#   gs_out  the build folder, relative to the checkout
#   gs_mode full | smoke | script:FILE
#   gs_watchdog  seconds after which guest.sh reports where the tests hang
/bin/busybox --install -s /bin
export PATH=/bin

die() {
	echo "gilscope-vm: init: $*"
	poweroff -f
	exit 1
}

mount -t proc proc /proc
# the I/O workloads talk to a peer on 127.0.0.1
ip link set lo up || die "cannot bring up the loopback interface"
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

for m in $(cat /modules); do
	insmod "/lib/modules/$m" || die "insmod $m failed"
done

R=/newroot
mkdir -p $R
# msize: 9p's default of 8 KiB makes every exec crawl under TCG
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro host $R ||
	die "cannot mount the host's root over 9p"
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs shm $R/dev/shm
# the host's root is read-only: every folder programs write to gets a tmpfs
for d in /tmp /run /var/tmp /root; do
	mount -t tmpfs -o mode=1777 tmp "$R$d" || die "cannot mount a tmpfs on $d"
done
mount -t bpf bpf $R/sys/fs/bpf
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
# the checkout last: it may live under one of the tmpfs folders (CI's clone in
# /tmp, say); its mount point is then made in that tmpfs
mkdir -p "$R$gs_dir" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 work "$R$gs_dir" ||
	die "cannot mount the checkout over 9p"

chroot $R /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM=dumb CI="$gs_ci" \
	/bin/sh "$gs_dir/tests/kernels/guest.sh" "$gs_dir" "$gs_out" "$gs_res" "$gs_mode" "$gs_watchdog"
rc=$?
echo "$rc" > "$R$gs_dir/$gs_res/rc.tmp" && mv "$R$gs_dir/$gs_res/rc.tmp" "$R$gs_dir/$gs_res/rc"
sync
umount "$R$gs_dir"
echo "gilscope-vm: guest done, status $rc"
poweroff -f
