// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gilscope.bpf.c - the kernel half of gilscope.
 *
 * Scheduler, futex and io_uring tracepoints aggregate per-thread figures of one
 * traced process tree into maps; user space reads the maps once per run. A task
 * is traced when its tid is a key of `tasks`; every handler starts with that one
 * lookup and returns when it misses. Each tracepoint has a tp_btf program and a
 * raw_tp twin with the same body; user space autoloads one of the two per
 * tracepoint after probing the kernel's BTF (see user/trace/probe.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "gilscope.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load. */
const volatile __u32 futex_nr = 202;       /* SYS_futex */
const volatile __u32 futex_waitv_nr = 449; /* SYS_futex_waitv */
const volatile __u32 futex_wait_nr = 455;  /* SYS_futex_wait (6.7+) */
const volatile __u32 futex_wake_nr = 454;  /* SYS_futex_wake (6.7+) */
const volatile bool timeline = false;
/* make bench only: attach every program but return at once, to measure what
 * the kernel's dispatch costs apart from gilscope's own work. The verifier
 * drops the test when it is false, so it costs nothing otherwise. */
const volatile bool noop = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct gs_task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_FUTEX_ADDRS);
	__type(key, struct gs_futex_key);
	__type(value, struct gs_futex_stats);
} futex_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GS_MAX_GIL_RANGES);
	__type(key, __u32);
	__type(value, struct gs_gil_range);
} gil_ranges SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GS_DEFAULT_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct gs_uring_req);
} iouring_reqs SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

#define E2BIG 7
#define TASK_RUNNING 0
#define TASK_DEAD 0x80

/* futex(2) commands (linux/futex.h) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_CMD_MASK 0x7f /* without PRIVATE_FLAG (128) and CLOCK_REALTIME (256) */

/*
 * Each handler is inlined into a tp_btf and a raw_tp program with a constant
 * `btf`. tp_btf arguments are trusted kernel pointers that can be read
 * directly; raw_tp ones need bpf_probe_read_kernel (BPF_CORE_READ). The
 * direct read saves a helper call per field on the hottest paths.
 */
#define READ(btf, ptr, field) ((btf) ? (ptr)->field : BPF_CORE_READ(ptr, field))

#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(btf, regs) READ(btf, regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(btf, regs) READ(btf, regs, syscallno)
#else
#define SYSCALL_NR(btf, regs) (-1L) /* unknown: every exit is looked up */
#endif
#define SYSCALL_ARG1(btf, regs) ((btf) ? PT_REGS_PARM1_SYSCALL(regs) : PT_REGS_PARM1_CORE_SYSCALL(regs))
#define SYSCALL_ARG2(btf, regs) ((btf) ? PT_REGS_PARM2_SYSCALL(regs) : PT_REGS_PARM2_CORE_SYSCALL(regs))

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

/* Start tracing `child` (a new thread or process) on behalf of a traced parent. */
static __always_inline void adopt(struct task_struct *child, __u32 parent_tgid)
{
	struct gs_task ts = {};

	ts.tid = BPF_CORE_READ(child, pid);
	ts.tgid = BPF_CORE_READ(child, tgid);
	ts.ppid = parent_tgid;
	ts.start_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(ts.comm, sizeof(ts.comm), &child->comm);
	ts.events = 1;
	if (bpf_map_update_elem(&tasks, &ts.tid, &ts, BPF_NOEXIST) == -E2BIG)
		count(GS_CTR_LOST_TASKS);
}

/* ---- scheduler ---------------------------------------------------------- */

