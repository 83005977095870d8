/* test_metrics - derivation of a run's figures from the tracer's raw data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "metrics.h"

static struct gs_task task(uint32_t tid, uint32_t tgid, uint64_t oncpu)
{
	struct gs_task t = { .tid = tid, .tgid = tgid, .oncpu_ns = oncpu };

	return t;
}

static void test_sums_and_cores(void **state)
{
	struct gs_task tasks[3] = { task(10, 10, 1000000000), task(11, 10, 500000000),
				    task(20, 20, 500000000) };
	struct trace_data d = { .tasks = tasks, .ntasks = 3 };
	struct trace_metrics m;

	tasks[0].events = 40;
	tasks[2].events = 2;
	tasks[0].voluntary_switches = 5;
	tasks[1].voluntary_switches = 7;
	tasks[2].involuntary_switches = 3;
	tasks[1].runq_max_ns = 900;
	tasks[2].runq_max_ns = 400;
	tasks[0].futex_waits = 2;
	tasks[0].futex_wait_ns = 1000;
	tasks[0].gil_waits = 1;
	tasks[0].gil_wait_ns = 600;
	metrics_from_trace(&d, 2.0, &m);
	assert_int_equal(m.oncpu_ns, 2000000000);
	assert_true(m.cores_used > 0.999 && m.cores_used < 1.001);
	assert_int_equal(m.voluntary_switches, 12);
	assert_int_equal(m.involuntary_switches, 3);
	assert_int_equal(m.runq_max_ns, 900);
	assert_int_equal(m.threads, 3);
	assert_int_equal(m.events, 42);
	assert_int_equal(m.processes, 2);
	assert_int_equal(m.gil_wait_ns, 600);
	/* share of (on-CPU + run queue + futex wait) spent waiting for the GIL */
	assert_true(m.gil_wait_share > 0 && m.gil_wait_share < 1e-6);
}

/*
 * gil_wait_share: the share of the worker threads' time (on CPU + run queue +
 * futex wait) spent waiting for the GIL. The main thread of a multi-threaded
 * process only starts and joins its workers and is left out: two CPU threads
 * sharing a GIL give 0.5, and 0.33 if the main thread's join were counted.
 */
static void test_gil_wait_share_leaves_the_main_thread_out(void **state)
{
	struct gs_task tasks[3] = { task(100, 100, 2000000), task(101, 100, 500000000),
				    task(102, 100, 500000000) };
	struct trace_data d = { .tasks = tasks, .ntasks = 3 };
	struct trace_metrics m;

	/* main: joins for a whole second, no GIL */
	tasks[0].futex_waits = 2;
	tasks[0].futex_wait_ns = 1000000000;
	tasks[0].runq_ns = 1000000;
	/* each worker: 0.5 s on CPU, 0.5 s waiting for the GIL */
	for (int i = 1; i < 3; i++) {
		tasks[i].futex_wait_ns = tasks[i].gil_wait_ns = 500000000;
		tasks[i].futex_waits = tasks[i].gil_waits = 100;
	}
	metrics_from_trace(&d, 1.0, &m);
	printf("    gil_wait_share %.4f\n", m.gil_wait_share);
	assert_true(fabs(m.gil_wait_share - 0.5) < 1e-9);
	/* the main thread listed last changes nothing */
	{
		struct gs_task t2[3] = { tasks[1], tasks[2], tasks[0] };

		d.tasks = t2;
		metrics_from_trace(&d, 1.0, &m);
		assert_true(fabs(m.gil_wait_share - 0.5) < 1e-9);
	}
	/* run-queue time of the workers counts: 0.5 / (0.5 + 0.5 + 0.25) */
	tasks[1].runq_ns = tasks[2].runq_ns = 250000000;
	d.tasks = tasks;
	metrics_from_trace(&d, 1.0, &m);
	assert_true(fabs(m.gil_wait_share - 0.4) < 1e-9);
}

/* A single-threaded process is its own worker: its time counts. Another
 * process's main thread with workers does not. */
