/* test_claims - C1-C16 and the comparison table, decided from hand-made figures,
 * on each runtime of a document. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "claims.h"

/* Set a median of the summary cell of model/workload on runtime rt (NULL:
 * a cell without a runtime, read as "sim"); sweep_workers > 0: the cell of
 * --workers-sweep at that many workers. */
static void put_cell(json_t *doc, const char *rt, const char *model, const char *workload,
		     int sweep_workers, const char *name, double v)
{
	json_t *summary = json_object_get(doc, "summary"), *e;
	size_t i;

	json_array_foreach(summary, i, e) {
		const char *ert = json_string_value(json_object_get(e, "runtime"));

		if (!strcmp(json_string_value(json_object_get(e, "model")), model) &&
		    !strcmp(json_string_value(json_object_get(e, "workload")), workload) &&
		    !strcmp(ert ? ert : "-", rt ? rt : "-") &&
		    json_is_true(json_object_get(e, "sweep")) == (sweep_workers > 0) &&
		    (!sweep_workers || json_integer_value(json_object_get(e, "workers")) == sweep_workers)) {
			json_object_set_new(json_object_get(e, "metrics"), name,
					    json_pack("{sf sf sf}", "median", v, "min", v, "max", v));
			return;
		}
	}
	e = json_pack("{ss ss s{}}", "model", model, "workload", workload, "metrics");
	if (rt)
		json_object_set_new(e, "runtime", json_string(rt));
	if (sweep_workers) {
		json_object_set_new(e, "sweep", json_true());
		json_object_set_new(e, "workers", json_integer(sweep_workers));
	}
	json_array_append_new(summary, e);
	put_cell(doc, rt, model, workload, sweep_workers, name, v);
}

static void put(json_t *doc, const char *model, const char *workload, const char *name, double v)
{
	put_cell(doc, NULL, model, workload, 0, name, v);
}

/* speed-ups of a --workers-sweep over 1..4 workers */
static void put_sweep(json_t *doc, const char *rt, const char *model, const double s[4])
{
	for (int w = 1; w <= 4; w++)
		put_cell(doc, rt, model, "cpu", w, "speedup", s[w - 1]);
}

static const double gil_sweep[4] = { 1.0, 0.99, 0.98, 0.99 };
static const double proc_sweep[4] = { 0.98, 1.9, 1.85, 1.92 };

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
	put(doc, "threads-gil", "cpu-release", "speedup", 1.88);
	put(doc, "threads-gil", "cpu-release", "cores_used", 1.8);
	put(doc, "threads-gil", "cpu-release", "gil_wait_share", 0.01);
	put(doc, "threads-gil", "shared", "lock_wait_share", 0.2);
	put(doc, "processes", "shared", "lock_wait_share", 0.01);
	put(doc, "processes", "shared", "serialise_ns", 30e3);
	put(doc, "async", "io", "io_latency_p50_ns", 1.2e6);
	put(doc, "async", "io-block", "io_latency_p50_ns", 6.3e6);
	put_sweep(doc, NULL, "threads-gil", gil_sweep);
	put_sweep(doc, NULL, "processes", proc_sweep);
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

	assert_int_equal(json_array_size(claims), 16);
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

/*
 * Every claim, confirmed and refuted, just either side of its threshold
 * (user/results/claims.c), from the folklore figures with one to three
 * figures changed. Table-driven, so that it can follow the evaluation where
 * it goes: only verdict_after() knows how a claim is evaluated.
 */
/* workload "cpu@3": the --workers-sweep cell of cpu at 3 workers; "cpu@*":
 * each of the sweep's cells (1..4 workers) */
struct fig {
	const char *model, *workload, *name;
	double v;
};

struct claim_case {
	const char *id, *why;
	const char *verdict;   /* "confirmed", "refuted" or "inconclusive" */
	int cpus, workers;     /* 0: 2 */
	struct fig figs[3];
};

