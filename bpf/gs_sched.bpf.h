/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gs_sched.bpf.h - scheduler handlers (included by gilscope.bpf.c): switches,
 * wake-ups, futex waits and wakes, the per-thread time breakdown, and the
 * threads' lives (creation, exec, exit).
 *
 * The breakdown is a state machine per thread (struct gs_task_k): every
 * transition adds [since, now) to the bucket of the state it leaves, so the
 * buckets sum to the thread's traced lifetime by construction.
 */

static __always_inline struct gs_futex_stats *futex_addr_stats(__u32 tgid, __u64 uaddr)
{
	struct gs_futex_key k = { .tgid = tgid, .uaddr = uaddr };
	struct gs_futex_stats zero = {}, *fs;

	fs = bpf_map_lookup_elem(&futex_addrs, &k);
	if (fs)
		return fs;
	/* a failed update (full, or any other reason) counts as lost unless
	 * another CPU made the entry meanwhile */
	bpf_map_update_elem(&futex_addrs, &k, &zero, BPF_NOEXIST);
	fs = bpf_map_lookup_elem(&futex_addrs, &k);
	if (!fs)
		count(GS_CTR_LOST_FUTEX_ADDRS);
	return fs;
}

/* A futex wait of e ends at now, after d ns blocked. */
static __always_inline bool futex_wait_done(struct gs_task_entry *e, __u64 now, __u64 d)
{
	__u64 uaddr = e->k.block_uaddr;
	bool gil = gs_is_gil(gil_ranges, e->f.tgid, uaddr);
	struct gs_futex_stats *fs;

	e->f.futex_waits++;
	e->f.futex_wait_ns += d;
	hist_add(GS_HIST_FUTEX, d);
	if (gil) {
		e->f.gil_waits++;
		e->f.gil_wait_ns += d;
		hist_add(GS_HIST_GIL, d);
	}
	fs = futex_addr_stats(e->f.tgid, uaddr);
	if (fs) {
		/* threads of one process share a futex word's entry: add atomically */
		__sync_fetch_and_add(&fs->waits, 1);
		__sync_fetch_and_add(&fs->wait_ns, d);
		if (d > fs->max_wait_ns)
			fs->max_wait_ns = d;
		if (e->k.futex_woken)
			__sync_fetch_and_add(&fs->wakes, 1);
	}
	e->k.futex_woken = 0;
	emit(GS_EV_FUTEX_WAIT, e->f.tid, e->f.tgid, now - d, d, uaddr, gil);
	return gil;
}

/*
 * e leaves its current state at now; `unknown` is what GS_ST_UNKNOWN (runnable
 * when tracing began, no event since) turns out to have been.
 */
static __always_inline void leave_state(struct gs_task_entry *e, __u64 now, __u32 unknown)
{
	__u32 st = e->k.state;
	__u64 d = now > e->k.since ? now - e->k.since : 0;
	bool gil = false;

	if (st == GS_ST_UNKNOWN)
		st = e->k.state = unknown;
	if (st == GS_TIME_RUNQ && e->k.runq_counted) {
		e->f.runq_ns += d;
		e->f.runq_count++;
		if (d > e->f.runq_max_ns)
			e->f.runq_max_ns = d;
		hist_add(GS_HIST_RUNQ, d);
	} else if (st == GS_TIME_LOCK) {
		gil = futex_wait_done(e, now, d);
	}
	gs_time_add(&e->f, &e->k, now, gil);
	e->k.since = now;
}

/* The current task (prev) blocks: what does it wait in? Its user registers
 * were saved at system call entry; orig_ax is the call, di, si its arguments. */
