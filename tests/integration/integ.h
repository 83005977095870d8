/* integ.h - helpers of the root integration tests: they load the real BPF
 * programs and compare gilscope's figures with the kernel's own accounting. */
#ifndef GS_INTEG_H
#define GS_INTEG_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "tracer.h"

/* Exit 77 (skip) with a loud banner when BPF cannot be used here at all. The
 * test runner counts a skip as a failure when CI=true. Every integration test
 * calls it first thing. */
static inline void integ_require_bpf(void)
{
	struct tracer_opts o = { 0 };
	char err[512];
	struct tracer *t;

	if (geteuid() != 0) {
		fprintf(stderr, "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
				"!!! SKIPPING BPF INTEGRATION TESTS: not root (run sudo make test)\n"
				"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n");
		exit(77);
	}
	t = tracer_open(&o, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
				"!!! SKIPPING BPF INTEGRATION TESTS: BPF unavailable: %s\n"
				"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n", err);
		exit(77);
	}
	tracer_close(t);
	/* GS_TEST_FILTER=GLOB runs only the matching tests (make mutate uses it) */
	if (getenv("GS_TEST_FILTER"))
		cmocka_set_test_filter(getenv("GS_TEST_FILTER"));
}

static inline double integ_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Relative difference of a and b, against b. */
static inline double integ_reldiff(double a, double b)
{
	return b ? (a > b ? a - b : b - a) / b : (a ? 1 : 0);
}

#define assert_within(a, b, tol)                                                          \
	do {                                                                               \
		double a_ = (double)(a), b_ = (double)(b);                                 \
		if (integ_reldiff(a_, b_) > (tol))                                          \
			fail_msg("%s = %.0f vs %s = %.0f: %.2f%% apart, more than %.1f%%", #a, \
				 a_, #b, b_, 100 * integ_reldiff(a_, b_), 100 * (double)(tol)); \
		else                                                                       \
			printf("    %s = %.0f vs %s = %.0f (%.3f%% apart)\n", #a, a_, #b, b_,   \
			       100 * integ_reldiff(a_, b_));                                     \
	} while (0)

/* A PREEMPT_RT kernel (/sys/kernel/realtime says 1): its spinlocks sleep and
 * are preemptible, which opens windows the other kernels close. */
static inline bool integ_preempt_rt(void)
{
	FILE *f = fopen("/sys/kernel/realtime", "r");
	int rt = 0;

	if (f) {
		if (fscanf(f, "%d", &rt) != 1)
			rt = 0;
		fclose(f);
	}
	return rt == 1;
}

/* Path of a test program built in build/progs (PROGS is set by run_tests.sh). */
static inline const char *integ_prog(const char *name)
{
	static char buf[8][512];
	static int i;
	const char *dir = getenv("PROGS") ? getenv("PROGS") : "build/progs";

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static inline const char *integ_gilscope(void)
{
	return getenv("GILSCOPE") ? getenv("GILSCOPE") : "build/gilscope";
}

/*
 * Figures read from a results document. A missing figure (absent, null, or
 * not a number) fails the test at once: it is never read as a number, so two
 * missing figures cannot compare equal.
 */
static inline double integ_num_at(const json_t *obj, const char *key, const char *where)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		fail_msg("%s %s is missing (%s)", where, key,
			 v ? (json_is_null(v) ? "null" : "not a number") : "absent");
	return json_number_value(v);
}

/* A field of an object: integ_num(run, "wall_s"). */
#define integ_num(obj, key) integ_num_at((obj), (key), "field")
/* A metric of a run: run.metrics.NAME. */
#define integ_metric(run, name) integ_num_at(json_object_get((run), "metrics"), (name), "metric")

/* An object member that must be there. */
static inline json_t *integ_obj(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		fail_msg("%s is missing", key);
	return v;
}

/* A string member that must be there. */
static inline const char *integ_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s)
		fail_msg("string %s is missing", key);
	return s;
}

#endif
