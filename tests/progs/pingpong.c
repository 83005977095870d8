/* pingpong - two threads hand a token back and forth N times through one futex
 * word, and print their elapsed time ("elapsed SECONDS"), which the overhead
 * benchmark compares traced and untraced.
 *   pingpong N [OUT_FILE]   writes "ADDRESS PID BLOCKED WAKES CALLS WOKEN" to
 * OUT_FILE: with OUT_FILE the threads count their FUTEX_WAIT calls (CALLS),
 * the voluntary switches inside them (the thread's own count,
 * getrusage(RUSAGE_THREAD), before and after each call: BLOCKED), the calls
 * that blocked and returned 0, woken (WOKEN), and their FUTEX_WAKE calls
 * (WAKES). BLOCKED - WOKEN is more than 0 only where a wait also blocks on
 * something else, as on PREEMPT_RT on the futex bucket's lock. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int word; /* 0: ping's turn, 1: pong's turn */
static long rounds;
static _Atomic long calls, blocked, woken, wakes;
static int counting;

static long nvcsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

static void wait_for(int turn)
{
	int v;

	while ((v = atomic_load(&word)) != turn) {
		long before = counting ? nvcsw() : 0, rc, n;

		rc = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
		if (counting) {
			n = nvcsw() - before;
			atomic_fetch_add(&calls, 1);
			atomic_fetch_add(&blocked, n);
			if (rc == 0 && n > 0)
				atomic_fetch_add(&woken, 1);
		}
	}
}

static void hand_to(int turn)
{
	atomic_store(&word, turn);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	if (counting)
		atomic_fetch_add(&wakes, 1);
}

static void *pong(void *arg)
{
	for (long i = 0; i < rounds; i++) {
		wait_for(1);
		hand_to(0);
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rounds = argc > 1 ? atol(argv[1]) : 10000;
	counting = argc > 2;
	pthread_create(&t, NULL, pong, NULL);
	for (long i = 0; i < rounds; i++) {
		hand_to(1);
		wait_for(0);
	}
	pthread_join(t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("elapsed %.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");

		if (!f)
			return 1;
		fprintf(f, "0x%lx %d %ld %ld %ld %ld\n", (unsigned long)&word, (int)getpid(),
			atomic_load(&blocked), atomic_load(&wakes), atomic_load(&calls),
			atomic_load(&woken));
		fclose(f);
	}
	return 0;
}
