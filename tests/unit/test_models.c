/* test_models - every model does every workload right, and shares work fairly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "hist.h"
#include "jobs.h"
#include "models.h"
#include "peer.h"
#include "work.h"

static struct peer peer;

static int setup(void **state)
{
	work_calibrate(200); /* small units: the whole matrix in a few seconds */
	return peer_start(&peer, 200);
}

static int teardown(void **state)
{
	peer_stop(&peer);
	return 0;
}

static void test_every_model_every_workload(void **state)
{
	static struct wl_result r;

	for (int m = 0; m < WL_NMODELS; m++) {
		for (int k = 0; k < WL_NKINDS; k++) {
			struct wl_spec s = { .model = m, .kind = k, .workers = 2, .tasks = 4,
					     .interval_us = 1000, .cpu_units = 40, .io_units = 24,
					     .peer_port = peer.port, .data_file = work_data_file() };
			int e = wl_run(&s, NULL, &r);

			if (!wl_cell_supported(m, k)) {
				/* refused with a reason, nothing run */
				assert_int_equal(e, -1);
				assert_non_null(strstr(r.error, "does not run"));
				continue;
			}
			if (e || !r.ok)
				fail_msg("%s/%s: %s", wl_model_name(m), wl_kind_name(k), r.error);
			assert_int_equal(r.cpu_units, wl_is_io_only(k) ? 0 : 40);
			if (wl_is_mixed(k) && m != WL_SERIAL) /* I/O as long as the CPU runs */
				assert_true(r.io_units >= 1);
			else
				assert_int_equal(r.io_units, wl_is_cpu_only(k) ? 0 : 24);
			if (k == WL_IO_BLOCK) /* the blocking task's own requests are not the others' latency */
				assert_true(hist_count(&r.io_latency) > 0 &&
					    hist_count(&r.io_latency) < r.io_units);
			else
				assert_int_equal(hist_count(&r.io_latency), r.io_units);
			assert_true(r.wall_s > 0);
			assert_int_equal(r.gil, m == WL_THREADS_GIL);
			if (m == WL_PROCESSES)
				assert_true(r.serialise_ns > 0 && r.startup_ns_per_worker > 0);
		}
	}
}

static void remember_range(void *arg, uint64_t start, uint64_t len)
{
	((uint64_t *)arg)[0] = start;
	((uint64_t *)arg)[1] = len;
}

static void test_gil_ready_hook_sees_the_gil(void **state)
{
	static struct wl_result r;
	uint64_t got[2] = { 0, 0 };
	struct wl_hooks h = { remember_range, got };
	struct wl_spec s = { .model = WL_THREADS_GIL, .kind = WL_CPU, .workers = 2,
			     .interval_us = 1000, .cpu_units = 20 };

	assert_int_equal(wl_run(&s, &h, &r), 0);
	assert_true(got[0] != 0 && got[1] == sizeof(struct gil_sync));
	assert_true(r.gil_handoffs >= 2);
}

/* --gil old: the tick-based lock changes hands without ever being asked */
static void test_old_gil_model(void **state)
{
	static struct wl_result r;
	struct wl_spec s = { .model = WL_THREADS_GIL, .kind = WL_CPU, .workers = 2,
			     .interval_us = 5000, .gil_mode = GIL_OLD, .cpu_units = 20 };

	assert_int_equal(wl_run(&s, NULL, &r), 0);
	assert_true(r.ok && r.gil);
	assert_true(r.gil_handoffs >= 2);
	assert_int_equal(r.gil_drop_requests, 0);
	assert_int_equal(r.gil_forced_switches, 0);
}

/* A thread that cannot be created (here: its stack, by default 1 TiB in this
 * child, cannot be mapped) fails the run with a reason; nothing hangs or
 * aborts. In a child, whose default thread attributes are changed. */
static void test_thread_creation_failure_is_an_error(void **state)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		static struct wl_result r;
		struct wl_spec s = { .model = WL_THREADS_NOGIL, .kind = WL_CPU, .workers = 4,
				     .interval_us = 5000, .cpu_units = 40 };
		pthread_attr_t a;

		alarm(30);
		if (pthread_attr_init(&a) || pthread_attr_setstacksize(&a, (size_t)1 << 40) ||
		    pthread_setattr_default_np(&a))
			_exit(3);
		if (wl_run(&s, NULL, &r) == 0)
			_exit(4); /* the threads started: the stack size did not bite */
		_exit(strstr(r.error, "cannot start thread") ? 0 : 5);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* 20,000 async tasks share the loop's channels: every unit done and checked,
 * each task a few dozen bytes (asyncio: about 1.5 KiB a task) */
static void test_async_at_scale(void **state)
{
	static struct wl_result r;
	struct wl_spec s = { .model = WL_ASYNC, .kind = WL_IO, .workers = 1, .tasks = 20000,
			     .interval_us = 5000, .io_units = 20000, .peer_port = peer.port,
			     .data_file = work_data_file() };

	if (wl_run(&s, NULL, &r) || !r.ok)
		fail_msg("async, 20000 tasks: %s", r.error);
	assert_int_equal(r.io_units, 20000);
	assert_int_equal(hist_count(&r.io_latency), 20000);
	assert_int_equal(wl_concurrency(&s), 20000);
	/* measured, and under the bound: the tasks, their channels and buffers */
	assert_true(r.rss_bytes_per_worker > 0);
	assert_true(r.rss_bytes_per_worker <= 2048);
}

