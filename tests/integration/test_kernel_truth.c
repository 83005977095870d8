/*
 * test_kernel_truth - gilscope's figures pinned to known truth, once with the
 * tp_btf programs (the default wherever the kernel has BTF) and once with the
 * raw_tp fallback (GILSCOPE_RAW_TP=1): the same full set of figures either
 * way. The truth is the kernel's own accounting (wait4's rusage minus what
 * the child did before it was traced, /proc/PID/task/TID/{status,schedstat,
 * sched}) or what the traced program counted itself (futex calls, GIL
 * hand-offs). Also: which program kind the kernel really loaded. Run queue,
 * migrations and lost tasks: test_kernel_sched.
 */
#include <fcntl.h>
#include "kernel_truth.h"

/* ---- the workloads ------------------------------------------------------ */

static _Atomic int word; /* whose turn: 0 or 1 */

/*
 * The two threads hand the token over only once the other sleeps on the
 * word: its flag says it is inside its FUTEX_WAIT on the word and the kernel
 * shows it asleep there (state S and a wchan in /proc; a futex bucket lock's
 * sleep on PREEMPT_RT shows as D). So every wait blocks, every wake wakes a sleeper,
 * and the futex call's own bucket lock is never contended: the threads'
 * voluntary switches in FUTEX_WAIT are their word waits, FUTEX_WAKE's count the
 * wake-ups the scheduler saw, exactly, on every kernel. (Left free-running,
 * a PREEMPT_RT kernel also puts threads to sleep on the bucket lock, and a
 * FUTEX_WAKE can take a waiter off the word before it has slept: a wake-up
 * no scheduler tracepoint sees. tests/integration/test_tracer.c keeps the
 * free-running ping-pong.)
 */
static _Atomic int tids[2], waiting[2];

/* The peer is in its FUTEX_WAIT (its flag), in an interruptible sleep (S)
 * and off the run queue: /proc's wchan names where it sleeps only then (in
 * the instant between setting its sleep state and sleeping, with the word's
 * queue already or not yet holding it, wchan is 0). */
static void until_asleep(int peer)
{
	char path[64], buf[256], *p;
	int fd, wfd;
	ssize_t n;

	while (!atomic_load(&tids[peer]))
		;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", atomic_load(&tids[peer]));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", atomic_load(&tids[peer]));
	wfd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || wfd < 0)
		_exit(5);
	for (;;) {
		if (!atomic_load(&waiting[peer]) || (n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
			continue;
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (!p || p[1] != ' ' || p[2] != 'S')
			continue;
		n = pread(wfd, buf, sizeof(buf) - 1, 0);
		if (n > 0 && !(n == 1 && buf[0] == '0'))
			break;
	}
	close(fd);
	close(wfd);
}

/* The calling thread's voluntary switches so far, by the kernel's count. */
static long thread_nvcsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

/* Wait for the word to turn; the kernel's count of the thread's voluntary
 * switches inside each FUTEX_WAIT is its blocked waits (taken around the
 * call alone: a page fault elsewhere, say of code read over 9p in the test
 * VM, is a voluntary switch too) */
static void counted_wait(_Atomic int *w, int turn, int me)
{
	int v;

	atomic_store(&waiting[me], 1);
	while ((v = atomic_load(w)) != turn) {
		long nv0 = thread_nvcsw();

		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
		atomic_fetch_add(&shared->waits, thread_nvcsw() - nv0);
	}
	atomic_store(&waiting[me], 0);
}

static void counted_hand(_Atomic int *w, int turn, int peer)
{
	long woken;

	until_asleep(peer);
	atomic_store(w, turn);
	woken = syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	if (woken > 0)
		atomic_fetch_add(&shared->wakes, woken);
}

#define ROUNDS 3000

static void *pong(void *arg)
{
	atomic_store(&tids[1], (int)syscall(SYS_gettid));
	for (int i = 0; i < ROUNDS; i++) {
		counted_wait(&word, 1, 1);
		counted_hand(&word, 0, 0);
	}
	return arg;
}

/* Two threads hand a token over one futex word ROUNDS times, counting their
 * blocked waits and the threads their wakes woke; then one timed-out wait on
 * another word (1 ms). */
static void futex_pingpong(void)
{
	struct timespec nap = { 0, 1000000 };
	int other = 0;
	pthread_t t;

	atomic_store(&tids[0], (int)syscall(SYS_gettid));
	pthread_create(&t, NULL, pong, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		counted_hand(&word, 1, 1);
		counted_wait(&word, 0, 0);
	}
	pthread_join(t, NULL);
	atomic_fetch_add(&shared->other_waits, 1);
	syscall(SYS_futex, &other, FUTEX_WAIT_PRIVATE, 0, &nap, NULL, 0);
}

/* The simulated GIL of `gilscope run`: two CPU-bound threads for 300 ms. */
static struct gil the_gil;

static void *gil_worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	volatile unsigned long x = 0;
	uint64_t end = gil_now_ns() + 300000000ull;

	gil_acquire(&the_gil, me);
	while (gil_now_ns() < end) {
		for (int i = 0; i < 2000; i++)
			x += (unsigned long)i * 2654435761u;
		gil_tick(&the_gil, me);
	}
	gil_release(&the_gil, me);
	return NULL;
}

