/* threads - N short-lived threads, one after another: each computes a little
 * (about 0.2 ms of CPU) and exits, and is joined before the next starts. A tracer must free what it
 * keeps of each ended thread to stay exact over any number of them.
 *   threads N */
#include <pthread.h>
#include <stdlib.h>

static void *work(void *arg)
{
	volatile unsigned long x = 0;

	for (int i = 0; i < 400000; i++)
		x += (unsigned long)i * 2654435761u;
	return arg;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;

	for (long i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, work, NULL) || pthread_join(t, NULL))
			return 1;
	}
	return 0;
}
