/* attach_tree - a target for `gilscope record -p`: a multi-threaded process
 * with children, parked until the test says go, then busy for a while with
 * threads and a process exiting mid-window, then parked again.
 *   attach_tree FILE
 * FILE (created by the test, 64 KiB) is shared with the test: the go and done
 * flags, and for every thread or process that exits, its own final context
 * switch counts (getrusage of the thread, wait4 of a process), which the test
 * can no longer read from /proc.
 *
 * Before go: main (burned 200 ms of CPU) + threads E1 (stays), E2 (exits),
 * children C1 (2 threads, stay) and C2 (exits). After go: main starts threads
 * L1..L3 (exit) and child C3 (2 threads; exits), everyone works, then the
 * leavers leave and the stayers park. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include "last_switch.h"

struct exit_rec {
	int tid, tgid;
	long nvcsw, nivcsw;
	long oncpu_us;
};

struct shared {
	_Atomic int go, done, parked;
	_Atomic int nrec;
	struct exit_rec rec[256];
};

static struct shared *sh;

static void burn(long ms)
{
	struct timespec a, b;
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	do {
		for (int i = 0; i < 20000; i++)
			x += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

/* Park on a word of the shared file until it is set (a shared futex). */
static void wait_flag(_Atomic int *w)
{
	while (!atomic_load(w))
		syscall(SYS_futex, w, FUTEX_WAIT, 0, NULL, NULL, 0);
}

static void park_forever(void)
{
	atomic_fetch_add(&sh->parked, 1);
	for (;;)
		pause();
}

/* Work: rounds of computing and short sleeps (both kinds of switches). */
static void work(int rounds)
{
	struct timespec nap = { 0, 500000 };

	for (int r = 0; r < rounds; r++) {
		burn(1);
		nanosleep(&nap, NULL);
	}
}

static void record_rusage(int who, int tid, int tgid)
{
	struct rusage ru;
	int i = atomic_fetch_add(&sh->nrec, 1);

	getrusage(who, &ru);
	sh->rec[i].tid = tid;
	sh->rec[i].tgid = tgid;
	sh->rec[i].nvcsw = ru.ru_nvcsw;
	sh->rec[i].nivcsw = ru.ru_nivcsw;
	sh->rec[i].oncpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
			      ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* A thread that leaves mid-window: its last figures go to the file. */
static void leave_thread(void)
{
	record_rusage(RUSAGE_THREAD, (int)gettid(), (int)getpid());
}

static void *stayer(void *arg)
{
	burn(50);
	wait_flag(&sh->go);
	work(150);
	park_forever();
	return arg;
}

static void *leaver(void *arg)
{
	wait_flag(&sh->go);
	work(60);
	leave_thread();
	return arg;
}

static void *late_leaver(void *arg)
{
	work(60);
	leave_thread();
	return arg;
}

/* A thread of a child process that leaves: the child joins it, so its
 * figures are in the child's rusage, which the parent reaps. */
static void *child_leaver(void *arg)
{
	work(60);
	return arg;
}

/* A child process of `threads` threads (plus itself) that stays or exits;
 * an early one waits for go, a late one starts at once. */
static pid_t child(int threads, bool stays, bool late)
{
	pthread_t t[8];
	pid_t p = fork();

	if (p)
		return p;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, stays ? stayer : child_leaver, NULL);
	if (!late)
		wait_flag(&sh->go);
	work(100);
	if (stays)
		park_forever();
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

static void reap(pid_t pid)
{
	struct rusage ru;
	int i;

	while (last_switch_wait4(pid, NULL, 0, &ru) < 0)
		;
	i = atomic_fetch_add(&sh->nrec, 1);
	sh->rec[i].tid = pid;
	sh->rec[i].tgid = pid;
	sh->rec[i].nvcsw = ru.ru_nvcsw;
	sh->rec[i].nivcsw = ru.ru_nivcsw;
	sh->rec[i].oncpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
			      ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	pthread_t e1, e2, late[3];
	pid_t c2, c3;
	int fd;

	if (argc < 2 || (fd = open(argv[1], O_RDWR)) < 0)
		return 2;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sh == MAP_FAILED)
		return 2;
	burn(200); /* a past the attach must not count */
	pthread_create(&e1, NULL, stayer, NULL);
	pthread_create(&e2, NULL, leaver, NULL);
	child(2, true, false);  /* C1 */
	c2 = child(0, false, false);
	wait_flag(&sh->go);
	for (int i = 0; i < 3; i++)
		pthread_create(&late[i], NULL, late_leaver, NULL);
	c3 = child(2, false, true);
	work(100);
	pthread_join(e2, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(late[i], NULL);
	reap(c2);
	reap(c3);
	atomic_store(&sh->done, 1);
	park_forever();
	return 0;
}
