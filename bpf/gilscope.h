/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gilscope.h - the one header shared by the kernel programs (bpf/gilscope.bpf.c)
 * and user space. Every struct that crosses the boundary lives here, together
 * with the histogram bucketing, so both sides bucket a value the same way.
 *
 * Include after vmlinux.h (kernel side) or after <linux/types.h> (user side).
 */
#ifndef GILSCOPE_H
#define GILSCOPE_H

#define GS_COMM_LEN 16
#define GS_MAX_GIL_RANGES 8
#define GS_DEFAULT_MAX_TASKS 8192
#define GS_DEFAULT_MAX_FUTEX_ADDRS 4096
#define GS_DEFAULT_MAX_INFLIGHT 8192

/* gs_task.flags */
#define GS_TASK_EXITED 0x1u /* sched_process_exit seen */
#define GS_TASK_LATE 0x2u   /* joined while already running: no on-CPU start */

/*
 * Where a thread's time goes: every nanosecond of its traced life is in one
 * of these. A blocked interval is classified when the thread leaves the CPU,
 * by the system call it sleeps in (its saved user registers); GIL or other
 * lock is decided when the wait ends, against the registered GIL ranges.
 */
enum gs_time {
	GS_TIME_ONCPU = 0, /* running (wall clock, interrupts and steal included) */
	GS_TIME_RUNQ,      /* runnable, waiting for a CPU: wake-up or preemption -> on CPU */
	GS_TIME_GIL,       /* futex wait on a registered GIL range */
	GS_TIME_LOCK,      /* any other futex wait */
	GS_TIME_IO,        /* read/write/socket/poll/epoll/io_uring_enter, or D state */
	GS_TIME_SLEEP,     /* nanosleep, clock_nanosleep, pause */
	GS_TIME_OTHER,     /* blocked in anything else */
	GS_TIME_MAX,
};

/* gs_task_k.state: a GS_TIME_* the thread is in now (GS_TIME_LOCK: any futex
 * wait, GIL or not), or one of these. */
#define GS_ST_UNKNOWN 8 /* runnable when tracing began: on a CPU or queued */
#define GS_ST_DEAD 9    /* its last switch-out is done */

/* What a system call is, for the classification (sys_class[nr]). */
enum gs_sys_class {
	GS_SYS_OTHER = 0,
	GS_SYS_IO,
	GS_SYS_SLEEP,
	GS_SYS_FUTEX,       /* futex(2): waits or not by its op */
	GS_SYS_FUTEX_WAIT,  /* futex_wait(2), 6.7+ */
	GS_SYS_FUTEX_WAITV, /* futex_waitv(2): the first word of the vector stands for all */
	GS_SYS_FUTEX_WAKE,  /* futex_wake(2), 6.7+ */
};
#define GS_MAX_SYSCALLS 512

/* futex(2) commands (linux/futex.h) */
#define GS_FUTEX_CMD_MASK 0x7f /* without PRIVATE_FLAG (128) and CLOCK_REALTIME (256) */
#define GS_FUTEX_PRIVATE 128 /* FUTEX_PRIVATE_FLAG, and FUTEX2_PRIVATE of futex_wake(2) */

/* A waiting op (the thread may sleep): WAIT, LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI, LOCK_PI2 */
static inline int gs_futex_op_waits(unsigned long op)
{
	unsigned cmd = op & GS_FUTEX_CMD_MASK;

	return cmd == 0 || cmd == 6 || cmd == 9 || cmd == 11 || cmd == 13;
}

/* A waking op: WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, UNLOCK_PI, WAKE_BITSET, CMP_REQUEUE_PI */
static inline int gs_futex_op_wakes(unsigned long op)
{
	unsigned cmd = op & GS_FUTEX_CMD_MASK;

	return cmd == 1 || cmd == 3 || cmd == 4 || cmd == 5 || cmd == 7 || cmd == 10 || cmd == 12;
}

/* The GS_TIME_* of a thread blocked in system call class `cls` with second
 * argument `arg2`; `dstate`: it sleeps uninterruptibly (TASK_UNINTERRUPTIBLE). */
static inline unsigned gs_classify(unsigned cls, unsigned long arg2, int dstate)
{
	switch (cls) {
	case GS_SYS_FUTEX:
		if (gs_futex_op_waits(arg2))
			return GS_TIME_LOCK;
		break;
	case GS_SYS_FUTEX_WAIT:
	case GS_SYS_FUTEX_WAITV:
		return GS_TIME_LOCK;
	case GS_SYS_SLEEP:
		return GS_TIME_SLEEP;
	case GS_SYS_IO:
		return GS_TIME_IO;
	}
	return dstate ? GS_TIME_IO : GS_TIME_OTHER;
}