static void gil_two_threads(void)
{
	pthread_t t[2];

	if (gil_init(&the_gil, true, 2000))
		_exit(3);
	for (intptr_t i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, gil_worker, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	shared->handoffs = the_gil.handoffs;
	shared->forced = the_gil.forced_switches;
}

/* ---- tp_btf is what runs where there is BTF ----------------------------- */

static void test_tp_btf_loaded_by_default(void **state)
{
	char *argv[] = { (char *)integ_prog("spinner"), "0.05", NULL };
	struct truth_run r;

	trace_child(false, 0, argv, NULL, NULL, 0, false, &r);
	printf("    default: %d tp_btf programs, %d raw_tp programs (raw_tp flag %d)\n",
	       r.btf_progs, r.raw_progs, r.d.raw_tp);
	assert_false(r.d.raw_tp);
	assert_true(r.btf_progs >= 9); /* scheduler + syscalls at least */
	assert_int_equal(r.raw_progs, 0);
	end_run(&r);
	trace_child(true, 0, argv, NULL, NULL, 0, false, &r);
	printf("    GILSCOPE_RAW_TP=1: %d tp_btf programs, %d raw_tp programs\n", r.btf_progs,
	       r.raw_progs);
	assert_true(r.d.raw_tp);
	assert_int_equal(r.btf_progs, 0);
	assert_true(r.raw_progs >= 9);
	end_run(&r);
}

/* ---- the same figures either way ---------------------------------------- */

/* Context switches of both kinds and on-CPU time against rusage. */
static void check_switches(bool raw)
{
	char *argv[] = { (char *)integ_prog("tree"), "2", "2", "100", NULL };
	struct truth_run r;
	double vol, invol;

	trace_child(raw, 0, argv, NULL, NULL, 0, false, &r);
	vol = (double)r.ru.ru_nvcsw;
	invol = (double)r.ru.ru_nivcsw;
	printf("    %s: switches %llu/%llu vs rusage %.0f/%.0f\n", raw ? "raw_tp" : "tp_btf",
	       (unsigned long long)r.m.voluntary_switches,
	       (unsigned long long)r.m.involuntary_switches, vol, invol);
	assert_int_equal(r.m.threads, 2 + 2 * 3);
	assert_int_equal(r.m.processes, 3);
	/* exact: counted from the fork, as rusage counts them, and no switch
	 * of a thread after it was released (which no rusage has); tree reaps
	 * each process after its last switch, so that rusage is exact too */
	assert_int_equal(r.m.voluntary_switches, r.ru.ru_nvcsw);
	if (integ_preempt_rt()) {
		/* PREEMPT_RT: an exiting thread adds its counts to its process's
		 * (__exit_signal) under locks that do not stop preemption there;
		 * a preemption between that and its release mark (thread_pid
		 * cleared a few stores later) is in no rusage, yet looks like one
		 * before the release: at most one per released thread (every
		 * thread but the leaders), and never a voluntary one */
		assert_in_range(r.m.involuntary_switches, r.ru.ru_nivcsw,
				r.ru.ru_nivcsw + r.m.threads - r.m.processes);
	} else {
		assert_int_equal(r.m.involuntary_switches, r.ru.ru_nivcsw);
	}
	assert_within(r.m.oncpu_ns, ((double)r.ru.ru_utime.tv_sec + (double)r.ru.ru_stime.tv_sec) * 1e9 +
		      ((double)r.ru.ru_utime.tv_usec + (double)r.ru.ru_stime.tv_usec) * 1e3, 0.03);
	assert_true(r.m.runq_count > 0);
	assert_int_equal(r.m.lost_events, 0);
	end_run(&r);
}

/* Futex waits that blocked and threads woken on each word, against what the
 * kernel told the program itself (its threads' voluntary switches, FUTEX_WAKE's
 * return values), and the waits on a registered GIL word attributed to the
 * GIL, exactly. */
static void check_futex_words(bool raw)
{
	struct truth_run r;
	uint64_t on_word_waits = 0, on_word_wakes = 0;
	bool found = false;

	trace_child(raw, 0, NULL, futex_pingpong, &word, sizeof(word), false, &r);
	for (size_t i = 0; i < r.d.nfutex; i++) {
		if (r.d.futex_keys[i].tgid != (uint32_t)r.pid ||
		    r.d.futex_keys[i].uaddr != (uint64_t)(uintptr_t)&word)
			continue;
		found = true;
		on_word_waits = r.d.futex_stats[i].waits;
		on_word_wakes = r.d.futex_stats[i].wakes;
	}
	printf("    %s: word %p: %llu waits (program %ld), %llu wakes (program %ld); "
	       "gil waits %llu, futex waits %llu\n", raw ? "raw_tp" : "tp_btf", (void *)&word,
	       (unsigned long long)on_word_waits, atomic_load(&shared->waits),
	       (unsigned long long)on_word_wakes, atomic_load(&shared->wakes),
	       (unsigned long long)r.m.gil_waits, (unsigned long long)r.m.futex_waits);
	assert_true(found);
	/* every hand-over woke a sleeper: the program's count is certain */
	assert_int_equal(atomic_load(&shared->wakes), 2 * ROUNDS);
	assert_int_equal(on_word_waits, atomic_load(&shared->waits));
	assert_int_equal(on_word_wakes, atomic_load(&shared->wakes));
	/* the registered word is the GIL: its waits, and only those */
	assert_int_equal(r.m.gil_waits, on_word_waits);
	assert_int_equal(hist_count(&r.d.hists[GS_HIST_GIL]), r.m.gil_waits);
	/* the 1 ms timed-out wait elsewhere counts as a futex wait, not a GIL
	 * wait; besides it, at most the join */
	assert_true(r.m.futex_waits >= on_word_waits + 1);
	assert_true(r.m.futex_waits <= on_word_waits + 2);
	assert_true(r.m.futex_wait_ns - r.m.gil_wait_ns >= 900000);
	{
		uint64_t wakes = 0;

		for (size_t i = 0; i < r.d.ntasks; i++)
			wakes += r.d.tasks[i].futex_wakes;
		assert_true(wakes >= (uint64_t)atomic_load(&shared->wakes));
	}
	end_run(&r);
}

/* The simulated GIL: its futex words (a mutex and two condition variables)
 * are where the waits are, every wait there is a GIL wait, and each hand-off
 * was preceded by a wait of the thread that took it. */
static void check_gil_attribution(bool raw)
{
	uint64_t start, len, in_range = 0, gil_hist, main_gil_ns = 0;
	double worker_ns = 0;
	struct truth_run r;

	gil_futex_range(&the_gil, &start, &len);
	trace_child(raw, 0, NULL, gil_two_threads, (void *)(uintptr_t)start, len, false, &r);
	for (size_t i = 0; i < r.d.nfutex; i++)
		if (r.d.futex_keys[i].tgid == (uint32_t)r.pid && r.d.futex_keys[i].uaddr >= start &&
		    r.d.futex_keys[i].uaddr < start + len)
			in_range += r.d.futex_stats[i].waits;
	gil_hist = hist_count(&r.d.hists[GS_HIST_GIL]);
	/* the share of the workers' time spent waiting for the GIL; the main
	 * thread only waits to join them and is left out (with it, the share
	 * of two CPU threads falls by half) */
	for (size_t i = 0; i < r.d.ntasks; i++) {
		const struct gs_task *g = &r.d.tasks[i];

		if (g->tid != g->tgid)
			worker_ns += (double)(g->oncpu_ns + g->runq_ns + g->futex_wait_ns);
		else
			main_gil_ns += g->gil_wait_ns;
	}
	printf("    %s: %llu hand-offs, %llu forced; gil waits %llu (on the GIL's words %llu), "
	       "gil share %.2f\n", raw ? "raw_tp" : "tp_btf", (unsigned long long)shared->handoffs,
	       (unsigned long long)shared->forced, (unsigned long long)r.m.gil_waits,
	       (unsigned long long)in_range, r.m.gil_wait_share);
	/* they contended (how often depends on the machine's load: the GIL's
	 * own timing is test_gil's business) */
	assert_true(shared->handoffs >= 4);
	assert_int_equal(r.m.gil_waits, in_range);
	assert_int_equal(gil_hist, r.m.gil_waits);
	assert_true(r.m.gil_waits + 2 >= shared->handoffs);
	assert_int_equal(main_gil_ns, 0);
	assert_true(worker_ns > 0);
	/* two CPU threads under one GIL wait about half of the time they are
	 * not on a run queue (how long the run queues are depends on the load
	 * of the machine, so the share is checked against its own parts) */
	assert_true(fabs(r.m.gil_wait_share - (double)r.m.gil_wait_ns / worker_ns) < 1e-9);
	assert_true(r.m.gil_wait_share > 0);
	end_run(&r);
}

/* io_uring: every submission and completion of M reads. */
static void check_iouring(bool raw)
{
	char file[] = "/tmp/gs-truth-uring-XXXXXX", buf[8192] = { 1 };
	char *argv[] = { (char *)integ_prog("uring_reads"), "200", file, NULL };
	int fd = mkstemp(file);
	struct truth_run r;

	assert_int_equal(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
	trace_child(raw, 0, argv, NULL, NULL, 0, false, &r);
	unlink(file);
	assert_int_equal(r.m.iouring_submits, 200);
	assert_int_equal(r.m.iouring_completes, 200);
	assert_int_equal(hist_count(&r.d.hists[GS_HIST_IOURING]), 200);
	assert_int_equal(r.d.counters[GS_CTR_IOURING_UNMATCHED], 0);
	end_run(&r);
}

static void test_tp_btf_switches(void **state) { check_switches(false); }
static void test_raw_tp_switches(void **state) { check_switches(true); }
static void test_tp_btf_futex_words(void **state) { check_futex_words(false); }
static void test_raw_tp_futex_words(void **state) { check_futex_words(true); }
static void test_tp_btf_gil(void **state) { check_gil_attribution(false); }
static void test_raw_tp_gil(void **state) { check_gil_attribution(true); }
static void test_tp_btf_iouring(void **state) { check_iouring(false); }
static void test_raw_tp_iouring(void **state) { check_iouring(true); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_btf_loaded_by_default),
		cmocka_unit_test(test_tp_btf_switches),
		cmocka_unit_test(test_raw_tp_switches),
		cmocka_unit_test(test_tp_btf_futex_words),
		cmocka_unit_test(test_raw_tp_futex_words),
		cmocka_unit_test(test_tp_btf_gil),
		cmocka_unit_test(test_raw_tp_gil),
		cmocka_unit_test(test_tp_btf_iouring),
		cmocka_unit_test(test_raw_tp_iouring),
	};

	integ_require_bpf();
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
