/* derive.c - figures derived from the measured ones (see derive.h). */
#include "derive.h"

#include <string.h>
#include "cell_stats.h"
#include "claims.h"
#include "findings.h"
#include "locks.h"
#include "metric_registry.h"
#include "results.h"
#include "side_by_side.h"

static bool has_metric(const json_t *run, const char *name)
{
	return json_is_number(json_object_get(json_object_get(run, "metrics"), name));
}

void derive_run_rates(json_t *run, bool only_missing)
{
	json_t *w = json_object_get(run, "wall_s");
	double wall = json_is_number(w) ? json_number_value(w) : 0;

	if (wall <= 0)
		return; /* no rate: n/a, never 0 */
	for (size_t i = 0; i < metric_ndefs; i++) {
		const struct metric_def *m = &metric_defs[i];

		if (!m->rate_of || !has_metric(run, m->rate_of))
			continue;
		/* a rate measured over its own window (CPython's hand-offs) or
		 * marked n/a (null) is kept; otherwise derived over the wall time */
		if (json_object_get(json_object_get(run, "metrics"), m->name))
			continue;
		results_set_metric(run, m->name, results_get_metric(run, m->rate_of, 0) / wall);
	}
}

static bool same(const json_t *a, const json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);

	return x && y && json_equal(x, y);
}

/* Equal, or absent from both (documents from before the key existed). */
static bool same_or_absent(const json_t *a, const json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);

	return (!x && !y) || same(a, b, key);
}

/* speedup and efficiency: a workload run against serial's run of the same
 * workload, repeat, runtime and switch interval (the first model run, so every other's baseline);
 * a --workers-sweep run against the sweep's own serial run, made beside it. */
static void derive_speedups(json_t *runs, bool only_missing)
{
	json_t *r, *s;
	size_t i, j;

	json_array_foreach(runs, i, r) {
		double rate, base = 0, workers = json_number_value(json_object_get(r, "workers"));

		if (!json_is_string(json_object_get(r, "model")) || !has_metric(r, "units_per_s") ||
		    (only_missing && has_metric(r, "speedup")))
			continue;
		json_array_foreach(runs, j, s) {
			const char *m = json_string_value(json_object_get(s, "model"));

			if (m && !strcmp(m, "serial") && same(r, s, "workload") && same(r, s, "repeat") &&
			    same_or_absent(r, s, "runtime") && same_or_absent(r, s, "interval_us") &&
			    json_is_true(json_object_get(r, "sweep")) == json_is_true(json_object_get(s, "sweep"))) {
				base = results_get_metric(s, "units_per_s", 0);
				break;
			}
		}
		if (base <= 0)
			continue;
		rate = results_get_metric(r, "units_per_s", 0);
		results_set_metric(r, "speedup", rate / base);
		if (workers > 0)
			results_set_metric(r, "efficiency", rate / base / workers);
	}
}

static bool has_workload_runs(const json_t *doc)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, r)
		if (json_is_string(json_object_get(r, "model")))
			return true;
	return false;
}

/* Medians an older summary[] lacks (derived figures it did not have). */
static void merge_cells(json_t *old, json_t *fresh)
{
	json_t *o, *f, *v;
	const char *name;
	size_t i, j;

	json_array_foreach(old, i, o) {
		json_array_foreach(fresh, j, f) {
			json_t *om = json_object_get(o, "metrics");

			if (!same(o, f, "model") || !same(o, f, "workload") || !json_is_object(om))
				continue;
			json_object_foreach(json_object_get(f, "metrics"), name, v)
				if (!json_object_get(om, name))
					json_object_set(om, name, v);
		}
	}
}

/* The run's lock table, thread labels and findings (locks.h, findings.h). */
static void derive_findings(json_t *run, bool only_missing)
{
	if (!json_is_array(json_object_get(run, "threads")))
		return;
	if (!only_missing || !json_object_get(run, "locks"))
		locks_build(run);
	thread_labels_build(run);
	if (!only_missing || !json_object_get(run, "findings"))
		json_object_set_new(run, "findings", findings_decide(run));
}

static void derive(json_t *doc, bool only_missing)
{
	json_t *runs = json_object_get(doc, "runs"), *r;
	size_t i;

	json_array_foreach(runs, i, r)
		if (json_is_object(r)) {
			derive_run_rates(r, only_missing);
			derive_findings(r, only_missing);
		}
	derive_speedups(runs, only_missing);
	if (has_workload_runs(doc)) {
		json_t *cells = cell_stats(runs), *old = json_object_get(doc, "summary");

		if (only_missing && json_is_array(old)) {
			merge_cells(old, cells);
			json_decref(cells);
		} else {
			json_object_set_new(doc, "summary", cells);
		}
		if (!only_missing || !json_object_get(doc, "side_by_side"))
			json_object_set_new(doc, "side_by_side",
					    side_by_side(json_object_get(doc, "summary")));
		if (!only_missing || !json_object_get(doc, "claims"))
			json_object_set_new(doc, "claims", claims_evaluate(doc));
		if (!only_missing || !json_object_get(doc, "verdict_table"))
			json_object_set_new(doc, "verdict_table", claims_verdict_table(doc));
	}
	results_fill_units(doc);
}

void results_derive(json_t *doc)
{
	derive(doc, false);
}

void results_derive_missing(json_t *doc)
{
	derive(doc, true);
}