/*
 * One traced thread, in three parts with one writer each. The `tasks` hash
 * (raw_tp programs) or the task-local storage `task_store` (tp_btf programs)
 * holds a struct gs_task_entry per traced thread: being there is what
 * "traced" means. User space reads only the figures.
 */

/* The figures: written by the kernel side, read by user space. */
struct gs_task {
	__u32 tid;
	__u32 tgid;
	__u32 ppid;  /* tgid of the process that created it (0 if joined by pid) */
	__u32 flags; /* GS_TASK_* */
	char comm[GS_COMM_LEN];
	__u64 clear_child_tid; /* the word the kernel clears and wakes when it exits (join) */
	__u64 events;   /* tracepoint hits that touched this thread */
	__u64 start_ns; /* bpf_ktime_get_ns() when it joined */
	__u64 exit_ns;  /* sched_process_exit */
	__u64 end_ns;   /* its last switch-out (0: alive); lifetime ends there */
	__u64 lifetime_ns; /* end (or the collection) - start: set when collected */
	__u64 oncpu_ns; /* the scheduler's se.sum_exec_runtime since it joined */
	__u64 voluntary_switches;   /* blocked: !preempt && prev_state != 0 */
	__u64 involuntary_switches; /* preempted or still runnable */
	__u64 migrations;
	__u64 runq_ns; /* total run-queue wait */
	__u64 runq_count;
	__u64 runq_max_ns;
	__u64 futex_waits; /* blocking futex waits that ended */
	__u64 futex_wait_ns;
	__u64 futex_wakes; /* threads this one woke with a futex wake op */
	__u64 gil_waits; /* the subset of futex_waits on a registered GIL range */
	__u64 gil_wait_ns;
	__u64 iouring_submits;
	__u64 iouring_completes;
	__u64 iouring_punts;
	__u64 iouring_cqring_waits;
	/* where its lifetime went: indexed by GS_TIME_* in the kernel, by name in
	 * user space (the metric registry lists the names) */
	union {
		__u64 time_ns[GS_TIME_MAX];
		struct {
			__u64 time_oncpu_ns, time_runq_ns, time_gil_ns, time_lock_ns;
			__u64 time_io_ns, time_sleep_ns, time_other_ns;
		};
	};
};

/* Inputs: written by user space when it adds a running thread, never after. */
struct gs_task_in {
	__u64 runtime_base; /* se.sum_exec_runtime when tracing began: oncpu_ns = runtime - base */
};

/* Kernel scratch: the state machine of the time breakdown (user space sets
 * the initial state when it adds a thread, and reads it to close the open
 * interval at the end). */
struct gs_task_k {
	__u64 since;       /* when `state` began */
	__u64 block_uaddr; /* the futex word of a GS_TIME_LOCK wait */
	__u32 state;       /* GS_TIME_* or GS_ST_* */
	__u16 runq_counted; /* the run-queue wait began at a wake-up or preemption we saw */
	__u16 futex_woken;  /* a traced thread's futex wake op woke it: counted on its word at the end */
};

struct gs_task_entry {
	struct gs_task f;
	struct gs_task_in in;
	struct gs_task_k k;
};

/* Add the interval [k->since, now) to the bucket of the state it was in. */
static inline void gs_time_add(struct gs_task *f, const struct gs_task_k *k, __u64 now, int gil)
{
	unsigned b = k->state;

	if (b == GS_ST_UNKNOWN) /* no event since it was added: it kept running */
		b = GS_TIME_ONCPU;
	else if (b == GS_TIME_LOCK && gil)
		b = GS_TIME_GIL;
	if (b < GS_TIME_MAX && now > k->since)
		f->time_ns[b] += now - k->since;
}

/* Per futex word, summed over every traced thread of one process. */
struct gs_futex_key {
	__u32 tgid;
	__u32 pad;
	__u64 uaddr;
};

struct gs_futex_stats {
	__u64 waits;
	__u64 wait_ns;
	__u64 max_wait_ns;
	__u64 wakes;
};

/* A registered GIL address range of one process: [start, end); end == 0: unused. */
struct gs_gil_range {
	__u32 tgid;
	__u32 pad;
	__u64 start;
	__u64 end;
};

