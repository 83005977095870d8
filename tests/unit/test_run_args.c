/* test_run_args - the command line of `gilscope run`, and its summary[]. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "record_args.h"
#include "outputs.h"
#include "run_args.h"
#include "cell_stats.h"

#define ARGV(...) ((char *[]){ "run", __VA_ARGS__, NULL })

static void test_defaults(void **state)
{
	struct run_opts o;
	char err[256];

	assert_int_equal(run_parse_args(1, (char *[]){ "run", NULL }, &o, err, sizeof(err)), ARGS_OK);
	for (int i = 0; i < WL_NMODELS; i++)
		assert_true(o.models[i]);
	for (int i = 0; i < WL_NKINDS; i++) /* the in-process echo only when asked */
		assert_int_equal(o.kinds[i], i != WL_MIXED_ECHO);
	assert_int_equal(o.interval_us, 5000);
	assert_int_equal(o.nintervals, 1);
	assert_int_equal(o.intervals[0], 5000);
	assert_int_equal(o.gil_mode, GIL_NEW);
	assert_null(o.python);
	assert_true(o.calibration);
	assert_int_equal(o.repeat, 3);
	assert_int_equal(o.workers, 0); /* decided from the online CPUs */
	assert_int_equal(o.mixed_io_units, o.io_units / 4);
	assert_int_equal(o.formats, FMT_DEFAULT);
}

static void test_lists_and_numbers(void **state)
{
	struct run_opts o;
	char err[256];

	assert_int_equal(run_parse_args(11, ARGV("--models", "serial,threads-gil", "-w", "cpu",
						 "--workers", "4", "--interval-us", "1000", "-r", "5"),
					&o, err, sizeof(err)), ARGS_OK);
	assert_true(o.models[WL_SERIAL] && o.models[WL_THREADS_GIL]);
	assert_false(o.models[WL_PROCESSES] || o.models[WL_ASYNC]);
	assert_true(o.kinds[WL_CPU] && !o.kinds[WL_IO]);
	assert_int_equal(o.workers, 4);
	assert_int_equal(o.interval_us, 1000);
	assert_int_equal(o.repeat, 5);
}

/* many tasks for the async models; threads and processes only without io */
static void test_many_tasks(void **state)
{
	struct run_opts o;
	char err[256];

	assert_int_equal(run_parse_args(5, ARGV("-m", "serial,async,async-pool", "--tasks", "100000"),
					&o, err, sizeof(err)), ARGS_OK);
	assert_int_equal(o.tasks, 100000);
	assert_int_equal(run_parse_args(7, ARGV("-m", "threads-gil", "-w", "cpu,mixed", "--tasks",
						"20000"), &o, err, sizeof(err)), ARGS_OK);
	assert_int_equal(run_parse_args(3, ARGV("--tasks", "256"), &o, err, sizeof(err)), ARGS_OK);
}

static void test_sweep_gil_python(void **state)
{
	struct run_opts o;
	char err[256];

	assert_int_equal(run_parse_args(3, ARGV("--interval-us", "20000,5000,1000,100"), &o, err,
					sizeof(err)), ARGS_OK);
	assert_int_equal(o.nintervals, 4);
	assert_int_equal(o.intervals[0], 20000);
	assert_int_equal(o.intervals[3], 100);
	assert_int_equal(o.interval_us, 20000);
	assert_int_equal(run_parse_args(3, ARGV("--gil", "old"), &o, err, sizeof(err)), ARGS_OK);
	assert_int_equal(o.gil_mode, GIL_OLD);
	/* --python alone: python3 from PATH; --python PATH and --python=PATH */
	assert_int_equal(run_parse_args(3, ARGV("--python", "-q"), &o, err, sizeof(err)), ARGS_OK);
	assert_string_equal(o.python, "python3");
	assert_true(o.quiet);
	assert_int_equal(run_parse_args(3, ARGV("--python", "/usr/bin/python3"), &o, err, sizeof(err)),
			 ARGS_OK);
	assert_string_equal(o.python, "/usr/bin/python3");
	assert_int_equal(run_parse_args(3, ARGV("--python=/opt/py", "--no-calibration"), &o, err,
					sizeof(err)), ARGS_OK);
	assert_string_equal(o.python, "/opt/py");
	assert_false(o.calibration);
}