static const struct claim_case claim_cases[] = {
	/* C1: speed-up <= 1.1 and cores used <= 1.25, with 2+ workers on 2+ CPUs */
	{ "C1", "speed-up at 1.10", "confirmed", 0, 0, { { "threads-gil", "cpu", "speedup", 1.10 } } },
	{ "C1", "speed-up just above 1.1", "refuted", 0, 0, { { "threads-gil", "cpu", "speedup", 1.11 } } },
	{ "C1", "cores just under 1.25", "confirmed", 0, 0, { { "threads-gil", "cpu", "cores_used", 1.24 } } },
	{ "C1", "cores just above 1.25", "refuted", 0, 0, { { "threads-gil", "cpu", "cores_used", 1.26 } } },
	{ "C1", "one CPU", "inconclusive", 1, 0, { { 0 } } },
	{ "C1", "one worker", "inconclusive", 0, 1, { { 0 } } },
	/* C2: hand-offs/s and hold p50 within 2x of 1/interval (200/s) and the interval (5 ms) */
	{ "C2", "rate just inside /2", "confirmed", 0, 0, { { "threads-gil", "cpu", "gil_handoffs_per_s", 100.5 } } },
	{ "C2", "rate just below /2", "refuted", 0, 0, { { "threads-gil", "cpu", "gil_handoffs_per_s", 99.5 } } },
	{ "C2", "rate just inside x2", "confirmed", 0, 0, { { "threads-gil", "cpu", "gil_handoffs_per_s", 399.5 } } },
	{ "C2", "rate just above x2", "refuted", 0, 0, { { "threads-gil", "cpu", "gil_handoffs_per_s", 400.5 } } },
	{ "C2", "hold just inside /2", "confirmed", 0, 0, { { "threads-gil", "cpu", "gil_hold_p50_ns", 2.51e6 } } },
	{ "C2", "hold just below /2", "refuted", 0, 0, { { "threads-gil", "cpu", "gil_hold_p50_ns", 2.49e6 } } },
	{ "C2", "hold just inside x2", "confirmed", 0, 0, { { "threads-gil", "cpu", "gil_hold_p50_ns", 9.99e6 } } },
	{ "C2", "hold just above x2", "refuted", 0, 0, { { "threads-gil", "cpu", "gil_hold_p50_ns", 10.01e6 } } },
	{ "C2", "one worker", "inconclusive", 0, 1, { { 0 } } },
	/* C3: GIL-wait share >= 25% and more voluntary switches/s than serial (6.25/s) */
	{ "C3", "share just above 25%", "confirmed", 0, 0, { { "threads-gil", "cpu", "gil_wait_share", 0.251 } } },
	{ "C3", "share just below 25%", "refuted", 0, 0, { { "threads-gil", "cpu", "gil_wait_share", 0.249 } } },
	{ "C3", "switch rate just above serial's", "confirmed", 0, 0, { { "threads-gil", "cpu", "voluntary_switches_per_s", 6.3 } } },
	{ "C3", "switch rate just below serial's", "refuted", 0, 0, { { "threads-gil", "cpu", "voluntary_switches_per_s", 6.2 } } },
	{ "C3", "one worker", "inconclusive", 0, 1, { { 0 } } },
	/* C4: processes' speed-up >= 70% of min(workers, CPUs) = 1.4 */
	{ "C4", "just above 1.4", "confirmed", 0, 0, { { "processes", "cpu", "speedup", 1.41 } } },
	{ "C4", "just below 1.4", "refuted", 0, 0, { { "processes", "cpu", "speedup", 1.39 } } },
	{ "C4", "4 CPUs, 4 workers: 2.8 needed", "refuted", 4, 4, { { "processes", "cpu", "speedup", 2.79 } } },
	{ "C4", "4 CPUs, 4 workers: 2.8 met", "confirmed", 4, 4, { { "processes", "cpu", "speedup", 2.81 } } },
	{ "C4", "one CPU", "inconclusive", 1, 0, { { 0 } } },
	/* C5: processes' start-up and memory above threads' (500 us, 40 kB) */
	{ "C5", "start-up just above", "confirmed", 0, 0, { { "processes", "cpu", "startup_ns_per_worker", 500.1e3 } } },
	{ "C5", "start-up just below", "refuted", 0, 0, { { "processes", "cpu", "startup_ns_per_worker", 499.9e3 } } },
	{ "C5", "start-up equal", "refuted", 0, 0, { { "processes", "cpu", "startup_ns_per_worker", 500e3 } } },
	{ "C5", "memory just above", "confirmed", 0, 0, { { "processes", "cpu", "rss_bytes_per_worker", 40.1e3 } } },
	{ "C5", "memory just below", "refuted", 0, 0, { { "processes", "cpu", "rss_bytes_per_worker", 39.9e3 } } },
	/* C6: threads-gil I/O speed-up >= 1.5 */
	{ "C6", "just above 1.5", "confirmed", 0, 0, { { "threads-gil", "io", "speedup", 1.51 } } },
	{ "C6", "just below 1.5", "refuted", 0, 0, { { "threads-gil", "io", "speedup", 1.49 } } },
	{ "C6", "one worker", "inconclusive", 0, 1, { { 0 } } },
	/* C7: async I/O throughput >= 90% of threads' (11000/s) and less memory per task (36 kB) */
	{ "C7", "throughput just above 90%", "confirmed", 0, 0, { { "async", "io", "units_per_s", 9910 } } },
	{ "C7", "throughput just below 90%", "refuted", 0, 0, { { "async", "io", "units_per_s", 9890 } } },
	{ "C7", "memory just below threads'", "confirmed", 0, 0, { { "async", "io", "rss_bytes_per_worker", 35.9e3 } } },
	{ "C7", "memory just above threads'", "refuted", 0, 0, { { "async", "io", "rss_bytes_per_worker", 36.1e3 } } },
	/* C8: async cpu speed-up <= 1.1 and cores used <= 1.25 */
	{ "C8", "speed-up just under 1.1", "confirmed", 0, 0, { { "async", "cpu", "speedup", 1.09 } } },
	{ "C8", "speed-up just above 1.1", "refuted", 0, 0, { { "async", "cpu", "speedup", 1.11 } } },
	{ "C8", "cores just under 1.25", "confirmed", 0, 0, { { "async", "cpu", "cores_used", 1.24 } } },
	{ "C8", "cores just above 1.25", "refuted", 0, 0, { { "async", "cpu", "cores_used", 1.26 } } },
	/* C9: async-pool speed-up and cores used >= 70% of 2 = 1.4 */
	{ "C9", "speed-up just above 1.4", "confirmed", 0, 0, { { "async-pool", "cpu", "speedup", 1.41 } } },
	{ "C9", "speed-up just below 1.4", "refuted", 0, 0, { { "async-pool", "cpu", "speedup", 1.39 } } },
	{ "C9", "cores just above 1.4", "confirmed", 0, 0, { { "async-pool", "cpu", "cores_used", 1.41 } } },
	{ "C9", "cores just below 1.4", "refuted", 0, 0, { { "async-pool", "cpu", "cores_used", 1.39 } } },
	{ "C9", "one CPU", "inconclusive", 1, 0, { { 0 } } },
	/* C10: I/O latency beside a CPU thread >= 2x alone (1.3 ms) */
	{ "C10", "just above 2x", "confirmed", 0, 0, { { "threads-gil", "mixed", "io_latency_p50_ns", 2.61e6 } } },
	{ "C10", "just below 2x", "refuted", 0, 0, { { "threads-gil", "mixed", "io_latency_p50_ns", 2.59e6 } } },
	/* C11: no-GIL speed-up >= 70% of processes' (1.95 -> 1.365), start-up below processes' (1.4 ms) */
	{ "C11", "speed-up just above 70%", "confirmed", 0, 0, { { "threads-nogil", "cpu", "speedup", 1.37 } } },
	{ "C11", "speed-up just below 70%", "refuted", 0, 0, { { "threads-nogil", "cpu", "speedup", 1.36 } } },
	{ "C11", "start-up just below processes'", "confirmed", 0, 0, { { "threads-nogil", "cpu", "startup_ns_per_worker", 1.39e6 } } },
	{ "C11", "start-up just above processes'", "refuted", 0, 0, { { "threads-nogil", "cpu", "startup_ns_per_worker", 1.41e6 } } },
	{ "C11", "one CPU", "inconclusive", 1, 0, { { 0 } } },
	/* C12: thread start-up < 1 ms and voluntary switches (400) outnumber involuntary ones */
	{ "C12", "start-up just under 1 ms", "confirmed", 0, 0, { { "threads-gil", "cpu", "startup_ns_per_worker", 0.99e6 } } },
	{ "C12", "start-up just over 1 ms", "refuted", 0, 0, { { "threads-gil", "cpu", "startup_ns_per_worker", 1.01e6 } } },
	{ "C12", "involuntary just fewer", "confirmed", 0, 0, { { "threads-gil", "cpu", "involuntary_switches", 399 } } },
	{ "C12", "involuntary as many", "refuted", 0, 0, { { "threads-gil", "cpu", "involuntary_switches", 400 } } },
	{ "C12", "involuntary just more", "refuted", 0, 0, { { "threads-gil", "cpu", "involuntary_switches", 401 } } },
	/* C13: threads-gil speed-up on GIL-releasing work >= 70% of min(workers, CPUs) = 1.4 */
	{ "C13", "just above 1.4", "confirmed", 0, 0, { { "threads-gil", "cpu-release", "speedup", 1.41 } } },
	{ "C13", "just below 1.4", "refuted", 0, 0, { { "threads-gil", "cpu-release", "speedup", 1.39 } } },
	{ "C13", "4 CPUs, 4 workers: 2.8 needed", "refuted", 4, 4, { { "threads-gil", "cpu-release", "speedup", 2.79 } } },
	{ "C13", "one CPU", "inconclusive", 1, 0, { { 0 } } },
	/* C14: threads' lock wait >= 1% and processes' serialisation > 0 (their pool's waits shown only) */
	{ "C14", "threads just above 1%", "confirmed", 0, 0, { { "threads-gil", "shared", "lock_wait_share", 0.0101 } } },
	{ "C14", "threads just below 1%", "refuted", 0, 0, { { "threads-gil", "shared", "lock_wait_share", 0.0099 } } },
	{ "C14", "processes' pool waits", "confirmed", 0, 0, { { "processes", "shared", "lock_wait_share", 0.8 } } },
	{ "C14", "no serialisation", "refuted", 0, 0, { { "processes", "shared", "serialise_ns", 0 } } },
	{ "C14", "one worker", "inconclusive", 0, 1, { { 0 } } },
	/* C15: others' latency with a blocking task >= 2x the loop's without (1.2 ms) */
	{ "C15", "just above 2x", "confirmed", 0, 0, { { "async", "io-block", "io_latency_p50_ns", 2.41e6 } } },
	{ "C15", "just below 2x", "refuted", 0, 0, { { "async", "io-block", "io_latency_p50_ns", 2.39e6 } } },
	/* C16: threads-gil <= 1.1 at 1..4 workers; processes >= 1.4 at 2 and 4 workers (2 CPUs) */
	{ "C16", "threads-gil at 1.10", "confirmed", 0, 0, { { "threads-gil", "cpu@3", "speedup", 1.10 } } },
	{ "C16", "threads-gil just above 1.1", "refuted", 0, 0, { { "threads-gil", "cpu@3", "speedup", 1.11 } } },
	{ "C16", "processes at the cores just above 1.4", "confirmed", 0, 0, { { "processes", "cpu@2", "speedup", 1.41 } } },
	{ "C16", "processes at the cores just below 1.4", "refuted", 0, 0, { { "processes", "cpu@2", "speedup", 1.39 } } },
	{ "C16", "processes at 2x the cores just below 1.4", "refuted", 0, 0, { { "processes", "cpu@4", "speedup", 1.39 } } },
	{ "C16", "free threads scale too", "confirmed", 0, 0, { { "threads-nogil", "cpu@*", "speedup", 1.9 } } },
	{ "C16", "free threads do not", "refuted", 0, 0, { { "threads-nogil", "cpu@*", "speedup", 1.0 } } },
	{ "C16", "one CPU", "inconclusive", 1, 0, { { 0 } } },
	/* C1 reads the matrix's cell, never a sweep cell */
	{ "C1", "a sweep cell scales", "confirmed", 0, 0, { { "threads-gil", "cpu@2", "speedup", 1.9 } } },
};

