/* tree - a small process tree of known behaviour: P processes, each with T
 * threads that alternate CPU work and short sleeps, so there are voluntary and
 * involuntary switches, migrations and run-queue waits in every process.
 *   tree [P] [T] [ROUNDS] */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "last_switch.h"

static int rounds;

static void *worker(void *arg)
{
	volatile unsigned long x = 0;
	struct timespec nap = { 0, 200000 };

	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 300000; i++)
			x += (unsigned long)i * 2654435761u;
		nanosleep(&nap, NULL);
	}
	return arg;
}

static void process_body(int threads)
{
	pthread_t t[64];

	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	int procs = argc > 1 ? atoi(argv[1]) : 3;
	int threads = argc > 2 ? atoi(argv[2]) : 3;

	rounds = argc > 3 ? atoi(argv[3]) : 200;
	if (threads > 64)
		threads = 64;
	for (int p = 0; p < procs; p++) {
		if (fork() == 0) {
			process_body(threads);
			_exit(0);
		}
	}
	process_body(1);
	while (last_switch_wait4(-1, NULL, 0, NULL) > 0)
		;
	return 0;
}
