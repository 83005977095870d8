/*
 * tracer.c - lifecycle of the kernel side: open -> configure -> load -> attach,
 * following the traced tree, and one cleanup path. Reading the maps is in
 * tracer_read.c.
 */
#include "tracer_internal.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef SYS_futex_wake
#define SYS_futex_wake 454
#endif
#ifndef SYS_futex_wait
#define SYS_futex_wait 455
#endif

uint64_t tracer_now_ns(void)
{
	return clock_mono_ns(); /* the clock of bpf_ktime_get_ns() */
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("GILSCOPE_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* The tp_btf program and the raw_tp twin of each tracepoint. */
static void prog_pair(struct gilscope_bpf *s, enum probe_tp tp, bool old_switch,
		      struct bpf_program **btf, struct bpf_program **raw)
{
	struct bpf_program *pairs[TP_COUNT][2] = {
		[TP_SCHED_SWITCH] = { s->progs.switch_btf, s->progs.switch_raw },
		[TP_SCHED_WAKEUP] = { s->progs.wakeup_btf, s->progs.wakeup_raw },
		[TP_SCHED_WAKEUP_NEW] = { s->progs.wakeup_new_btf, s->progs.wakeup_new_raw },
		[TP_SCHED_MIGRATE] = { s->progs.migrate_btf, s->progs.migrate_raw },
		[TP_SCHED_FORK] = { s->progs.fork_btf, s->progs.fork_raw },
		[TP_SCHED_EXIT] = { s->progs.exit_btf, s->progs.exit_raw },
		[TP_SCHED_EXEC] = { s->progs.exec_btf, s->progs.exec_raw },
		[TP_SYS_ENTER] = { s->progs.sys_enter_btf, s->progs.sys_enter_raw },
		[TP_SYS_EXIT] = { s->progs.sys_exit_btf, s->progs.sys_exit_raw },
		[TP_URING_SUBMIT] = { s->progs.uring_submit_btf, s->progs.uring_submit_raw },
		[TP_URING_COMPLETE] = { s->progs.uring_complete_btf, s->progs.uring_complete_raw },
		[TP_URING_PUNT] = { s->progs.uring_punt_btf, s->progs.uring_punt_raw },
		[TP_URING_CQWAIT] = { s->progs.uring_cqwait_btf, s->progs.uring_cqwait_raw },
	};

	*btf = pairs[tp][0];
	*raw = pairs[tp][1];
	if (tp == TP_SCHED_SWITCH && old_switch) {
		*btf = NULL; /* the old shape has a raw_tp program only */
		*raw = s->progs.switch_raw_old;
	}
}

/* One attempt at open -> configure -> load -> attach with tp_btf or raw_tp programs. */
static int try_load(struct tracer *t, bool use_raw, char *err, size_t errlen)
{
	struct gilscope_bpf *s = gilscope_bpf__open();
	int e;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	s->rodata->futex_nr = SYS_futex;
	s->rodata->futex_waitv_nr = SYS_futex_waitv;
	s->rodata->futex_wait_nr = SYS_futex_wait;
	s->rodata->futex_wake_nr = SYS_futex_wake;
	s->rodata->timeline = t->opts.timeline;
	s->rodata->noop = t->noop;
	bpf_map__set_max_entries(s->maps.tasks, t->opts.max_tasks);
	if (!t->opts.timeline)
		bpf_map__set_max_entries(s->maps.events, 4096); /* unused: keep it small */

	bpf_program__set_autoload(s->progs.switch_raw_old, false);
	for (int i = 0; i < TP_COUNT; i++) {
		struct bpf_program *b, *r;
		bool have = t->probe.tp[i] == PROBE_OK || t->probe.tp[i] == PROBE_OLD_SHAPE;

		prog_pair(s, i, false, &b, &r);
		bpf_program__set_autoload(b, false);
		bpf_program__set_autoload(r, false);
		if (!have)
			continue;
		prog_pair(s, i, t->probe.tp[i] == PROBE_OLD_SHAPE, &b, &r);
		bpf_program__set_autoload(use_raw || !b ? r : b, true);
	}

	e = gilscope_bpf__load(s);
	if (e) {
		snprintf(err, errlen, "the kernel refused the BPF programs (%s)%s", strerror(-e),
			 e == -EPERM ? ": run as root (or with CAP_BPF and CAP_PERFMON)" :
				       "; GILSCOPE_DEBUG=1 shows the verifier log");
		gilscope_bpf__destroy(s);
		return -1;
	}
	e = gilscope_bpf__attach(s);
	if (e) {
		snprintf(err, errlen, "cannot attach to the tracepoints (%s)", strerror(-e));
		gilscope_bpf__destroy(s);
		return -1;
	}
	t->skel = s;
	t->raw_tp = use_raw;
	return 0;
}

struct tracer *tracer_open(const struct tracer_opts *opts, char *err, size_t errlen)
{
	struct tracer *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->opts = *opts;
	if (!t->opts.max_tasks)
		t->opts.max_tasks = GS_DEFAULT_MAX_TASKS;
	if (!t->opts.sample_ms)
		t->opts.sample_ms = 100;
	t->stats_fd = -1;
	libbpf_set_print(quiet_print);

	if (geteuid() != 0 && !getenv("GILSCOPE_NO_ROOT_CHECK")) {
		snprintf(err, errlen, "gilscope needs root (or CAP_BPF and CAP_PERFMON) to load "
			 "its BPF programs: run it with sudo");
		goto fail;
	}
	if (probe_kernel(&t->probe) < 0) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux): "
			 "gilscope needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		goto fail;
	}
	for (int i = 0; i < TP_COUNT; i++) {
		if (probe_tps[i].required && t->probe.tp[i] != PROBE_OK &&
		    t->probe.tp[i] != PROBE_OLD_SHAPE) {
			snprintf(err, errlen, "tracepoint %s is %s in this kernel: gilscope cannot "
				 "measure %s without it (`gilscope doctor` checks them all)",
				 probe_tps[i].name, probe_state_name(t->probe.tp[i]),
				 probe_tps[i].feature);
			goto fail;
		}
	}
	/* tests/bench/overhead.sh measures the kernel's dispatch floor with this */
	t->noop = getenv("GILSCOPE_BENCH_NOOP") != NULL;
	if (t->noop)
		fprintf(stderr, "gilscope: GILSCOPE_BENCH_NOOP is set: the probes attach but "
				"record nothing (benchmark floor)\n");
	/* tp_btf first; raw_tp where BTF-typed tracepoints are refused (or when
	 * GILSCOPE_RAW_TP is set, which is how the tests cover that path) */
	if ((getenv("GILSCOPE_RAW_TP") || try_load(t, false, err, errlen)) &&
	    try_load(t, true, err, errlen))
		goto fail;
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		snprintf(err, errlen, "cannot count the possible CPUs");
		goto fail;
	}
	if (t->opts.bpf_stats)
		t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME); /* -1: figures stay 0 */
	if (tracer_read_init(t, err, errlen))
		goto fail;
	return t;
