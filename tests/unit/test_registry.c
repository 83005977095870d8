/* test_registry - the metric registry is the one list: docs/results.md
 * describes each metric, the builder writes each per-thread one, rates and
 * verdicts are derived into the document, and the writers carry them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compare.h"
#include "csv.h"
#include "derive.h"
#include "metric_registry.h"
#include "results.h"
#include "run_build.h"
#include "run_table.h"

/* The "## Metrics" section of docs/results.md (run from the top of the tree). */
static char *metrics_section(void)
{
	FILE *f = fopen("docs/results.md", "r");
	char *text, *start, *end;
	long len;

	if (!f)
		fail_msg("cannot read docs/results.md (run from the top of the tree)");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	start = strstr(text, "\n## Metrics");
	assert_non_null(start);
	end = strstr(start + 1, "\n## ");
	if (end)
		*end = 0;
	memmove(text, start, strlen(start) + 1);
	return text;
}

static void test_docs_describe_every_metric(void **state)
{
	char *doc = metrics_section(), quoted[96];
	int missing = 0;

	for (size_t i = 0; i < metric_ndefs; i++) {
		snprintf(quoted, sizeof(quoted), "`%s`", metric_defs[i].name);
		if (!strstr(doc, quoted)) {
			print_error("docs/results.md, Metrics: no %s\n", quoted);
			missing++;
		}
	}
	free(doc);
	assert_int_equal(missing, 0);
}

static void test_registry_entries_are_complete(void **state)
{
	for (size_t i = 0; i < metric_ndefs; i++) {
		const struct metric_def *m = &metric_defs[i];

		assert_non_null(m->unit);
		assert_true(strlen(m->meaning) > 5);
		assert_true(strlen(m->derivation) > 5);
		assert_ptr_equal(metric_find(m->name), m); /* one entry per name */
		if (m->rate_of) {
			assert_non_null(metric_find(m->rate_of));
			assert_string_equal(m->unit, "1/s");
		}
	}
	assert_string_equal(metric_unit("runq_p99_ns"), "ns");
	assert_string_equal(metric_unit("cores_used"), "cores");
	assert_string_equal(metric_unit("not_listed_bytes"), "bytes");
	assert_true(run_table_metrics_known());
}

