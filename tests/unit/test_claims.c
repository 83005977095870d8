/* test_claims - C1-C12 and the comparison table, decided from hand-made figures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "claims.h"

static void put(json_t *doc, const char *model, const char *workload, const char *name, double v)
{
	json_t *summary = json_object_get(doc, "summary"), *e;
	size_t i;

	json_array_foreach(summary, i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "model")), model) &&
		    !strcmp(json_string_value(json_object_get(e, "workload")), workload)) {
			json_object_set_new(json_object_get(e, "metrics"), name,
					    json_pack("{sf sf sf}", "median", v, "min", v, "max", v));
			return;
		}
	}
	e = json_pack("{ss ss s{}}", "model", model, "workload", workload, "metrics");
	json_array_append_new(summary, e);
	put(doc, model, workload, name, v);
}

/* Figures shaped like a real run on 2 CPUs, where the folklore holds. */
static json_t *folklore_doc(int cpus)
{
	json_t *doc = json_pack("{si s{si s{si si}} s[] s[]}", "schema", 1, "env", "online_cpus", cpus,
				"params", "workers", 2, "interval_us", 5000, "runs", "summary");

	put(doc, "serial", "cpu", "speedup", 1.0);
	put(doc, "serial", "cpu", "voluntary_switches_per_s", 6.25);
	put(doc, "threads-gil", "cpu", "speedup", 0.99);
	put(doc, "threads-gil", "cpu", "cores_used", 1.0);
	put(doc, "threads-gil", "cpu", "gil_handoffs_per_s", 190);
	put(doc, "threads-gil", "cpu", "gil_hold_p50_ns", 5.2e6);
	put(doc, "threads-gil", "cpu", "gil_wait_share", 0.5);
	put(doc, "threads-gil", "cpu", "voluntary_switches", 400);
	put(doc, "threads-gil", "cpu", "involuntary_switches", 30);
	put(doc, "threads-gil", "cpu", "voluntary_switches_per_s", 500);
	put(doc, "threads-gil", "cpu", "involuntary_switches_per_s", 37.5);
	put(doc, "threads-gil", "cpu", "startup_ns_per_worker", 500e3);
	put(doc, "threads-gil", "cpu", "rss_bytes_per_worker", 40e3);
	put(doc, "threads-nogil", "cpu", "speedup", 1.97);
	put(doc, "threads-nogil", "cpu", "startup_ns_per_worker", 300e3);
	put(doc, "processes", "cpu", "speedup", 1.95);
	put(doc, "processes", "cpu", "cores_used", 1.97);
	put(doc, "processes", "cpu", "startup_ns_per_worker", 1.4e6);
	put(doc, "processes", "cpu", "rss_bytes_per_worker", 256e3);
	put(doc, "processes", "cpu", "serialise_ns", 300e3);
	put(doc, "async", "cpu", "speedup", 1.0);
	put(doc, "async", "cpu", "cores_used", 1.0);
	put(doc, "async-pool", "cpu", "speedup", 1.8);
	put(doc, "async-pool", "cpu", "cores_used", 1.9);
	put(doc, "serial", "io", "units_per_s", 860);
	put(doc, "threads-gil", "io", "units_per_s", 11000);
	put(doc, "threads-gil", "io", "speedup", 12.8);
	put(doc, "threads-gil", "io", "rss_bytes_per_worker", 36e3);
	put(doc, "threads-gil", "io", "io_latency_p50_ns", 1.3e6);
	put(doc, "async", "io", "units_per_s", 11500);
	put(doc, "async", "io", "rss_bytes_per_worker", 10e3);
	put(doc, "threads-gil", "mixed", "io_latency_p50_ns", 6.8e6);
	return doc;
}

static const char *verdict_of(json_t *claims, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(claims, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), id))
			return json_string_value(json_object_get(c, "verdict"));
	return "absent";
}

static void test_all_confirmed_on_folklore_figures(void **state)
{
	json_t *doc = folklore_doc(2), *claims = claims_evaluate(doc), *c;
	size_t i;

	assert_int_equal(json_array_size(claims), 12);
	json_array_foreach(claims, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "verdict")), "confirmed"))
			fail_msg("%s: %s (%s)", json_string_value(json_object_get(c, "id")),
				 json_string_value(json_object_get(c, "verdict")),
				 json_string_value(json_object_get(c, "reason")));
		assert_true(strlen(json_string_value(json_object_get(c, "threshold"))) > 10);
		assert_true(strlen(json_string_value(json_object_get(c, "figures"))) > 5);
	}
	json_decref(claims);
	json_decref(doc);
}

