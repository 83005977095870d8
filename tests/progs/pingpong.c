/* pingpong - two threads hand a token back and forth N times through one futex
 * word. Each thread counts the FUTEX_WAIT calls it makes.
 *   pingpong N [OUT_FILE]   writes "ADDRESS PID WAITS" to OUT_FILE at the end
 * and prints its own elapsed time ("elapsed SECONDS"), which the overhead
 * benchmark compares traced and untraced. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic int word; /* 0: ping's turn, 1: pong's turn */
static long rounds;
static _Atomic long waits;

static void wait_for(int turn)
{
	int v;

	while ((v = atomic_load(&word)) != turn) {
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
		atomic_fetch_add(&waits, 1);
	}
}

static void hand_to(int turn)
{
	atomic_store(&word, turn);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
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
		fprintf(f, "0x%lx %d %ld\n", (unsigned long)&word, (int)getpid(), atomic_load(&waits));
		fclose(f);
	}
	return 0;
}
