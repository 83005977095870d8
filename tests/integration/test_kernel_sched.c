/*
 * test_kernel_sched - run-queue time and migrations per thread against the
 * kernel's sched (wait_sum where it keeps schedstats, else schedstat's
 * run_delay; nr_migrations), with tp_btf and
 * with raw_tp; a full raw_tp task map reported as lost, once per lost thread,
 * and task-local storage (tp_btf) losing none. Harness: kernel_truth.h.
 */
#include "kernel_truth.h"

/* ---- run queue and migrations against schedstat and sched --------------- */

#define SCHED_THREADS 4

static void *busy_sleeper(void *arg)
{
	volatile unsigned long x = 0;
	struct timespec nap = { 0, 300000 };

	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t cpus;
	struct timespec a, b;

	/* first, all of them compute at once for 60 ms (of wall time): more
	 * threads than CPUs, so they are preempted and wait their turn */
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 60);
	for (int r = 0; r < 60; r++) {
		/* every other round, move to the next CPU: a migration the kernel
		 * must make, whatever the load balancer does */
		if (ncpu > 1 && r % 2 == 0) {
			CPU_ZERO(&cpus);
			CPU_SET((r / 2) % ncpu, &cpus);
			sched_setaffinity(0, sizeof(cpus), &cpus);
		}
		for (int i = 0; i < 400000; i++)
			x += (unsigned long)i * 2654435761u;
		nanosleep(&nap, NULL);
	}
	atomic_fetch_add(&shared->parked, 1);
	for (;;)
		pause();
	return arg;
}

/* More busy threads than CPUs: run-queue waits and migrations; then every
 * thread parks, so the kernel's per-thread counters can be read. */
static void threads_then_park(void)
{
	pthread_t t;

	for (int i = 0; i < SCHED_THREADS; i++)
		pthread_create(&t, NULL, busy_sleeper, NULL);
	while (atomic_load(&shared->parked) < SCHED_THREADS)
		usleep(2000);
	if (write(ready_pipe[1], "d", 1) != 1)
		_exit(4);
	for (;;)
		pause();
}

/* kernel.sched_schedstats: turned on for the test where the kernel has it
 * (its old value given back), so that /proc/PID/task/TID/sched shows
 * wait_sum; -1 where there is no such switch. */
#define SCHEDSTATS "/proc/sys/kernel/sched_schedstats"

static int schedstats_set(int on)
{
	FILE *f = fopen(SCHEDSTATS, "r+e");
	int old = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &old) != 1)
		old = -1;
	rewind(f);
	fprintf(f, "%d\n", on);
	fclose(f);
	return old;
}

/*
 * The truth for run-queue time: CFS's wait_sum where the kernel keeps
 * schedstats (Debian's do), else schedstat's run_delay. run_delay starts
 * only for a task that leaves the CPU TASK_RUNNING: one preempted while not
 * (between setting its sleep state and calling schedule(); on PREEMPT_RT
 * while it spins for a sleeping spinlock's owner, TASK_RTLOCK_WAIT) waits
 * on the run queue all the same, uncounted; wait_sum counts it, as
 * gilscope does.
 */
