/* test_hist - log-linear bucketing shared with the kernel, and percentiles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "hist.h"

static void test_small_values_have_own_slot(void **state)
{
	for (uint64_t v = 0; v < 8; v++) {
		assert_int_equal(gs_hist_slot(v), v);
		assert_int_equal(gs_hist_slot_low((uint32_t)v), v);
	}
}

static void test_slot_bounds_contain_value(void **state)
{
	uint64_t vals[] = { 8, 9, 15, 16, 17, 100, 1000, 4095, 4096, 123456789,
			    1ull << 40, (1ull << 40) + 12345, UINT64_MAX / 3, UINT64_MAX };

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint32_t s = gs_hist_slot(vals[i]);

		assert_true(s < GS_HIST_SLOTS);
		assert_true(gs_hist_slot_low(s) <= vals[i]);
		if (s + 1 < GS_HIST_SLOTS)
			assert_true(vals[i] < hist_slot_high(s));
	}
	assert_int_equal(gs_hist_slot(UINT64_MAX), GS_HIST_SLOTS - 1);
}

static void test_slots_are_monotonic_and_narrow(void **state)
{
	for (uint32_t s = 1; s < GS_HIST_SLOTS; s++) {
		uint64_t lo = gs_hist_slot_low(s), prev = gs_hist_slot_low(s - 1);

		assert_true(lo > prev);
		assert_int_equal(gs_hist_slot(lo), s);
		assert_int_equal(gs_hist_slot(lo - 1), s - 1);
		/* width at most 1/8 of the lower bound above the exact range */
		if (s >= 8 && s + 1 < GS_HIST_SLOTS)
			assert_true((hist_slot_high(s) - lo) * 8 <= lo);
	}
}

static void test_msb(void **state)
{
	assert_int_equal(gs_msb64(1), 0);
	assert_int_equal(gs_msb64(2), 1);
	assert_int_equal(gs_msb64(3), 1);
	assert_int_equal(gs_msb64(1ull << 63), 63);
	assert_int_equal(gs_msb64(0x00F0000000000000ull), 55);
}

static void test_quantiles(void **state)
{
	struct gs_hist h = { 0 };

	assert_int_equal(hist_quantile(&h, 0.5, 0), 0);
	assert_int_equal(hist_count(&h), 0);
	/* 1..1000 us, one each */
	for (uint64_t v = 1; v <= 1000; v++)
		hist_add_value(&h, v * 1000);
	assert_int_equal(hist_count(&h), 1000);
	uint64_t p50 = hist_quantile(&h, 0.5, 0), p99 = hist_quantile(&h, 0.99, 0);
	/* upper edge of the slot holding the true value: within 12.5% above it */
	assert_true(p50 >= 500000 && p50 <= 500000 * 9 / 8 + 1);
	assert_true(p99 >= 990000 && p99 <= 990000 * 9 / 8 + 1);
	/* capped by a known maximum */
	assert_true(hist_quantile(&h, 1.0, 1000000) == 1000000);
	assert_true(hist_max(&h) >= 1000000);
}

static void test_quantile_of_exact_values(void **state)
{
	struct gs_hist h = { 0 };

	for (int i = 0; i < 90; i++)
		hist_add_value(&h, 3);
	for (int i = 0; i < 10; i++)
		hist_add_value(&h, 7);
	assert_int_equal(hist_quantile(&h, 0.5, 0), 3);
	assert_int_equal(hist_quantile(&h, 0.90, 0), 3);
	assert_int_equal(hist_quantile(&h, 0.91, 0), 7);
	assert_int_equal(hist_max(&h), 7);
}

/* hist of the given values (all below 8: one exact slot each). */
static struct gs_hist exact(const uint64_t *v, size_t n)
{
	struct gs_hist h = { 0 };

	for (size_t i = 0; i < n; i++)
		hist_add_value(&h, v[i]);
	return h;
}

/*
 * The q-quantile is the ceil(q * n)-th smallest value (1-based), never the
 * floor: p50 of 1..5 is 3, p50 of {1, 2} is 1, p34 of 1..3 is 2.
 */
