/* test_results - building, writing back and checking results.json. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "hist.h"
#include "results.h"
#include "cell_stats.h"
#include "run_build.h"

static const char *required[] = {
	"oncpu_ns", "cores_used", "voluntary_switches", "involuntary_switches", "migrations",
	"futex_waits", "futex_wait_ns", "runq_p50_ns", "runq_p99_ns", "runq_max_ns",
	"iouring_submits", "iouring_completes", "iouring_punts", "lost_events",
};

static json_t *sample_doc(void)
{
	char *argv[] = { "gilscope", "record", "--", "x" };
	struct gs_task tasks[2] = { { .tid = 5, .tgid = 5, .oncpu_ns = 2000000000ull,
				      .voluntary_switches = 3, .comm = "<script>" },
				    { .tid = 6, .tgid = 5, .oncpu_ns = 1000000000ull,
				      .futex_waits = 4, .futex_wait_ns = 400 } };
	struct gs_futex_key fk[2] = { { .tgid = 5, .uaddr = 0x1000 }, { .tgid = 5, .uaddr = 0x2000 } };
	struct gs_futex_stats fs[2] = { { .waits = 1, .wait_ns = 10 }, { .waits = 3, .wait_ns = 390 } };
	uint64_t busy[2] = { 1500000000ull, 1500000000ull };
	double bins[4] = { 1, 0.5, 0.25, 1 };
	struct trace_data d = { .tasks = tasks, .ntasks = 2, .futex_keys = fk, .futex_stats = fs,
				.nfutex = 2, .ncpus = 2, .cpu_busy_ns = busy, .bin_ms = 100,
				.nbins = 2, .cpu_bins = bins };
	json_t *doc = results_new(4, argv), *run;

	hist_add_value(&d.hists[GS_HIST_RUNQ], 1500);
	run = results_add_run(doc, "record: x");
	results_add_trace(run, &d, 3.0);
	results_fill_units(doc);
	return doc;
}

static void test_document_shape(void **state)
{
	json_t *doc = sample_doc(), *run = json_array_get(json_object_get(doc, "runs"), 0);
	char err[256];

	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), GS_SCHEMA_VERSION);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "env"), "command")),
			    "gilscope record -- x");
	assert_true(json_integer_value(json_object_get(json_object_get(doc, "env"), "online_cpus")) >= 1);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!json_is_number(json_object_get(json_object_get(run, "metrics"), required[i])))
			fail_msg("metric %s missing", required[i]);
		assert_non_null(json_object_get(json_object_get(doc, "units"), required[i]));
	}
	assert_true(results_get_metric(run, "oncpu_ns", 0) == 3e9);
	assert_true(results_get_metric(run, "cores_used", 0) == 1.0);
	assert_int_equal(json_array_size(json_object_get(run, "threads")), 2);
	assert_int_equal(json_array_size(json_object_get(run, "per_cpu")), 2);
	assert_int_equal(json_array_size(json_object_get(json_object_get(run, "cpu_timeline"), "bins")), 2);
	/* futexes ordered by wait time, most first */
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(run, "futexes"), 0), "uaddr")), "0x2000");
	assert_int_equal(results_check(doc, err, sizeof(err)), 0);
	assert_string_equal(results_metric_unit("runq_p99_ns"), "ns");
	assert_string_equal(results_metric_unit("cores_used"), "cores");
	json_decref(doc);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_load_round_trip_and_errors(void **state)
{
	char path[] = "/tmp/gs-results-XXXXXX", err[512];
	int fd = mkstemp(path);
	json_t *doc = sample_doc(), *back;

	close(fd);
	json_dump_file(doc, path, 0);
	back = results_load(path, err, sizeof(err));
	assert_non_null(back);
	assert_true(json_equal(doc, back));
	json_decref(back);

	write_file(path, "{\"schema\": 1, \"env\": {}, \"runs\": [");
	assert_null(results_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "truncated"));
	write_file(path, "hello");
	assert_null(results_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not valid JSON"));
	write_file(path, "{\"schema\": 99, \"env\": {}, \"runs\": []}");
	assert_null(results_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "schema 99"));
	write_file(path, "[1,2]");
	assert_null(results_load(path, err, sizeof(err)));
	write_file(path, "{\"schema\": 1, \"env\": {}, \"runs\": [{\"label\": \"x\"}]}");
	assert_null(results_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "malformed"));
	unlink(path);
	assert_null(results_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read"));
	json_decref(doc);
}

static void test_integers_stay_integers(void **state)
{
	json_t *run = json_object();

	results_set_metric(run, "a", 12345678901.0);
	results_set_metric(run, "b", 0.25);
	assert_true(json_is_integer(json_object_get(json_object_get(run, "metrics"), "a")));
	assert_true(json_is_real(json_object_get(json_object_get(run, "metrics"), "b")));
	assert_true(results_get_metric(run, "missing", -1) == -1);
	json_decref(run);
}

/* The median of the repeats: the middle one of an odd count, the mean of the
 * middle two of an even count, whatever the order. */