static void check_schedstat(bool raw)
{
	struct truth_run r;
	long long delay = 0, wsum = 0, migr = 0;
	int old = schedstats_set(1);
	bool have_wsum = true;
	const char *truth;

	trace_child(raw, 0, NULL, threads_then_park, NULL, 0, true, &r);
	assert_int_equal(r.m.threads, 1 + SCHED_THREADS);
	for (size_t i = 0; i < r.d.ntasks; i++) {
		const struct gs_task *g = &r.d.tasks[i];
		struct task_truth k;

		assert_true(truth_task(r.pid, (pid_t)g->tid, &k));
		if (g->tid == (uint32_t)r.pid) {
			/* followed at its park: its run-queue time and migrations
			 * before that are not gilscope's; its switches are (counted
			 * from the fork, as rusage counts them) */
			k.run_delay_ns -= r.base.run_delay_ns;
			k.wait_sum_ns -= r.base.wait_sum_ns;
			k.nr_migrations -= r.base.nr_migrations;
		}
		if (k.wait_sum_ns < 0 || r.base.wait_sum_ns < 0)
			have_wsum = false;
		printf("    tid %u: runq %.3f ms vs run_delay %.3f ms, wait_sum %.3f ms; migrations %llu "
		       "vs nr_migrations %lld; switches %llu/%llu vs %lld/%lld\n", g->tid,
		       (double)g->runq_ns / 1e6, (double)k.run_delay_ns / 1e6, (double)k.wait_sum_ns / 1e6,
		       (unsigned long long)g->migrations, k.nr_migrations,
		       (unsigned long long)g->voluntary_switches,
		       (unsigned long long)g->involuntary_switches, k.nvcsw, k.nivcsw);
		/* a live thread's counts are exact: nothing ended mid-switch */
		assert_int_equal(g->voluntary_switches, k.nvcsw);
		assert_int_equal(g->involuntary_switches, k.nivcsw);
		/* alive at the end: its open interval is closed there, and its
		 * time breakdown sums to its lifetime exactly */
		{
			uint64_t sum = 0;

			for (int b = 0; b < GS_TIME_MAX; b++)
				sum += g->time_ns[b];
			assert_int_equal(sum, g->lifetime_ns);
		}
		delay += k.run_delay_ns;
		wsum += k.wait_sum_ns;
		migr += k.nr_migrations;
	}
	kill_parked(NULL);
	if (old >= 0)
		schedstats_set(old);
	if (have_wsum) {
		truth = "wait_sum";
		delay = wsum;
	} else {
		truth = "run_delay";
	}
	printf("    %s: run queue %.3f ms vs %s %.3f ms, %llu waits; migrations %llu vs "
	       "nr_migrations %lld\n", raw ? "raw_tp" : "tp_btf", (double)r.m.runq_ns / 1e6, truth,
	       (double)delay / 1e6, (unsigned long long)r.m.runq_count,
	       (unsigned long long)r.m.migrations, migr);
	assert_true(delay > 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		assert_true(migr >= SCHED_THREADS * 20); /* the affinity changes at least */
	else
		printf("    one online CPU: no migrations to compare\n");
	/*
	 * Both are timed with the run queue's clock, read at the enqueue and
	 * at the start of __schedule(); the tracepoints fire a little later on
	 * both ends (after the enqueue; after picking the next task, which may
	 * balance load first). Allowed: 5%, plus 10 us per wait for that offset.
	 */
	if (fabs((double)r.m.runq_ns - (double)delay) > 0.05 * (double)delay + 10e3 * (double)r.m.runq_count)
		fail_msg("run-queue time %.3f ms vs the kernel's %s %.3f ms over %llu waits",
			 (double)r.m.runq_ns / 1e6, truth, (double)delay / 1e6,
			 (unsigned long long)r.m.runq_count);
	assert_within(r.m.migrations, migr, 0.02);
	end_run(&r);
}

static void test_tp_btf_schedstat(void **state) { check_schedstat(false); }
static void test_raw_tp_schedstat(void **state) { check_schedstat(true); }

/* ---- a full task map ---------------------------------------------------- */

#define LOST_THREADS 10
#define SMALL_MAP 4

static pthread_barrier_t all_made;

/* Each thread lives until every one was made: none frees its entry early. */
static void *short_lived(void *arg)
{
	pthread_barrier_wait(&all_made);
	return arg;
}

static void many_threads(void)
{
	pthread_t t[LOST_THREADS];

	pthread_barrier_init(&all_made, NULL, LOST_THREADS + 1);
	for (int i = 0; i < LOST_THREADS; i++)
		if (pthread_create(&t[i], NULL, short_lived, NULL))
			_exit(5);
	pthread_barrier_wait(&all_made);
	for (int i = 0; i < LOST_THREADS; i++)
		pthread_join(t[i], NULL);
}

/* raw_tp: the `tasks` hash has room for SMALL_MAP: the process and 3 of its
 * 10 threads (alive at once) are traced, the other 7 are not, and each of
 * them is reported lost, once. */
static void test_full_task_map_reported_lost(void **state)
{
	const unsigned lost = 1 + LOST_THREADS - SMALL_MAP;
	struct truth_run r;

	trace_child(true, SMALL_MAP, NULL, many_threads, NULL, 0, false, &r);
	printf("    raw_tp: traced %zu tasks, lost %llu (lost_events %llu)\n", r.d.ntasks,
	       (unsigned long long)r.d.counters[GS_CTR_LOST_TASKS],
	       (unsigned long long)r.m.lost_events);
	assert_int_equal(r.d.ntasks, SMALL_MAP);
	assert_int_equal(r.d.counters[GS_CTR_LOST_TASKS], lost);
	assert_int_equal(r.m.lost_events, lost);
	end_run(&r);
}

/* tp_btf: task-local storage has no size (max_tasks sizes the raw_tp hash
 * only): every thread is traced, none lost. */
static void test_task_storage_loses_none(void **state)
{
	struct truth_run r;

	trace_child(false, SMALL_MAP, NULL, many_threads, NULL, 0, false, &r);
	printf("    tp_btf: traced %zu tasks, lost %llu\n", r.d.ntasks,
	       (unsigned long long)r.d.counters[GS_CTR_LOST_TASKS]);
	assert_int_equal(r.d.ntasks, 1 + LOST_THREADS);
	assert_int_equal(r.d.counters[GS_CTR_LOST_TASKS], 0);
	assert_int_equal(r.m.lost_events, 0);
	end_run(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tp_btf_schedstat, kill_parked),
		cmocka_unit_test_teardown(test_raw_tp_schedstat, kill_parked),
		cmocka_unit_test(test_full_task_map_reported_lost),
		cmocka_unit_test(test_task_storage_loses_none),
	};

	integ_require_bpf();
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
