/* test_findings - findings, the lock table and thread labels of a run, decided
 * from hand-made runs at and around each threshold; docs/results.md lists
 * every threshold. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "findings.h"
#include "locks.h"

#define MS 1000000.0
#define LIFE (1000 * MS)

/* A thread living LIFE with the given shares of on-CPU, run queue, GIL, I/O;
 * the rest in "other". */
static json_t *thread(json_int_t tid, json_int_t tgid, double oncpu, double runq, double gil,
		      double io)
{
	return json_pack("{sI sI ss sf sf sf sf sf sf sf sf sI}", "tid", tid, "tgid", tgid,
			 "comm", "python3", "lifetime_ns", LIFE, "time_oncpu_ns", oncpu * LIFE,
			 "time_runq_ns", runq * LIFE, "time_gil_ns", gil * LIFE, "time_lock_ns", 0.0,
			 "time_io_ns", io * LIFE, "time_sleep_ns", 0.0,
			 "time_other_ns", (1 - oncpu - runq - gil - io) * LIFE, "clear_child_tid",
			 (json_int_t)(0x7000 + tid));
}

static json_t *python_run(bool found)
{
	json_t *run = json_pack("{sf s{sf} s[] s[]}", "wall_s", 1.0, "metrics", "gil_handoffs_per_s",
				220.0, "threads", "futexes");

	json_object_set_new(run, "python", json_pack("[{sI ss s{sb si}}]", "tgid", (json_int_t)800,
		"version", "3.11.2", "gil", "found", found, "interval_us", 5000));
	if (!found)
		json_object_set_new(json_object_get(json_array_get(json_object_get(run, "python"), 0),
						    "gil"), "reason", json_string("no layout"));
	json_object_set_new(run, "histograms", json_pack("{s{s[[iii][iii][iii]]}}", "gil_wait", "buckets",
		1000, 2000, 50, 4194304, 4718592, 7, 4718592, 5242880, 366));
	return run;
}

static const json_t *find(const json_t *list, const char *id)
{
	json_t *f;
	size_t i;

	json_array_foreach(list, i, f)
		if (!strcmp(json_string_value(json_object_get(f, "id")), id))
			return f;
	return NULL;
}

static double fig(const json_t *f, const char *name)
{
	return json_number_value(json_object_get(json_object_get(f, "figures"), name));
}

/* The case: an I/O thread beside a spinning one. */
static void test_gil_convoy(void **state)
{
	json_t *run = python_run(true), *out;
	const json_t *f;

	json_array_append_new(json_object_get(run, "threads"), thread(811, 800, 0.94, 0.05, 0.01, 0));
	json_array_append_new(json_object_get(run, "threads"), thread(812, 800, 0.02, 0.01, 0.77, 0.19));
	out = findings_decide(run);
	f = find(out, "gil_convoy");
	assert_non_null(f);
	assert_int_equal((int)fig(f, "tid"), 812);
	assert_int_equal((int)fig(f, "other_tid"), 811);
	assert_float_equal(fig(f, "gil_share"), 0.77, 1e-9);
	/* waits of >= 0.9 x 5 ms: the last bucket only (4.19 ms < 4.5 ms) */
	assert_int_equal((int)fig(f, "full_interval_waits"), 366);
	assert_non_null(strstr(json_string_value(json_object_get(f, "text")), "77%"));
	assert_null(find(out, "no_gil_contention"));
	assert_null(find(out, "cpu_bound")); /* one spinner is not "threads" */
	json_decref(out);
	json_decref(run);
}

/* Just under the share: no convoy. */
static void test_gil_convoy_threshold(void **state)
{
	double s = findings_threshold("gil_convoy_share");
	json_t *run = python_run(true), *out;

	json_array_append_new(json_object_get(run, "threads"), thread(811, 800, 0.94, 0.05, 0.01, 0));
	json_array_append_new(json_object_get(run, "threads"), thread(812, 800, 0.02, 0.01, s - 0.01, 0.2));
	out = findings_decide(run);
	assert_null(find(out, "gil_convoy"));
	assert_non_null(find(out, "gil_contention"));
	json_decref(out);
	json_decref(run);
}

/* Two CPU-bound threads under the GIL: each waits half its life, neither is a
 * convoy's victim; one core between them. */
static void test_cpu_bound_no_parallelism(void **state)
{
	json_t *run = python_run(true), *out;
	const json_t *f;

	json_array_append_new(json_object_get(run, "threads"), thread(811, 800, 0.48, 0.02, 0.5, 0));
	json_array_append_new(json_object_get(run, "threads"), thread(812, 800, 0.48, 0.02, 0.5, 0));
	out = findings_decide(run);
	assert_null(find(out, "gil_convoy"));
	f = find(out, "cpu_bound");
	assert_non_null(f);
	assert_int_equal((int)fig(f, "threads"), 2);
	assert_float_equal(fig(f, "cores"), 0.96, 1e-9);
	assert_float_equal(fig(f, "gil_handoffs_per_s"), 220, 1e-9);
	assert_non_null(strstr(json_string_value(json_object_get(f, "text")), "no parallelism"));
	json_decref(out);
	json_decref(run);
}

