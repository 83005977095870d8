/*
 * claims_c13_c16.c - the seed's remaining rows of CLAIMS.md: GIL-releasing
 * library calls (C13), shared data and its lock (C14), a blocking call on an
 * event loop (C15), scaling with workers (C16). Their cells are the
 * cpu-release, shared and io-block workloads and --workers-sweep.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "claim_ctx.h"

json_t *claim_c13(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[200] = "", figs[240], threshold[200];
	double s, cores, share = NAN, plain = NAN, ideal = fmin(c->workers, c->cpus);

	snprintf(threshold, sizeof(threshold), "threads-gil speed-up on GIL-releasing work (zlib crc32 "
		 "of 64 KiB buffers) >= %.0f%% of min(workers, CPUs) = %.0f", SCALING_MIN * 100, ideal);
	if (!(claim_fig(c, "threads-gil", "cpu-release", "speedup", &s, missing, sizeof(missing)) &&
	      claim_fig(c, "threads-gil", "cpu-release", "cores_used", &cores, missing, sizeof(missing)))) {
		claim_not_measured(missing, sizeof(missing), "-w cpu-release");
		return claim_json(id, text, V_INCONCLUSIVE, "", threshold, missing);
	}
	claim_figure(c, "threads-gil", "cpu-release", "gil_wait_share", &share);
	claim_figure(c, "threads-gil", "cpu", "speedup", &plain);
	snprintf(figs, sizeof(figs), "speed-up %.2fx, %.2f cores used, GIL wait %.0f%% (pure-Python "
		 "CPU work: %.2fx)", s, cores, share * 100, plain);
	if (ideal < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold,
			     "with one CPU or one worker nothing can run in parallel");
	return claim_json(id, text, s >= SCALING_MIN * ideal ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}

json_t *claim_c14(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[200] = "", figs[240], threshold[200];
	double lt, lp, ser;

	snprintf(threshold, sizeof(threshold), "on the shared workload, threads-gil wait on locks "
		 ">= %.0f%% of their time, and processes (each with its own copy) pay a serialisation "
		 "(IPC) cost", LOCK_WAIT_MIN * 100);
	if (!(claim_fig(c, "threads-gil", "shared", "lock_wait_share", &lt, missing, sizeof(missing)) &&
	      claim_fig(c, "processes", "shared", "lock_wait_share", &lp, missing, sizeof(missing)) &&
	      claim_fig(c, "processes", "shared", "serialise_ns", &ser, missing, sizeof(missing)))) {
		claim_not_measured(missing, sizeof(missing), "-w shared");
		return claim_json(id, text, V_INCONCLUSIVE, "", threshold, missing);
	}
	/* a process pool's workers wait on its task queue's lock: shown, not
	 * held against the claim (it is the IPC, not shared data) */
	snprintf(figs, sizeof(figs), "lock wait %.1f%% of thread time (threads-gil); processes' "
		 "serialisation %.1f us per worker (their futex waits, the pool's own: %.1f%%)", lt * 100,
		 ser / 1e3, lp * 100);
	if (c->workers < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "needs 2 or more workers");
	return claim_json(id, text, lt >= LOCK_WAIT_MIN && ser > 0 ? V_CONFIRMED : V_REFUTED, figs,
		     threshold, "");
}

json_t *claim_c15(const struct claim_ctx *c, const char *id, const char *text)
{
	char missing[200] = "", figs[240], threshold[200];
	double blocked, free_;

	snprintf(threshold, sizeof(threshold), "the other tasks' I/O latency p50 with one task blocking "
		 "after each of its requests) >= %.0fx the loop's without it", STALL_MIN);
	if (!(claim_fig(c, "async", "io-block", "io_latency_p50_ns", &blocked, missing, sizeof(missing)) &&
	      claim_fig(c, "async", "io", "io_latency_p50_ns", &free_, missing, sizeof(missing)) && free_ > 0)) {
		claim_not_measured(missing, sizeof(missing), "-m async -w io,io-block");
		return claim_json(id, text, V_INCONCLUSIVE, "", threshold, missing);
	}
	snprintf(figs, sizeof(figs), "other tasks' I/O latency p50 %.2f ms with a blocking task vs "
		 "%.2f ms without (%.1fx)", blocked / 1e6, free_ / 1e6, blocked / free_);
	return claim_json(id, text, blocked / free_ >= STALL_MIN ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
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
		if (!claim_scoped_figure(c, model, "cpu", w, "speedup", &s))
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

json_t *claim_c16(const struct claim_ctx *c, const char *id, const char *text)
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
		return claim_json(id, text, V_INCONCLUSIVE, "", threshold,
			     "not measured (run with --workers-sweep): no speed-up of threads-gil and "
			     "processes at each worker count (not run?)");
	nogil = sweep_of(c, "threads-nogil", max, nt, sizeof(nt), &n1, &n2, &npeak);
	snprintf(figs, sizeof(figs), "speed-up at 1..%d workers: threads-gil %s, processes %s%s%s", max,
		 gt, pt, nogil ? ", threads-nogil " : "", nogil ? nt : "");
	if (c->cpus < 2)
		return claim_json(id, text, V_INCONCLUSIVE, figs, threshold, "with one CPU nothing can scale");
	ok = gpeak <= NO_SPEEDUP_MAX && p1 >= SCALING_MIN * c->cpus && p2 >= SCALING_MIN * c->cpus;
	if (nogil)
		ok = ok && n1 >= SCALING_MIN * c->cpus && n2 >= SCALING_MIN * c->cpus;
	return claim_json(id, text, ok ? V_CONFIRMED : V_REFUTED, figs, threshold, "");
}
