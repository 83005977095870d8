/* compare.c - line up the same cells of several results documents. */
#include "compare.h"

#include <math.h>
#include <string.h>
#include "csv.h"
#include "metric_registry.h"
#include "results.h"
#include "sysstr.h"

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

static const char *runtime_of(const json_t *claim)
{
	const char *rt = json_string_value(json_object_get(claim, "runtime"));

	return rt ? rt : "sim"; /* claims from before runtimes: the simulation's */
}

static const char *verdict_in(const json_t *doc, const char *id, const char *runtime)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "claims"), i, c) {
		const char *cid = json_string_value(json_object_get(c, "id"));

		if (cid && !strcmp(cid, id) && !strcmp(runtime_of(c), runtime))
			return json_string_value(json_object_get(c, "verdict"));
	}
	return NULL;
}

/* The baseline's claims with each document's verdict (null: not decided). */
static json_t *claims_side_by_side(json_t *const *docs, size_t n)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(json_object_get(docs[0], "claims"), i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *first;
		json_t *verdicts = json_array();
		bool changed = false;

		if (!id)
			continue;
		first = verdict_in(docs[0], id, runtime_of(c));
		for (size_t d = 0; d < n; d++) {
			const char *v = verdict_in(docs[d], id, runtime_of(c));

			json_array_append_new(verdicts, v ? json_string(v) : json_null());
			changed |= !v || !first || strcmp(v, first);
		}
		json_array_append_new(out, json_pack("{ss ss sO* so sb}", "id", id, "runtime", runtime_of(c),
			"claim", json_object_get(c, "claim"), "verdicts", verdicts, "changed", changed));
	}
	return out;
}

int compare_print_verdict_changes(FILE *f, const json_t *cmp)
{
	json_t *c, *src;
	size_t i, d;
	int n = 0;

	json_array_foreach(json_object_get(cmp, "claims"), i, c) {
		json_t *v = json_object_get(c, "verdicts");

		if (!json_is_true(json_object_get(c, "changed")))
			continue;
		json_array_foreach(json_object_get(cmp, "sources"), d, src) {
			const char *s = json_string_value(json_array_get(v, d));

			if (d == 0)
				fprintf(f, "%s%s%s: %s", json_string_value(json_object_get(c, "id")),
					strcmp(runtime_of(c), "sim") ? " on " : "",
					strcmp(runtime_of(c), "sim") ? runtime_of(c) : "", s ? s : "n/a");
			else
				fprintf(f, " -> %s (%s)", s ? s : "n/a",
					json_string_value(json_object_get(src, "path")));
		}
		fputc('\n', f);
		n++;
	}
	return n;
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
		for (size_t k = 0; k < metric_ndefs; k++) {
			const char *name = metric_defs[k].name;

			if (!(metric_defs[k].flags & METRIC_COMPARE))
				continue;
			json_t *vals = json_array(), *mins = json_array(), *maxs = json_array();
			json_t *ratios = json_array(), *sig = json_array();
			json_t *b = json_object_get(json_object_get(base, cell), name);
			bool everywhere = b != NULL;

			for (size_t d = 1; d < n && everywhere; d++)
				everywhere = json_object_get(json_object_get(cells[d], cell), name) != NULL;
			if (!everywhere) {
				json_decref(vals); json_decref(mins); json_decref(maxs);
				json_decref(ratios); json_decref(sig);
				continue;
			}
			for (size_t d = 0; d < n; d++) {
				json_t *x = json_object_get(json_object_get(cells[d], cell), name);
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
				"metric", name, "unit", metric_defs[k].unit,
				"values", vals, "mins", mins, "maxs", maxs, "ratios", ratios,
				"significant", sig));
		}
	}
	for (size_t d = 0; d < n; d++)
		json_decref(cells[d]);
	return json_pack("{ss so so so}", "kind", "comparison", "sources", sources, "rows", rows,
			 "claims", claims_side_by_side(docs, n));
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
	/* verdicts: cell "claims", value = verdict, significant = changed from the first */
	json_array_foreach(json_object_get(cmp, "claims"), i, row) {
		json_array_foreach(json_object_get(cmp, "sources"), d, src) {
			const char *v = json_string_value(json_array_get(json_object_get(row, "verdicts"), d));
			const char *v0 = json_string_value(json_array_get(json_object_get(row, "verdicts"), 0));
			const char *rt = runtime_of(row);
			char metric[96];

			snprintf(metric, sizeof(metric), "claim:%s%s%.40s",
				 json_string_value(json_object_get(row, "id")), strcmp(rt, "sim") ? "@" : "",
				 strcmp(rt, "sim") ? rt : "");
			fputs("claims,", f);
			csv_field(f, metric);
			fputs(",verdict,", f);
			csv_field(f, json_string_value(json_object_get(src, "path")));
			fputc(',', f);
			csv_field(f, v ? v : "n/a");
			fprintf(f, ",,,,%s\r\n", d > 0 && (!v || !v0 || strcmp(v, v0)) ? "true" : "false");
		}
	}
	return ferror(f) ? -1 : 0;
}
