/* test_gil - the simulated GIL behaves as CPython's ceval_gil.c does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "gil.h"
#include "hist.h"

static struct gil g;

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

/* ---- never two holders --------------------------------------------------- */

static atomic_int inside, violations;

static void *holder_checker(void *arg)
{
	int me = (int)(intptr_t)arg;

	gil_acquire(&g, me);
	for (int i = 0; i < 3000; i++) {
		if (atomic_fetch_add(&inside, 1) != 0)
			atomic_fetch_add(&violations, 1);
		for (volatile int k = 0; k < 2000; k++)
			;
		atomic_fetch_sub(&inside, 1);
		gil_tick(&g, me); /* may hand the GIL over */
	}
	gil_release(&g, me);
	return NULL;
}

static void test_never_two_holders(void **state)
{
	pthread_t t[8];

	assert_int_equal(gil_init(&g, true, 200), 0);
	for (intptr_t i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, holder_checker, (void *)i);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&violations), 0);
	assert_true(g.handoffs >= 8);       /* everyone got it at least once */
	assert_true(g.drop_requests > 0);  /* and had to ask for it */
	assert_int_equal(atomic_load(&g.locked), 0);
	gil_destroy(&g);
}

/* ---- the drop request comes after the interval ---------------------------- */

static atomic_int waiter_has_it;

static void *waiter(void *arg)
{
	gil_acquire(&g, 1);
	atomic_store(&waiter_has_it, 1);
	gil_release(&g, 1);
	return arg;
}

static void test_drop_request_after_interval(void **state)
{
	const unsigned interval_us = 20000;
	uint64_t t0, asked = 0;
	pthread_t t;

	assert_int_equal(gil_init(&g, true, interval_us), 0);
	atomic_store(&waiter_has_it, 0);
	gil_acquire(&g, 0);
	t0 = gil_now_ns();
	pthread_create(&t, NULL, waiter, NULL);
	/* hold without ticking for 3 intervals, watching for the request */
	while (gil_now_ns() - t0 < 3ull * interval_us * 1000) {
		if (!asked && atomic_load(&g.drop_request))
			asked = gil_now_ns();
		assert_int_equal(atomic_load(&waiter_has_it), 0);
	}
	assert_true(asked != 0);
	/* not before a whole interval of waiting (the waiter started after t0) */
	assert_true(asked - t0 >= (uint64_t)interval_us * 1000 * 9 / 10);
	gil_release(&g, 0);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&waiter_has_it), 1);
	assert_true(g.drop_requests >= 1); /* each timed-out wait without a switch asks again */
	gil_destroy(&g);
}

/* ---- FORCE_SWITCHING: the dropper does not retake it first ----------------- */

static atomic_int b_turns;

static void *taker(void *arg)
{
	gil_acquire(&g, 1);
	atomic_fetch_add(&b_turns, 1);
	gil_release(&g, 1);
	return arg;
}

static void test_forced_switch_hands_over(void **state)
{
	pthread_t t;
	int before, handed = 0;

	assert_int_equal(gil_init(&g, true, 1000), 0);
	atomic_store(&b_turns, 0);
	gil_acquire(&g, 0);
	pthread_create(&t, NULL, taker, NULL);
	/* tick until asked; the tick must return only after the taker had it */
	for (int i = 0; i < 1000000 && !handed; i++) {
		before = atomic_load(&b_turns);
		if (atomic_load(&g.drop_request)) {
			gil_tick(&g, 0);
			handed = 1;
			assert_int_equal(before, 0);
			assert_int_equal(atomic_load(&b_turns), 1);
		}
		sleep_us(10);
	}
	assert_true(handed);
	assert_true(g.forced_switches >= 1);
	assert_int_equal(atomic_load(&g.holder), 0); /* retaken after the hand-over */
	gil_release(&g, 0);
	pthread_join(t, NULL);
	gil_destroy(&g);
}

/* ---- blocking I/O releases the GIL ----------------------------------------- */

static atomic_int progress;
static atomic_int stop_flag;

static void *runner(void *arg)
{
	gil_acquire(&g, 1);
	while (!atomic_load(&stop_flag)) {
		atomic_fetch_add(&progress, 1);
		gil_tick(&g, 1);
	}
	gil_release(&g, 1);
	return arg;
}

static void test_io_release_lets_others_run(void **state)
{
	pthread_t t;
	int before;

	assert_int_equal(gil_init(&g, true, 5000), 0);
	atomic_store(&progress, 0);
	atomic_store(&stop_flag, 0);
	gil_acquire(&g, 0);
	pthread_create(&t, NULL, runner, NULL);
	sleep_us(20000);
	before = atomic_load(&progress);
	assert_int_equal(before, 0); /* we hold it, and never tick */
	gil_release(&g, 0);          /* Py_BEGIN_ALLOW_THREADS */
	sleep_us(50000);             /* blocking I/O */
	gil_acquire(&g, 0);          /* Py_END_ALLOW_THREADS */
	assert_true(atomic_load(&progress) > before);
	atomic_store(&stop_flag, 1);
	gil_release(&g, 0);
	pthread_join(t, NULL);
	assert_true(hist_count(&g.hold) >= 2);
	gil_destroy(&g);
}

/* ---- no-GIL mode ------------------------------------------------------------ */

static void *both(void *arg)
{
	gil_acquire(&g, 1);
	atomic_fetch_add(&inside, 1);
	return arg;
}

static void test_nogil_mode_is_free(void **state)
{
	pthread_t t;
	uint64_t start, len;

	assert_int_equal(gil_init(&g, false, 5000), 0);
	atomic_store(&inside, 0);
	gil_acquire(&g, 0);
	atomic_fetch_add(&inside, 1);
	pthread_create(&t, NULL, both, NULL);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&inside), 2); /* both "held" it at once */
	assert_int_equal(g.handoffs, 0);
	gil_futex_range(&g, &start, &len);
	assert_true(start == (uint64_t)(uintptr_t)&g && len == sizeof(g.sync));
	gil_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_two_holders),
		cmocka_unit_test(test_drop_request_after_interval),
		cmocka_unit_test(test_forced_switch_hands_over),
		cmocka_unit_test(test_io_release_lets_others_run),
		cmocka_unit_test(test_nogil_mode_is_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
