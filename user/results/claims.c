/*
 * claims.c - decide each claim of CLAIMS.md from a run document, once per
 * runtime (C1-C12 here, C13-C16 in claims_c13_c16.c). Every threshold is a
 * named constant next to its claim (claim_ctx.h) and is shown in the report
 * with the figures that decided it.
 */
#include "claims.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "claim_ctx.h"

const char *verdict_name(enum verdict v)
{
	return v == V_CONFIRMED ? "confirmed" : v == V_REFUTED ? "refuted" : "inconclusive";
}

static json_t *c1(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double s, cores;

	snprintf(threshold, sizeof(threshold), "confirmed when speed-up <= %.2f and cores used <= %.2f, "
		 "with >= 2 workers on >= 2 CPUs", NO_SPEEDUP_MAX, ONE_CORE_MAX);
	NEED(claim_fig(c, "threads-gil", "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	if (c->cpus < 2 || c->workers < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold,
			     "needs at least 2 workers on 2 online CPUs to tell");
	return claim_json(id, text, s <= NO_SPEEDUP_MAX && cores <= ONE_CORE_MAX ? V_CONFIRMED : V_REFUTED,
		     figs, threshold, "");
}

static json_t *c2(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double rate, hold, want = 1 / c->interval;

	snprintf(threshold, sizeof(threshold), "hand-offs/s within %.0fx of 1/interval (%.0f/s) and "
		 "hold-time p50 within %.0fx of the interval", HANDOFF_RATE_FACTOR, want, HANDOFF_RATE_FACTOR);
	NEED(claim_fig(c, "threads-gil", "cpu", "gil_handoffs_per_s", &rate, missing, sizeof(missing)));
	/* a real interpreter's hold times are not measured: the rate decides */
	if (claim_figure(c, "threads-gil", "cpu", "gil_hold_p50_ns", &hold))
		snprintf(figs, sizeof(figs), "%.0f hand-offs/s, hold p50 %.2f ms (interval %.2f ms)", rate,
			 hold / 1e6, c->interval * 1e3);
	else
		snprintf(figs, sizeof(figs), "%.0f hand-offs/s (interval %.2f ms; hold time not "
			 "measured on %s)", rate, c->interval * 1e3, c->runtime);
	if (c->workers < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more threads");
	if (!claim_figure(c, "threads-gil", "cpu", "gil_hold_p50_ns", &hold))
		hold = c->interval * 1e9;
	return claim_json(id, text,
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
	NEED(claim_fig(c, "threads-gil", "cpu", "gil_wait_share", &share, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "cpu", "voluntary_switches_per_s", &vol, missing, sizeof(missing)));
	claim_figure(c, "serial", "cpu", "voluntary_switches_per_s", &serial_vol);
	snprintf(figs, sizeof(figs), "GIL wait %.0f%% of thread time; %.0f voluntary switches/s "
		 "(serial %.0f/s)", share * 100, vol, serial_vol);
	if (c->workers < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more threads");
	return claim_json(id, text, share >= GIL_WAIT_SHARE_MIN && vol > serial_vol ?
		     V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

/* Speed-up of `model` on cpu against the ideal min(workers, cpus). */
static json_t *scales(const struct claim_ctx *c, const char *id, const char *text, const char *model)
{
	char missing[160] = "", figs[160], threshold[160];
	double s, cores, ideal = fmin(c->workers, c->cpus);

	snprintf(threshold, sizeof(threshold), "confirmed when speed-up >= %.0f%% of min(workers, CPUs) = %.0f",
		 SCALING_MIN * 100, ideal);
	NEED(claim_fig(c, model, "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     claim_fig(c, model, "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	if (ideal < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold,
			     "with one CPU or one worker nothing can scale");
	return claim_json(id, text, s >= SCALING_MIN * ideal ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c5(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[240], threshold[160];
	double ps, ts, pm, tm, ser = 0;

	snprintf(threshold, sizeof(threshold), "processes' start-up and memory per worker above threads'");
	NEED(claim_fig(c, "processes", "cpu", "startup_ns_per_worker", &ps, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "cpu", "startup_ns_per_worker", &ts, missing, sizeof(missing)) &&
	     claim_fig(c, "processes", "cpu", "rss_bytes_per_worker", &pm, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "cpu", "rss_bytes_per_worker", &tm, missing, sizeof(missing)));
	claim_figure(c, "processes", "cpu", "serialise_ns", &ser);
	snprintf(figs, sizeof(figs), "start-up %.0f us vs %.0f us; memory %.0f KiB vs %.0f KiB per "
		 "worker; serialisation %.1f us", ps / 1e3, ts / 1e3, pm / 1024, tm / 1024, ser / 1e3);
	return claim_json(id, text, ps > ts && pm > tm ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c6(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double t, s, x;

	snprintf(threshold, sizeof(threshold), "threads-gil I/O throughput >= %.1fx serial", IO_OVERLAP_MIN);
	/* the speed-up is the run table's figure (median of the repeats' own
	 * ratios), so the claim and the table quote the same number */
	NEED(claim_fig(c, "threads-gil", "io", "units_per_s", &t, missing, sizeof(missing)) &&
	     claim_fig(c, "serial", "io", "units_per_s", &s, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "io", "speedup", &x, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "%.0f vs %.0f requests/s (speed-up %.2fx)", t, s, x);
	if (c->workers < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more threads");
	return claim_json(id, text, x >= IO_OVERLAP_MIN ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c7(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double a, t, am, tm;

	snprintf(threshold, sizeof(threshold), "async I/O throughput >= %.0f%% of threads' and less "
		 "memory per task than per thread", ASYNC_IO_MIN * 100);
	NEED(claim_fig(c, "async", "io", "units_per_s", &a, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "io", "units_per_s", &t, missing, sizeof(missing)) &&
	     claim_fig(c, "async", "io", "rss_bytes_per_worker", &am, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "io", "rss_bytes_per_worker", &tm, missing, sizeof(missing)) && t > 0);
	snprintf(figs, sizeof(figs), "%.0f vs %.0f requests/s; %.1f KiB per task vs %.1f KiB per thread",
		 a, t, am / 1024, tm / 1024);
	return claim_json(id, text, a >= ASYNC_IO_MIN * t && am < tm ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c8(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double s, cores;

	snprintf(threshold, sizeof(threshold), "speed-up <= %.2f and cores used <= %.2f",
		 NO_SPEEDUP_MAX, ONE_CORE_MAX);
	NEED(claim_fig(c, "async", "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     claim_fig(c, "async", "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	return claim_json(id, text, s <= NO_SPEEDUP_MAX && cores <= ONE_CORE_MAX ? V_CONFIRMED : V_REFUTED,
		     figs, threshold, "");
}

static json_t *c9(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[160], threshold[160];
	double cores, s, ideal = fmin(c->workers, c->cpus);

	snprintf(threshold, sizeof(threshold), "async-pool cpu speed-up >= %.0f%% of %.0f and cores used "
		 ">= %.0f%% of %.0f", SCALING_MIN * 100, ideal, SCALING_MIN * 100, ideal);
	NEED(claim_fig(c, "async-pool", "cpu", "speedup", &s, missing, sizeof(missing)) &&
	     claim_fig(c, "async-pool", "cpu", "cores_used", &cores, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used", s, cores);
	if (ideal < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more CPUs and workers");
	return claim_json(id, text, s >= SCALING_MIN * ideal && cores >= SCALING_MIN * ideal ?
		     V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c10(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double mixed, alone;

	snprintf(threshold, sizeof(threshold), "I/O latency p50 beside a CPU thread >= %.0fx the "
		 "I/O-only latency", CONVOY_MIN);
	NEED(claim_fig(c, "threads-gil", "mixed", "io_latency_p50_ns", &mixed, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "io", "io_latency_p50_ns", &alone, missing, sizeof(missing)) && alone > 0);
	snprintf(figs, sizeof(figs), "I/O latency p50 %.2f ms with a CPU thread vs %.2f ms without "
		 "(%.1fx; interval %.1f ms)", mixed / 1e6, alone / 1e6, mixed / alone, c->interval * 1e3);
	return claim_json(id, text, mixed / alone >= CONVOY_MIN ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

static json_t *c11(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[240], threshold[160];
	double ns, ps, nst, pst;

	snprintf(threshold, sizeof(threshold), "no-GIL speed-up >= %.0f%% of processes' and start-up "
		 "below processes'", SCALING_MIN * 100);
	NEED(claim_fig(c, "threads-nogil", "cpu", "speedup", &ns, missing, sizeof(missing)) &&
	     claim_fig(c, "processes", "cpu", "speedup", &ps, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-nogil", "cpu", "startup_ns_per_worker", &nst, missing, sizeof(missing)) &&
	     claim_fig(c, "processes", "cpu", "startup_ns_per_worker", &pst, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "speed-up %.2fx vs %.2fx; start-up %.0f us vs %.0f us", ns, ps,
		 nst / 1e3, pst / 1e3);
	if (fmin(c->workers, c->cpus) < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more CPUs and workers");
	return claim_json(id, text, ns >= SCALING_MIN * ps && nst < pst ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c12(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[160] = "", figs[200], threshold[160];
	double st, vol, invol;

	snprintf(threshold, sizeof(threshold), "thread start-up < %.0f us and voluntary (hand-off) "
		 "switches outnumber involuntary ones", THREAD_START_MAX_NS / 1e3);
	NEED(claim_fig(c, "threads-gil", "cpu", "startup_ns_per_worker", &st, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "cpu", "voluntary_switches", &vol, missing, sizeof(missing)) &&
	     claim_fig(c, "threads-gil", "cpu", "involuntary_switches", &invol, missing, sizeof(missing)));
	snprintf(figs, sizeof(figs), "start-up %.0f us per thread; %.0f voluntary vs %.0f involuntary "
		 "switches", st / 1e3, vol, invol);
	return claim_json(id, text, st < THREAD_START_MAX_NS && vol > invol ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

static json_t *c4(const struct claim_ctx *c, const char *id, const char *text)
{
	return scales(c, id, text, "processes");
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
		 "threads compute in parallel.", claim_c13 },
	{ "C14", "Threads sharing data need locks: contention shows as lock waits; processes pay IPC "
		 "instead.", claim_c14 },
	{ "C15", "One blocking call inside an async task stalls every other task on the loop.", claim_c15 },
	{ "C16", "Scaling with workers: threads under a GIL stay flat, processes and free threads scale "
		 "up to the cores.", claim_c16 },
};
const size_t claim_ndefs = sizeof(claim_defs) / sizeof(claim_defs[0]);

json_t *claims_decide(const json_t *cells, const json_t *runs, const struct claim_env *env)
{
	struct claim_ctx c;
	json_t *out = json_array(), *rts = claims_runtimes(cells, runs), *rt;
	size_t r;

	json_array_foreach(rts, r, rt) {
		claim_ctx_init(&c, cells, runs, env, json_string_value(rt));
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
