// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gilscope.bpf.c - the kernel half of gilscope: maps, the task lookup and the
 * attachment points. The handlers are in gs_sched.bpf.h (scheduler, futex,
 * the time breakdown) and gs_uring.bpf.h (io_uring).
 *
 * A task is traced when it has a struct gs_task_entry: in the task-local
 * storage `task_store` for the tp_btf programs (an untraced task costs a
 * pointer test), in the `tasks` hash keyed by tid for their raw_tp twins (an
 * untraced task costs a hash lookup). Nothing runs on system calls: what a
 * blocked thread waits in is read from its saved user registers when it
 * leaves the CPU, and futex wakes are seen at sched_waking, in the waker's
 * context. User space picks one program per tracepoint after probing the
 * kernel's BTF (user/trace/probe.c) and sets its target from the one list of
 * tracepoints (gs_tracepoints.h): the sections below carry no names.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "gilscope.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load. */
const volatile bool timeline = false;
/* make bench only: attach every program but return at once, to measure what
 * the kernel's dispatch costs apart from gilscope's own work. The verifier
 * drops the test when it is false, so it costs nothing otherwise. */
const volatile bool noop = false;
/* GS_SYS_* of each system call number of this architecture (user/trace/syscalls.c) */
const volatile __u8 sys_class[GS_MAX_SYSCALLS] = {};

/* Written by user space at any time (tracer_add_gil_range): end is written last. */
struct gs_gil_range gil_ranges[GS_MAX_GIL_RANGES] = {};
/* What the task iterator does when user space reads it (enum below). */
__u32 iter_mode = 0;
/* Traced tasks whose last switch has not come yet: +1 as an entry is made
 * (here, or by user space on raw_tp), -1 at the last switch. A parent may
 * reap a task before that switch; user space waits for this to reach what
 * it can still see before it reads (user/trace/tracer_tasks.c). */
__u64 live_tasks = 0;
enum { ITER_ADOPT = 0, ITER_DUMP, ITER_CLEAR };

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct gs_task_entry);
} task_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct gs_task_entry);
} tasks SEC(".maps");

/* Threads user space adds, until the task iterator moves them to task_store. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct gs_task_entry);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_FUTEX_ADDRS);
	__type(key, struct gs_futex_key);
	__type(value, struct gs_futex_stats);
} futex_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct gs_uring_req);
} iouring_reqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct gs_uring_tid);
} uring_tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gs_cpu_busy);
} cpu_busy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GS_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GS_HIST_MAX);
	__type(key, __u32);
	__type(value, struct gs_hist);
} hists SEC(".maps");

/* The timeline, only with --timeline. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* The figures of threads at their last switch-out, drained by user space
 * while the run goes on: their entries are freed at once. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} gone SEC(".maps");

/* An entry of zeros to create hash entries from. */
const struct gs_task_entry zero_entry = {};

#define TASK_RUNNING 0
#define TASK_UNINTERRUPTIBLE 0x2
#define TASK_DEAD 0x80
#define EXIT_DEAD 0x10 /* task_struct.exit_state: reaped (or being) */
/* PREEMPT_RT: blocked on a spinlock_t/rwlock_t (an rtmutex there); the
 * sleep it interrupted, if any, is kept in saved_state meanwhile */
#define TASK_RTLOCK_WAIT 0x1000
#define PF_IO_WORKER 0x10
#define PF_KTHREAD 0x00200000

/*
 * Each handler is inlined into a tp_btf and a raw_tp program with a constant
 * `btf`. tp_btf arguments are trusted kernel pointers that can be read
 * directly; raw_tp ones need bpf_probe_read_kernel (BPF_CORE_READ).
 */
#define READ(btf, ptr, field) ((btf) ? (ptr)->field : BPF_CORE_READ(ptr, field))

/* _CORE: another task's registers, read with bpf_probe_read_kernel */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_NR_CORE(regs) ((long)BPF_CORE_READ(regs, orig_ax))
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs) ((regs)->syscallno)
#define SYSCALL_NR_CORE(regs) ((long)BPF_CORE_READ(regs, syscallno))
#else
#define SYSCALL_NR(regs) (-1L) /* unknown: every blocked interval is "other" */
#define SYSCALL_NR_CORE(regs) (-1L)
#endif