/* a zero-latency peer is a bare echo: no file to read */
static void test_bare_echo_needs_no_file(void **state)
{
	static struct wl_result r;
	struct wl_spec s = { .model = WL_SERIAL, .kind = WL_IO, .workers = 1, .interval_us = 5000,
			     .io_units = 10, .peer_port = peer.port, .data_file = NULL };

	assert_int_equal(wl_run(&s, NULL, &r), 0);
	assert_int_equal(r.io_units, 10);
}

static void test_units_split_exactly(void **state)
{
	for (unsigned n = 1; n <= 7; n++) {
		uint64_t sum = 0, from, to, prev = 0;

		for (unsigned w = 0; w < n; w++) {
			job_split(101, n, w, &from, &to);
			assert_int_equal(from, prev);
			sum += to - from;
			prev = to;
		}
		assert_int_equal(sum, 101);
	}
}

static void test_mixed_plan_splits_roles(void **state)
{
	struct wl_spec s = { .kind = WL_MIXED, .cpu_units = 10, .io_units = 6 };
	struct job j[3];
	bool cpu[3];

	for (unsigned i = 0; i < 3; i++)
		job_plan(&s, 3, i, &j[i], &cpu[i]);
	assert_true(cpu[0] && cpu[1] && !cpu[2]);
	assert_int_equal(j[0].cpu_to - j[0].cpu_from + j[1].cpu_to - j[1].cpu_from, 10);
	/* the I/O worker runs for as long as the CPU ones do, not a set count */
	assert_true(j[2].io_until_cpu_done);
	assert_false(j[0].io_until_cpu_done || j[1].io_until_cpu_done);
	assert_int_equal(j[0].io_to - j[0].io_from + j[1].io_to - j[1].io_from, 0);
	job_plan(&s, 1, 0, &j[0], &cpu[0]); /* one worker does both */
	assert_int_equal(j[0].cpu_to, 10);
	assert_int_equal(j[0].io_to, 6);
	assert_false(j[0].io_until_cpu_done);
}

static void test_wrong_result_is_caught(void **state)
{
	uint64_t s = work_unit_start(3);

	for (int t = 0; t < WORK_TICKS_PER_UNIT; t++)
		s = work_tick(s);
	assert_true(work_unit_check(3, s));
	assert_false(work_unit_check(3, s ^ 1));
	assert_false(work_unit_check(4, s));
}

/* cpu-release runs in parallel under the GIL; shared updates under its lock */
static void test_release_and_shared_units(void **state)
{
	static struct wl_result r;
	struct wl_spec s = { .model = WL_THREADS_GIL, .kind = WL_CPU_RELEASE, .workers = 2,
			     .interval_us = 5000, .cpu_units = 16 };
	uint32_t c = work_release_seed(3);

	/* the unit is the chained crc32 the Python script computes too */
	for (uint32_t i = 0; i < work_release_calls; i++)
		c = work_release_step(c);
	assert_true(work_release_check(3, c));
	assert_false(work_release_check(4, c));
	assert_true(work_release_calls >= 1);
	assert_int_equal(wl_run(&s, NULL, &r), 0);
	/* every library call hands the GIL over when the other thread waits */
	assert_true(r.gil_handoffs >= 2);
	s.kind = WL_SHARED;
	assert_int_equal(wl_run(&s, NULL, &r), 0);
	assert_int_equal(r.cpu_units, 16);
	assert_true(wl_cell_supported(WL_ASYNC, WL_IO_BLOCK) && !wl_cell_supported(WL_THREADS_GIL, WL_IO_BLOCK));
	assert_true(!wl_cell_supported(WL_ASYNC, WL_SHARED) && wl_cell_supported(WL_PROCESSES, WL_SHARED));
}

static void test_names(void **state)
{
	enum wl_model m;
	enum wl_kind k;

	assert_int_equal(wl_model_parse("async-pool", &m), 0);
	assert_int_equal(m, WL_ASYNC_POOL);
	assert_int_equal(wl_model_parse("green-threads", &m), -1);
	assert_int_equal(wl_kind_parse("mixed", &k), 0);
	assert_string_equal(wl_model_name(WL_THREADS_NOGIL), "threads-nogil");
	assert_string_equal(wl_kind_name(WL_IO), "io");
	assert_int_equal(wl_kind_parse("mixed-echo", &k), 0);
	assert_int_equal(k, WL_MIXED_ECHO);
	assert_true(wl_is_mixed(WL_MIXED_ECHO) && wl_is_mixed(WL_MIXED) && !wl_is_mixed(WL_IO));
	assert_int_equal(wl_kind_parse("cpu-release", &k), 0);
	assert_int_equal(k, WL_CPU_RELEASE);
	assert_int_equal(wl_kind_parse("io-block", &k), 0);
	assert_true(wl_is_io_only(k) && wl_is_cpu_only(WL_SHARED) && !wl_is_cpu_only(WL_MIXED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_model_every_workload),
		cmocka_unit_test(test_gil_ready_hook_sees_the_gil),
		cmocka_unit_test(test_old_gil_model),
		cmocka_unit_test(test_thread_creation_failure_is_an_error),
		cmocka_unit_test(test_async_at_scale),
		cmocka_unit_test(test_bare_echo_needs_no_file),
		cmocka_unit_test(test_units_split_exactly),
		cmocka_unit_test(test_mixed_plan_splits_roles),
		cmocka_unit_test(test_wrong_result_is_caught),
		cmocka_unit_test(test_release_and_shared_units),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
