/* compare.h - runs of different times, hosts or kernels side by side (pure). */
#ifndef GS_COMPARE_H
#define GS_COMPARE_H

#include <stdio.h>
#include <jansson.h>

/* docs[0] is the baseline. Returns {kind: "comparison", sources: [...],
 * rows: [{cell, metric, unit, values, mins, maxs, ratios, significant}],
 * claims: [...]}: the metrics are the registry's METRIC_COMPARE ones,
 * one row per model x workload (or record label) and metric found in every
 * document; a difference is significant when neither median lies inside the
 * other's min..max spread. */
json_t *compare_docs(json_t *const *docs, const char *const *names, size_t n);
/* cmp's claims[]: {id, claim, verdicts: [one per source, null when absent],
 * changed}. Print one line per claim whose verdict differs between sources;
 * returns how many. */
int compare_print_verdict_changes(FILE *f, const json_t *cmp);
int compare_write_csv(FILE *f, const json_t *cmp);

#endif
