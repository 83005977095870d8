/* run_table.c - print the medians of a run document as a comparison table. */
#include "run_table.h"

#include "metric_registry.h"

/* The columns: a registry metric each, printed as fmt of median / scale. */
static const struct {
	const char *metric, *head, *fmt;
	double scale;
} columns[] = {
	{ "wall_s", "WALL_S", " %9.3f", 1 },
	{ "units_per_s", "UNITS/S", " %9.0f", 1 },
	{ "speedup", "SPEEDUP", " %8.2fx", 1 },
	{ "cores_used", "CORES", " %9.2f", 1 },
	{ "voluntary_switches_per_s", "VOL_CS/S", " %9.0f", 1 },
	{ "involuntary_switches_per_s", "INV_CS/S", " %9.0f", 1 },
	{ "gil_wait_share", "GIL_WAIT", " %8.0f%%", 0.01 },
	{ "gil_handoffs_per_s", "HANDOFF/S", " %9.0f", 1 },
	{ "io_latency_p50_ns", "IO_P50_MS", " %9.2f", 1e6 },
	{ "startup_ns_per_worker", "START_US", " %9.0f", 1e3 },
};

void run_table_print(FILE *f, const json_t *doc)
{
	json_t *e;
	size_t i;

	fprintf(f, "\n%-15s %-8s %-14s %-10s %4s", "RUNTIME", "INTERVAL", "MODEL", "WORK", "W");
	for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		fprintf(f, " %9s", columns[c].head);
	fputc('\n', f);
	json_array_foreach(json_object_get(doc, "summary"), i, e) {
		const char *rt = json_string_value(json_object_get(e, "runtime"));
		json_t *iv = json_object_get(e, "interval_us");
		char ivs[16] = "-";

		if (json_is_integer(iv))
			snprintf(ivs, sizeof(ivs), "%gms", (double)json_integer_value(iv) / 1000);
		fprintf(f, "%-15s %-8s %-14s %-10s %4lld", rt ? rt : "sim", ivs,
			json_string_value(json_object_get(e, "model")),
			json_string_value(json_object_get(e, "workload")),
			(long long)json_integer_value(json_object_get(e, "workers")));
		for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
			json_t *v = json_object_get(json_object_get(json_object_get(e, "metrics"),
								    columns[c].metric), "median");

			/* "-" for a figure the model does not have */
			if (json_is_number(v))
				fprintf(f, columns[c].fmt, json_number_value(v) / columns[c].scale);
			else
				fprintf(f, " %9s", "-");
		}
		fputc('\n', f);
	}
	fprintf(f, "\nRUNTIME: sim (gilscope's simulation) or the real interpreter of --python; "
		"INTERVAL: the GIL switch interval;\nW: workers (threads, processes or tasks); GIL_WAIT: share of thread time spent "
		"waiting for the GIL;\nIO_P50_MS: one request as its worker saw it (the convoy figure); "
		"figures are medians over repeats.\n");
}

bool run_table_metrics_known(void)
{
	for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		if (!metric_find(columns[c].metric))
			return false;
	return true;
}
