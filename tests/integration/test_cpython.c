/*
 * test_cpython - `gilscope record` finds a real CPython's GIL by itself:
 * Debian's python3 (installed by make deps; GILSCOPE_PYTHON picks another)
 * with two CPU-bound threads hands the GIL over about every switch interval
 * (CPython's own switch counter) and each thread waits for it a good part of
 * its life; an interpreter started by a shell is found too; a program that is
 * not Python gets no python[] block and no GIL figures.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include "cli.h"

/* The one python[] entry, with its GIL found. */
static json_t *found_python(json_t *run)
{
	json_t *py = json_object_get(run, "python"), *p, *g;
	size_t i;

	if (json_array_size(py) != 1)
		json_array_foreach(py, i, p)
			printf("    python[%zu]: pid %.0f %s (%s): GIL %s, reason %s\n", i, integ_num(p, "tgid"),
			       json_string_value(json_object_get(p, "version")),
			       json_string_value(json_object_get(p, "executable")),
			       json_is_true(json_object_get(json_object_get(p, "gil"), "found")) ? "found" : "not found",
			       json_string_value(json_object_get(json_object_get(p, "gil"), "reason")));
	assert_int_equal(json_array_size(py), 1);
	p = json_array_get(py, 0);
	g = json_object_get(p, "gil");
	printf("    CPython %s pid %.0f (%s): GIL %s by %s at %s, reason %s\n",
	       json_string_value(json_object_get(p, "version")), integ_num(p, "tgid"),
	       json_string_value(json_object_get(p, "executable")),
	       json_is_true(json_object_get(g, "found")) ? "found" : "NOT found",
	       json_string_value(json_object_get(g, "how")),
	       json_string_value(json_object_get(g, "address")),
	       json_string_value(json_object_get(g, "reason")));
	assert_true(json_is_true(json_object_get(g, "found")));
	assert_non_null(json_string_value(json_object_get(g, "how")));
	assert_true(json_string_value(json_object_get(p, "version"))[0] == '3');
	return p;
}

static void test_two_threads(void **state)
{
	char dir[128];
	json_t *doc, *run, *p, *th, *fx;
	size_t i, workers = 0, gil_rows = 0;
	double per_s, both_from = 0, both_to = 0;

	snprintf(dir, sizeof(dir), "%s/two", tmp);
	/* real-time priority (chrt execs python: the exec path too), so that the
	 * other work of a shared machine does not preempt the GIL's holder: the
	 * figures are then the GIL's own */
	doc = cli_record_json(dir, true, (char *[]){ "chrt", "-f", "10", (char *)cli_python(), "tests/progs/gil_spin.py",
				      "2", NULL });
	run = json_array_get(json_object_get(doc, "runs"), 0);
	p = found_python(run);
	assert_int_equal(integ_num(json_object_get(p, "gil"), "interval_us"), 5000);
	assert_true(integ_num(json_object_get(run, "metrics"), "gil_waits") > 0);
	/* each spinning thread waits for the GIL a good part of its life */
	json_array_foreach(json_object_get(run, "threads"), i, th) {
		double life, share;

		if (integ_num(th, "tgid") != integ_num(p, "tgid") || integ_num(th, "tid") == integ_num(th, "tgid"))
			continue;
		life = integ_num(th, "exit_ns") - integ_num(th, "start_ns");
		share = integ_num(th, "gil_wait_ns") / life;
		printf("    thread %.0f: %.0f GIL waits, %.0f ms of %.0f ms (%.0f%%), on CPU %.0f ms\n",
		       integ_num(th, "tid"), integ_num(th, "gil_waits"), integ_num(th, "gil_wait_ns") / 1e6, life / 1e6,
		       share * 100, integ_num(th, "oncpu_ns") / 1e6);
		assert_true(share >= 0.30 && share <= 0.70);
		assert_true(integ_num(th, "gil_waits") >= 50);
		if (!workers || integ_num(th, "start_ns") > both_from)
			both_from = integ_num(th, "start_ns");
		if (!workers || integ_num(th, "exit_ns") < both_to)
			both_to = integ_num(th, "exit_ns");
		workers++;
	}
	assert_int_equal(workers, 2);
	/* CPython's own count of hand-offs: about one per switch interval while
	 * both threads spin (the interpreter's start and end, alone, are no part
	 * of it: seconds under emulation) */
	assert_true(both_to > both_from);
	per_s = integ_num(json_object_get(run, "metrics"), "gil_handoffs") / ((both_to - both_from) / 1e9);
	printf("    %.0f hand-offs, %.1f/s over the %.2f s both threads spun (%.1f/s over the %.2f s "
	       "window)\n", integ_num(json_object_get(run, "metrics"), "gil_handoffs"), per_s,
	       (both_to - both_from) / 1e9, integ_num(json_object_get(run, "metrics"), "gil_handoffs_per_s"),
	       integ_num(json_object_get(p, "gil"), "window_s"));
	assert_true(per_s >= 150 && per_s <= 260);
	/* the futex words waited on are the GIL's */
	json_array_foreach(json_object_get(run, "futexes"), i, fx)
		gil_rows += json_is_true(json_object_get(fx, "gil"));
	assert_true(gil_rows >= 2);
	json_decref(doc);
}

static void test_started_by_a_shell(void **state)
{
	char dir[128], cmd[512];
	json_t *doc, *run, *p;

	snprintf(dir, sizeof(dir), "%s/sh", tmp);
	snprintf(cmd, sizeof(cmd), "sleep 0.3; %s tests/progs/gil_spin.py 1", cli_python());
	doc = cli_record_json(dir, true, (char *[]){ "/bin/sh", "-c", cmd, NULL });
	run = json_array_get(json_object_get(doc, "runs"), 0);
	p = found_python(run);
	/* the interpreter, not the shell that started it */
	assert_true(strstr(json_string_value(json_object_get(p, "executable")), "python") != NULL);
	assert_true(integ_num(json_object_get(run, "metrics"), "gil_waits") >= 50);
	assert_true(integ_num(json_object_get(run, "metrics"), "gil_handoffs") >= 50);
	json_decref(doc);
}

static void test_not_python(void **state)
{
	char dir[128];
	json_t *doc, *run, *m;

	snprintf(dir, sizeof(dir), "%s/np", tmp);
	doc = cli_record_json(dir, true, (char *[]){ "/bin/sh", "-c", "sleep 0.2", NULL });
	run = json_array_get(json_object_get(doc, "runs"), 0);
	m = json_object_get(run, "metrics");
	assert_null(json_object_get(run, "python"));
	/* not measured, so not there: never a GIL wait of 0 */
	assert_null(json_object_get(m, "gil_wait_ns"));
	assert_null(json_object_get(m, "gil_handoffs"));
	assert_non_null(json_object_get(m, "oncpu_ns"));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_threads, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_started_by_a_shell, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_not_python, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
