/*
 * tracer_tasks.c - which threads are traced, and reading their figures.
 *
 * tp_btf programs keep a thread's entry in task-local storage; user space
 * cannot address another thread's storage on every kernel (a pidfd names a
 * thread only from 6.9), so it puts the threads it adds into the `pending`
 * hash and reads the task iterator, which moves them into storage
 * (ITER_ADOPT). At the end the iterator writes every live entry out
 * (ITER_DUMP). raw_tp programs use the `tasks` hash, which user space reads
 * and writes directly. Either way a thread's entry is freed at its last
 * switch-out, when its figures go to the `gone` ring buffer, drained here
 * while the run goes on: a process may create any number of threads.
 */
#include "tracer_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "syscalls.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum { ITER_ADOPT = 0, ITER_DUMP, ITER_CLEAR }; /* bpf/gilscope.bpf.c */

static int on_gone(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;

	if (size < sizeof(struct gs_task))
		return 0;
	if (t->ngone == t->cap_gone) {
		size_t cap = t->cap_gone ? t->cap_gone * 2 : 256;
		struct gs_task *n = realloc(t->gone, cap * sizeof(*n));

		if (!n) {
			t->gone_lost++;
			return 0;
		}
		t->gone = n;
		t->cap_gone = cap;
	}
	memcpy(&t->gone[t->ngone++], data, sizeof(struct gs_task));
	return 0;
}

int tasks_init(struct tracer *t, char *err, size_t errlen)
{
	t->gone_rb = ring_buffer__new(bpf_map__fd(t->skel->maps.gone), on_gone, t, NULL);
	if (!t->gone_rb) {
		snprintf(err, errlen, "cannot open the ring buffer of ended threads: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

void tasks_fini(struct tracer *t)
{
	ring_buffer__free(t->gone_rb);
	free(t->gone);
}

void tasks_drain(struct tracer *t)
{
	if (t->gone_rb)
		ring_buffer__consume(t->gone_rb);
}

/* Run the task iterator in `mode`; with out, keep what it writes (*out, *len). */
static int run_iter(struct tracer *t, unsigned mode, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int fd, e = 0;

	t->skel->bss->iter_mode = mode;
	fd = bpf_iter_create(bpf_link__fd(t->iter));
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (n + 4096 > cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!b) {
				e = -ENOMEM;
				break;
			}
			buf = b;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? -errno : 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (out && !e) {
		*out = buf;
		*len = n;
	} else {
		free(buf);
	}
	return e;
}

/* Its state letter in /proc (R, S, D, ...); 0 if gone. */
static char proc_state(pid_t tgid, pid_t tid)
{
	char path[64], buf[512], *p, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)tgid, (int)tid);
	if ((f = fopen(path, "re"))) {
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
			st = p[2];
		fclose(f);
	}
	return st;
}

/*
 * Is it off its CPU, its last switch-out done? /proc's state letter says
 * 'S' as soon as the thread marks itself asleep, before it switches out
 * (and before the kernel counts that switch); reading /proc/.../syscall
 * waits until it is really off the CPU (wait_task_inactive) and says
 * "running" otherwise. Without access to that file: the state letter.
 */
static bool off_cpu(pid_t tgid, pid_t tid)
{
	char path[96], buf[16] = "";
	char st = proc_state(tgid, tid);
	FILE *f;

	if (st == 'R' || !st)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)tgid, (int)tid);
	if (!(f = fopen(path, "re")))
		return true;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strncmp(buf, "running", 7) != 0;
}

/*
 * A new child is counted from its fork, as rusage counts it: its switches
 * before it was added are the kernel's own counts. It is about to block
 * until told to start; once it is off the CPU, the counts cannot move
 * under us (read before its switch-out, that switch would be in neither).
 */
static void initial_counts(pid_t tgid, pid_t tid, struct gs_task *f)
{
	char path[64], line[128];
	unsigned long long v;
	FILE *fp;

	for (int i = 0; i < 200 && !off_cpu(tgid, tid); i++)
		usleep(500);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)tgid, (int)tid);
	if (!(fp = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1)
			f->voluntary_switches = v;
		else if (sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
			f->involuntary_switches = v;
	}
	fclose(fp);
}

/* What a thread added while it runs is doing now, from /proc: runnable
 * (GS_ST_UNKNOWN: on a CPU or queued, the next event tells), or blocked in
 * the system call /proc/PID/task/TID/syscall names, classified as the
 * kernel side classifies it. */
