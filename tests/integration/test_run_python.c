/*
 * test_run_python - `gilscope run --python` on Debian's python3 (installed by
 * mk/deps.sh), traced for real: CPython's threads get no CPU speed-up and
 * burn one core, its processes get both; rows carry their runtime, real GIL
 * waits are n/a (absent), never 0; the simulation's rows stand beside them.
 * Real rows carry CPython's own count of GIL hand-offs, and a thread's
 * start-up is its creation to its first instruction.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include "integ.h"

#define PYTHON "/usr/bin/python3"

static char tmp[64];
static json_t *doc;

static int setup(void **state)
{
	char dir[96], results[128];
	json_error_t je;
	int st;
	pid_t p;

	if (access(PYTHON, X_OK)) {
		fprintf(stderr, "no %s: make test installs it (mk/deps.sh)\n", PYTHON);
		return -1;
	}
	strcpy(tmp, "/tmp/gs-runpy-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(dir, sizeof(dir), "%s/m", tmp);
	p = fork();
	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(integ_gilscope(), "gilscope", "run", "-q", "--python", PYTHON, "--no-calibration",
		      "-m", "serial,threads-gil,processes", "-w", "cpu", "--cpu-units", "400",
		      "--workers", "2", "--repeat", "1", "-f", "json", "-o", dir, (char *)NULL);
		_exit(99);
	}
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	snprintf(results, sizeof(results), "%s/results.json", dir);
	doc = json_load_file(results, 0, &je);
	return doc ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	json_decref(doc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static json_t *find(const char *model, bool real)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, r) {
		const char *rt = json_string_value(json_object_get(r, "runtime"));

		if (!strcmp(json_string_value(json_object_get(r, "model")), model) && rt &&
		    (real ? !strncmp(rt, "cpython-3.", 10) : !strcmp(rt, "sim")))
			return r;
	}
	fail_msg("no %s run of %s", real ? "real" : "sim", model);
	return NULL;
}

static double metric(const json_t *run, const char *name)
{
	json_t *v = json_object_get(json_object_get(run, "metrics"), name);

	return json_is_number(v) ? json_number_value(v) : -1;
}

static void test_rows_of_both_runtimes(void **state)
{
	json_t *r, *py = json_object_get(json_object_get(json_object_get(doc, "env"), "params"), "python");
	size_t i, real = 0;

	assert_int_equal(json_array_size(json_object_get(doc, "runs")), 6);
	assert_string_equal(json_string_value(json_object_get(py, "path")), PYTHON);
	json_array_foreach(json_object_get(doc, "runs"), i, r) {
		assert_true(json_is_true(json_object_get(r, "ok")));
		assert_int_equal(json_integer_value(json_object_get(r, "interval_us")), 5000);
		assert_int_equal(metric(r, "lost_events"), 0);
		assert_true(metric(r, "oncpu_ns") > 0);
		if (strcmp(json_string_value(json_object_get(r, "runtime")), "sim")) {
			real++;
			/* the interpreter's GIL is found (user/python) and its futex
			 * words registered: its waits are GIL waits; where it was
			 * not found they are n/a, never 0 */
			if (json_array_size(json_object_get(r, "gil_ranges"))) {
				assert_true(json_is_number(json_object_get(json_object_get(r, "metrics"),
									   "gil_waits")));
				if (!strcmp(json_string_value(json_object_get(r, "model")), "threads-gil"))
					assert_true(metric(r, "gil_waits") > 0);
			} else {
				assert_null(json_object_get(json_object_get(r, "metrics"), "gil_wait_share"));
				assert_null(json_object_get(json_object_get(r, "metrics"), "gil_waits"));
			}
		}
	}
	assert_int_equal(real, 3);
	/* the summary keeps the runtimes apart */
	assert_int_equal(json_array_size(json_object_get(doc, "summary")), 6);
}

static void test_real_threads_no_speedup_processes_do(void **state)
{
	json_t *th = find("threads-gil", true), *pr = find("processes", true), *r;
	double on = 0;
	size_t i;

	printf("    cpython threads-gil: speed-up %.2f, cores %.2f, %0.f thread switches/s; "
	       "processes: speed-up %.2f, cores %.2f\n", metric(th, "speedup"), metric(th, "cores_used"),
	       metric(th, "py_switches_per_s"), metric(pr, "speedup"), metric(pr, "cores_used"));
	assert_true(metric(th, "speedup") > 0 && metric(th, "speedup") < 1.25);
	assert_true(metric(th, "cores_used") < 1.25);
	assert_true(metric(pr, "speedup") > 1.3);
	assert_true(metric(pr, "cores_used") > 1.3);
	/* the interpreter's two threads changed hands at the 5 ms interval */
	assert_true(metric(th, "py_switches_per_s") > 200 / 5.0);
	/* processes: the interpreter and its two pool workers, at least */
	assert_true(metric(pr, "processes") >= 3);
	/* the tracer's on-CPU time is its threads' own sum */
	json_array_foreach(json_object_get(pr, "threads"), i, r)
		on += json_number_value(json_object_get(r, "oncpu_ns"));
	assert_within(on, metric(pr, "oncpu_ns"), 0.001);
}

/* CPython's switch_number, read before and after the work: every change of
 * the running thread the script saw is at least one hand-off; none without
 * a second thread; absent where the work ran in other interpreters */
static void test_real_gil_handoffs(void **state)
{
	json_t *th = find("threads-gil", true), *se = find("serial", true), *pr = find("processes", true);

	printf("    cpython threads-gil: %.0f GIL hand-offs/s (CPython's count), %.0f/s seen by "
	       "the script\n", metric(th, "gil_handoffs_per_s"), metric(th, "py_switches_per_s"));
	assert_true(metric(th, "gil_handoffs") >= metric(th, "py_switches"));
	assert_true(metric(th, "py_switches") > 0);
	assert_within(metric(th, "gil_handoffs_per_s"), metric(th, "gil_handoffs") /
		      json_number_value(json_object_get(th, "wall_s")),
		      0.001);
	assert_int_equal(metric(se, "gil_handoffs"), 0);
	assert_null(json_object_get(json_object_get(pr, "metrics"), "gil_handoffs"));
}

/* A thread starts in well under a millisecond; one that also waited for the
 * GIL behind a computing thread would take a whole 5 ms interval (half of
 * it averaged over the two): start-up must not include that wait */
static void test_real_thread_startup(void **state)
{
	json_t *th = find("threads-gil", true);

	printf("    cpython threads-gil: start-up %.0f us per thread\n",
	       metric(th, "startup_ns_per_worker") / 1e3);
	assert_true(metric(th, "startup_ns_per_worker") > 0);
	assert_true(metric(th, "startup_ns_per_worker") < 2.5e6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_of_both_runtimes),
		cmocka_unit_test(test_real_threads_no_speedup_processes_do),
		cmocka_unit_test(test_real_gil_handoffs),
		cmocka_unit_test(test_real_thread_startup),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, setup, teardown);
}
