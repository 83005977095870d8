/* side_by_side.c - sim beside real, per cell (see side_by_side.h). */
#include "side_by_side.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* The figures shown per cell: throughput, scaling, the scheduler's view, the
 * waits and the latency a request sees. */
static const char *const shown[] = {
	"units_per_s", "speedup", "cores_used", "voluntary_switches_per_s", "gil_wait_share",
	"lock_wait_share", "io_latency_p50_ns",
};
#define NSHOWN (sizeof(shown) / sizeof(shown[0]))

static const char *runtime_of(const json_t *cell)
{
	const char *rt = json_string_value(json_object_get(cell, "runtime"));

	return rt ? rt : "sim";
}

static bool same(const json_t *a, const json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);

	return (!x && !y) || (x && y && json_equal(x, y));
}

/* The sim cell of the same model, workload, interval and (for sweep cells)
 * worker count as real cell r. */
static const json_t *sim_twin(const json_t *summary, const json_t *r)
{
	bool sweep = json_is_true(json_object_get(r, "sweep"));
	json_t *e;
	size_t i;

	json_array_foreach(summary, i, e)
		if (!strcmp(runtime_of(e), "sim") && same(e, r, "model") && same(e, r, "workload") &&
		    same(e, r, "interval_us") && json_is_true(json_object_get(e, "sweep")) == sweep &&
		    (!sweep || same(e, r, "workers")))
			return e;
	return NULL;
}

static json_t *median(const json_t *cell, const char *name)
{
	json_t *v = json_object_get(json_object_get(json_object_get(cell, "metrics"), name), "median");

	return json_is_number(v) ? json_real(json_number_value(v)) : json_null();
}

static json_t *row_of(const json_t *sim, const json_t *real)
{
	json_t *figs = json_object(), *row;

	for (size_t k = 0; k < NSHOWN; k++) {
		json_t *s = sim ? median(sim, shown[k]) : json_null(), *r = median(real, shown[k]);
		json_t *diff = json_null();

		if (json_is_number(s) && json_is_number(r) && json_number_value(r) != 0)
			diff = json_real((json_number_value(s) - json_number_value(r)) /
					 fabs(json_number_value(r)));
		if (json_is_null(s) && json_is_null(r)) {
			json_decref(s);
			json_decref(r);
			json_decref(diff);
			continue;
		}
		json_object_set_new(figs, shown[k], json_pack("{so so so}", "sim", s, "real", r, "diff", diff));
	}
	row = json_pack("{sO sO sO* sO* so}", "model", json_object_get(real, "model"), "workload",
			json_object_get(real, "workload"), "interval_us", json_object_get(real, "interval_us"),
			"workers", json_object_get(real, "workers"), "figures", figs);
	if (json_is_true(json_object_get(real, "sweep")))
		json_object_set_new(row, "sweep", json_true());
	return row;
}

json_t *side_by_side(const json_t *summary)
{
	json_t *out = json_array(), *e, *t;
	size_t i, j;

	json_array_foreach(summary, i, e) {
		const char *rt = runtime_of(e);
		json_t *entry = NULL;

		if (!strcmp(rt, "sim"))
			continue;
		json_array_foreach(out, j, t)
			if (!strcmp(json_string_value(json_object_get(t, "runtime")), rt))
				entry = t;
		if (!entry) {
			json_t *names = json_array();

			for (size_t k = 0; k < NSHOWN; k++)
				json_array_append_new(names, json_string(shown[k]));
			entry = json_pack("{ss so s[]}", "runtime", rt, "metrics", names, "rows");
			json_array_append_new(out, entry);
		}
		json_array_append_new(json_object_get(entry, "rows"), row_of(sim_twin(summary, e), e));
	}
	return out;
}
