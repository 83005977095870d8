/* run_summary.h - medians and spreads over the repeats of `gilscope run`. */
#ifndef GS_RUN_SUMMARY_H
#define GS_RUN_SUMMARY_H

#include <jansson.h>

/* summary[]: one entry per model x workload found in runs[], in order of first
 * appearance: {model, workload, workers, n, metrics: {name: {median, min, max}}},
 * wall_s among the metrics. */
json_t *run_summary(const json_t *runs);
/* Median of n values (sorted in place). */
double run_median(double *v, size_t n);

#endif