/* The traced task `p` leaves the CPU at `now`. */
static __always_inline void switch_out(struct gs_task *p, __u32 pid, bool preempt,
				       long prev_state, __u64 sum_exec_runtime, __u64 now)
{
	bool runnable = preempt || prev_state == TASK_RUNNING;
	__u32 zero = 0;
	struct gs_cpu_busy *cb = bpf_map_lookup_elem(&cpu_busy, &zero);

	/* The scheduler has just updated prev's runtime: use its figure, so
	 * on-CPU time is the kernel's own (the same one rusage reports). */
	p->oncpu_ns = sum_exec_runtime - p->runtime_base;
	/* Matches the kernel's nvcsw/nivcsw split in __schedule(). The last
	 * switch of an exiting thread (TASK_DEAD) is counted as the kernel's
	 * rusage sees it: a thread is released before that switch, a process
	 * leader is reaped by its parent after it. */
	if (runnable)
		p->involuntary_switches++;
	else if (!(prev_state & TASK_DEAD) || pid == p->tgid)
		p->voluntary_switches++;
	/* a preempted task waits on the run queue from now on */
	if (runnable && !p->runq_since)
		p->runq_since = now;
	if (cb && cb->on_since) {
		cb->busy_ns += now - cb->on_since;
		cb->on_since = 0;
	}
	emit(GS_EV_SWITCH_OUT, pid, p->tgid, now, 0, 0, runnable);
}

/* The traced task `n` goes on the CPU at `now`. */
static __always_inline void switch_in(struct gs_task *n, __u32 pid, __u64 now)
{
	__u32 zero = 0;
	struct gs_cpu_busy *cb = bpf_map_lookup_elem(&cpu_busy, &zero);

	if (n->runq_since) {
		__u64 d = now - n->runq_since;

		n->runq_ns += d;
		n->runq_count++;
		if (d > n->runq_max_ns)
			n->runq_max_ns = d;
		hist_add(GS_HIST_RUNQ, d);
		n->runq_since = 0;
	}
	if (cb)
		cb->on_since = now;
	emit(GS_EV_SWITCH_IN, pid, n->tgid, now, 0, 0, 0);
}

static __always_inline void on_switch(bool btf, bool preempt, struct task_struct *prev,
				      struct task_struct *next, long prev_state)
{
	__u32 prev_pid = READ(btf, prev, pid);
	__u32 next_pid = READ(btf, next, pid);
	struct gs_task *p, *n;
	__u64 now = 0;

	/* pid 0 is the per-CPU idle task: never traced, never looked up */
	/* barrier_var: keep clang from OR-ing the two pointers into one test,
	 * which the verifier refuses */
	p = prev_pid ? bpf_map_lookup_elem(&tasks, &prev_pid) : NULL;
	barrier_var(p);
	n = next_pid ? bpf_map_lookup_elem(&tasks, &next_pid) : NULL;
	barrier_var(n);
	if (p) {
		now = bpf_ktime_get_ns();
		p->events++;
		switch_out(p, prev_pid, preempt, prev_state, READ(btf, prev, se.sum_exec_runtime), now);
	}
	if (n) {
		if (!now)
			now = bpf_ktime_get_ns();
		n->events++;
		switch_in(n, next_pid, now);
	}
}

static __always_inline void on_wakeup(bool btf, struct task_struct *t)
{
	__u32 pid = READ(btf, t, pid);
	struct gs_task *s = bpf_map_lookup_elem(&tasks, &pid);

	if (!s)
		return;
	s->events++;
	if (!s->runq_since)
		s->runq_since = bpf_ktime_get_ns();
	emit(GS_EV_WAKEUP, pid, s->tgid, s->runq_since, 0, 0, 0);
}

/*
 * io_uring workers are created without the fork tracepoint (create_io_thread),
 * so a new task whose thread group or parent is traced is adopted here too.
 */
static __always_inline void on_wakeup_new(bool btf, struct task_struct *t)
{
	__u32 pid = READ(btf, t, pid);
	__u32 tgid, ppid;

	if (!bpf_map_lookup_elem(&tasks, &pid)) {
		tgid = BPF_CORE_READ(t, tgid);
		ppid = BPF_CORE_READ(t, real_parent, tgid);
		if (bpf_map_lookup_elem(&tasks, &tgid))
			adopt(t, tgid);
		else if (bpf_map_lookup_elem(&tasks, &ppid))
			adopt(t, ppid);
		else
			return;
	}
	on_wakeup(btf, t);
}

