/* clock.c - see clock.h. */
#include "clock.h"

#include <time.h>

uint64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double clock_elapsed_s(uint64_t since_ns)
{
	return (double)(clock_mono_ns() - since_ns) / 1e9;
}