static void test_gil_wait_share_of_lone_threads_and_processes(void **state)
{
	struct gs_task tasks[4] = { task(10, 10, 300000000), task(20, 20, 0), task(21, 20, 400000000),
				    task(22, 20, 0) };
	struct trace_data d = { .tasks = tasks, .ntasks = 1 };
	struct trace_metrics m;

	tasks[0].futex_wait_ns = tasks[0].gil_wait_ns = 100000000;
	metrics_from_trace(&d, 1.0, &m);
	assert_true(fabs(m.gil_wait_share - 0.25) < 1e-9); /* 0.1 / (0.3 + 0.1) */
	/* + process 20: main joins (1 s, not counted), 21 runs 0.4 s, 22 waits 0.2 s on the GIL */
	tasks[1].futex_wait_ns = 1000000000;
	tasks[3].futex_wait_ns = tasks[3].gil_wait_ns = 200000000;
	d.ntasks = 4;
	metrics_from_trace(&d, 1.0, &m);
	assert_true(fabs(m.gil_wait_share - 0.3 / 1.0) < 1e-9); /* (0.1 + 0.2) / (0.4 + 0.4 + 0.2) */
	/* nothing measured: 0, not a division by zero */
	d.ntasks = 0;
	metrics_from_trace(&d, 1.0, &m);
	assert_true(m.gil_wait_share == 0);
}

static void test_lost_events_add_every_loss(void **state)
{
	struct trace_data d = { 0 };
	struct trace_metrics m;

	d.counters[GS_CTR_LOST_TASKS] = 1;
	d.counters[GS_CTR_LOST_FUTEX_ADDRS] = 2;
	d.counters[GS_CTR_LOST_IOURING] = 3;
	d.counters[GS_CTR_LOST_TIMELINE] = 4;
	d.timeline_dropped = 5;
	metrics_from_trace(&d, 1.0, &m);
	assert_int_equal(m.lost_events, 15);
	assert_int_equal(m.events, 0);
	assert_int_equal(m.threads, 0);
	assert_true(m.cores_used == 0);
}

static void test_percentiles_from_histograms(void **state)
{
	struct trace_data d = { 0 };
	struct gs_task t = task(1, 1, 0);
	struct trace_metrics m;

	t.runq_max_ns = 5000;
	d.tasks = &t;
	d.ntasks = 1;
	for (int i = 0; i < 99; i++)
		hist_add_value(&d.hists[GS_HIST_RUNQ], 1000);
	hist_add_value(&d.hists[GS_HIST_RUNQ], 5000);
	metrics_from_trace(&d, 1.0, &m);
	assert_true(m.runq_p50_ns >= 1000 && m.runq_p50_ns <= 1125);
	assert_true(m.runq_p99_ns >= 1000 && m.runq_p99_ns <= 1125);
	assert_int_equal(m.runq_max_ns, 5000);
}

static void test_zero_wall(void **state)
{
	struct gs_task t = task(1, 1, 100);
	struct trace_data d = { .tasks = &t, .ntasks = 1 };
	struct trace_metrics m;
	uint64_t busy[2] = { 500000000, 2000000000 };

	metrics_from_trace(&d, 0, &m);
	assert_true(m.cores_used == 0);
	d.cpu_busy_ns = busy;
	d.ncpus = 2;
	assert_true(metrics_cpu_busy_fraction(&d, 0, 1.0) > 0.49);
	assert_true(metrics_cpu_busy_fraction(&d, 1, 1.0) == 1.0); /* capped */
	assert_true(metrics_cpu_busy_fraction(&d, 2, 1.0) == 0);
	assert_true(metrics_cpu_busy_fraction(&d, 0, 0) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums_and_cores),
		cmocka_unit_test(test_gil_wait_share_leaves_the_main_thread_out),
		cmocka_unit_test(test_gil_wait_share_of_lone_threads_and_processes),
		cmocka_unit_test(test_lost_events_add_every_loss),
		cmocka_unit_test(test_percentiles_from_histograms),
		cmocka_unit_test(test_zero_wall),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