static __always_inline void count(__u32 ctr)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &ctr);

	if (v)
		(*v)++;
}

static __always_inline void hist_add(__u32 id, __u64 value)
{
	struct gs_hist *h = bpf_map_lookup_elem(&hists, &id);
	__u32 slot = gs_hist_slot(value);

	if (h && slot < GS_HIST_SLOTS)
		h->slots[slot]++;
}

static __always_inline void emit(__u16 type, __u32 tid, __u32 tgid, __u64 ts,
				 __u64 dur, __u64 addr, __u16 arg)
{
	struct gs_event *e;

	if (!timeline)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(GS_CTR_LOST_TIMELINE);
		return;
	}
	e->ts_ns = ts;
	e->dur_ns = dur;
	e->addr = addr;
	e->tid = tid;
	e->tgid = tgid;
	e->cpu = bpf_get_smp_processor_id();
	e->type = type;
	e->arg = arg;
	bpf_ringbuf_submit(e, 0);
}

/* ---- which tasks are traced -------------------------------------------- */

/* The entry of task t (a trusted pointer when btf), or NULL: not traced. */
static __always_inline struct gs_task_entry *task_of(bool btf, struct task_struct *t)
{
	__u32 tid;

	if (btf)
		return bpf_task_storage_get(&task_store, t, 0, 0);
	tid = BPF_CORE_READ(t, pid);
	/* pid 0 is the per-CPU idle task: never traced, never looked up */
	return tid ? bpf_map_lookup_elem(&tasks, &tid) : NULL;
}

static __always_inline struct gs_task_entry *current_entry(bool btf)
{
	__u32 tid;

	if (btf)
		return bpf_task_storage_get(&task_store, bpf_get_current_task_btf(), 0, 0);
	tid = (__u32)bpf_get_current_pid_tgid();
	return tid ? bpf_map_lookup_elem(&tasks, &tid) : NULL;
}

/*
 * Stop tracing task t, whose entry is not used after this (its state is
 * GS_ST_DEAD). Task storage is left for the kernel to free with the task: a
 * delete here, under the run queue's lock at every thread's last switch,
 * would defer each free through RCU (tasks trace) callbacks, a burst of them
 * when thousands of threads exit; the dump skips dead entries. The raw_tp
 * hash is keyed by TID, which the kernel may give out again: freed now.
 */
static __always_inline void forget(bool btf, struct task_struct *t, __u32 tid)
{
	if (!btf)
		bpf_map_delete_elem(&tasks, &tid);
}