static void test_quantile_ceiling_rank(void **state)
{
	static const struct {
		uint64_t v[8];
		size_t n;
		double q;
		uint64_t want;
	} cases[] = {
		{ { 5 }, 1, 0.0, 5 },          /* one sample: every quantile is it */
		{ { 5 }, 1, 0.5, 5 },
		{ { 5 }, 1, 1.0, 5 },
		{ { 1, 2 }, 2, 0.5, 1 },       /* rank ceil(1.0) = 1 */
		{ { 1, 2 }, 2, 0.51, 2 },      /* rank ceil(1.02) = 2 */
		{ { 1, 2, 3 }, 3, 0.33, 1 },   /* rank ceil(0.99) = 1 */
		{ { 1, 2, 3 }, 3, 0.34, 2 },   /* rank ceil(1.02) = 2; a floor gives 1 */
		{ { 1, 2, 3 }, 3, 0.5, 2 },    /* rank ceil(1.5) = 2; a floor gives 1 */
		{ { 1, 2, 3 }, 3, 0.67, 3 },   /* rank ceil(2.01) = 3 */
		{ { 1, 2, 3, 4, 5 }, 5, 0.5, 3 },  /* odd count: the middle one */
		{ { 1, 2, 3, 4, 5 }, 5, 0.99, 5 }, /* rank ceil(4.95) = 5 */
		{ { 1, 2, 3, 4, 5 }, 5, 0.2, 1 },  /* rank ceil(1.0) = 1 exactly */
		{ { 1, 2, 3, 4, 5 }, 5, 0.21, 2 }, /* rank ceil(1.05) = 2 */
		{ { 1, 2, 3, 4, 5, 6, 7 }, 7, 0.9, 7 }, /* rank ceil(6.3) = 7 */
		{ { 2, 2, 2, 6 }, 4, 0.75, 2 },    /* ties: rank 3 is still 2 */
		{ { 2, 2, 2, 6 }, 4, 0.76, 6 },
		{ { 3, 1, 2 }, 3, 0.0, 1 },        /* q 0: the smallest */
		{ { 3, 1, 2 }, 3, -1.0, 1 },       /* clamped */
		{ { 3, 1, 2 }, 3, 2.0, 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gs_hist h = exact(cases[i].v, cases[i].n);
		uint64_t got = hist_quantile(&h, cases[i].q, 0);

		if (got != cases[i].want)
			fail_msg("case %zu: q %.2f of %zu values: %llu, want %llu", i, cases[i].q,
				 cases[i].n, (unsigned long long)got, (unsigned long long)cases[i].want);
	}
}

/* Above the exact range a quantile is the upper edge of its slot, capped at
 * a known maximum (which is not a cap when it is 0). */
static void test_quantile_slot_edge_and_cap(void **state)
{
	struct gs_hist h = { 0 };

	hist_add_value(&h, 1000);
	hist_add_value(&h, 1000);
	hist_add_value(&h, 100000);
	assert_int_equal(hist_quantile(&h, 0.66, 0), hist_slot_high(gs_hist_slot(1000)));
	assert_int_equal(hist_quantile(&h, 0.67, 0), hist_slot_high(gs_hist_slot(100000)));
	assert_int_equal(hist_quantile(&h, 0.67, 100000), 100000);
	assert_int_equal(hist_quantile(&h, 0.5, 1010), hist_slot_high(gs_hist_slot(1000)) > 1010 ?
			 1010 : hist_slot_high(gs_hist_slot(1000)));
}

static void test_merge(void **state)
{
	struct gs_hist a = { 0 }, b = { 0 };

	hist_add_value(&a, 100);
	hist_add_value(&b, 100);
	hist_add_value(&b, 5000);
	hist_merge(&a, &b);
	assert_int_equal(hist_count(&a), 3);
	assert_int_equal(a.slots[gs_hist_slot(100)], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_values_have_own_slot),
		cmocka_unit_test(test_slot_bounds_contain_value),
		cmocka_unit_test(test_slots_are_monotonic_and_narrow),
		cmocka_unit_test(test_msb),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_quantile_of_exact_values),
		cmocka_unit_test(test_quantile_ceiling_rank),
		cmocka_unit_test(test_quantile_slot_edge_and_cap),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
