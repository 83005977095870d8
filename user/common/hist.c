/* hist.c - percentiles over the log-linear histograms shared with the kernel. */
#include "hist.h"

uint64_t hist_slot_high(uint32_t i)
{
	if (i + 1 >= GS_HIST_SLOTS)
		return UINT64_MAX;
	return gs_hist_slot_low(i + 1);
}

uint64_t hist_count(const struct gs_hist *h)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < GS_HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

uint64_t hist_quantile(const struct gs_hist *h, double q, uint64_t max)
{
	uint64_t n = hist_count(h), rank, seen = 0, v;

	if (!n)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	/* rank of the wanted sample, 1-based: the ceil(q * n)-th smallest */
	rank = (uint64_t)(q * (double)n);
	if ((double)rank < q * (double)n)
		rank++;
	if (rank == 0)
		rank = 1;
	for (uint32_t i = 0; i < GS_HIST_SLOTS; i++) {
		seen += h->slots[i];
		if (seen >= rank) {
			/* slots below 8 hold exactly one value */
			v = i < GS_HIST_SUB ? i : hist_slot_high(i);
			return max && v > max ? max : v;
		}
	}
	return max;
}

uint64_t hist_max(const struct gs_hist *h)
{
	for (uint32_t i = GS_HIST_SLOTS; i-- > 0;)
		if (h->slots[i])
			return i < GS_HIST_SUB ? i : hist_slot_high(i);
	return 0;
}

void hist_add_value(struct gs_hist *h, uint64_t v)
{
	h->slots[gs_hist_slot(v)]++;
}

void hist_merge(struct gs_hist *dst, const struct gs_hist *src)
{
	for (uint32_t i = 0; i < GS_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
}
