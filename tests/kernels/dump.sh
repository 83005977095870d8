#!/bin/sh
# Print what every user process in the guest is doing (state, CPU ticks, where
# it sleeps, its kernel stack): tests/kernels/guest.sh's watchdog runs this
# before it stops a guest that hangs, so the log says where.
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)
	[ -n "$cmd" ] || continue # kernel threads have no command line
	echo "pid $pid $(cat "$p/comm" 2>/dev/null): state/ppid/utime/stime $(cut -d' ' -f3,4,14,15 "$p/stat" 2>/dev/null)" \
		"wchan=$(cat "$p/wchan" 2>/dev/null) cmd: $cmd"
	for t in "$p"/task/*; do
		[ "${t##*/}" = "$pid" ] && continue
		echo "    thread ${t##*/} $(cat "$t/comm" 2>/dev/null): $(cut -d' ' -f3,14,15 "$t/stat" 2>/dev/null) wchan=$(cat "$t/wchan" 2>/dev/null)"
	done
	sed 's/^/    /' "$p/stack" 2>/dev/null | head -12
done
echo "loadavg: $(cat /proc/loadavg)"
