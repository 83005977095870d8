/* sysloop - N getppid() system calls in a loop, the cheapest syscall there is:
 * what a tracer adds to every system call of a bystander shows here in full.
 *   sysloop N      prints its own elapsed time ("elapsed SECONDS") */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* not the libc wrapper: it may cache */
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("elapsed %.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