static __always_inline void block(bool btf, struct gs_task_entry *e, struct task_struct *prev,
				  long prev_state)
{
	/* prev is current here; a tp_btf argument is already a trusted pointer */
	struct task_struct *cur = btf ? prev : bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	long nr = -1;
	__u32 cls = GS_SYS_OTHER, st;
	__u64 uaddr = 0;

	/* kernel threads and io_uring workers have no user registers */
	if (!(cur->flags & (PF_KTHREAD | PF_IO_WORKER)))
		nr = SYSCALL_NR(regs);
	if (nr >= 0 && nr < GS_MAX_SYSCALLS)
		cls = sys_class[nr];
	st = gs_classify(cls, PT_REGS_PARM2(regs), prev_state & TASK_UNINTERRUPTIBLE);
	/* PREEMPT_RT: it sleeps on a kernel spinlock (an rtmutex there). Inside
	 * a futex wait, that is its word's hash bucket lock, contended by the
	 * other threads' operations on the word: blocked in its wait on the
	 * word all the same (as its voluntary switch count says). Anywhere
	 * else it waits for that lock, not for a file or a timer. */
	if ((prev_state & TASK_RTLOCK_WAIT) && st != GS_TIME_LOCK)
		st = GS_TIME_OTHER;
	if (st == GS_TIME_LOCK) {
		uaddr = PT_REGS_PARM1(regs);
		if (cls == GS_SYS_FUTEX_WAITV) {
			/* the first word of the vector stands for the wait (our own
			 * memory: prev is still current here) */
			struct { __u64 val, uaddr; __u32 flags, reserved; } w0 = {};

			bpf_probe_read_user(&w0, sizeof(w0), (void *)uaddr);
			uaddr = w0.uaddr;
		}
	}
	e->k.state = st;
	e->k.block_uaddr = uaddr;
}

/*
 * Is a switch of prev in some rusage (counted as rusage sees it)? An exiting
 * thread's counts are added to its process's when it is released
 * (__exit_signal), before its last switch; a switch after that (the last
 * one, or a preemption on its way out) is in no rusage. The mark of a
 * released task is its thread_pid, cleared (__unhash_process) in the same
 * locked section that added its counts: sighand is cleared only after the
 * locks are dropped, and on PREEMPT_RT the unlock itself may preempt the
 * thread. A process leader's counts are taken by its parent's wait, which
 * marks it EXIT_DEAD first: usually after its last switch, but the parent
 * may be quicker (tasks_read waits for that switch); a switch of a leader
 * already EXIT_DEAD is in no rusage either. Only a task that has exited
 * (exit_state set) can be released: a live one costs one load.
 */
static __always_inline bool switch_in_rusage(bool btf, struct task_struct *prev)
{
	int exit_state = READ(btf, prev, exit_state);

	if (!exit_state)
		return true;
	if (!READ(btf, prev, thread_pid))
		return false;
	return !((exit_state & EXIT_DEAD) && READ(btf, prev, group_leader) == prev);
}

/* The traced task `p` leaves the CPU at `now`; returns true when it is gone. */
static __always_inline bool switch_out(bool btf, struct gs_task_entry *p, struct task_struct *prev,
				       __u32 pid, bool preempt, long prev_state, __u64 now)
{
	bool runnable = preempt || prev_state == TASK_RUNNING;

	/* The scheduler has just updated prev's runtime: use its figure, so
	 * on-CPU time is the kernel's own (the same one rusage reports). */
	p->f.oncpu_ns = READ(btf, prev, se.sum_exec_runtime) - p->in.runtime_base;
	/* matches the kernel's nvcsw/nivcsw split in __schedule() */
	if (switch_in_rusage(btf, prev)) {
		if (runnable)
			p->f.involuntary_switches++;
		else
			p->f.voluntary_switches++;
	}
	leave_state(p, now, GS_TIME_ONCPU);
	emit(GS_EV_SWITCH_OUT, pid, p->f.tgid, now, 0, 0, runnable);
	if (runnable) {
		/* a preempted task waits on the run queue from now on */
		p->k.state = GS_TIME_RUNQ;
		p->k.runq_counted = 1;
	} else if (prev_state & TASK_DEAD) {
		/* its last switch: hand its figures over and free its entry */
		p->k.state = GS_ST_DEAD;
		p->f.end_ns = now;
		if (bpf_ringbuf_output(&gone, &p->f, sizeof(p->f), 0))
			count(GS_CTR_LOST_TASKS);
		__sync_fetch_and_sub(&live_tasks, 1);
		forget(btf, prev, pid);
		return true;
	} else {
		block(btf, p, prev, prev_state);
	}
	return false;
}