/* The verdict on claim `id` of a document. The one place that knows how
 * claims are evaluated: re-point it if the evaluation moves. */
static char *verdict_after(json_t *doc, const char *id)
{
	json_t *claims = claims_evaluate(doc);
	char *v = strdup(verdict_of(claims, id));

	json_decref(claims);
	return v;
}

static void test_every_claim_either_side_of_its_threshold(void **state)
{
	size_t n = sizeof(claim_cases) / sizeof(claim_cases[0]);
	int refuted[17] = { 0 }, confirmed[17] = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct claim_case *c = &claim_cases[i];
		json_t *doc = folklore_doc(c->cpus ? c->cpus : 2), *params;
		char *got;

		params = json_object_get(json_object_get(doc, "env"), "params");
		if (c->workers)
			json_object_set_new(params, "workers", json_integer(c->workers));
		for (int f = 0; f < 3 && c->figs[f].model; f++) {
			const char *at = strchr(c->figs[f].workload, '@');
			char workload[32];

			snprintf(workload, sizeof(workload), "%.*s", at ? (int)(at - c->figs[f].workload) : 31,
				 c->figs[f].workload);
			for (int w = 1; w <= 4; w++)
				if (at && (at[1] == '*' || atoi(at + 1) == w))
					put_cell(doc, NULL, c->figs[f].model, workload, w, c->figs[f].name,
						 c->figs[f].v);
			if (!at)
				put(doc, c->figs[f].model, workload, c->figs[f].name, c->figs[f].v);
		}
		got = verdict_after(doc, c->id);
		if (strcmp(got, c->verdict))
			fail_msg("%s, %s: %s, want %s", c->id, c->why, got, c->verdict);
		refuted[atoi(c->id + 1)] += !strcmp(got, "refuted");
		confirmed[atoi(c->id + 1)] += !strcmp(got, "confirmed");
		free(got);
		json_decref(doc);
	}
	/* the table covers each claim both ways */
	for (int k = 1; k <= 16; k++)
		if (!refuted[k] || !confirmed[k])
			fail_msg("C%d is not tested both confirmed and refuted", k);
}