static void initial_state(struct tracer *t, pid_t tgid, pid_t tid, struct gs_task_k *k)
{
	unsigned char cls[GS_MAX_SYSCALLS];
	char path[96], buf[512];
	unsigned long long a1 = 0, a2 = 0;
	char state = proc_state(tgid, tid);
	long nr = -1;
	FILE *f;

	k->state = GS_ST_UNKNOWN;
	if (state == 'R' || !state)
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)tgid, (int)tid);
	if ((f = fopen(path, "re"))) {
		if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%ld %llx %llx", &nr, &a1, &a2) < 1)
			nr = -1;
		fclose(f);
	}
	syscalls_classes(cls);
	k->state = gs_classify(nr >= 0 && nr < GS_MAX_SYSCALLS ? cls[nr] : GS_SYS_OTHER,
			       (unsigned long)a2, state == 'D');
	k->block_uaddr = k->state == GS_TIME_LOCK ? a1 : 0;
}

int tasks_add(struct tracer *t, pid_t tid, pid_t tgid, uint32_t flags)
{
	struct gs_task_entry e = { 0 };
	uint32_t key = (uint32_t)tid;
	char path[64];
	FILE *f;
	int fd;

	e.f.tid = (uint32_t)tid;
	e.f.tgid = (uint32_t)tgid;
	e.f.flags = flags;
	e.f.start_ns = e.k.since = tracer_now_ns();
	/* a running thread's past is not ours to count; a new child's is (rusage does) */
	if ((flags & GS_TASK_LATE) && tracer_task_runtime((uint32_t)tgid, (uint32_t)tid, (uint64_t *)&e.in.runtime_base))
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)tgid, (int)tid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(e.f.comm, sizeof(e.f.comm), f))
			e.f.comm[strcspn(e.f.comm, "\n")] = 0;
		fclose(f);
	}
	if (!(flags & GS_TASK_LATE))
		initial_counts(tgid, tid, &e.f);
	e.f.start_ns = e.k.since = tracer_now_ns();
	initial_state(t, tgid, tid, &e.k);
	if (t->raw_tp) {
		/* BPF_NOEXIST: a traced parent may have adopted it already */
		if (!bpf_map_update_elem(bpf_map__fd(t->skel->maps.tasks), &key, &e, BPF_NOEXIST))
			__atomic_fetch_add(&t->skel->bss->live_tasks, 1, __ATOMIC_RELAXED);
		else if (errno != EEXIST)
			return errno == E2BIG ? -ENOSPC : -errno;
		return 0;
	}
	fd = bpf_map__fd(t->skel->maps.pending);
	if (bpf_map_update_elem(fd, &key, &e, BPF_ANY) && errno == E2BIG) {
		tasks_flush(t); /* full: make room */
		if (bpf_map_update_elem(fd, &key, &e, BPF_ANY))
			return -errno;
	}
	return 0;
}

int tasks_flush(struct tracer *t)
{
	return t->raw_tp ? 0 : run_iter(t, ITER_ADOPT, NULL, NULL);
}

bool tasks_traced(struct tracer *t, pid_t pid)
{
	struct gs_task_entry v;
	uint32_t key = (uint32_t)pid;
	bool found;
	int fd;

	if (t->raw_tp)
		return bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.tasks), &key, &v) == 0;
	/* task storage is addressed by a pidfd (of a process: pid is one here) */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return false;
	found = bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.task_store), &fd, &v) == 0;
	close(fd);
	return found;
}

/* A live thread's entry as of now: its open interval closed, its name and
 * running slice refreshed from /proc. */
static void finish_live(struct tracer *t, struct gs_task_entry *e, uint64_t now)
{
	struct gs_task *f = &e->f;
	char path[64];
	uint64_t rt;
	FILE *fp;
	int gil = e->k.state == GS_TIME_LOCK &&
		  gs_is_gil(t->skel->bss->gil_ranges, f->tgid, e->k.block_uaddr);

	gs_time_add(f, &e->k, now, gil);
	f->lifetime_ns = now > f->start_ns ? now - f->start_ns : 0;
	/* it has run since its last switch */
	if (!tracer_task_runtime(f->tgid, f->tid, &rt) && rt > e->in.runtime_base &&
	    rt - e->in.runtime_base > f->oncpu_ns)
		f->oncpu_ns = rt - e->in.runtime_base;
	/* it may have been renamed (prctl) since it was seen */
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", f->tgid, f->tid);
	if ((fp = fopen(path, "re"))) {
		if (fgets(f->comm, sizeof(f->comm), fp))
			f->comm[strcspn(f->comm, "\n")] = 0;
		fclose(fp);
	}
}

