/* claim_ctx.c - the figure lookups of the claims, scoped to one runtime and
 * switch interval, and the runtimes of a document (see claim_ctx.h). */
#include "claim_ctx.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

bool claim_str_eq(const json_t *o, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && !strcmp(s, want);
}

bool claims_cell_figure(const json_t *cells, const json_t *runs, const char *model,
			const char *workload, const char *name, double *out)
{
	json_t *e, *v;
	size_t i;

	json_array_foreach(cells, i, e) {
		if (!claim_str_eq(e, "model", model) || !claim_str_eq(e, "workload", workload))
			continue;
		v = json_object_get(json_object_get(json_object_get(e, "metrics"), name), "median");
		if (json_is_number(v)) {
			*out = json_number_value(v);
			return true;
		}
	}
	json_array_foreach(runs, i, e) {
		if (!claim_str_eq(e, "model", model) || !claim_str_eq(e, "workload", workload))
			continue;
		/* wall_s is a field of a run, a metric of a summary */
		v = !strcmp(name, "wall_s") ? json_object_get(e, name) :
					      json_object_get(json_object_get(e, "metrics"), name);
		if (json_is_number(v)) {
			*out = json_number_value(v);
			return true;
		}
	}
	return false;
}

bool claims_figure(const json_t *doc, const char *model, const char *workload,
		   const char *name, double *out)
{
	return claims_cell_figure(json_object_get(doc, "summary"), json_object_get(doc, "runs"), model,
				  workload, name, out);
}

static double env_num(const json_t *doc, const char *section, const char *key, double dflt)
{
	json_t *v = json_object_get(json_object_get(doc, "env"), section);

	if (key)
		v = json_object_get(v, key);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

void claims_env_of(const json_t *doc, struct claim_env *env)
{
	env->cpus = env_num(doc, "online_cpus", NULL, 1);
	env->workers = env_num(doc, "params", "workers", 2);
	env->interval_s = env_num(doc, "params", "interval_us", 5000) / 1e6;
}


/* A cell (or run) of the runtime and switch interval being decided; sweep
 * cells (--workers-sweep) only when asked for, with their worker count. */
bool claim_in_scope(const struct claim_ctx *c, const json_t *e, int sweep_workers)
{
	const char *rt = json_string_value(json_object_get(e, "runtime"));
	json_t *iv = json_object_get(e, "interval_us");
	bool sweep = json_is_true(json_object_get(e, "sweep"));

	if (strcmp(rt ? rt : "sim", c->runtime))
		return false;
	if (json_is_number(iv) && fabs(json_number_value(iv) - c->interval * 1e6) > 0.5)
		return false;
	if (sweep_workers)
		return sweep && json_integer_value(json_object_get(e, "workers")) == sweep_workers;
	return !sweep;
}

/* claims_cell_figure within the claim's scope (sweep_workers 0: not a sweep cell) */
bool claim_scoped_figure(const struct claim_ctx *c, const char *model, const char *workload,
			  int sweep_workers, const char *name, double *out)
{
	json_t *e, *v;
	size_t i;

	json_array_foreach(c->cells, i, e) {
		if (!claim_str_eq(e, "model", model) || !claim_str_eq(e, "workload", workload) ||
		    !claim_in_scope(c, e, sweep_workers))
			continue;
		v = json_object_get(json_object_get(json_object_get(e, "metrics"), name), "median");
		if (json_is_number(v)) {
			*out = json_number_value(v);
			return true;
		}
	}
	json_array_foreach(c->runs, i, e) {
		if (!claim_str_eq(e, "model", model) || !claim_str_eq(e, "workload", workload) ||
		    !claim_in_scope(c, e, sweep_workers))
			continue;
		v = !strcmp(name, "wall_s") ? json_object_get(e, name) :
					      json_object_get(json_object_get(e, "metrics"), name);
		if (json_is_number(v)) {
			*out = json_number_value(v);
			return true;
		}
	}
	return false;
}

bool claim_figure(const struct claim_ctx *c, const char *model, const char *workload,
		   const char *name, double *out)
{
	return claim_scoped_figure(c, model, workload, 0, name, out);
}

/* Figure f of model/workload into *v; on a miss, note it in `missing`. */
bool claim_fig(const struct claim_ctx *c, const char *model, const char *workload,
		const char *name, double *v, char *missing, size_t len)
{
	if (claim_figure(c, model, workload, name, v))
		return true;
	if (!missing[0])
		snprintf(missing, len, "no %s figure for %s/%s (not run?)", name, model, workload);
	return false;
}

json_t *claim_json(const char *id, const char *text, enum verdict v, const char *figures,
		     const char *threshold, const char *reason)
{
	return json_pack("{ss ss ss ss ss ss}", "id", id, "claim", text, "verdict", verdict_name(v),
			 "figures", figures, "threshold", threshold, "reason", reason);
}

/* A claim whose cells are not in the default matrix: say how to measure it. */
void claim_not_measured(char *missing, size_t len, const char *how)
{
	char was[160];

	snprintf(was, sizeof(was), "%s", missing);
	snprintf(missing, len, "not measured (run with %.40s): %.100s", how, was);
}

void claim_ctx_init(struct claim_ctx *c, const json_t *cells, const json_t *runs,
		     const struct claim_env *env, const char *runtime)
{
	c->cells = cells;
	c->runs = runs;
	c->runtime = runtime;
	c->cpus = env->cpus;
	c->workers = env->workers;
	c->interval = env->interval_s;
}

static void add_runtime(json_t *list, const json_t *e)
{
	const char *rt = json_string_value(json_object_get(e, "runtime"));
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), rt ? rt : "sim"))
			return;
	json_array_append_new(list, json_string(rt ? rt : "sim"));
}

json_t *claims_runtimes(const json_t *cells, const json_t *runs)
{
	json_t *out = json_array(), *e;
	size_t i;

	/* the simulation first, then each interpreter as the rows name them */
	json_array_append_new(out, json_string("sim"));
	json_array_foreach(cells, i, e)
		add_runtime(out, e);
	json_array_foreach(runs, i, e)
		if (json_is_string(json_object_get(e, "model")))
			add_runtime(out, e);
	/* no simulated row at all (a document of real rows only): no sim verdicts */
	if (json_array_size(out) > 1) {
		bool sim = false;

		json_array_foreach(cells, i, e)
			sim |= !json_object_get(e, "runtime") || claim_str_eq(e, "runtime", "sim");
		json_array_foreach(runs, i, e)
			sim |= json_is_string(json_object_get(e, "model")) &&
			       (!json_object_get(e, "runtime") || claim_str_eq(e, "runtime", "sim"));
		if (!sim)
			json_array_remove(out, 0);
	}
	return out;
}
