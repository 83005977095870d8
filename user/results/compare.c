/* compare.c - line up the same cells of several results documents. */
#include "compare.h"

#include <math.h>
#include <string.h>
#include "csv.h"
#include "results.h"
#include "sysstr.h"

static const char *const compared[] = {
	"wall_s", "units_per_s", "speedup", "cores_used", "oncpu_ns", "voluntary_switches",
	"involuntary_switches", "migrations", "futex_waits", "futex_wait_ns", "gil_wait_share",
	"gil_handoffs_per_s", "runq_p50_ns", "runq_p99_ns", "startup_ns_per_worker",
	"rss_bytes_per_worker", "io_latency_p50_ns", "iouring_submits", "lost_events",
};

/* The cells of a document: name -> {metric: {median, min, max}}. */
static json_t *cells_of(const json_t *doc)
{
	json_t *cells = json_object(), *e, *v;
	const char *name;
	size_t i;

	json_array_foreach(json_object_get(doc, "summary"), i, e) {
		char key[128];

		snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(e, "model")),
			 json_string_value(json_object_get(e, "workload")));
		json_object_set(cells, key, json_object_get(e, "metrics"));
	}
	if (json_object_size(cells))
		return cells;
	/* no summary (a record): each run is a cell of one sample */
	json_array_foreach(json_object_get(doc, "runs"), i, e) {
		json_t *m = json_object();
		const char *label = json_string_value(json_object_get(e, "label"));

		json_object_foreach(json_object_get(e, "metrics"), name, v)
			json_object_set_new(m, name, json_pack("{sO sO sO}", "median", v, "min", v, "max", v));
		v = json_object_get(e, "wall_s");
		json_object_set_new(m, "wall_s", json_pack("{sO sO sO}", "median", v, "min", v, "max", v));
		json_object_set_new(cells, label ? label : "run", m);
	}
	return cells;
}

static double num(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

json_t *compare_docs(json_t *const *docs, const char *const *names, size_t n)
{
	json_t *rows = json_array(), *sources = json_array(), *base, *cells[16] = { 0 };
	const char *cell;
	json_t *unused;

	if (n > 16)
		n = 16;
	for (size_t d = 0; d < n; d++) {
		json_t *env = json_object_get(docs[d], "env");

		cells[d] = cells_of(docs[d]);
		json_array_append_new(sources, json_pack("{so sO* sO* sO*}", "path", json_sysstr(names[d]),
			"host", json_object_get(env, "hostname"), "kernel", json_object_get(env, "kernel"),
			"start_time", json_object_get(env, "start_time")));
	}
	base = cells[0];
	json_object_foreach(base, cell, unused) {
		for (size_t m = 0; m < sizeof(compared) / sizeof(compared[0]); m++) {
			json_t *vals = json_array(), *mins = json_array(), *maxs = json_array();
			json_t *ratios = json_array(), *sig = json_array();
			json_t *b = json_object_get(json_object_get(base, cell), compared[m]);
			bool everywhere = b != NULL;

			for (size_t d = 1; d < n && everywhere; d++)
				everywhere = json_object_get(json_object_get(cells[d], cell), compared[m]) != NULL;
			if (!everywhere) {
				json_decref(vals); json_decref(mins); json_decref(maxs);
				json_decref(ratios); json_decref(sig);
				continue;
			}
			for (size_t d = 0; d < n; d++) {
				json_t *x = json_object_get(json_object_get(cells[d], cell), compared[m]);
				double med = num(x, "median"), bm = num(b, "median");
				/* outside each other's spread, both ways */
				bool apart = d > 0 && (med < num(b, "min") || med > num(b, "max")) &&
					     (bm < num(x, "min") || bm > num(x, "max"));

				json_array_append_new(vals, json_real(med));
				json_array_append_new(mins, json_real(num(x, "min")));
				json_array_append_new(maxs, json_real(num(x, "max")));
				json_array_append_new(ratios, bm != 0 ? json_real(med / bm) : json_null());
				json_array_append_new(sig, json_boolean(apart));
			}
			json_array_append_new(rows, json_pack("{ss ss ss so so so so so}", "cell", cell,
				"metric", compared[m], "unit", results_metric_unit(compared[m]),
				"values", vals, "mins", mins, "maxs", maxs, "ratios", ratios,
				"significant", sig));
		}
	}
	for (size_t d = 0; d < n; d++)
		json_decref(cells[d]);
	return json_pack("{ss so so}", "kind", "comparison", "sources", sources, "rows", rows);
}

int compare_write_csv(FILE *f, const json_t *cmp)
{
	json_t *row, *src;
	size_t i, d;

	fputs("cell,metric,unit,source,value,min,max,ratio_to_first,significant\r\n", f);
	json_array_foreach(json_object_get(cmp, "rows"), i, row) {
		json_array_foreach(json_object_get(cmp, "sources"), d, src) {
			json_t *r = json_array_get(json_object_get(row, "ratios"), d);

			csv_field(f, json_string_value(json_object_get(row, "cell")));
			fputc(',', f);
			csv_field(f, json_string_value(json_object_get(row, "metric")));
			fputc(',', f);
			csv_field(f, json_string_value(json_object_get(row, "unit")));
			fputc(',', f);
			csv_field(f, json_string_value(json_object_get(src, "path")));
			fprintf(f, ",%.9g,%.9g,%.9g,", json_number_value(json_array_get(json_object_get(row, "values"), d)),
				json_number_value(json_array_get(json_object_get(row, "mins"), d)),
				json_number_value(json_array_get(json_object_get(row, "maxs"), d)));
			if (json_is_number(r))
				fprintf(f, "%.6g", json_number_value(r));
			fprintf(f, ",%s\r\n", json_is_true(json_array_get(json_object_get(row, "significant"), d)) ?
				"true" : "false");
		}
	}
	return ferror(f) ? -1 : 0;
}