/* The claims the default matrix leaves out say how to measure them. */
static void test_not_measured_says_how(void **state)
{
	json_t *doc = json_pack("{si s{si s{si si}} s[] s[]}", "schema", 1, "env", "online_cpus", 2,
				"params", "workers", 2, "interval_us", 5000, "runs", "summary");
	json_t *claims, *c;
	size_t i;

	put(doc, "serial", "cpu", "speedup", 1.0);
	claims = claims_evaluate(doc);
	json_array_foreach(claims, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *reason = json_string_value(json_object_get(c, "reason"));

		if (!strcmp(id, "C16"))
			assert_non_null(strstr(reason, "not measured (run with --workers-sweep)"));
		if (!strcmp(id, "C13"))
			assert_non_null(strstr(reason, "not measured (run with -w cpu-release)"));
		if (!strcmp(id, "C15"))
			assert_non_null(strstr(reason, "io-block"));
	}
	json_decref(claims);
	json_decref(doc);
}

static json_t *claim_of(json_t *claims, const char *id, const char *runtime)
{
	json_t *c;
	size_t i;

	json_array_foreach(claims, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "id")), id) &&
		    !strcmp(json_string_value(json_object_get(c, "runtime")), runtime))
			return c;
	fail_msg("no %s on %s", id, runtime);
	return NULL;
}