/* Start tracing `child` (a new thread or process) on behalf of a traced parent. */
static __always_inline void adopt(bool btf, struct task_struct *child, __u32 parent_tgid)
{
	__u32 tid = BPF_CORE_READ(child, pid);
	struct gs_task_entry *e;
	__u64 now;

	if (btf) {
		e = bpf_task_storage_get(&task_store, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	} else {
		/* no entry after the insert (full, or any other failure: 6.1 does
		 * not always say E2BIG) means untraced; one already there is fine */
		bpf_map_update_elem(&tasks, &tid, &zero_entry, BPF_NOEXIST);
		e = bpf_map_lookup_elem(&tasks, &tid);
	}
	if (!e) {
		count(GS_CTR_LOST_TASKS); /* no room in the hash, or no memory for its storage */
		return;
	}
	if (!e->f.tid) /* a new entry, not one user space made first (raw_tp) */
		__sync_fetch_and_add(&live_tasks, 1);
	now = bpf_ktime_get_ns();
	e->f.tid = tid;
	e->f.tgid = BPF_CORE_READ(child, tgid);
	e->f.ppid = parent_tgid;
	e->f.start_ns = now;
	e->f.events = 1;
	e->f.clear_child_tid = (__u64)BPF_CORE_READ(child, clear_child_tid);
	bpf_probe_read_kernel_str(e->f.comm, sizeof(e->f.comm), &child->comm);
	/* created: waits to run from now */
	e->k.state = GS_TIME_RUNQ;
	e->k.runq_counted = 1;
	e->k.since = now;
}

/* t's scheduler state (__state from 5.14, state before) */
static __always_inline long task_state(struct task_struct *t)
{
	struct task_struct___old { long state; } *o = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ(o, state);
}

#include "gs_sched.bpf.h"
#include "gs_uring.bpf.h"

/* ---- user space's requests: adopt added threads, dump, clear ------------ */

SEC("iter/task")
int task_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct gs_task_entry *e, *p;
	__u32 tid;

	if (!t)
		return 0;
	if (iter_mode == ITER_ADOPT) {
		tid = t->pid;
		p = bpf_map_lookup_elem(&pending, &tid);
		if (!p)
			return 0;
		/* adopted in the kernel already (created by a traced thread)? */
		if (!bpf_task_storage_get(&task_store, t, 0, 0)) {
			e = bpf_task_storage_get(&task_store, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (e) {
				*e = *p;
				__sync_fetch_and_add(&live_tasks, 1);
			} else
				count(GS_CTR_LOST_TASKS);
		}
		bpf_map_delete_elem(&pending, &tid);
	} else if (iter_mode == ITER_DUMP) {
		e = bpf_task_storage_get(&task_store, t, 0, 0);
		if (!e || e->k.state == GS_ST_DEAD) /* handed over through `gone` */
			return 0;
		/* set_tid_address(2) may have changed it since the thread began */
		if (t->clear_child_tid)
			e->f.clear_child_tid = (__u64)t->clear_child_tid;
		bpf_seq_write(ctx->meta->seq, e, sizeof(*e));
	} else {
		bpf_task_storage_delete(&task_store, t);
	}
	return 0;
}

/* ---- attachment points -------------------------------------------------- */

/*
 * One tp_btf and one raw_tp program per tracepoint; user space autoloads one
 * of each pair and attaches it to the tracepoint gs_tracepoints.h names for
 * PROG. `handler(btf, args...)` is inlined into both.
 */
#define TP_PAIR(prog, proto, handler, ...)                                       \
	SEC("tp_btf")                                                            \
	int BPF_PROG(prog##_btf, proto)                                          \
	{                                                                        \
		if (!noop)                                                       \
			handler(true, __VA_ARGS__);                              \
		return 0;                                                        \
	}                                                                        \
	SEC("raw_tp")                                                            \
	int BPF_PROG(prog##_raw, proto)                                          \
	{                                                                        \
		if (!noop)                                                       \
			handler(false, __VA_ARGS__);                             \
		return 0;                                                        \
	}

#define ARGS(...) __VA_ARGS__

/* 5.18+: sched_switch(preempt, prev, next, prev_state) */
TP_PAIR(on_switch, ARGS(bool preempt, struct task_struct *prev, struct task_struct *next,
			unsigned int prev_state),
	handle_switch, preempt, prev, next, prev_state)

/* before 5.18: sched_switch(preempt, prev, next); the state is read from prev
 * (task_state, above) */
SEC("raw_tp")
int BPF_PROG(on_switch_v1_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (!noop)
		handle_switch(false, preempt, prev, next, task_state(prev));
	return 0;
}

TP_PAIR(on_wakeup, struct task_struct *t, handle_wakeup, t)
TP_PAIR(on_waking, struct task_struct *t, handle_waking, t)
TP_PAIR(on_migrate, ARGS(struct task_struct *t, int dest_cpu), handle_migrate, t)
TP_PAIR(on_newtask, ARGS(struct task_struct *t, __u64 clone_flags), handle_newtask, t)
TP_PAIR(on_exit, struct task_struct *t, handle_exit, t)
TP_PAIR(on_exec, struct task_struct *t, handle_exec, t)

/* io_uring: the request pointer is the first argument of submit_req, and of
 * submit_sqe and queue_async_work from 6.2; the second one (after the ring)
 * of those two from 5.15 to 6.1 (the _v1 programs), and of complete from 5.19.
 * user/trace/probe.c tells which shape the kernel has. */
TP_PAIR(uring_submit, void *req, handle_uring_submit, req)
TP_PAIR(uring_submit_sqe, void *req, handle_uring_submit, req)
TP_PAIR(uring_submit_sqe_v1, ARGS(void *ring, void *req), handle_uring_submit, req)
TP_PAIR(uring_complete, ARGS(void *ring, void *req), handle_uring_complete, req)
TP_PAIR(uring_punt, void *req, handle_uring_punt, req)
TP_PAIR(uring_punt_v1, ARGS(void *ring, void *req), handle_uring_punt, req)
TP_PAIR(uring_cqwait, void *ring, handle_uring_cqring_wait, ring)