static __always_inline void handle_switch(bool btf, bool preempt, struct task_struct *prev,
					  struct task_struct *next, long prev_state)
{
	struct gs_task_entry *p = task_of(btf, prev), *n;
	struct gs_cpu_busy *cb = NULL;
	__u32 zero = 0;
	__u64 now = 0;

	/* barrier_var: keep clang from OR-ing the two pointers into one test,
	 * which the verifier refuses */
	barrier_var(p);
	if (p) {
		now = bpf_ktime_get_ns();
		p->f.events++;
		cb = bpf_map_lookup_elem(&cpu_busy, &zero);
		if (cb && cb->on_since) {
			cb->busy_ns += now - cb->on_since;
			cb->on_since = 0;
		}
		switch_out(btf, p, prev, READ(btf, prev, pid), preempt, prev_state, now);
	}
	n = task_of(btf, next);
	barrier_var(n);
	if (n) {
		if (!now)
			now = bpf_ktime_get_ns();
		n->f.events++;
		leave_state(n, now, GS_TIME_RUNQ);
		n->k.state = GS_TIME_ONCPU;
		if (!cb)
			cb = bpf_map_lookup_elem(&cpu_busy, &zero);
		if (cb)
			cb->on_since = now;
		emit(GS_EV_SWITCH_IN, n->f.tid, n->f.tgid, now, 0, 0, 0);
	}
}

static __always_inline void handle_wakeup(bool btf, struct task_struct *t)
{
	struct gs_task_entry *e = task_of(btf, t);
	__u64 now;

	if (!e)
		return;
	e->f.events++;
	/* only a blocked thread starts waiting for a CPU here */
	if (e->k.state < GS_TIME_GIL || e->k.state > GS_TIME_OTHER)
		return;
	now = bpf_ktime_get_ns();
	leave_state(e, now, GS_TIME_RUNQ);
	e->k.state = GS_TIME_RUNQ;
	e->k.runq_counted = 1;
	emit(GS_EV_WAKEUP, e->f.tid, e->f.tgid, now, 0, 0, 0);
}

/*
 * Does t sleep in a futex wait, and on which word? Read from its saved user
 * registers: bpf_task_pt_regs needs a trusted pointer, which a raw_tp
 * argument is not, but every task's registers sit at the same offset from
 * the bottom of its stack, so current's give the offset. Returns the word
 * (the first argument; of futex_waitv, the vector: *waitv is set), or 0.
 */
/* That offset, found once. The pointer bpf_task_pt_regs returns is made a
 * plain number through a copy: older verifiers (6.1) refuse arithmetic
 * between it and the stack address. */
static long regs_off_cache;

static __always_inline long regs_offset(void)
{
	struct task_struct *cur;
	struct pt_regs *cur_regs;
	long addr = 0, off = regs_off_cache;

	if (off)
		return off;
	cur = bpf_get_current_task_btf();
	cur_regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	bpf_probe_read_kernel(&addr, sizeof(addr), &cur_regs);
	off = addr - (long)BPF_CORE_READ(cur, stack);
	regs_off_cache = off;
	return off;
}

static __always_inline __u64 futex_word_of(struct task_struct *t, bool *waitv)
{
	long off = regs_offset();
	struct pt_regs *regs;
	long nr;
	__u32 cls;

	if (BPF_CORE_READ(t, flags) & (PF_KTHREAD | PF_IO_WORKER))
		return 0;
	regs = (struct pt_regs *)((long)BPF_CORE_READ(t, stack) + off);
	nr = SYSCALL_NR_CORE(regs);
	if (nr < 0 || nr >= GS_MAX_SYSCALLS)
		return 0;
	cls = sys_class[nr];
	if (gs_classify(cls, PT_REGS_PARM2_CORE(regs), 0) != GS_TIME_LOCK)
		return 0;
	*waitv = cls == GS_SYS_FUTEX_WAITV;
	return PT_REGS_PARM1_CORE(regs);
}