static void test_errors(void **state)
{
	struct { char **argv; int argc; const char *needle; } cases[] = {
		{ ARGV("--models", "green"), 3, "unknown name 'green'" },
		{ ARGV("--workloads", ""), 3, "at least one" },
		{ ARGV("--workers", "0"), 3, "from 1 to 256" },
		{ ARGV("--repeat", "x"), 3, "whole number" },
		{ ARGV("--interval-us", "5"), 3, "from 100" },
		{ ARGV("--interval-us", "5000,x"), 3, "whole number" },
		{ ARGV("--interval-us", "5000,5000"), 3, "twice" },
		{ ARGV("--interval-us", ","), 3, "at least one" },
		{ ARGV("--gil", "newest"), 3, "new or old" },
		{ ARGV("--python="), 2, "needs a path" },
		{ ARGV("--tasks", "100001"), 3, "from 1 to 100000" },
		/* a thread or a process per task: not 20,000 of them */
		{ ARGV("--tasks", "20000"), 3, "threads-gil runs a thread per task of the io workload, at most 256" },
		{ ARGV("--tasks", "257", "-m", "async,processes"), 5, "processes runs a process" },
		{ ARGV("--bogus"), 2, "unknown option" },
		{ ARGV("extra"), 2, "unexpected argument" },
		{ ARGV("-f", "xml"), 3, "unknown format" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts o;
		char err[256] = "";

		assert_int_equal(run_parse_args(cases[i].argc, cases[i].argv, &o, err, sizeof(err)),
				 ARGS_ERROR);
		if (!strstr(err, cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
	}
	assert_int_equal(run_parse_args(2, ARGV("-h"), &(struct run_opts){ 0 }, (char[8]){ 0 }, 8),
			 ARGS_HELP);
	assert_non_null(strstr(run_usage, "--interval-us"));
}

static json_t *run(const char *model, const char *workload, double wall, double speedup)
{
	return json_pack("{ss ss si sf s{sf}}", "model", model, "workload", workload, "workers", 2,
			 "wall_s", wall, "metrics", "speedup", speedup);
}

static void test_summary_medians_and_spread(void **state)
{
	json_t *runs = json_array(), *s, *e, *m;

	json_array_append_new(runs, run("serial", "cpu", 1.0, 1.0));
	json_array_append_new(runs, run("threads-gil", "cpu", 1.2, 0.9));
	json_array_append_new(runs, run("threads-gil", "cpu", 1.0, 1.1));
	json_array_append_new(runs, run("threads-gil", "cpu", 2.0, 0.5));
	json_array_append_new(runs, json_pack("{ss}", "label", "record: x")); /* no model: left out */
	s = cell_stats(runs);
	assert_int_equal(json_array_size(s), 2);
	e = json_array_get(s, 1);
	assert_string_equal(json_string_value(json_object_get(e, "model")), "threads-gil");
	assert_int_equal(json_integer_value(json_object_get(e, "n")), 3);
	m = json_object_get(json_object_get(e, "metrics"), "speedup");
	assert_true(json_real_value(json_object_get(m, "median")) == 0.9);
	assert_true(json_real_value(json_object_get(m, "min")) == 0.5);
	assert_true(json_real_value(json_object_get(m, "max")) == 1.1);
	m = json_object_get(json_object_get(e, "metrics"), "wall_s");
	assert_true(json_real_value(json_object_get(m, "median")) == 1.2);
	json_decref(s);
	json_decref(runs);
}

static void test_median(void **state)
{
	double a[] = { 3, 1, 2 }, b[] = { 4, 1, 3, 2 };

	assert_true(median_of(a, 3) == 2);
	assert_true(median_of(b, 4) == 2.5);
	assert_true(median_of(NULL, 0) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_lists_and_numbers),
		cmocka_unit_test(test_many_tasks),
		cmocka_unit_test(test_sweep_gil_python),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_summary_medians_and_spread),
		cmocka_unit_test(test_median),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
