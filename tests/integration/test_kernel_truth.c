/*
 * test_kernel_truth - gilscope's figures pinned to known truth, once with the
 * tp_btf programs (the default wherever the kernel has BTF) and once with the
 * raw_tp fallback (GILSCOPE_RAW_TP=1): the same full set of figures either
 * way. The truth is the kernel's own accounting (wait4's rusage minus what
 * the child did before it was traced, /proc/PID/task/TID/{status,schedstat,
 * sched}) or what the traced program counted itself (futex calls, GIL
 * hand-offs). Also: which program kind the kernel really loaded, and a full
 * task map (raw_tp) reported as lost, once per lost thread.
 */
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/syscall.h>
#include "integ.h"
#include "truth.h"
#include "gil.h"
#include "hist.h"
#include "metrics.h"

/* What a traced child counted itself, in memory shared with the test. */
struct counted {
	/* on the counted word: waits that blocked (the kernel's voluntary
	 * switches of the two threads over the hand-overs, RUSAGE_THREAD: they
	 * block in nothing else), threads woken (FUTEX_WAKE's return values) */
	_Atomic long waits, wakes;
	_Atomic long other_waits;        /* futex waits on another word */
	uint64_t handoffs, forced;       /* of the simulated GIL */
	_Atomic int parked;              /* threads done and parked */
};
static struct counted *shared;

struct truth_run {
	struct trace_data d;
	struct trace_metrics m;
	struct rusage ru;   /* wait4's, of the whole life of the child */
	struct task_truth base; /* the child before it was traced */
	pid_t pid;
	double wall;
	int btf_progs, raw_progs; /* program kinds loaded, from fdinfo */
};

/*
 * Fork a child that parks until it is traced, then runs fn() (or execs
 * argv). tracer_follow_new counts a new child's switches from its fork, as
 * rusage does (they are compared whole); its run-queue time and migrations
 * from when it was followed: the child's figures before that (the park on the
 * pipe) are read from /proc once it is off the CPU, and subtracted.
 * raw: load the raw_tp programs. max_tasks: 0 for the default.
 * keep: the child parks itself when done (fn writes to ready_fd); collect
 * while it still lives, and leave it for the caller to kill.
 */
static int ready_pipe[2];
static pid_t parked_child; /* a kept child not yet killed */

/* A failed test leaves no parked child behind. */
static int kill_parked(void **state)
{
	if (parked_child > 0) {
		kill(parked_child, SIGKILL);
		waitpid(parked_child, NULL, 0);
		parked_child = 0;
	}
	return 0;
}

