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
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
