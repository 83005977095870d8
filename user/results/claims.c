/*
 * claims.c - decide each claim of CLAIMS.md from a run document. Every
 * threshold is a named constant next to its claim and is shown in the report
 * with the figures that decided it.
 */
#include "claims.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* C1, C8: "no real speed-up" means at most this over serial */
#define NO_SPEEDUP_MAX 1.1
/* C1, C8: "one core" means at most this many cores used on average */
#define ONE_CORE_MAX 1.25
/* C2: hand-offs per second within this factor of 1 / switch interval */
#define HANDOFF_RATE_FACTOR 2.0
/* C3: share of thread time spent waiting for the GIL */
#define GIL_WAIT_SHARE_MIN 0.25
/* C4, C9, C11: "scales with cores" means at least this fraction of ideal speed-up */
#define SCALING_MIN 0.7
/* C6: threads beat serial on I/O by at least this factor */
#define IO_OVERLAP_MIN 1.5
/* C7: async keeps at least this fraction of threads' I/O throughput */
#define ASYNC_IO_MIN 0.9
/* C10: I/O latency beside a CPU-bound thread grows at least this much */
#define CONVOY_MIN 2.0
/* C12: a thread starts in under this many ns */
#define THREAD_START_MAX_NS 1e6
/* C13: GIL-releasing library calls scale like processes: SCALING_MIN of
 * min(workers, CPUs) */
/* C14: "contention shows as lock waits": at least this share of the worker
 * threads' time waiting on the shared lock (uncontended, as in serial: 0) */
#define LOCK_WAIT_MIN 0.01
/* C15: the other tasks' I/O latency p50 with one blocking task at least this
 * many times the loop's without it */
#define STALL_MIN 2.0
/* C16: threads under a GIL "flat": speed-up <= NO_SPEEDUP_MAX at every worker
 * count; processes and free threads "up to the cores": speed-up >=
 * SCALING_MIN x CPUs at CPUs workers and still at 2 x CPUs */

const char *verdict_name(enum verdict v)
{
	return v == V_CONFIRMED ? "confirmed" : v == V_REFUTED ? "refuted" : "inconclusive";
}