fail:
	tracer_close(t);
	return NULL;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	tracer_read_fini(t);
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	gilscope_bpf__destroy(t->skel);
	free(t);
}

/* The kernel's on-CPU time of a live thread (se.sum_exec_runtime), in ns. */
int tracer_task_runtime(uint32_t tgid, uint32_t tid, uint64_t *ns)
{
	char path[64];
	unsigned long long v;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/schedstat", tgid, tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*ns = v;
	return 0;
}

static int add_task(struct tracer *t, pid_t tid, pid_t tgid, uint32_t flags)
{
	struct gs_task ts = { .tid = (uint32_t)tid, .tgid = (uint32_t)tgid, .flags = flags };
	uint32_t key = (uint32_t)tid;
	char path[64];
	FILE *f;

	ts.start_ns = tracer_now_ns();
	/* a running thread's past is not ours to count; a new child's is (rusage does) */
	if ((flags & GS_TASK_LATE) && tracer_task_runtime((uint32_t)tgid, (uint32_t)tid, (uint64_t *)&ts.runtime_base))
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)tgid, (int)tid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(ts.comm, sizeof(ts.comm), f))
			ts.comm[strcspn(ts.comm, "\n")] = 0;
		fclose(f);
	}
	/* BPF_NOEXIST: the fork tracepoint may have adopted it already */
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.tasks), &key, &ts, BPF_NOEXIST) &&
	    errno != EEXIST)
		return -errno;
	return 0;
}

