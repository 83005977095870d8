/* cell_stats.c - summary[] of a run document: per-cell medians (see cell_stats.h). */
#include "cell_stats.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median_of(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool same_cell(const json_t *a, const json_t *b)
{
	const char *am = json_string_value(json_object_get(a, "model"));
	const char *bm = json_string_value(json_object_get(b, "model"));
	const char *aw = json_string_value(json_object_get(a, "workload"));
	const char *bw = json_string_value(json_object_get(b, "workload"));

	/* a run's runtime ("sim", "cpython-3.11.2") and switch interval are
	 * part of its cell; documents from before either have neither */
	const char *ar = json_string_value(json_object_get(a, "runtime"));
	const char *br = json_string_value(json_object_get(b, "runtime"));
	json_int_t ai = json_integer_value(json_object_get(a, "interval_us"));
	json_int_t bi = json_integer_value(json_object_get(b, "interval_us"));
	/* a --workers-sweep run is a cell of its own at each worker count */
	bool as = json_is_true(json_object_get(a, "sweep")), bs = json_is_true(json_object_get(b, "sweep"));
	json_int_t an = json_integer_value(json_object_get(a, "workers"));
	json_int_t bn = json_integer_value(json_object_get(b, "workers"));

	return am && bm && aw && bw && !strcmp(am, bm) && !strcmp(aw, bw) &&
	       !strcmp(ar ? ar : "", br ? br : "") && ai == bi && as == bs && (!as || an == bn);
}

static json_t *stats_of(const json_t *runs, const json_t *first, const char *name)
{
	double *v = calloc(json_array_size(runs), sizeof(*v)), lo, hi, med;
	size_t i, n = 0;
	json_t *r;

	if (!v)
		return NULL;
	json_array_foreach(runs, i, r) {
		json_t *x = !strcmp(name, "wall_s") ? json_object_get(r, "wall_s") :
			    json_object_get(json_object_get(r, "metrics"), name);

		/* a cell stopped by Ctrl-C did not do its work: not a sample */
		if (same_cell(r, first) && json_is_number(x) &&
		    !json_is_true(json_object_get(r, "interrupted")))
			v[n++] = json_number_value(x);
	}
	if (!n) {
		free(v);
		return NULL;
	}
	med = median_of(v, n);
	lo = v[0];
	hi = v[n - 1];
	free(v);
	return json_pack("{sf sf sf}", "median", med, "min", lo, "max", hi);
}

json_t *cell_stats(const json_t *runs)
{
	json_t *out = json_array(), *r, *seen, *v;
	const char *name;
	size_t i, j, n;

	json_array_foreach(runs, i, r) {
		json_t *metrics, *entry, *st;
		bool dup = false;

		if (!json_is_string(json_object_get(r, "model")) ||
		    json_is_true(json_object_get(r, "interrupted")))
			continue;
		json_array_foreach(out, j, seen)
			if (same_cell(json_object_get(seen, "_first"), r))
				dup = true;
		if (dup)
			continue;
		metrics = json_object();
		n = 0;
		json_array_foreach(runs, j, seen)
			n += same_cell(seen, r) && !json_is_true(json_object_get(seen, "interrupted"));
		json_object_foreach(json_object_get(r, "metrics"), name, v)
			if ((st = stats_of(runs, r, name)))
				json_object_set_new(metrics, name, st);
		if ((st = stats_of(runs, r, "wall_s")))
			json_object_set_new(metrics, "wall_s", st);
		entry = json_pack("{sO sO sO* sI so sO}", "model", json_object_get(r, "model"),
				  "workload", json_object_get(r, "workload"),
				  "workers", json_object_get(r, "workers"), "n", (json_int_t)n,
				  "metrics", metrics, "_first", r);
		if (json_object_get(r, "runtime"))
			json_object_set(entry, "runtime", json_object_get(r, "runtime"));
		if (json_object_get(r, "interval_us"))
			json_object_set(entry, "interval_us", json_object_get(r, "interval_us"));
		if (json_is_true(json_object_get(r, "sweep")))
			json_object_set_new(entry, "sweep", json_true());
		json_array_append_new(out, entry);
	}
	json_array_foreach(out, i, v)
		json_object_del(v, "_first");
	return out;
}