static void trace_child(bool raw, unsigned max_tasks, char *const argv[], void (*fn)(void),
			const void *gil, size_t gil_len, bool keep, struct truth_run *r)
{
	struct tracer_opts o = { .sample_ms = 50, .max_tasks = max_tasks };
	char err[512], b;
	struct tracer *t;
	int go[2], status = 0;
	double t0;

	memset(r, 0, sizeof(*r));
	memset(shared, 0, sizeof(*shared));
	if (raw)
		setenv("GILSCOPE_RAW_TP", "1", 1);
	t = tracer_open(&o, err, sizeof(err));
	unsetenv("GILSCOPE_RAW_TP");
	if (!t)
		fail_msg("tracer_open: %s", err);
	r->btf_progs = truth_my_bpf_progs(BPF_PROG_TYPE_TRACING);
	r->raw_progs = truth_my_bpf_progs(BPF_PROG_TYPE_RAW_TRACEPOINT);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready_pipe), 0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		close(go[1]);
		close(ready_pipe[0]);
		if (read(go[0], &b, 1) != 1)
			_exit(99);
		if (fn) {
			fn();
			_exit(0);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(go[0]);
	close(ready_pipe[1]);
	if (keep)
		parked_child = r->pid;
	truth_wait_parked(r->pid);
	assert_true(truth_task(r->pid, r->pid, &r->base));
	assert_int_equal(tracer_follow_new(t, r->pid), 0);
	if (gil)
		assert_int_equal(tracer_add_gil_range(t, r->pid, (uint64_t)(uintptr_t)gil, gil_len), 0);
	tracer_start(t);
	t0 = integ_now();
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	if (keep) {
		/* the child says when it is done and parked */
		if (read(ready_pipe[0], &b, 1) != 1)
			fail_msg("the child died before it was done");
		truth_wait_parked(r->pid);
	} else {
		while (wait4(r->pid, &status, WNOHANG, &r->ru) == 0) {
			usleep(10000);
			tracer_sample(t);
		}
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	close(ready_pipe[0]);
	r->wall = integ_now() - t0;
	assert_int_equal(tracer_collect(t, &r->d), 0);
	tracer_close(t);
	metrics_from_trace(&r->d, r->wall, &r->m);
}

static void end_run(struct truth_run *r)
{
	trace_data_free(&r->d);
}

/* ---- the workloads ------------------------------------------------------ */

static _Atomic int word; /* whose turn: 0 or 1 */

static void counted_wait(_Atomic int *w, int turn)
{
	int v;

	while ((v = atomic_load(w)) != turn)
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void counted_hand(_Atomic int *w, int turn)
{
	long woken;

	atomic_store(w, turn);
	woken = syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	if (woken > 0)
		atomic_fetch_add(&shared->wakes, woken);
}

/* The calling thread's voluntary switches so far, by the kernel's count. */
static long thread_nvcsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

#define ROUNDS 3000

static void *pong(void *arg)
{
	long nv0 = thread_nvcsw();

	for (int i = 0; i < ROUNDS; i++) {
		counted_wait(&word, 1);
		counted_hand(&word, 0);
	}
	atomic_fetch_add(&shared->waits, thread_nvcsw() - nv0);
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
	long nv0;

	pthread_create(&t, NULL, pong, NULL);
	nv0 = thread_nvcsw();
	for (int i = 0; i < ROUNDS; i++) {
		counted_hand(&word, 1);
		counted_wait(&word, 0);
	}
	atomic_fetch_add(&shared->waits, thread_nvcsw() - nv0);
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
	 * of a thread after it was released (which no rusage has) */
	assert_int_equal(r.m.voluntary_switches, r.ru.ru_nvcsw);
	assert_int_equal(r.m.involuntary_switches, r.ru.ru_nivcsw);
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
	assert_true(atomic_load(&shared->waits) > 0);
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

static void check_schedstat(bool raw)
{
	struct truth_run r;
	long long delay = 0, migr = 0;

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
			k.nr_migrations -= r.base.nr_migrations;
		}
		printf("    tid %u: runq %.3f ms vs run_delay %.3f ms; migrations %llu vs "
		       "nr_migrations %lld; switches %llu/%llu vs %lld/%lld\n", g->tid,
		       (double)g->runq_ns / 1e6, (double)k.run_delay_ns / 1e6,
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
		migr += k.nr_migrations;
	}
	kill_parked(NULL);
	printf("    %s: run queue %.3f ms vs run_delay %.3f ms, %llu waits; migrations %llu vs "
	       "nr_migrations %lld\n", raw ? "raw_tp" : "tp_btf", (double)r.m.runq_ns / 1e6,
	       (double)delay / 1e6, (unsigned long long)r.m.runq_count,
	       (unsigned long long)r.m.migrations, migr);
	assert_true(delay > 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		assert_true(migr >= SCHED_THREADS * 20); /* the affinity changes at least */
	else
		printf("    one online CPU: no migrations to compare\n");
	/*
	 * run_delay is timed with the run queue's clock, read at the enqueue and
	 * at the start of __schedule(); the tracepoints fire a little later on
	 * both ends (after the enqueue; after picking the next task, which may
	 * balance load first). Allowed: 5%, plus 10 us per wait for that offset.
	 */
	if (fabs((double)r.m.runq_ns - (double)delay) > 0.05 * (double)delay + 10e3 * (double)r.m.runq_count)
		fail_msg("run-queue time %.3f ms vs the kernel's run_delay %.3f ms over %llu waits",
			 (double)r.m.runq_ns / 1e6, (double)delay / 1e6, (unsigned long long)r.m.runq_count);
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
		cmocka_unit_test(test_tp_btf_loaded_by_default),
		cmocka_unit_test(test_tp_btf_switches),
		cmocka_unit_test(test_raw_tp_switches),
		cmocka_unit_test(test_tp_btf_futex_words),
		cmocka_unit_test(test_raw_tp_futex_words),
		cmocka_unit_test(test_tp_btf_gil),
		cmocka_unit_test(test_raw_tp_gil),
		cmocka_unit_test(test_tp_btf_iouring),
		cmocka_unit_test(test_raw_tp_iouring),
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