int tracer_follow_new(struct tracer *t, pid_t pid)
{
	return add_task(t, pid, pid, 0);
}

static int add_threads(struct tracer *t, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -ESRCH;
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);

		if (tid > 0 && add_task(t, tid, pid, GS_TASK_LATE) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %d", &ppid); /* after "comm)": state, then ppid */
	fclose(f);
	return ppid;
}

static bool traced(struct tracer *t, pid_t pid)
{
	struct gs_task v;
	uint32_t key = (uint32_t)pid;

	return bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.tasks), &key, &v) == 0;
}

int tracer_follow_running(struct tracer *t, pid_t pid)
{
	bool grew = true;
	int e = add_threads(t, pid);

	if (e < 0)
		return e;
	/* descendants: every process whose parent is traced, until nothing is added */
	for (int round = 0; grew && round < 64; round++) {
		struct dirent *de;
		DIR *d = opendir("/proc");

		grew = false;
		if (!d)
			break;
		while ((de = readdir(d))) {
			pid_t p = atoi(de->d_name);

			if (p > 0 && !traced(t, p) && traced(t, parent_of(p)) && add_threads(t, p) > 0)
				grew = true;
		}
		closedir(d);
	}
	/* threads started while we scanned */
	add_threads(t, pid);
	return 0;
}

int tracer_add_gil_range(struct tracer *t, pid_t tgid, uint64_t start, uint64_t len)
{
	struct gs_gil_range r = { .tgid = (uint32_t)tgid, .start = start, .end = start + len };
	uint32_t key = t->ngil;

	if (t->ngil >= GS_MAX_GIL_RANGES)
		return -ENOSPC;
	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.gil_ranges), &key, &r, BPF_ANY))
		return -errno;
	t->ngil++;
	return 0;
}

/* Delete every key of a hash map. */
static void clear_hash(int fd, size_t key_size)
{
	char key[64], next[64];

	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, key_size);
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

/* Zero every element of an array or per-CPU array. */
static void clear_array(struct tracer *t, struct bpf_map *m, bool percpu)
{
	size_t vsz = bpf_map__value_size(m) * (percpu ? (size_t)t->ncpus : 1);
	void *zero = calloc(1, vsz);

	if (!zero)
		return;
	for (uint32_t k = 0; k < bpf_map__max_entries(m); k++)
		bpf_map_update_elem(bpf_map__fd(m), &k, zero, BPF_ANY);
	free(zero);
}

int tracer_reset(struct tracer *t)
{
	struct gilscope_bpf *s = t->skel;

	clear_hash(bpf_map__fd(s->maps.tasks), sizeof(uint32_t));
	clear_hash(bpf_map__fd(s->maps.futex_addrs), sizeof(struct gs_futex_key));
	clear_hash(bpf_map__fd(s->maps.iouring_reqs), sizeof(uint64_t));
	clear_array(t, s->maps.gil_ranges, false);
	clear_array(t, s->maps.cpu_busy, true);
	clear_array(t, s->maps.counters, true);
	clear_array(t, s->maps.hists, true);
	t->ngil = 0;
	tracer_read_reset(t);
	return 0;
}