static void test_no_gil_contention(void **state)
{
	json_t *run = python_run(true), *out;

	json_array_append_new(json_object_get(run, "threads"), thread(800, 800, 0.9, 0.05, 0.01, 0));
	out = findings_decide(run);
	assert_non_null(find(out, "no_gil_contention"));
	json_decref(out);
	json_decref(run);
}

/* An unfound GIL: said, and no GIL finding from n/a figures. */
static void test_gil_not_found(void **state)
{
	json_t *run = python_run(false), *out, *t = thread(812, 800, 0.02, 0.01, 0, 0.19);

	json_object_set_new(t, "time_gil_ns", json_null());
	json_array_append_new(json_object_get(run, "threads"), t);
	out = findings_decide(run);
	assert_non_null(find(out, "gil_not_found"));
	assert_null(find(out, "no_gil_contention"));
	assert_null(find(out, "gil_convoy"));
	json_decref(out);
	json_decref(run);
}

/* Short threads are not judged. */
static void test_short_threads_not_judged(void **state)
{
	json_t *run = python_run(true), *out, *t = thread(812, 800, 0.02, 0.01, 0.9, 0.07);

	json_object_set_new(t, "lifetime_ns", json_real(findings_threshold("min_lifetime_ns") - 1));
	json_array_append_new(json_object_get(run, "threads"), thread(811, 800, 0.94, 0.05, 0.01, 0));
	json_array_append_new(json_object_get(run, "threads"), t);
	out = findings_decide(run);
	assert_null(find(out, "gil_convoy"));
	json_decref(out);
	json_decref(run);
}

/* The GIL's words make one row, first; the main thread's join comes last. */
static void test_lock_table(void **state)
{
	json_t *run = python_run(true), *l;

	json_array_append_new(json_object_get(run, "threads"), thread(800, 800, 0.1, 0, 0, 0));
	json_array_append_new(json_object_get(run, "threads"), thread(812, 800, 0.1, 0, 0, 0));
	json_array_append_new(json_object_get(run, "threads"), thread(813, 800, 0.1, 0, 0, 0));
	json_object_set_new(run, "futexes", json_pack("[{sI ss sI sI sI sI sb}, {sI ss sI sI sI sI sb},"
		"{sI ss sI sI sI sI sb ss}, {sI ss sI sI sI sI sb}]",
		"tgid", 800LL, "uaddr", "0x732c", "waits", 1LL, "wait_ns", 900LL, "max_wait_ns", 900LL, "wakes", 0LL, "gil", 0,
		"tgid", 800LL, "uaddr", "0xa5b8f0", "waits", 200LL, "wait_ns", 600LL, "max_wait_ns", 50LL, "wakes", 100LL, "gil", 1,
		"tgid", 800LL, "uaddr", "0x5000", "waits", 5LL, "wait_ns", 300LL, "max_wait_ns", 90LL, "wakes", 5LL, "gil", 0, "name", "word",
		"tgid", 800LL, "uaddr", "0xa5b8f4", "waits", 100LL, "wait_ns", 200LL, "max_wait_ns", 70LL, "wakes", 50LL, "gil", 1));
	locks_build(run);
	l = json_object_get(run, "locks");
	assert_int_equal(json_array_size(l), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")), "GIL");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0), "waits")), 300);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0), "wait_ns")), 800);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0), "max_wait_ns")), 70);
	assert_int_equal(json_array_size(json_object_get(json_array_get(l, 0), "words")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "name")), "word");
	/* 0x732c = 0x7000 + 812: thread 812's clear_child_tid */
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 2), "name")), "join 812");
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 2), "kind")), "join");
	thread_labels_build(run);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(run,
			    "threads"), 0), "label")), "python3 800 main");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(run,
			    "threads"), 1), "label")), "python3 812");
	json_decref(run);
}

/* docs/results.md's Findings section lists every threshold with its value. */
static void test_docs_list_thresholds(void **state)
{
	FILE *f = fopen("docs/results.md", "r");
	static char text[200000];
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	for (size_t i = 0; i < findings_nthresholds; i++) {
		char want[128];

		snprintf(want, sizeof(want), "| `%s` | %.15g |", findings_thresholds[i].name,
			 findings_thresholds[i].value);
		if (!strstr(text, want))
			fail_msg("docs/results.md has no row %s", want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gil_convoy),
		cmocka_unit_test(test_gil_convoy_threshold),
		cmocka_unit_test(test_cpu_bound_no_parallelism),
		cmocka_unit_test(test_no_gil_contention),
		cmocka_unit_test(test_gil_not_found),
		cmocka_unit_test(test_short_threads_not_judged),
		cmocka_unit_test(test_lock_table),
		cmocka_unit_test(test_docs_list_thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
