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

	fprintf(f, "\n%-14s %-6s %4s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s\n", "MODEL", "WORK", "W",
		"WALL_S", "UNITS/S", "SPEEDUP", "CORES", "VOL_CS/S", "INV_CS/S", "GIL_WAIT",
		"HANDOFF/S", "IO_P50_MS", "START_US");
	json_array_foreach(json_object_get(doc, "summary"), i, e) {
		double wall = med(e, "wall_s");

		fprintf(f, "%-14s %-6s %4lld", json_string_value(json_object_get(e, "model")),
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
	fprintf(f, "\nW: workers (threads, processes or tasks); GIL_WAIT: share of thread time spent "
		"waiting for the GIL;\nIO_P50_MS: one request as its worker saw it (the convoy figure); "
		"figures are medians over repeats.\n");
}