static bool str_eq(const json_t *o, const char *key, const char *want)
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
		if (!str_eq(e, "model", model) || !str_eq(e, "workload", workload))
			continue;
		v = json_object_get(json_object_get(json_object_get(e, "metrics"), name), "median");
		if (json_is_number(v)) {
			*out = json_number_value(v);
			return true;
		}
	}
	json_array_foreach(runs, i, e) {
		if (!str_eq(e, "model", model) || !str_eq(e, "workload", workload))
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

struct claim_ctx {
	const json_t *cells, *runs;
	const char *runtime; /* the runtime decided: "sim", "cpython-3.11.2" */
	double cpus;     /* online CPUs */
	double workers;  /* workers per model */
	double interval; /* GIL switch interval, s */
};

/* A cell (or run) of the runtime and switch interval being decided; sweep
 * cells (--workers-sweep) only when asked for, with their worker count. */
static bool in_scope(const struct claim_ctx *c, const json_t *e, int sweep_workers)
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
static bool scoped_figure(const struct claim_ctx *c, const char *model, const char *workload,
			  int sweep_workers, const char *name, double *out)
{
	json_t *e, *v;
	size_t i;

	json_array_foreach(c->cells, i, e) {
		if (!str_eq(e, "model", model) || !str_eq(e, "workload", workload) ||
		    !in_scope(c, e, sweep_workers))
			continue;
		v = json_object_get(json_object_get(json_object_get(e, "metrics"), name), "median");
		if (json_is_number(v)) {
			*out = json_number_value(v);
			return true;
		}
	}
	json_array_foreach(c->runs, i, e) {
		if (!str_eq(e, "model", model) || !str_eq(e, "workload", workload) ||
		    !in_scope(c, e, sweep_workers))
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

static bool figure(const struct claim_ctx *c, const char *model, const char *workload,
		   const char *name, double *out)
{
	return scoped_figure(c, model, workload, 0, name, out);
}

/* Figure f of model/workload into *v; on a miss, note it in `missing`. */
static bool fig(const struct claim_ctx *c, const char *model, const char *workload,
		const char *name, double *v, char *missing, size_t len)
{
	if (figure(c, model, workload, name, v))
		return true;
	if (!missing[0])
		snprintf(missing, len, "no %s figure for %s/%s (not run?)", name, model, workload);
	return false;
}

static json_t *claim(const char *id, const char *text, enum verdict v, const char *figures,
		     const char *threshold, const char *reason)
{
	return json_pack("{ss ss ss ss ss ss}", "id", id, "claim", text, "verdict", verdict_name(v),
			 "figures", figures, "threshold", threshold, "reason", reason);
}

/* A claim whose cells are not in the default matrix: say how to measure it. */
static void not_measured(char *missing, size_t len, const char *how)
{
	char was[160];

	snprintf(was, sizeof(was), "%s", missing);
	snprintf(missing, len, "not measured (run with %.40s): %.100s", how, was);
}

#define NEED(cond) \
	if (!(cond)) \
		return claim(id, text, V_INCONCLUSIVE, "", threshold, missing)

static json_t *c1(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double s, cores;

	snprintf(threshold, sizeof(threshold), "confirmed when speed-up <= %.2f and cores used <= %.2f, "
		 "with >= 2 workers on >= 2 CPUs", NO_SPEEDUP_MAX, ONE_CORE_MAX);
	NEED(fig(c, "threads-gil", "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	if (c->cpus < 2 || c->workers < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold,
			     "needs at least 2 workers on 2 online CPUs to tell");
	return claim(id, text, s <= NO_SPEEDUP_MAX && cores <= ONE_CORE_MAX ? V_CONFIRMED : V_REFUTED,
		     figs, threshold, "");
}

static json_t *c2(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double rate, hold, want = 1 / c->interval;

	snprintf(threshold, sizeof(threshold), "hand-offs/s within %.0fx of 1/interval (%.0f/s) and "
		 "hold-time p50 within %.0fx of the interval", HANDOFF_RATE_FACTOR, want, HANDOFF_RATE_FACTOR);
	NEED(fig(c, "threads-gil", "cpu", "gil_handoffs_per_s", &rate, missing, sizeof(missing)));
	/* a real interpreter's hold times are not measured: the rate decides */
	if (figure(c, "threads-gil", "cpu", "gil_hold_p50_ns", &hold))
		snprintf(figs, sizeof(figs), "%.0f hand-offs/s, hold p50 %.2f ms (interval %.2f ms)", rate,
			 hold / 1e6, c->interval * 1e3);
	else
		snprintf(figs, sizeof(figs), "%.0f hand-offs/s (interval %.2f ms; hold time not "
			 "measured on %s)", rate, c->interval * 1e3, c->runtime);
	if (c->workers < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more threads");
	if (!figure(c, "threads-gil", "cpu", "gil_hold_p50_ns", &hold))
		hold = c->interval * 1e9;
	return claim(id, text,
		     rate >= want / HANDOFF_RATE_FACTOR && rate <= want * HANDOFF_RATE_FACTOR &&
		     hold / 1e9 >= c->interval / HANDOFF_RATE_FACTOR &&
		     hold / 1e9 <= c->interval * HANDOFF_RATE_FACTOR ? V_CONFIRMED : V_REFUTED,
		     figs, threshold, "");
}

static json_t *c3(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double share, vol, serial_vol = 0;

	snprintf(threshold, sizeof(threshold), "GIL-wait share >= %.0f%% of thread time and more "
		 "voluntary switches/s than serial", GIL_WAIT_SHARE_MIN * 100);
	NEED(fig(c, "threads-gil", "cpu", "gil_wait_share", &share, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "cpu", "voluntary_switches_per_s", &vol, missing, sizeof(missing)));
	figure(c, "serial", "cpu", "voluntary_switches_per_s", &serial_vol);
	snprintf(figs, sizeof(figs), "GIL wait %.0f%% of thread time; %.0f voluntary switches/s "
		 "(serial %.0f/s)", share * 100, vol, serial_vol);
	if (c->workers < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more threads");
	return claim(id, text, share >= GIL_WAIT_SHARE_MIN && vol > serial_vol ?
		     V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

/* Speed-up of `model` on cpu against the ideal min(workers, cpus). */
static json_t *scales(const struct claim_ctx *c, const char *id, const char *text, const char *model)
{
	char missing[160] = "", figs[160], threshold[160];
	double s, cores, ideal = fmin(c->workers, c->cpus);

	snprintf(threshold, sizeof(threshold), "confirmed when speed-up >= %.0f%% of min(workers, CPUs) = %.0f",
		 SCALING_MIN * 100, ideal);
	NEED(fig(c, model, "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     fig(c, model, "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	if (ideal < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold,
			     "with one CPU or one worker nothing can scale");
	return claim(id, text, s >= SCALING_MIN * ideal ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c5(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[240], threshold[160];
	double ps, ts, pm, tm, ser = 0;

	snprintf(threshold, sizeof(threshold), "processes' start-up and memory per worker above threads'");
	NEED(fig(c, "processes", "cpu", "startup_ns_per_worker", &ps, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "cpu", "startup_ns_per_worker", &ts, missing, sizeof(missing)) &&
	     fig(c, "processes", "cpu", "rss_bytes_per_worker", &pm, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "cpu", "rss_bytes_per_worker", &tm, missing, sizeof(missing)));
	figure(c, "processes", "cpu", "serialise_ns", &ser);
	snprintf(figs, sizeof(figs), "start-up %.0f us vs %.0f us; memory %.0f KiB vs %.0f KiB per "
		 "worker; serialisation %.1f us", ps / 1e3, ts / 1e3, pm / 1024, tm / 1024, ser / 1e3);
	return claim(id, text, ps > ts && pm > tm ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c6(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double t, s, x;

	snprintf(threshold, sizeof(threshold), "threads-gil I/O throughput >= %.1fx serial", IO_OVERLAP_MIN);
	/* the speed-up is the run table's figure (median of the repeats' own
	 * ratios), so the claim and the table quote the same number */
	NEED(fig(c, "threads-gil", "io", "units_per_s", &t, missing, sizeof(missing)) &&
	     fig(c, "serial", "io", "units_per_s", &s, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "io", "speedup", &x, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "%.0f vs %.0f requests/s (speed-up %.2fx)", t, s, x);
	if (c->workers < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more threads");
	return claim(id, text, x >= IO_OVERLAP_MIN ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c7(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double a, t, am, tm;

	snprintf(threshold, sizeof(threshold), "async I/O throughput >= %.0f%% of threads' and less "
		 "memory per task than per thread", ASYNC_IO_MIN * 100);
	NEED(fig(c, "async", "io", "units_per_s", &a, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "io", "units_per_s", &t, missing, sizeof(missing)) &&
	     fig(c, "async", "io", "rss_bytes_per_worker", &am, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "io", "rss_bytes_per_worker", &tm, missing, sizeof(missing)) && t > 0);
	snprintf(figs, sizeof(figs), "%.0f vs %.0f requests/s; %.1f KiB per task vs %.1f KiB per thread",
		 a, t, am / 1024, tm / 1024);
	return claim(id, text, a >= ASYNC_IO_MIN * t && am < tm ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c8(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double s, cores;

	snprintf(threshold, sizeof(threshold), "speed-up <= %.2f and cores used <= %.2f",
		 NO_SPEEDUP_MAX, ONE_CORE_MAX);
	NEED(fig(c, "async", "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     fig(c, "async", "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	return claim(id, text, s <= NO_SPEEDUP_MAX && cores <= ONE_CORE_MAX ? V_CONFIRMED : V_REFUTED,
		     figs, threshold, "");
}

static json_t *c9(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double cores, s, ideal = fmin(c->workers, c->cpus);

	snprintf(threshold, sizeof(threshold), "async-pool cpu speed-up >= %.0f%% of %.0f and cores used "
		 ">= %.0f%% of %.0f", SCALING_MIN * 100, ideal, SCALING_MIN * 100, ideal);
	NEED(fig(c, "async-pool", "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     fig(c, "async-pool", "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	if (ideal < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more CPUs and workers");
	return claim(id, text, s >= SCALING_MIN * ideal && cores >= SCALING_MIN * ideal ?
		     V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c10(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double mixed, alone;

	snprintf(threshold, sizeof(threshold), "I/O latency p50 beside a CPU thread >= %.0fx the "
		 "I/O-only latency", CONVOY_MIN);
	NEED(fig(c, "threads-gil", "mixed", "io_latency_p50_ns", &mixed, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "io", "io_latency_p50_ns", &alone, missing, sizeof(missing)) && alone > 0);
	snprintf(figs, sizeof(figs), "I/O latency p50 %.2f ms with a CPU thread vs %.2f ms without "
		 "(%.1fx; interval %.1f ms)", mixed / 1e6, alone / 1e6, mixed / alone, c->interval * 1e3);
	return claim(id, text, mixed / alone >= CONVOY_MIN ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c11(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[240], threshold[160];
	double ns, ps, nst, pst;

	snprintf(threshold, sizeof(threshold), "no-GIL speed-up >= %.0f%% of processes' and start-up "
		 "below processes'", SCALING_MIN * 100);
	NEED(fig(c, "threads-nogil", "cpu", "speedup", &ns, missing, sizeof(missing)) &&
	     fig(c, "processes", "cpu", "speedup", &ps, missing, sizeof(missing)) &&
	     fig(c, "threads-nogil", "cpu", "startup_ns_per_worker", &nst, missing, sizeof(missing)) &&
	     fig(c, "processes", "cpu", "startup_ns_per_worker", &pst, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx vs %.2fx; start-up %.0f us vs %.0f us", ns, ps,
		 nst / 1e3, pst / 1e3);
	if (fmin(c->workers, c->cpus) < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more CPUs and workers");
	return claim(id, text, ns >= SCALING_MIN * ps && nst < pst ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c12(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double st, vol, invol;

	snprintf(threshold, sizeof(threshold), "thread start-up < %.0f us and voluntary (hand-off) "
		 "switches outnumber involuntary ones", THREAD_START_MAX_NS / 1e3);
	NEED(fig(c, "threads-gil", "cpu", "startup_ns_per_worker", &st, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "cpu", "voluntary_switches", &vol, missing, sizeof(missing)) &&
	     fig(c, "threads-gil", "cpu", "involuntary_switches", &invol, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "start-up %.0f us per thread; %.0f voluntary vs %.0f involuntary "
		 "switches", st / 1e3, vol, invol);
	return claim(id, text, st < THREAD_START_MAX_NS && vol > invol ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c4(const struct claim_ctx *c, const char *id, const char *text)
{
	return scales(c, id, text, "processes");
}

static json_t *c13(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[200] = "", figs[240], threshold[200];
	double s, cores, share = NAN, plain = NAN, ideal = fmin(c->workers, c->cpus);

	snprintf(threshold, sizeof(threshold), "threads-gil speed-up on GIL-releasing work (zlib crc32 "
		 "of 64 KiB buffers) >= %.0f%% of min(workers, CPUs) = %.0f", SCALING_MIN * 100, ideal);
	if (!(fig(c, "threads-gil", "cpu-release", "speedup", &s, missing, sizeof(missing)) &&
	      fig(c, "threads-gil", "cpu-release", "cores_used", &cores, missing, sizeof(missing)))) {
		not_measured(missing, sizeof(missing), "-w cpu-release");
		return claim(id, text, V_INCONCLUSIVE, "", threshold, missing);
	}
	figure(c, "threads-gil", "cpu-release", "gil_wait_share", &share);
	figure(c, "threads-gil", "cpu", "speedup", &plain);
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used, GIL wait %.0f%% (pure-Python "
		 "CPU work: %.2fx)", s, cores, share * 100, plain);
	if (ideal < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold,
			     "with one CPU or one worker nothing can run in parallel");
	return claim(id, text, s >= SCALING_MIN * ideal ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c14(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[200] = "", figs[240], threshold[200];
	double lt, lp, ser;

	snprintf(threshold, sizeof(threshold), "on the shared workload, threads-gil wait on locks "
		 ">= %.0f%% of their time, and processes (each with its own copy) pay a serialisation "
		 "(IPC) cost", LOCK_WAIT_MIN * 100);
	if (!(fig(c, "threads-gil", "shared", "lock_wait_share", &lt, missing, sizeof(missing)) &&
	      fig(c, "processes", "shared", "lock_wait_share", &lp, missing, sizeof(missing)) &&
	      fig(c, "processes", "shared", "serialise_ns", &ser, missing, sizeof(missing)))) {
		not_measured(missing, sizeof(missing), "-w shared");
		return claim(id, text, V_INCONCLUSIVE, "", threshold, missing);
	}
	/* a process pool's workers wait on its task queue's lock: shown, not
	 * held against the claim (it is the IPC, not shared data) */
	snprintf(figs, sizeof(figs), "lock wait %.1f%% of thread time (threads-gil); processes' "
		 "serialisation %.1f us per worker (their futex waits, the pool's own: %.1f%%)", lt * 100,
		 ser / 1e3, lp * 100);
	if (c->workers < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more workers");
	return claim(id, text, lt >= LOCK_WAIT_MIN && ser > 0 ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c15(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[200] = "", figs[240], threshold[200];
	double blocked, free_;

	snprintf(threshold, sizeof(threshold), "the other tasks' I/O latency p50 with one task blocking "
		 "after each of its requests) >= %.0fx the loop's without it", STALL_MIN);
	if (!(fig(c, "async", "io-block", "io_latency_p50_ns", &blocked, missing, sizeof(missing)) &&
	      fig(c, "async", "io", "io_latency_p50_ns", &free_, missing, sizeof(missing)) && free_ > 0)) {
		not_measured(missing, sizeof(missing), "-m async -w io,io-block");
		return claim(id, text, V_INCONCLUSIVE, "", threshold, missing);
	}
	snprintf(figs, sizeof(figs), "other tasks' I/O latency p50 %.2f ms with a blocking task vs "
		 "%.2f ms without (%.1fx)", blocked / 1e6, free_ / 1e6, blocked / free_);
	return claim(id, text, blocked / free_ >= STALL_MIN ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

/* speed-ups of model's sweep cells at 1..max workers, as text; *at_cpus and
 * *at_2cpus the speed-ups at the CPUs and twice; *peak the highest. false
 * when a point is missing. */
static bool sweep_of(const struct claim_ctx *c, const char *model, int max, char *text, size_t len,
		     double *at_cpus, double *at_2cpus, double *peak)
{
	size_t n = 0;

	*peak = 0;
	text[0] = 0;
	for (int w = 1; w <= max; w++) {
		double s;

		/* every worker count up to 8, then doubling (and the CPUs) */
		if (w > 8 && (w & (w - 1)) && w != (int)c->cpus && w != max)
			continue;
		if (!scoped_figure(c, model, "cpu", w, "speedup", &s))
			return false;
		n += (size_t)snprintf(text + n, n < len ? len - n : 0, "%s%.2f", w > 1 ? "/" : "", s);
		if (w == (int)c->cpus)
			*at_cpus = s;
		if (w == max)
			*at_2cpus = s;
		*peak = fmax(*peak, s);
	}
	return true;
}

static json_t *c16(const struct claim_ctx *c, const char *id, const char *text)
{
	char threshold[200], figs[400], gt[96], pt[96], nt[96];
	int max = 2 * (int)c->cpus;
	double g2, g4, gpeak, p1 = 0, p2 = 0, ppeak, n1 = 0, n2 = 0, npeak;
	bool nogil, ok;

	snprintf(threshold, sizeof(threshold), "over 1..%d workers: threads-gil speed-up <= %.2f at "
		 "every count; processes (and free threads, when run) >= %.0f%% of %.0f CPUs at %.0f and "
		 "at %d workers", max, NO_SPEEDUP_MAX, SCALING_MIN * 100, c->cpus, c->cpus, max);
	if (!sweep_of(c, "threads-gil", max, gt, sizeof(gt), &g2, &g4, &gpeak) ||
	    !sweep_of(c, "processes", max, pt, sizeof(pt), &p1, &p2, &ppeak))
		return claim(id, text, V_INCONCLUSIVE, "", threshold,
			     "not measured (run with --workers-sweep): no speed-up of threads-gil and "
			     "processes at each worker count (not run?)");
	nogil = sweep_of(c, "threads-nogil", max, nt, sizeof(nt), &n1, &n2, &npeak);
	snprintf(figs, sizeof(figs), "speed-up at 1..%d workers: threads-gil %s, processes %s%s%s", max,
		 gt, pt, nogil ? ", threads-nogil " : "", nogil ? nt : "");
	if (c->cpus < 2)
		return claim(id, text, V_INCONCLUSIVE, figs, threshold, "with one CPU nothing can scale");
	ok = gpeak <= NO_SPEEDUP_MAX && p1 >= SCALING_MIN * c->cpus && p2 >= SCALING_MIN * c->cpus;
	if (nogil)
		ok = ok && n1 >= SCALING_MIN * c->cpus && n2 >= SCALING_MIN * c->cpus;
	return claim(id, text, ok ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

/* CLAIMS.md, in order. A new claim: its thresholds as named constants above,
 * a decide function, and a line here. */
const struct claim_def claim_defs[] = {
	{ "C1", "Under a GIL, CPU-bound threads give no real speed-up.", c1 },
	{ "C2", "The running thread gives the GIL up about every switch interval when others wait.", c2 },
	{ "C3", "CPU-bound threads spend much of their time waiting for the GIL, at the cost of extra "
		"context switches.", c3 },
	{ "C4", "Processes bypass the GIL: CPU-bound work scales with cores.", c4 },
	{ "C5", "Processes cost more to start and more memory than threads; results pay a serialisation "
		"cost.", c5 },
	{ "C6", "Threads are good for I/O-bound work: the GIL is released during blocking I/O.", c6 },
	{ "C7", "Async I/O on one thread handles many concurrent I/O operations, with very low memory per "
		"task.", c7 },
	{ "C8", "Async runs on one core: CPU-bound work gets no speed-up.", c8 },
	{ "C9", "Async combined with processes uses all cores.", c9 },
	{ "C10", "An I/O-bound thread beside a CPU-bound thread waits for the GIL on every completion "
		 "(convoy effect).", c10 },
	{ "C11", "Without a GIL, CPU-bound threads scale like processes, with thread-sized costs.", c11 },
	{ "C12", "Threads have low per-thread overhead; the GIL hand-off's context switches are the main "
		 "cost.", c12 },
	{ "C13", "A library call that releases the GIL (hashing or compressing large buffers) lets "
		 "threads compute in parallel.", c13 },
	{ "C14", "Threads sharing data need locks: contention shows as lock waits; processes pay IPC "
		 "instead.", c14 },
	{ "C15", "One blocking call inside an async task stalls every other task on the loop.", c15 },
	{ "C16", "Scaling with workers: threads under a GIL stay flat, processes and free threads scale "
		 "up to the cores.", c16 },
};
const size_t claim_ndefs = sizeof(claim_defs) / sizeof(claim_defs[0]);

static void ctx_init(struct claim_ctx *c, const json_t *cells, const json_t *runs,
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
			sim |= !json_object_get(e, "runtime") || str_eq(e, "runtime", "sim");
		json_array_foreach(runs, i, e)
			sim |= json_is_string(json_object_get(e, "model")) &&
			       (!json_object_get(e, "runtime") || str_eq(e, "runtime", "sim"));
		if (!sim)
			json_array_remove(out, 0);
	}
	return out;
}

json_t *claims_decide(const json_t *cells, const json_t *runs, const struct claim_env *env)
{
	struct claim_ctx c;
	json_t *out = json_array(), *rts = claims_runtimes(cells, runs), *rt;
	size_t r;

	json_array_foreach(rts, r, rt) {
		ctx_init(&c, cells, runs, env, json_string_value(rt));
		for (size_t i = 0; i < claim_ndefs; i++) {
			json_t *v = claim_defs[i].decide(&c, claim_defs[i].id, claim_defs[i].text);

			json_object_set(v, "runtime", rt);
			json_array_append_new(out, v);
		}
	}
	json_decref(rts);
	return out;
}

json_t *claims_evaluate(const json_t *doc)
{
	struct claim_env env;

	claims_env_of(doc, &env);
	return claims_decide(json_object_get(doc, "summary"), json_object_get(doc, "runs"), &env);
}

/* ---- the comparison table ---------------------------------------------- */

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

		if (!strcmp(row, "cpu_speedup") && figure(c, m, "cpu", "speedup", &v)) {
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
			   figure(c, m, "io", "units_per_s", &v) &&
			   figure(c, "serial", "io", "units_per_s", &v2) && v2 > 0) {
			snprintf(text, sizeof(text), "%.0f req/s: %.1f× serial", v, v / v2);
			json_array_append_new(cells, cell(v, text, v / v2 >= IO_OVERLAP_MIN ? "good" : "bad"));
		} else if (!strcmp(row, "startup") &&
			   figure(c, m, "cpu", "startup_ns_per_worker", &v)) {
			snprintf(text, sizeof(text), "%.0f µs per worker", v / 1e3);
			json_array_append_new(cells, cell(v, text, v < THREAD_START_MAX_NS ? "good" : "fair"));
		} else if (!strcmp(row, "memory") &&
			   figure(c, m, "io", "rss_bytes_per_worker", &v)) {
			snprintf(text, sizeof(text), "%.0f KiB per %s", v / 1024,
				 !strncmp(m, "async", 5) ? "task" : "worker");
			json_array_append_new(cells, cell(v, text, v < 256 * 1024 ? "good" : "fair"));
		} else if (!strcmp(row, "switches") &&
			   figure(c, m, "cpu", "voluntary_switches_per_s", &v) &&
			   figure(c, m, "cpu", "involuntary_switches_per_s", &v2)) {
			snprintf(text, sizeof(text), "%.0f/s voluntary, %.0f/s involuntary", v, v2);
			json_array_append_new(cells, cell(v + v2, text, v + v2 > 1000 ? "fair" : "good"));
		} else if (!strcmp(row, "waits") &&
			   figure(c, m, "cpu", "gil_wait_share", &v)) {
			figure(c, m, "cpu", "futex_wait_ns", &v2);
			snprintf(text, sizeof(text), "GIL wait %.0f%% of thread time; futex wait %.2f s",
				 v * 100, v2 / 1e9);
			json_array_append_new(cells, cell(v, text, v >= GIL_WAIT_SHARE_MIN ? "bad" : "good"));
		} else if (!strcmp(row, "cores") && figure(c, m, "cpu", "cores_used", &v)) {
			snprintf(text, sizeof(text), "%.2f of %.0f cores", v, c->cpus);
			json_array_append_new(cells, cell(v, text, v <= ONE_CORE_MAX ? "bad" : "good"));
		} else if (!strcmp(row, "release") && figure(c, m, "cpu-release", "speedup", &v)) {
			double ideal = fmin(c->workers, c->cpus);

			snprintf(text, sizeof(text), "%.2f× on GIL-releasing C calls", v);
			json_array_append_new(cells, cell(v, text, v >= SCALING_MIN * ideal ? "good" :
							  v <= NO_SPEEDUP_MAX ? "bad" : "fair"));
		} else if (!strcmp(row, "lock_waits") && figure(c, m, "shared", "lock_wait_share", &v)) {
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
			ctx_init(&c, cells, runs, &env, json_string_value(rt));
			json_array_append_new(out_rows, json_pack("{ss sO so}", "row", rows[r].title,
				"runtime", rt, "cells", row_cells(&c, rows[r].key)));
		}
	}
	return json_pack("{so so so}", "columns", cols, "runtimes", rts, "rows", out_rows);
}