static __always_inline void on_fork(bool btf, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid = BPF_CORE_READ(parent, pid);
	struct gs_task *p = bpf_map_lookup_elem(&tasks, &ppid);

	if (!p)
		return;
	p->events++;
	adopt(child, p->tgid);
}

static __always_inline void on_exit(bool btf, struct task_struct *t)
{
	__u32 pid = BPF_CORE_READ(t, pid);
	struct gs_task *s = bpf_map_lookup_elem(&tasks, &pid);

	if (!s)
		return;
	s->events++;
	s->flags |= GS_TASK_EXITED;
	s->exit_ns = bpf_ktime_get_ns();
	/* the name may have changed since fork (exec, prctl) */
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), &t->comm);
}

static __always_inline void on_migrate(bool btf, struct task_struct *t)
{
	__u32 pid = READ(btf, t, pid);
	struct gs_task *s = bpf_map_lookup_elem(&tasks, &pid);

	if (!s)
		return;
	s->events++;
	s->migrations++;
}

static __always_inline void on_exec(bool btf, struct task_struct *t)
{
	__u32 pid = BPF_CORE_READ(t, pid);
	struct gs_task *s = bpf_map_lookup_elem(&tasks, &pid);

	if (!s)
		return;
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), &t->comm);
}

/* ---- futex -------------------------------------------------------------- */

static __always_inline bool futex_cmd_waits(__u32 cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
	       cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI;
}

static __always_inline bool futex_cmd_wakes(__u32 cmd)
{
	return cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET || cmd == FUTEX_WAKE_OP ||
	       cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE ||
	       cmd == FUTEX_UNLOCK_PI || cmd == FUTEX_CMP_REQUEUE_PI;
}

static __always_inline struct gs_futex_stats *futex_addr_stats(__u32 tgid, __u64 uaddr)
{
	struct gs_futex_key k = { .tgid = tgid, .uaddr = uaddr };
	struct gs_futex_stats zero = {}, *fs;

	fs = bpf_map_lookup_elem(&futex_addrs, &k);
	if (fs)
		return fs;
	if (bpf_map_update_elem(&futex_addrs, &k, &zero, BPF_NOEXIST) == -E2BIG) {
		count(GS_CTR_LOST_FUTEX_ADDRS);
		return NULL;
	}
	return bpf_map_lookup_elem(&futex_addrs, &k);
}

static __always_inline bool is_gil(__u32 tgid, __u64 uaddr)
{
	for (__u32 i = 0; i < GS_MAX_GIL_RANGES; i++) {
		__u32 k = i;
		struct gs_gil_range *r = bpf_map_lookup_elem(&gil_ranges, &k);

		if (!r || !r->end)
			return false; /* ranges are filled from index 0 */
		if (r->tgid == tgid && uaddr >= r->start && uaddr < r->end)
			return true;
	}
	return false;
}

static __always_inline void on_sys_enter(bool btf, struct pt_regs *regs, long id)
{
	__u32 tid, cmd;
	struct gs_task *s;
	__u64 uaddr;
	bool waits, wakes;

	if (id != futex_nr && id != futex_waitv_nr && id != futex_wait_nr &&
	    id != futex_wake_nr)
		return;
	tid = (__u32)bpf_get_current_pid_tgid();
	s = bpf_map_lookup_elem(&tasks, &tid);
	if (!s)
		return;
	s->events++;

	uaddr = SYSCALL_ARG1(btf, regs);
	if (id == futex_nr) {
		cmd = (__u32)SYSCALL_ARG2(btf, regs) & FUTEX_CMD_MASK;
		waits = futex_cmd_waits(cmd);
		wakes = futex_cmd_wakes(cmd);
	} else if (id == futex_waitv_nr) {
		/* attribute the wait to the first word of the vector */
		struct { __u64 val, uaddr; __u32 flags, reserved; } w0 = {};

		bpf_probe_read_user(&w0, sizeof(w0), (void *)uaddr);
		uaddr = w0.uaddr;
		waits = true;
		wakes = false;
	} else {
		waits = id == futex_wait_nr;
		wakes = id == futex_wake_nr;
	}

	if (waits) {
		s->futex_since = bpf_ktime_get_ns();
		s->futex_uaddr = uaddr;
	} else if (wakes) {
		struct gs_futex_stats *fs = futex_addr_stats(s->tgid, uaddr);

		s->futex_wakes++;
		/* threads of one process share a futex word's entry: add atomically */
		if (fs)
			__sync_fetch_and_add(&fs->wakes, 1);
	}
}