static void test_median_odd_and_even(void **state)
{
	double one[] = { 7 }, two[] = { 9, 1 }, three[] = { 5, 1, 100 }, four[] = { 4, 1, 3, 100 };
	double five[] = { 10, -2, 3, 8, 3 };

	assert_true(median_of(one, 1) == 7);
	assert_true(median_of(two, 2) == 5);
	assert_true(median_of(three, 3) == 5);   /* not the mean (35.3) */
	assert_true(median_of(four, 4) == 3.5);  /* (3 + 4) / 2 */
	assert_true(median_of(five, 5) == 3);
	assert_true(median_of(NULL, 0) == 0);
}

/* summary[]: median, min and max of each metric over the repeats of a cell. */
static void test_summary_spread(void **state)
{
	json_t *runs = json_pack("[{ss ss sf s{si}} {ss ss sf s{si}} {ss ss sf s{si}} {ss ss sf s{si}}]",
				 "model", "async", "workload", "io", "wall_s", 1.0, "metrics", "units", 30,
				 "model", "async", "workload", "io", "wall_s", 3.0, "metrics", "units", 10,
				 "model", "serial", "workload", "io", "wall_s", 2.0, "metrics", "units", 7,
				 "model", "async", "workload", "io", "wall_s", 2.0, "metrics", "units", 20);
	json_t *sum = cell_stats(runs), *e = json_array_get(sum, 0), *u;

	assert_int_equal(json_array_size(sum), 2);
	assert_string_equal(json_string_value(json_object_get(e, "model")), "async");
	assert_int_equal(json_integer_value(json_object_get(e, "n")), 3);
	u = json_object_get(json_object_get(e, "metrics"), "units");
	assert_true(json_number_value(json_object_get(u, "median")) == 20);
	assert_true(json_number_value(json_object_get(u, "min")) == 10);
	assert_true(json_number_value(json_object_get(u, "max")) == 30);
	u = json_object_get(json_object_get(e, "metrics"), "wall_s");
	assert_true(json_number_value(json_object_get(u, "median")) == 2.0);
	json_decref(sum);
	json_decref(runs);
}

/* jansson's allocations, counted: what a test builds and frees must balance */
static long live_allocs;

static void *counting_malloc(size_t n)
{
	void *p = malloc(n);

	live_allocs += p != NULL;
	return p;
}

static void counting_free(void *p)
{
	live_allocs -= p != NULL;
	free(p);
}

static void test_add_trace_frees_everything(void **state)
{
	json_t *doc;

	json_set_alloc_funcs(counting_malloc, counting_free);
	live_allocs = 0;
	doc = sample_doc(); /* a record run: no gil_ranges */
	json_decref(doc);
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(live_allocs, 0);
}

static void test_fifo_is_refused(void **state)
{
	char dir[] = "/tmp/gs-fifo-XXXXXX", path[64], err[512], err2[512];
	json_t *a, *b;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* without a writer, a blocking open would never return */
	alarm(5);
	a = results_load(path, err, sizeof(err));
	alarm(0);
	b = results_load(dir, err2, sizeof(err2));
	unlink(path);
	rmdir(dir);
	assert_null(a);
	assert_non_null(strstr(err, "not a regular file"));
	assert_null(b);
	assert_non_null(strstr(err2, "not a regular file"));
}

/* Wrong types inside a run are refused by name, not read as 0. */
static void test_wrong_types_are_refused(void **state)
{
	static const struct {
		const char *run, *says;
	} bad[] = {
		{ "\"metrics\": {\"oncpu_ns\": \"12\"}", "metric oncpu_ns is not a number" },
		{ "\"metrics\": {}, \"threads\": {}", "threads is not an array" },
		{ "\"metrics\": {}, \"threads\": [3]", "thread 0 is not an object" },
		{ "\"metrics\": {}, \"threads\": [{\"tid\": \"7\"}]", "thread 0 is not an object" },
		{ "\"metrics\": {}, \"per_cpu\": [\"0.5\"]", "per_cpu" },
		{ "\"metrics\": {}, \"workers\": \"2\"", "workers is not an integer" },
		{ "\"metrics\": {}, \"ok\": 1", "ok is not a boolean" },
		{ "\"metrics\": {}, \"histograms\": []", "histograms is not an object" },
	};
	char text[512], err[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc;

		snprintf(text, sizeof(text), "{\"schema\": 1, \"env\": {}, \"runs\": [{\"label\": "
			 "\"x\", \"wall_s\": 1, %s}]}", bad[i].run);
		doc = json_loads(text, 0, NULL);
		assert_non_null(doc);
		assert_int_equal(results_check(doc, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].says))
			fail_msg("%s: said '%s', not '%s'", bad[i].run, err, bad[i].says);
		json_decref(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document_shape),
		cmocka_unit_test(test_load_round_trip_and_errors),
		cmocka_unit_test(test_integers_stay_integers),
		cmocka_unit_test(test_median_odd_and_even),
		cmocka_unit_test(test_summary_spread),
		cmocka_unit_test(test_add_trace_frees_everything),
		cmocka_unit_test(test_fifo_is_refused),
		cmocka_unit_test(test_wrong_types_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