static int append(struct trace_data *d, size_t *cap, const struct gs_task *f)
{
	if (d->ntasks == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct gs_task *n = realloc(d->tasks, c * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->tasks = n;
		*cap = c;
	}
	d->tasks[d->ntasks++] = *f;
	return 0;
}

static int read_live(struct tracer *t, uint64_t now, struct trace_data *d, size_t *cap)
{
	struct gs_task_entry e;
	int e_ = 0;

	if (t->raw_tp) {
		int fd = bpf_map__fd(t->skel->maps.tasks);
		uint32_t key, next, *prev = NULL;

		while (!e_ && bpf_map_get_next_key(fd, prev, &next) == 0) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, &e))
				continue;
			finish_live(t, &e, now);
			e_ = append(d, cap, &e.f);
		}
	} else {
		char *buf = NULL;
		size_t len = 0;

		if ((e_ = run_iter(t, ITER_DUMP, &buf, &len)))
			return e_;
		for (size_t off = 0; !e_ && off + sizeof(e) <= len; off += sizeof(e)) {
			memcpy(&e, buf + off, sizeof(e));
			finish_live(t, &e, now);
			e_ = append(d, cap, &e.f);
		}
		free(buf);
	}
	return e_;
}

/* How long tasks_read waits for the last switch of tasks already reaped. */
#define LAST_SWITCH_WAIT_MS 2000

/* d's tasks, once: every exited thread's figures, then every live one's;
 * *nlive is how many of them are live. */
static int read_once(struct tracer *t, uint64_t now, struct trace_data *d, size_t *cap, size_t *nlive)
{
	size_t ngone;
	int e;

	tasks_drain(t);
	d->ntasks = 0;
	for (size_t i = 0; i < t->ngone; i++) {
		struct gs_task f = t->gone[i];

		f.lifetime_ns = f.end_ns > f.start_ns ? f.end_ns - f.start_ns : 0;
		if ((e = append(d, cap, &f)))
			return e;
	}
	ngone = d->ntasks;
	e = read_live(t, now, d, cap);
	*nlive = d->ntasks - ngone;
	return e;
}

int tasks_read(struct tracer *t, uint64_t now, struct trace_data *d)
{
	int fd = bpf_map__fd(t->skel->maps.uring_tids);
	size_t cap = 0, nlive = 0;
	int64_t outstanding = 0;
	int e;

	/*
	 * A parent may reap a child as soon as it is a zombie, before the
	 * child's last switch, which hands its figures over: the task iterator
	 * no longer finds it and `gone` does not have it yet (under emulation,
	 * or on PREEMPT_RT, that window is milliseconds). So the count of
	 * tasks still to make their last switch (read before the figures) must
	 * come down to the live entries read; whatever has not come after
	 * LAST_SWITCH_WAIT_MS is counted lost, never silently missing.
	 */
	for (int waited = 0;; waited += 5) {
		outstanding = (int64_t)__atomic_load_n(&t->skel->bss->live_tasks, __ATOMIC_ACQUIRE);
		if ((e = read_once(t, now, d, &cap, &nlive)))
			return e;
		if (outstanding <= (int64_t)nlive || waited >= LAST_SWITCH_WAIT_MS)
			break;
		usleep(5000);
	}
	if (outstanding > (int64_t)nlive)
		d->counters[GS_CTR_LOST_TASKS] += (uint64_t)outstanding - nlive;
	/* io_uring completions and punts happen elsewhere: counted per submitting tid */
	for (size_t i = 0; i < d->ntasks; i++) {
		struct gs_uring_tid u;
		uint32_t tid = d->tasks[i].tid;

		if (bpf_map_lookup_elem(fd, &tid, &u) == 0) {
			d->tasks[i].iouring_completes += u.completes;
			d->tasks[i].iouring_punts += u.punts;
			bpf_map_delete_elem(fd, &tid); /* once, should a tid come back */
		}
	}
	d->counters[GS_CTR_LOST_TASKS] += t->gone_lost;
	return 0;
}

void tasks_reset(struct tracer *t)
{
	tracer_clear_hash(t->skel->maps.tasks);
	tracer_clear_hash(t->skel->maps.pending);
	if (!t->raw_tp)
		run_iter(t, ITER_CLEAR, NULL, NULL);
	tasks_drain(t);
	t->ngone = 0;
	t->gone_lost = 0;
	__atomic_store_n(&t->skel->bss->live_tasks, 0, __ATOMIC_RELEASE);
}
