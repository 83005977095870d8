/* verdict_table.c - the classic threading / multiprocessing / asyncio
 * comparison, measured: one row per figure and runtime, one cell per model
 * (see claims_verdict_table in claims.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "claim_ctx.h"

static const char *const table_models[] = { "threads-gil", "threads-nogil", "processes", "async",
					    "async-pool" };

/* A cell of the table: text and verdict, or "not run". */

static json_t *cell(double v, const char *text, const char *verdict)
{
	return json_pack("{sf ss ss}", "value", v, "text", text, "verdict", verdict);
}

static json_t *row_cells(const struct claim_ctx *c, const char *row)
{
	json_t *cells = json_array();

	for (size_t i = 0; i < sizeof(table_models) / sizeof(table_models[0]); i++) {
		const char *m = table_models[i];
		char text[96];
		double v = 0, v2 = 0;

		if (!strcmp(row, "cpu_speedup") && claim_figure(c, m, "cpu", "speedup", &v)) {
			double ideal = fmin(c->workers, c->cpus);

			if (v <= NO_SPEEDUP_MAX)
				snprintf(text, sizeof(text), "no real speed-up: %.2f×", v);
			else if (v >= SCALING_MIN * ideal)
				snprintf(text, sizeof(text), "scales with cores: %.2f×", v);
			else
				snprintf(text, sizeof(text), "partial speed-up: %.2f×", v);
			json_array_append_new(cells, cell(v, text, v <= NO_SPEEDUP_MAX ? "bad" :
							  v >= SCALING_MIN * ideal ? "good" : "fair"));
		} else if (!strcmp(row, "io_throughput") &&
			   claim_figure(c, m, "io", "units_per_s", &v) &&
			   claim_figure(c, "serial", "io", "units_per_s", &v2) && v2 > 0) {
			snprintf(text, sizeof(text), "%.0f req/s: %.1f× serial", v, v / v2);
			json_array_append_new(cells, cell(v, text, v / v2 >= IO_OVERLAP_MIN ? "good" : "bad"));
		} else if (!strcmp(row, "startup") &&
			   claim_figure(c, m, "cpu", "startup_ns_per_worker", &v)) {
			snprintf(text, sizeof(text), "%.0f µs per worker", v / 1e3);
			json_array_append_new(cells, cell(v, text, v < THREAD_START_MAX_NS ? "good" : "fair"));
		} else if (!strcmp(row, "memory") &&
			   claim_figure(c, m, "io", "rss_bytes_per_worker", &v)) {
			snprintf(text, sizeof(text), "%.0f KiB per %s", v / 1024,
				 !strncmp(m, "async", 5) ? "task" : "worker");
			json_array_append_new(cells, cell(v, text, v < 256 * 1024 ? "good" : "fair"));
		} else if (!strcmp(row, "switches") &&
			   claim_figure(c, m, "cpu", "voluntary_switches_per_s", &v) &&
			   claim_figure(c, m, "cpu", "involuntary_switches_per_s", &v2)) {
			snprintf(text, sizeof(text), "%.0f/s voluntary, %.0f/s involuntary", v, v2);
			json_array_append_new(cells, cell(v + v2, text, v + v2 > 1000 ? "fair" : "good"));
		} else if (!strcmp(row, "waits") &&
			   claim_figure(c, m, "cpu", "gil_wait_share", &v)) {
			claim_figure(c, m, "cpu", "futex_wait_ns", &v2);
			snprintf(text, sizeof(text), "GIL wait %.0f%% of thread time; futex wait %.2f s",
				 v * 100, v2 / 1e9);
			json_array_append_new(cells, cell(v, text, v >= GIL_WAIT_SHARE_MIN ? "bad" : "good"));
		} else if (!strcmp(row, "cores") && claim_figure(c, m, "cpu", "cores_used", &v)) {
			snprintf(text, sizeof(text), "%.2f of %.0f cores", v, c->cpus);
			json_array_append_new(cells, cell(v, text, v <= ONE_CORE_MAX ? "bad" : "good"));
		} else if (!strcmp(row, "release") && claim_figure(c, m, "cpu-release", "speedup", &v)) {
			double ideal = fmin(c->workers, c->cpus);

			snprintf(text, sizeof(text), "%.2f× on GIL-releasing C calls", v);
			json_array_append_new(cells, cell(v, text, v >= SCALING_MIN * ideal ? "good" :
							  v <= NO_SPEEDUP_MAX ? "bad" : "fair"));
		} else if (!strcmp(row, "lock_waits") && claim_figure(c, m, "shared", "lock_wait_share", &v)) {
			snprintf(text, sizeof(text), "lock wait %.1f%% of thread time", v * 100);
			json_array_append_new(cells, cell(v, text, v >= LOCK_WAIT_MIN ? "bad" : "good"));
		} else {
			json_array_append_new(cells, json_pack("{sn ss ss}", "value", "text", "not run",
							       "verdict", "none"));
		}
	}
	return cells;
}

json_t *claims_verdict_table(const json_t *doc)
{
	static const struct {
		const char *key, *title;
	} rows[] = {
		{ "cpu_speedup", "CPU-bound speed-up" },
		{ "io_throughput", "I/O-bound throughput" },
		{ "startup", "Overhead (start-up per worker)" },
		{ "memory", "Memory per worker / task" },
		{ "switches", "Context switches (CPU-bound)" },
		{ "waits", "Lock and GIL waits (CPU-bound)" },
		{ "cores", "Cores used (CPU-bound)" },
		{ "release", "GIL-releasing C calls (speed-up)" },
		{ "lock_waits", "Shared data: lock waits" },
	};
	struct claim_ctx c;
	struct claim_env env;
	const json_t *cells = json_object_get(doc, "summary"), *runs = json_object_get(doc, "runs");
	json_t *cols = json_array(), *out_rows = json_array(), *rts = claims_runtimes(cells, runs), *rt;
	size_t k;

	claims_env_of(doc, &env);
	for (size_t i = 0; i < sizeof(table_models) / sizeof(table_models[0]); i++)
		json_array_append_new(cols, json_string(table_models[i]));
	/* each row once per runtime, the runtimes of a row next to each other */
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		json_array_foreach(rts, k, rt) {
			claim_ctx_init(&c, cells, runs, &env, json_string_value(rt));
			json_array_append_new(out_rows, json_pack("{ss sO so}", "row", rows[r].title,
				"runtime", rt, "cells", row_cells(&c, rows[r].key)));
		}
	}
	return json_pack("{so so so}", "columns", cols, "runtimes", rts, "rows", out_rows);
}
