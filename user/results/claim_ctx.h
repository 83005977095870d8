/* claim_ctx.h - what the claim deciders share (claims.c: C1-C12,
 * claims_c13_c16.c, verdict_table.c): every threshold, as a named constant
 * next to the claim it decides (the report shows it with the figures), and
 * the figure lookups scoped to one runtime. Internal to user/results. */
#ifndef GS_CLAIM_CTX_H
#define GS_CLAIM_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "claims.h"

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

struct claim_ctx {
	const json_t *cells, *runs;
	const char *runtime; /* the runtime decided: "sim", "cpython-3.11.2" */
	double cpus;     /* online CPUs */
	double workers;  /* workers per model */
	double interval; /* GIL switch interval, s */
};

bool claim_str_eq(const json_t *o, const char *key, const char *want);
void claim_ctx_init(struct claim_ctx *c, const json_t *cells, const json_t *runs,
		    const struct claim_env *env, const char *runtime);
/* Is cell (or run) e of c's runtime and switch interval? A --workers-sweep
 * cell only when sweep_workers > 0, and then at that worker count. */
bool claim_in_scope(const struct claim_ctx *c, const json_t *e, int sweep_workers);
/* The median of name for model/workload in c's scope (sweep_workers as above). */
bool claim_scoped_figure(const struct claim_ctx *c, const char *model, const char *workload,
			 int sweep_workers, const char *name, double *out);
bool claim_figure(const struct claim_ctx *c, const char *model, const char *workload,
		  const char *name, double *out);
/* claim_figure; on a miss, say which figure in `missing` (the first miss). */
bool claim_fig(const struct claim_ctx *c, const char *model, const char *workload,
	       const char *name, double *v, char *missing, size_t len);
/* {id, claim, verdict, figures, threshold, reason} */
json_t *claim_json(const char *id, const char *text, enum verdict v, const char *figures,
		   const char *threshold, const char *reason);
/* A claim whose cells are not in the default matrix: say how to measure it. */
void claim_not_measured(char *missing, size_t len, const char *how);

#define NEED(cond) \
	if (!(cond)) \
		return claim_json(id, text, V_INCONCLUSIVE, "", threshold, missing)

/* claims_c13_c16.c */
json_t *claim_c13(const struct claim_ctx *c, const char *id, const char *text);
json_t *claim_c14(const struct claim_ctx *c, const char *id, const char *text);
json_t *claim_c15(const struct claim_ctx *c, const char *id, const char *text);
json_t *claim_c16(const struct claim_ctx *c, const char *id, const char *text);

#endif