/* Is futex word uaddr of tgid in one of the ranges (filled from index 0)? */
static inline int gs_is_gil(const struct gs_gil_range *r, __u32 tgid, __u64 uaddr)
{
	for (int i = 0; i < GS_MAX_GIL_RANGES; i++) {
		if (!r[i].end)
			return 0;
		if (r[i].tgid == tgid && uaddr >= r[i].start && uaddr < r[i].end)
			return 1;
	}
	return 0;
}

/* An io_uring request between submit and completion, keyed by its io_kiocb. */
struct gs_uring_req {
	__u64 submit_ns;
	__u32 tid;
	__u32 tgid;
};

/* Per submitting thread (by tid): what happens to its requests elsewhere (in
 * io-wq workers, task work), merged into its figures when collected. */
struct gs_uring_tid {
	__u64 completes;
	__u64 punts;
};

/* Per-CPU busy time of the traced tree (a per-CPU array of one element). */
struct gs_cpu_busy {
	__u64 busy_ns;
	__u64 on_since; /* 0: no traced task on this CPU now */
};

/* Global counters (a per-CPU array indexed by these). */
enum gs_counter {
	GS_CTR_LOST_TASKS = 0,    /* a thread went untraced, or its figures were lost at exit */
	GS_CTR_LOST_FUTEX_ADDRS,  /* futex_addrs map full */
	GS_CTR_LOST_IOURING,      /* iouring inflight map full */
	GS_CTR_LOST_TIMELINE,     /* ring buffer full */
	GS_CTR_IOURING_UNMATCHED, /* completions of requests not seen submitted */
	GS_CTR_MAX,
};

/* Kernel-side histograms (a per-CPU array indexed by these). */
enum gs_hist_id {
	GS_HIST_RUNQ = 0,  /* run-queue latency, ns */
	GS_HIST_FUTEX,     /* futex wait time, ns */
	GS_HIST_GIL,       /* futex wait time on GIL ranges, ns */
	GS_HIST_IOURING,   /* io_uring submit -> complete, ns */
	GS_HIST_MAX,
};

/*
 * Log-linear histogram: values below 8 get a slot each; above, every power of
 * two is split into 8 linear sub-slots, so a slot's width is at most 12.5% of
 * its lower bound. 62 octaves * 8 = 496 slots cover the whole u64 range.
 */
#define GS_HIST_SUB_BITS 3
#define GS_HIST_SUB (1u << GS_HIST_SUB_BITS)
#define GS_HIST_SLOTS 496

struct gs_hist {
	__u64 slots[GS_HIST_SLOTS];
};

/* Index of the most significant set bit; v must not be 0. No loops, no clz:
 * the BPF target has neither a clz instruction nor libcalls. */
static inline __u32 gs_msb64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static inline __u32 gs_hist_slot(__u64 v)
{
	__u32 msb;

	if (v < GS_HIST_SUB)
		return (__u32)v;
	msb = gs_msb64(v);
	return (msb - GS_HIST_SUB_BITS + 1) * GS_HIST_SUB +
	       (__u32)((v >> (msb - GS_HIST_SUB_BITS)) & (GS_HIST_SUB - 1));
}

/* Smallest value that falls into slot i. */
static inline __u64 gs_hist_slot_low(__u32 i)
{
	__u32 octave, sub;

	if (i < GS_HIST_SUB)
		return i;
	octave = i / GS_HIST_SUB; /* >= 1 */
	sub = i % GS_HIST_SUB;
	return (__u64)(GS_HIST_SUB + sub) << (octave - 1);
}

/* Timeline events (ring buffer), only when --timeline is asked for. */
enum gs_event_type {
	GS_EV_SWITCH_IN = 1, /* tid went on cpu */
	GS_EV_SWITCH_OUT,    /* tid left cpu; arg = 1 if still runnable (preempted) */
	GS_EV_FUTEX_WAIT,    /* a futex wait ended; dur_ns, addr; arg = 1 if GIL */
	GS_EV_IOURING,       /* an io_uring request completed; dur_ns */
	GS_EV_WAKEUP,        /* tid was woken */
};

struct gs_event {
	__u64 ts_ns;
	__u64 dur_ns;
	__u64 addr;
	__u32 tid;
	__u32 tgid;
	__u32 cpu;
	__u16 type;
	__u16 arg;
};

#endif /* GILSCOPE_H */
