/* claims.h - the folklore of ../shared/CLAIMS.md (C1-C16) and the classic
 * threading / multiprocessing / asyncio comparison table, decided from the
 * measured figures of a `gilscope run` document. Pure functions: the verdicts
 * are written into results.json (claims[], verdict_table) before any writer
 * runs; the writers only render them. */
#ifndef GS_CLAIMS_H
#define GS_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum verdict { V_CONFIRMED, V_REFUTED, V_INCONCLUSIVE };

const char *verdict_name(enum verdict v);

/* What a verdict may depend on besides the figures. */
struct claim_env {
	double cpus;       /* online CPUs */
	double workers;    /* workers per model (--workers) */
	double interval_s; /* the GIL's switch interval */
};

struct claim_ctx;

/* One claim: decide returns {id, claim, verdict, figures, threshold, reason}. */
struct claim_def {
	const char *id;
	const char *text;
	json_t *(*decide)(const struct claim_ctx *c, const char *id, const char *text);
};

/* Every claim, in CLAIMS.md order. */
extern const struct claim_def claim_defs[];
extern const size_t claim_ndefs;

/* Median of metric `name` for model x workload from cells (summary[]), else
 * from the first matching run of runs[]. false when there is no such figure. */
bool claims_cell_figure(const json_t *cells, const json_t *runs, const char *model,
			const char *workload, const char *name, double *out);
/* The same, from a document's summary[] and runs[]. */
bool claims_figure(const json_t *doc, const char *model, const char *workload,
		   const char *name, double *out);

/* env of a document: online CPUs, params.workers, params.interval_us
 * (defaults 1, 2, 5 ms). */
void claims_env_of(const json_t *doc, struct claim_env *env);

/* The runtimes of the workload rows, "sim" first: ["sim", "cpython-3.11.2"].
 * A row without `runtime` is "sim"; ["sim"] when there is no row. */
json_t *claims_runtimes(const json_t *cells, const json_t *runs);

/* [{id, claim, runtime, verdict, figures, threshold, reason}]: every
 * claim_defs[] entry once per runtime (claims_runtimes), each decided from
 * that runtime's cells (summary[]) and runs[] alone, at the primary switch
 * interval, never from a --workers-sweep cell (but C16, from those only). */
json_t *claims_decide(const json_t *cells, const json_t *runs, const struct claim_env *env);
/* claims_decide over a document's summary[], runs[] and env. */
json_t *claims_evaluate(const json_t *doc);

/* {columns: [model...], runtimes: [...], rows: [{row, runtime, cells:
 * [{value, text, verdict}]}]}: the comparison table, each row once per
 * runtime, each cell a measured number and a short verdict. */
json_t *claims_verdict_table(const json_t *doc);

#endif