/* Every claim once per runtime, each from that runtime's cells only, at the
 * primary switch interval. */
static void test_each_runtime_decided_apart(void **state)
{
	json_t *doc = folklore_doc(2), *claims, *t, *row;
	const char *real = "cpython-3.11.2";

	/* the real interpreter: threads scale (C1 refuted), GIL-releasing calls
	 * do not (C13 refuted), a blocking task stalls the loop (C15 confirmed) */
	put_cell(doc, real, "serial", "cpu", 0, "speedup", 1.0);
	put_cell(doc, real, "threads-gil", "cpu", 0, "speedup", 1.9);
	put_cell(doc, real, "threads-gil", "cpu", 0, "cores_used", 1.9);
	put_cell(doc, real, "threads-gil", "cpu-release", 0, "speedup", 1.0);
	put_cell(doc, real, "threads-gil", "cpu-release", 0, "cores_used", 1.0);
	put_cell(doc, real, "async", "io", 0, "io_latency_p50_ns", 1e6);
	put_cell(doc, real, "async", "io-block", 0, "io_latency_p50_ns", 6e6);
	/* a real cell at another switch interval is not the claims' */
	put_cell(doc, real, "processes", "cpu", 0, "speedup", 1.95);
	put_cell(doc, real, "processes", "cpu", 0, "cores_used", 1.95);
	json_object_set_new(json_array_get(json_object_get(doc, "summary"),
					   json_array_size(json_object_get(doc, "summary")) - 1),
			    "interval_us", json_integer(1000));
	claims = claims_evaluate(doc);
	assert_int_equal(json_array_size(claims), 32);
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C1", "sim"), "verdict")),
			    "confirmed");
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C1", real), "verdict")),
			    "refuted");
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C13", "sim"), "verdict")),
			    "confirmed");
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C13", real), "verdict")),
			    "refuted");
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C15", real), "verdict")),
			    "confirmed");
	/* not run on the interpreter: inconclusive there, whatever sim says */
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C4", real), "verdict")),
			    "inconclusive");
	assert_string_equal(json_string_value(json_object_get(claim_of(claims, "C16", real), "verdict")),
			    "inconclusive");
	json_decref(claims);

	/* the table: each row once per runtime, sim first */
	t = claims_verdict_table(doc);
	assert_int_equal(json_array_size(json_object_get(t, "runtimes")), 2);
	assert_int_equal(json_array_size(json_object_get(t, "rows")), 18);
	row = json_array_get(json_object_get(t, "rows"), 1);
	assert_string_equal(json_string_value(json_object_get(row, "runtime")), real);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(row, "cells"), 0),
							      "text")), "scales with cores: 1.90×");
	json_decref(t);
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
		cmocka_unit_test(test_every_claim_either_side_of_its_threshold),
		cmocka_unit_test(test_not_measured_says_how),
		cmocka_unit_test(test_each_runtime_decided_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