static void test_refuted_when_figures_disagree(void **state)
{
	json_t *doc = folklore_doc(2), *claims;

	put(doc, "threads-gil", "cpu", "speedup", 1.9);        /* C1: threads scaled */
	put(doc, "threads-gil", "cpu", "gil_handoffs_per_s", 20); /* C2: 10x too rare */
	put(doc, "threads-gil", "mixed", "io_latency_p50_ns", 1.4e6); /* C10: no convoy */
	put(doc, "processes", "cpu", "speedup", 1.1);           /* C4: no scaling */
	put(doc, "threads-gil", "io", "speedup", 1.2);          /* C6: I/O serialised */
	claims = claims_evaluate(doc);
	assert_string_equal(verdict_of(claims, "C1"), "refuted");
	assert_string_equal(verdict_of(claims, "C2"), "refuted");
	assert_string_equal(verdict_of(claims, "C10"), "refuted");
	assert_string_equal(verdict_of(claims, "C4"), "refuted");
	assert_string_equal(verdict_of(claims, "C6"), "refuted");
	assert_string_equal(verdict_of(claims, "C8"), "confirmed");
	json_decref(claims);
	json_decref(doc);
}

static void test_inconclusive_on_one_cpu_or_missing_model(void **state)
{
	json_t *doc = folklore_doc(1), *claims = claims_evaluate(doc), *c;
	size_t i;

	assert_string_equal(verdict_of(claims, "C1"), "inconclusive");
	assert_string_equal(verdict_of(claims, "C4"), "inconclusive");
	assert_string_equal(verdict_of(claims, "C9"), "inconclusive");
	json_array_foreach(claims, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), "C4"))
			assert_non_null(strstr(json_string_value(json_object_get(c, "reason")), "CPU"));
	json_decref(claims);
	json_decref(doc);

	doc = json_pack("{si s{si} s[] s[]}", "schema", 1, "env", "online_cpus", 2, "runs", "summary");
	claims = claims_evaluate(doc);
	json_array_foreach(claims, i, c) {
		assert_string_equal(json_string_value(json_object_get(c, "verdict")), "inconclusive");
		assert_non_null(strstr(json_string_value(json_object_get(c, "reason")), "not run"));
	}
	json_decref(claims);
	json_decref(doc);
}

static void test_verdict_table_cells(void **state)
{
	json_t *doc = folklore_doc(2), *t = claims_verdict_table(doc), *row, *cell;

	assert_int_equal(json_array_size(json_object_get(t, "columns")), 5);
	row = json_array_get(json_object_get(t, "rows"), 0); /* CPU-bound speed-up */
	cell = json_array_get(json_object_get(row, "cells"), 0); /* threads-gil */
	assert_string_equal(json_string_value(json_object_get(cell, "text")), "no real speed-up: 0.99×");
	assert_string_equal(json_string_value(json_object_get(cell, "verdict")), "bad");
	cell = json_array_get(json_object_get(row, "cells"), 2); /* processes */
	assert_non_null(strstr(json_string_value(json_object_get(cell, "text")), "scales with cores"));
	row = json_array_get(json_object_get(t, "rows"), 1); /* I/O throughput */
	cell = json_array_get(json_object_get(row, "cells"), 1); /* threads-nogil: not run */
	assert_string_equal(json_string_value(json_object_get(cell, "text")), "not run");
	json_decref(t);
	json_decref(doc);
}

static void test_figure_lookup_falls_back_to_runs(void **state)
{
	json_t *doc = json_pack("{s[{ss ss sf s{sf}}]}", "runs", "model", "async", "workload", "io",
				"wall_s", 2.5, "metrics", "units_per_s", 123.0);
	double v = 0;

	assert_true(claims_figure(doc, "async", "io", "units_per_s", &v) && v == 123.0);
	assert_true(claims_figure(doc, "async", "io", "wall_s", &v) && v == 2.5);
	assert_false(claims_figure(doc, "async", "cpu", "units_per_s", &v));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_confirmed_on_folklore_figures),
		cmocka_unit_test(test_refuted_when_figures_disagree),
		cmocka_unit_test(test_inconclusive_on_one_cpu_or_missing_model),
		cmocka_unit_test(test_verdict_table_cells),
		cmocka_unit_test(test_figure_lookup_falls_back_to_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
