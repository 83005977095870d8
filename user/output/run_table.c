/* run_table.c - print the medians of a run document as a comparison table. */
#include "run_table.h"

static double med(const json_t *entry, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(entry, "metrics"), name), "median");

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* "-" for a figure the model does not have */
static void col(FILE *f, double v, const char *fmt, double scale)
{
	if (v < 0)
		fprintf(f, " %9s", "-");
	else
		fprintf(f, fmt, v / scale);
}

void run_table_print(FILE *f, const json_t *doc)
{
	json_t *e;
	size_t i;

	fprintf(f, "\n%-15s %-8s %-14s %-10s %4s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n", "RUNTIME", "INTERVAL", "MODEL", "WORK", "W",
		"WALL_S", "UNITS/S", "SPEEDUP", "CORES", "VOL_CS/S", "INV_CS/S", "GIL_WAIT",
		"HANDOFF/S", "IO_P50_MS", "START_US");
	json_array_foreach(json_object_get(doc, "summary"), i, e) {
		double wall = med(e, "wall_s");

		const char *rt = json_string_value(json_object_get(e, "runtime"));
		json_t *iv = json_object_get(e, "interval_us");
		char ivs[16] = "-";

		if (json_is_integer(iv))
			snprintf(ivs, sizeof(ivs), "%gms", (double)json_integer_value(iv) / 1000);
		fprintf(f, "%-15s %-8s %-14s %-10s %4lld", rt ? rt : "sim", ivs,
			json_string_value(json_object_get(e, "model")),
			json_string_value(json_object_get(e, "workload")),
			(long long)json_integer_value(json_object_get(e, "workers")));
		col(f, wall, " %9.3f", 1);
		col(f, med(e, "units_per_s"), " %9.0f", 1);
		col(f, med(e, "speedup"), " %8.2fx", 1);
		col(f, med(e, "cores_used"), " %9.2f", 1);
		col(f, wall > 0 ? med(e, "voluntary_switches") / wall : -1, " %9.0f", 1);
		col(f, wall > 0 ? med(e, "involuntary_switches") / wall : -1, " %9.0f", 1);
		col(f, med(e, "gil_wait_share") * 100, " %8.0f%%", 1);
		col(f, med(e, "gil_handoffs_per_s"), " %9.0f", 1);
		col(f, med(e, "io_latency_p50_ns"), " %9.2f", 1e6);
		col(f, med(e, "startup_ns_per_worker"), " %9.0f", 1e3);
		fputc('\n', f);
	}
	fprintf(f, "\nRUNTIME: sim (gilscope's simulation) or the real interpreter of --python; "
		"INTERVAL: the GIL switch interval;\nW: workers (threads, processes or tasks); GIL_WAIT: share of thread time spent "
		"waiting for the GIL;\nIO_P50_MS: one request as its worker saw it (the convoy figure); "
		"figures are medians over repeats.\n");
}
