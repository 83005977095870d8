/* cell_stats.h - medians and spreads over the repeats of `gilscope run`. */
#ifndef GS_CELL_STATS_H
#define GS_CELL_STATS_H

#include <jansson.h>

/* summary[]: one entry per model x workload found in runs[], in order of first
 * appearance: {model, workload, workers, n, metrics: {name: {median, min, max}}},
 * wall_s among the metrics. */
json_t *cell_stats(const json_t *runs);
/* Median of n values (sorted in place). */
double median_of(double *v, size_t n);

#endif