static __always_inline void on_sys_exit(bool btf, struct pt_regs *regs, long ret)
{
	long id = SYSCALL_NR(btf, regs);
	struct gs_futex_stats *fs;
	struct gs_task *s;
	__u64 now, d;
	__u32 tid;
	bool gil;

	/* every syscall of the machine passes here: filter before the lookup */
	if (id != -1 && id != futex_nr && id != futex_waitv_nr && id != futex_wait_nr)
		return;
	/* the arguments are still in regs: a futex(2) wake never waited */
	if (id == futex_nr && !futex_cmd_waits((__u32)SYSCALL_ARG2(btf, regs) & FUTEX_CMD_MASK))
		return;
	tid = (__u32)bpf_get_current_pid_tgid();
	s = bpf_map_lookup_elem(&tasks, &tid);
	/* Only an in-flight futex wait has futex_since set. A wait that failed
	 * or timed out still counts: the thread spent that time waiting. */
	if (!s || !s->futex_since)
		return;
	s->events++;
	now = bpf_ktime_get_ns();
	d = now - s->futex_since;
	s->futex_since = 0;
	s->futex_waits++;
	s->futex_wait_ns += d;
	hist_add(GS_HIST_FUTEX, d);
	gil = is_gil(s->tgid, s->futex_uaddr);
	if (gil) {
		s->gil_waits++;
		s->gil_wait_ns += d;
		hist_add(GS_HIST_GIL, d);
	}
	fs = futex_addr_stats(s->tgid, s->futex_uaddr);
	if (fs) {
		__sync_fetch_and_add(&fs->waits, 1);
		__sync_fetch_and_add(&fs->wait_ns, d);
		if (d > fs->max_wait_ns)
			fs->max_wait_ns = d;
	}
	emit(GS_EV_FUTEX_WAIT, tid, s->tgid, now - d, d, s->futex_uaddr, gil);
}

/* ---- io_uring ----------------------------------------------------------- */

static __always_inline void on_uring_submit(bool btf, void *req)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gs_task *s = bpf_map_lookup_elem(&tasks, &tid);
	struct gs_uring_req in = {};
	__u64 key = (__u64)req;

	if (!s)
		return;
	s->events++;
	s->iouring_submits++;
	in.submit_ns = bpf_ktime_get_ns();
	in.tid = tid;
	if (bpf_map_update_elem(&iouring_reqs, &key, &in, BPF_ANY) == -E2BIG)
		count(GS_CTR_LOST_IOURING);
}

/* Completions may run in an io-wq worker or in task work: match by request. */
static __always_inline void on_uring_complete(bool btf, void *req)
{
	__u64 key = (__u64)req, now, d;
	struct gs_uring_req *in = bpf_map_lookup_elem(&iouring_reqs, &key);
	struct gs_task *s;
	__u32 tid;

	if (!in) {
		tid = (__u32)bpf_get_current_pid_tgid();
		s = bpf_map_lookup_elem(&tasks, &tid);
		if (s) {
			/* e.g. a multishot request's later completions */
			s->iouring_completes++;
			count(GS_CTR_IOURING_UNMATCHED);
		}
		return;
	}
	now = bpf_ktime_get_ns();
	d = now - in->submit_ns;
	tid = in->tid;
	bpf_map_delete_elem(&iouring_reqs, &key);
	hist_add(GS_HIST_IOURING, d);
	s = bpf_map_lookup_elem(&tasks, &tid);
	if (s) {
		s->events++;
		s->iouring_completes++;
		emit(GS_EV_IOURING, tid, s->tgid, now - d, d, key, 0);
	}
}

