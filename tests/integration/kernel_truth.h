/*
 * kernel_truth.h - the harness of the truth tests (test_kernel_truth,
 * test_kernel_sched): trace a forked child with tp_btf or raw_tp programs,
 * the child counting what it did in memory shared with the test.
 */
#ifndef GS_KERNEL_TRUTH_H
#define GS_KERNEL_TRUTH_H

#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/syscall.h>
#include "integ.h"
#include "../progs/last_switch.h"
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
static inline int kill_parked(void **state)
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
		if (argv)
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
		while (last_switch_wait4(r->pid, &status, WNOHANG, &r->ru) == 0) {
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


#endif
