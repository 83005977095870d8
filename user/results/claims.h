/* claims.h - the folklore of ../shared/CLAIMS.md (C1-C12) and the classic
 * threading / multiprocessing / asyncio comparison table, decided from the
 * measured figures of a `gilscope run` document. Pure functions. */
#ifndef GS_CLAIMS_H
#define GS_CLAIMS_H

#include <stdbool.h>
#include <jansson.h>

enum verdict { V_CONFIRMED, V_REFUTED, V_INCONCLUSIVE };

const char *verdict_name(enum verdict v);

/* Median of metric `name` for model x workload: from summary[] when present,
 * else from the first matching run. false when there is no such figure. */
bool claims_figure(const json_t *doc, const char *model, const char *workload,
		   const char *name, double *out);

/* [{id, claim, verdict, figures, threshold, reason}] for C1..C12. */
json_t *claims_evaluate(const json_t *doc);

/* {columns: [model...], rows: [{row, cells: [{value, text, verdict}]}]}:
 * the comparison table, each cell a measured number and a short verdict. */
json_t *claims_verdict_table(const json_t *doc);

#endif