static __always_inline void on_uring_punt(bool btf, void *req)
{
	__u64 key = (__u64)req;
	struct gs_uring_req *in = bpf_map_lookup_elem(&iouring_reqs, &key);
	struct gs_task *s;
	__u32 tid;

	if (!in)
		return;
	tid = in->tid;
	s = bpf_map_lookup_elem(&tasks, &tid);
	if (s)
		s->iouring_punts++;
}

static __always_inline void on_uring_cqring_wait(bool btf, void *ring)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct gs_task *s = bpf_map_lookup_elem(&tasks, &tid);

	if (s)
		s->iouring_cqring_waits++;
}

/* ---- attachment points -------------------------------------------------- */

/*
 * One tp_btf and one raw_tp program per tracepoint; user space autoloads one
 * of each pair. `handler(btf, args...)` is inlined into both.
 */
#define TP_PAIR(tp, name, proto, handler, ...)                                   \
	SEC("tp_btf/" #tp)                                                       \
	int BPF_PROG(name##_btf, proto)                                          \
	{                                                                        \
		if (!noop)                                                       \
			handler(true, __VA_ARGS__);                              \
		return 0;                                                        \
	}                                                                        \
	SEC("raw_tp/" #tp)                                                       \
	int BPF_PROG(name##_raw, proto)                                          \
	{                                                                        \
		if (!noop)                                                       \
			handler(false, __VA_ARGS__);                             \
		return 0;                                                        \
	}

#define ARGS(...) __VA_ARGS__

/* 5.18+: sched_switch(preempt, prev, next, prev_state) */
TP_PAIR(sched_switch, switch,
	ARGS(bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state),
	on_switch, preempt, prev, next, prev_state)

/* before 5.18: sched_switch(preempt, prev, next); the state is read from prev */
static __always_inline long task_state(struct task_struct *t)
{
	struct task_struct___old { long state; } *o = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ(o, state);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw_old, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	if (!noop)
		on_switch(false, preempt, prev, next, task_state(prev));
	return 0;
}

TP_PAIR(sched_wakeup, wakeup, struct task_struct *t, on_wakeup, t)
TP_PAIR(sched_wakeup_new, wakeup_new, struct task_struct *t, on_wakeup_new, t)
TP_PAIR(sched_migrate_task, migrate, ARGS(struct task_struct *t, int dest_cpu), on_migrate, t)
TP_PAIR(sched_process_fork, fork, ARGS(struct task_struct *parent, struct task_struct *child),
	on_fork, parent, child)
TP_PAIR(sched_process_exit, exit, struct task_struct *t, on_exit, t)
TP_PAIR(sched_process_exec, exec, struct task_struct *t, on_exec, t)
TP_PAIR(sys_enter, sys_enter, ARGS(struct pt_regs *regs, long id), on_sys_enter, regs, id)
TP_PAIR(sys_exit, sys_exit, ARGS(struct pt_regs *regs, long ret), on_sys_exit, regs, ret)

/* io_uring, 5.19+ shapes (user/trace/probe.c checks them): the request pointer is
 * the first argument of submit_req and queue_async_work, the second of complete */
TP_PAIR(io_uring_submit_req, uring_submit, void *req, on_uring_submit, req)
TP_PAIR(io_uring_complete, uring_complete, ARGS(void *ring, void *req), on_uring_complete, req)
TP_PAIR(io_uring_queue_async_work, uring_punt, void *req, on_uring_punt, req)
TP_PAIR(io_uring_cqring_wait, uring_cqwait, void *ring, on_uring_cqring_wait, ring)