/* Every per-thread metric reaches threads[] and the run's metrics. */
static void test_thread_metrics_reach_the_document(void **state)
{
	struct gs_task t = { .tid = 3, .tgid = 3, .comm = "x" };
	struct trace_data d = { .tasks = &t, .ntasks = 1 };
	json_t *run = results_run_new("r"), *th;
	uint64_t v = 100;

#define SET_FIELD(name, unit, agg, flags, meaning) GS_TASK_FIGURE(&t, name) = v++;
	GS_THREAD_METRICS(SET_FIELD)
#undef SET_FIELD
	results_add_trace(run, &d, 1.0);
	th = json_array_get(json_object_get(run, "threads"), 0);
	v = 100;
#define CHECK_FIELD(name, unit, agg, flags, meaning) \
	assert_int_equal(json_integer_value(json_object_get(th, #name)), v); \
	assert_true(results_get_metric(run, #name, -1) == (double)v); \
	v++;
	GS_THREAD_METRICS(CHECK_FIELD)
#undef CHECK_FIELD
	json_decref(run);
}

static json_t *workload_run(const char *model, const char *workload, int repeat, double wall,
			    double units, double vol)
{
	json_t *r = json_pack("{ss ss ss si si sf s{sf sf}}", "label", model, "model", model,
			      "workload", workload, "workers", 2, "repeat", repeat, "wall_s", wall,
			      "metrics", "units", units, "voluntary_switches", vol);
	return r;
}

static json_t *run_doc(void)
{
	json_t *doc = json_pack("{si s{si s{si si}} s[]}", "schema", 1, "env", "online_cpus", 2,
				"params", "workers", 2, "interval_us", 5000, "runs");
	json_t *runs = json_object_get(doc, "runs");

	json_array_append_new(runs, workload_run("serial", "cpu", 0, 2.0, 1000, 10));
	json_array_append_new(runs, workload_run("threads-gil", "cpu", 0, 2.0, 1000, 800));
	json_array_append_new(runs, workload_run("serial", "cpu", 1, 4.0, 1000, 10));
	json_array_append_new(runs, workload_run("threads-gil", "cpu", 1, 1.0, 1000, 800));
	return doc;
}

static double median(const json_t *doc, size_t cell, const char *name)
{
	json_t *e = json_array_get(json_object_get(doc, "summary"), cell);

	return json_number_value(json_object_get(json_object_get(json_object_get(e, "metrics"), name),
						 "median"));
}

static void test_rates_and_speedups_are_derived_once(void **state)
{
	json_t *doc = run_doc(), *runs = json_object_get(doc, "runs");

	results_derive(doc);
	/* per run: count / that run's wall time */
	assert_true(results_get_metric(json_array_get(runs, 1), "voluntary_switches_per_s", 0) == 400);
	assert_true(results_get_metric(json_array_get(runs, 3), "voluntary_switches_per_s", 0) == 800);
	assert_true(results_get_metric(json_array_get(runs, 0), "units_per_s", 0) == 500);
	/* speed-up against serial of the same repeat: 1.0 and 4.0 */
	assert_true(results_get_metric(json_array_get(runs, 1), "speedup", 0) == 1.0);
	assert_true(results_get_metric(json_array_get(runs, 3), "speedup", 0) == 4.0);
	assert_true(results_get_metric(json_array_get(runs, 3), "efficiency", 0) == 2.0);
	/* the cell's median is the median of the runs' rates */
	assert_true(median(doc, 1, "voluntary_switches_per_s") == 600);
	assert_true(median(doc, 1, "speedup") == 2.5);
	assert_int_equal(json_array_size(json_object_get(doc, "claims")), 16);
	assert_non_null(json_object_get(json_object_get(doc, "verdict_table"), "rows"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "units"),
							      "voluntary_switches_per_s")), "1/s");
	json_decref(doc);
}

static void test_no_rate_without_a_wall_time(void **state)
{
	json_t *run = workload_run("serial", "io", 0, 0, 10, 10);

	derive_run_rates(run, false);
	assert_null(json_object_get(json_object_get(run, "metrics"), "units_per_s"));
	json_decref(run);
}

/* A document read back keeps what it says; only what it lacks is derived. */
static void test_derive_missing_keeps_the_document(void **state)
{
	json_t *doc = run_doc(), *claims;

	results_derive(doc);
	claims = json_array_get(json_object_get(doc, "claims"), 0);
	json_object_set_new(claims, "verdict", json_string("refuted"));
	json_object_del(json_object_get(json_array_get(json_object_get(doc, "runs"), 1), "metrics"),
			"voluntary_switches_per_s");
	results_derive_missing(doc);
	assert_string_equal(json_string_value(json_object_get(claims, "verdict")), "refuted");
	assert_true(results_get_metric(json_array_get(json_object_get(doc, "runs"), 1),
				       "voluntary_switches_per_s", 0) == 400);
	json_decref(doc);
}

static char *csv_of(const json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(csv_write_results(f, doc), 0);
	fclose(f);
	return buf;
}

static void test_verdicts_in_csv_and_compare(void **state)
{
	json_t *a = run_doc(), *b = run_doc(), *cmp, *c;
	json_t *docs[2];
	const char *names[2] = { "a.json", "b.json" };
	char *csv, *out = NULL;
	size_t len = 0, i;
	FILE *f;

	results_derive(a);
	results_derive(b);
	csv = csv_of(a);
	assert_non_null(strstr(csv, ",,,,,claim:C1,"));
	assert_non_null(strstr(csv, ",verdict\r\n"));
	free(csv);
	json_array_foreach(json_object_get(b, "claims"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), "C5"))
			json_object_set_new(c, "verdict", json_string("confirmed"));
	docs[0] = a;
	docs[1] = b;
	cmp = compare_docs(docs, names, 2);
	f = open_memstream(&out, &len);
	assert_int_equal(compare_print_verdict_changes(f, cmp), 1);
	fclose(f);
	assert_non_null(strstr(out, "C5: "));
	assert_non_null(strstr(out, "-> confirmed (b.json)"));
	free(out);
	f = open_memstream(&out, &len);
	assert_int_equal(compare_write_csv(f, cmp), 0);
	fclose(f);
	assert_non_null(strstr(out, "claims,claim:C5,verdict,b.json,confirmed,,,,true\r\n"));
	free(out);
	json_decref(cmp);
	json_decref(a);
	json_decref(b);
}

/* run --python: each runtime's rows are their own cells, baselines and
 * verdicts; sim beside real per cell with the difference; the sweep's
 * speed-ups against the sweep's own serial run. */
static void test_runtimes_apart_and_side_by_side(void **state)
{
	json_t *doc = run_doc(), *runs = json_object_get(doc, "runs"), *r, *sbs, *row, *f;
	char *csv;
	size_t i, n = json_array_size(runs);

	for (i = 0; i < n; i++) {
		r = json_deep_copy(json_array_get(runs, i));
		json_object_set_new(r, "runtime", json_string("cpython-3.11.2"));
		/* real: the threads run at half the simulation's rate */
		if (!strcmp(json_string_value(json_object_get(r, "model")), "threads-gil"))
			json_object_set_new(r, "wall_s", json_real(2 * json_number_value(json_object_get(r, "wall_s"))));
		json_array_append_new(runs, r);
	}
	r = workload_run("serial", "cpu", 0, 1.0, 1000, 10); /* the sweep's own, faster, serial */
	json_object_set_new(r, "sweep", json_true());
	json_array_append_new(runs, r);
	r = workload_run("processes", "cpu", 0, 0.5, 1000, 10);
	json_object_set_new(r, "sweep", json_true());
	json_array_append_new(runs, r);
	results_derive(doc);
	/* sim's threads-gil: 1.0 and 4.0 -> median 2.5; real's half that */
	assert_true(median(doc, 1, "speedup") == 2.5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "summary"), 3),
							      "runtime")), "cpython-3.11.2");
	assert_true(median(doc, 3, "speedup") == 1.25);
	/* the sweep's processes against the sweep's serial (1.0 s), not the matrix's (2.0 s) */
	assert_true(results_get_metric(json_array_get(runs, json_array_size(runs) - 1), "speedup", 0) == 2.0);
	assert_int_equal(json_array_size(json_object_get(doc, "claims")), 32);
	sbs = json_object_get(doc, "side_by_side");
	assert_int_equal(json_array_size(sbs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sbs, 0), "runtime")), "cpython-3.11.2");
	row = json_array_get(json_object_get(json_array_get(sbs, 0), "rows"), 1); /* threads-gil/cpu */
	assert_string_equal(json_string_value(json_object_get(row, "model")), "threads-gil");
	f = json_object_get(json_object_get(row, "figures"), "speedup");
	assert_true(json_number_value(json_object_get(f, "sim")) == 2.5);
	assert_true(json_number_value(json_object_get(f, "real")) == 1.25);
	assert_true(json_number_value(json_object_get(f, "diff")) == 1.0); /* (2.5 - 1.25) / 1.25 */
	/* a figure neither side has is left out, one side only is null */
	assert_null(json_object_get(json_object_get(row, "figures"), "lock_wait_share"));
	csv = csv_of(doc);
	assert_non_null(strstr(csv, ",,,,,claim:C1,"));
	assert_non_null(strstr(csv, ",,,,,claim:C1@cpython-3.11.2,"));
	free(csv);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_describe_every_metric),
		cmocka_unit_test(test_registry_entries_are_complete),
		cmocka_unit_test(test_thread_metrics_reach_the_document),
		cmocka_unit_test(test_rates_and_speedups_are_derived_once),
		cmocka_unit_test(test_no_rate_without_a_wall_time),
		cmocka_unit_test(test_derive_missing_keeps_the_document),
		cmocka_unit_test(test_verdicts_in_csv_and_compare),
		cmocka_unit_test(test_runtimes_apart_and_side_by_side),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
