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

/* task_stats.flags */
#define GS_TASK_EXITED 0x1u /* sched_process_exit seen */
#define GS_TASK_LATE 0x2u   /* joined while already running: no on-CPU start */

/* futex_kind values of an in-flight futex syscall */
enum gs_futex_kind {
	GS_FUTEX_NONE = 0,
	GS_FUTEX_WAIT = 1, /* the thread may sleep: WAIT, WAIT_BITSET, LOCK_PI, ... */
};

/*
 * Per-thread figures, one entry per traced thread in the `tasks` hash map. Being
 * in that map is what "traced" means: a task not in it costs one lookup.
 * Fields after `_inflight` are kernel-side bookkeeping, not figures.
 */
struct gs_task {
	__u32 tid;
	__u32 tgid;
	__u32 ppid;  /* tgid of the parent that forked it (0 if joined by pid) */
	__u32 flags; /* GS_TASK_* */
	char comm[GS_COMM_LEN];
	__u64 events;   /* tracepoint hits that touched this thread */
	__u64 start_ns; /* bpf_ktime_get_ns() when it joined */
	__u64 exit_ns;
	__u64 oncpu_ns;
	__u64 voluntary_switches;   /* blocked: !preempt && prev_state != 0 */
	__u64 involuntary_switches; /* preempted or still runnable */
	__u64 migrations;
	__u64 runq_ns; /* total run-queue wait */
	__u64 runq_count;
	__u64 runq_max_ns;
	__u64 futex_waits; /* waiting futex ops, whatever they returned */
	__u64 futex_wait_ns;
	__u64 futex_wakes;
	__u64 gil_waits; /* the subset of futex_waits on a registered GIL range */
	__u64 gil_wait_ns;
	__u64 iouring_submits;
	__u64 iouring_completes;
	__u64 iouring_punts;
	__u64 iouring_cqring_waits;
	/* se.sum_exec_runtime when tracing began: oncpu_ns = runtime - base */
	__u64 runtime_base;
	/* _inflight: kernel bookkeeping */
	__u64 runq_since;   /* 0: not waiting on a run queue */
	__u64 futex_since;  /* 0: not in a futex wait */
	__u64 futex_uaddr;
};

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

/* A registered simulated-GIL address range of one process: [start, end). */
struct gs_gil_range {
	__u32 tgid;
	__u32 pad;
	__u64 start;
	__u64 end;
};

/* An io_uring request between submit and completion, keyed by its io_kiocb. */
struct gs_uring_req {
	__u64 submit_ns;
	__u32 tid;
	__u32 pad;
};

/* Per-CPU busy time of the traced tree (a per-CPU array of one element). */
struct gs_cpu_busy {
	__u64 busy_ns;
	__u64 on_since; /* 0: no traced task on this CPU now */
};

/* Global counters (a per-CPU array indexed by these). */
enum gs_counter {
	GS_CTR_LOST_TASKS = 0,    /* tasks map full: a new thread went untraced */
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
