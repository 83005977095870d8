/* hist.h - percentiles and summaries of the log-linear histograms of gilscope.h */
#ifndef GS_HIST_H
#define GS_HIST_H

#include <stdint.h>
#include <linux/types.h>
#include "gilscope.h"

uint64_t hist_count(const struct gs_hist *h);
/* Value at quantile q (0..1): the upper edge of the slot that holds it, capped
 * at max when max is not 0. 0 for an empty histogram. */
uint64_t hist_quantile(const struct gs_hist *h, double q, uint64_t max);
/* Highest slot's upper edge (an upper bound of the maximum). */
uint64_t hist_max(const struct gs_hist *h);
void hist_add_value(struct gs_hist *h, uint64_t v);
void hist_merge(struct gs_hist *dst, const struct gs_hist *src);
/* Upper edge (exclusive) of slot i. */
uint64_t hist_slot_high(uint32_t i);

#endif
