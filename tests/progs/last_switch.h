/* last_switch.h - reap a child only after its last switch, so that its
 * rusage is not a race.
 *
 * A parent's wait takes a process leader's switch counts when it reaps it.
 * The leader's own last switch (and any preemption on its way out of
 * do_exit) may come before or after that: the kernel's rusage includes it or
 * not by a race, which on PREEMPT_RT, or under emulation, goes either way
 * often. A test that compares switch counts with rusage exactly waits until
 * the zombie is off the CPU for good before it reaps it. /proc/PID/syscall
 * tells: the kernel waits there until the task is off the CPU in the state
 * it read, and prints "-1 0x0 0x0" only for a task whose kernel stack is
 * gone, which a dead task's is once its last switch is over ("running" while
 * it is on its way out). Root only, as that file is. */
#ifndef GS_TEST_LAST_SWITCH_H
#define GS_TEST_LAST_SWITCH_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Wait until the zombie child pid (already exited: see waitid WNOWAIT) has
 * made its last switch. */
static inline void last_switch_wait(pid_t pid)
{
	const struct timespec ms = { 0, 1000000 };
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (long i = 0;; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n < 0) {
			fprintf(stderr, "last_switch: cannot read %s (root is needed)\n", path);
			exit(97);
		}
		buf[n] = 0;
		if (!strncmp(buf, "-1 0x0 0x0", 10))
			return;
		if (i == 60000) {
			fprintf(stderr, "last_switch: pid %d has not left the CPU after 60 s: %s\n",
				(int)pid, buf);
			exit(96);
		}
		nanosleep(&ms, NULL);
	}
}

/* Like wait4(pid, status, options, ru), but a child is reaped only after its
 * last switch. pid -1: any child. Returns the reaped pid, 0 (WNOHANG, none
 * exited yet) or -1 (errno set, as wait4's). */
static inline pid_t last_switch_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	siginfo_t si = { 0 };

	if (waitid(pid < 0 ? P_ALL : P_PID, pid < 0 ? 0 : (id_t)pid, &si,
		   WEXITED | WNOWAIT | (options & WNOHANG)))
		return -1;
	if (!si.si_pid)
		return 0;
	last_switch_wait(si.si_pid);
	return wait4(si.si_pid, status, 0, ru);
}

#endif