/*
 * sched_waking runs in the waker's context: a traced thread inside a futex
 * wake op is waking t through that futex when t sleeps in a futex wait on
 * the op's word (of its process), or, for a shared futex, in another
 * process. Interrupts that hit the waker there wake other tasks (timers,
 * RCU, workqueues, other processes' timed waits): not counted.
 */
static __always_inline void handle_waking(bool btf, struct task_struct *t)
{
	struct gs_task_entry *w = current_entry(btf), *te;
	struct pt_regs *regs;
	struct gs_futex_stats *fs;
	__u64 uaddr, uaddr2 = 0, word;
	bool waitv = false, priv;
	long nr;
	__u32 cls;

	if (!w)
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = SYSCALL_NR(regs);
	if (nr < 0 || nr >= GS_MAX_SYSCALLS)
		return;
	cls = sys_class[nr];
	if (cls == GS_SYS_FUTEX && gs_futex_op_wakes(PT_REGS_PARM2(regs))) {
		priv = PT_REGS_PARM2(regs) & GS_FUTEX_PRIVATE; /* futex(2): in the op */
		uaddr2 = PT_REGS_PARM5(regs); /* WAKE_OP wakes on both words */
	} else if (cls == GS_SYS_FUTEX_WAKE) {
		priv = PT_REGS_PARM4_SYSCALL(regs) & GS_FUTEX_PRIVATE; /* futex_wake(2): flags */
	} else {
		return;
	}
	/* PREEMPT_RT: the futex op's hash-bucket lock is a sleeping rtmutex.
	 * A thread waiting for it (spinning or asleep) inside its own futex
	 * wait on the word is woken here in TASK_RTLOCK_WAIT, handed the lock
	 * on its release: not a futex wake (FUTEX_WAKE does not count it). A
	 * futex wake cannot match that state, only the one saved beside it,
	 * and then the kernel sets saved_state without a sched_waking. */
	if (task_state(t) & TASK_RTLOCK_WAIT)
		return;
	uaddr = PT_REGS_PARM1(regs);
	word = futex_word_of(t, &waitv);
	if (!word)
		return;
	if (BPF_CORE_READ(t, tgid) == w->f.tgid) {
		if (!waitv && word != uaddr && word != uaddr2)
			return;
	} else if (priv) {
		return;
	}
	w->f.events++;
	w->f.futex_wakes++;
	/* A traced waiter of this process knows its word (WAKE_OP and requeues
	 * name two): its word's wake is counted when its wait ends, with the
	 * word's entry at hand. */
	te = task_of(btf, t);
	if (te && te->k.state == GS_TIME_LOCK && te->f.tgid == w->f.tgid) {
		te->k.futex_woken = 1;
		return;
	}
	fs = futex_addr_stats(w->f.tgid, uaddr);
	if (fs)
		__sync_fetch_and_add(&fs->wakes, 1);
}

/* A new task: the creator is current (copy_process), io_uring workers included. */
static __always_inline void handle_newtask(bool btf, struct task_struct *t)
{
	struct gs_task_entry *p = current_entry(btf);

	if (!p)
		return;
	p->f.events++;
	adopt(btf, t, p->f.tgid);
}

static __always_inline void handle_exit(bool btf, struct task_struct *t)
{
	struct gs_task_entry *e = task_of(btf, t);
	__u64 cct;

	if (!e)
		return;
	e->f.events++;
	e->f.flags |= GS_TASK_EXITED;
	e->f.exit_ns = bpf_ktime_get_ns();
	/* the name may have changed since fork (exec, prctl) */
	bpf_probe_read_kernel_str(e->f.comm, sizeof(e->f.comm), &t->comm);
	cct = (__u64)BPF_CORE_READ(t, clear_child_tid);
	if (cct)
		e->f.clear_child_tid = cct;
}

static __always_inline void handle_migrate(bool btf, struct task_struct *t)
{
	struct gs_task_entry *e = task_of(btf, t);

	if (!e)
		return;
	e->f.events++;
	e->f.migrations++;
}

static __always_inline void handle_exec(bool btf, struct task_struct *t)
{
	struct gs_task_entry *e = task_of(btf, t);

	if (e)
		bpf_probe_read_kernel_str(e->f.comm, sizeof(e->f.comm), &t->comm);
}
