/* derive.h - everything derived from a document's measured figures: rates
 * (per second), speed-ups, the per-cell medians (summary[]), the verdicts
 * (claims[], verdict_table) and units{}. Done once, here, before the document
 * is written, so that every writer only renders. */
#ifndef GS_DERIVE_H
#define GS_DERIVE_H

#include <stdbool.h>
#include <jansson.h>

/* The registry's rates of one run (metric_def.rate_of / wall_s), set when the
 * base figure is there and wall_s > 0; with only_missing, figures the run
 * already has are kept. */
void derive_run_rates(json_t *run, bool only_missing);
/* A document gilscope has just measured (`run`, `record`). */
void results_derive(json_t *doc);
/* A document read back (`report`): add only what an older gilscope did not
 * write; figures and verdicts already in the document are kept as they are. */
void results_derive_missing(json_t *doc);

#endif
