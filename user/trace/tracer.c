/*
 * tracer.c - lifecycle of the kernel side: open -> configure -> load -> attach,
 * following the traced tree, and one cleanup path. Reading the maps is in
 * tracer_read.c.
 */
#include "tracer_internal.h"
#include "clock.h"
#include "syscalls.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

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

static struct bpf_program *prog_named(struct gilscope_bpf *s, const char *base, const char *suffix)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", base, suffix);
	return bpf_object__find_program_by_name(s->obj, name);
}

/* The program that reads tracepoint tp as the probe found it, tp_btf unless
 * use_raw (or there is no tp_btf program for that shape); NULL if none. */
static struct bpf_program *pick_prog(struct tracer *t, struct gilscope_bpf *s, int tp, bool use_raw,
				     bool *btf)
{
	bool v1 = t->probe.tp[tp] == PROBE_OLD_SHAPE;
	struct bpf_program *b = prog_named(s, probe_tps[tp].prog, v1 ? "_v1_btf" : "_btf");
	struct bpf_program *r = prog_named(s, probe_tps[tp].prog, v1 ? "_v1_raw" : "_raw");

	*btf = !use_raw && b;
	return *btf ? b : r;
}

/* One attempt at open -> configure -> load -> attach with tp_btf or raw_tp programs. */
static int try_load(struct tracer *t, bool use_raw, char *err, size_t errlen)
{
	struct gilscope_bpf *s = gilscope_bpf__open();
	struct bpf_program *p, *chosen[TP_COUNT] = { 0 };
	bool btf[TP_COUNT] = { 0 };
	int e;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	syscalls_classes((unsigned char *)s->rodata->sys_class);
	s->rodata->timeline = t->opts.timeline;
	s->rodata->noop = t->noop;
	bpf_map__set_max_entries(s->maps.tasks, t->opts.max_tasks);
	if (!t->opts.timeline)
		bpf_map__set_max_entries(s->maps.events, 4096); /* unused: keep it small */

	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, false);
	/* tp_btf programs keep traced tasks in task storage; user space adds
	 * running threads to it through the task iterator */
	bpf_program__set_autoload(s->progs.task_iter, !use_raw);
	for (int i = 0; i < TP_COUNT; i++) {
		int alt = probe_tps[i].alt;

		/* two names for one thing: the first in the table that exists */
		if (!probe_usable(&t->probe, i) || (alt != TP_NONE && alt < i && probe_usable(&t->probe, alt)))
			continue;
		chosen[i] = pick_prog(t, s, i, use_raw, &btf[i]);
		if (!chosen[i]) {
			snprintf(err, errlen, "internal error: no program for tracepoint %s",
				 probe_tps[i].name);
			gilscope_bpf__destroy(s);
			return -1;
		}
		bpf_program__set_autoload(chosen[i], true);
		if (btf[i])
			bpf_program__set_attach_target(chosen[i], 0, probe_tps[i].name);
	}

	e = gilscope_bpf__load(s);
	if (e) {
		snprintf(err, errlen, "the kernel refused the BPF programs (%s)%s", strerror(-e),
			 e == -EPERM ? ": run as root (or with CAP_BPF and CAP_PERFMON)" :
				       "; GILSCOPE_DEBUG=1 shows the verifier log");
		gilscope_bpf__destroy(s);
		return -1;
	}
	t->skel = s;
	t->raw_tp = use_raw;
	for (int i = 0; i < TP_COUNT; i++) {
		if (!chosen[i])
			continue;
		t->links[i] = btf[i] ? bpf_program__attach_trace(chosen[i]) :
				       bpf_program__attach_raw_tracepoint(chosen[i], probe_tps[i].name);
		if (!t->links[i]) {
			snprintf(err, errlen, "cannot attach to tracepoint %s (%s)", probe_tps[i].name,
				 strerror(errno));
			return -1; /* the caller's cleanup path frees what is attached */
		}
	}
	if (!use_raw && !(t->iter = bpf_program__attach_iter(s->progs.task_iter, NULL))) {
		snprintf(err, errlen, "cannot create the task iterator (%s)", strerror(errno));
		return -1;
	}
	return 0;
}

static void unload(struct tracer *t)
{
	for (int i = 0; i < TP_COUNT; i++) {
		bpf_link__destroy(t->links[i]);
		t->links[i] = NULL;
	}
	bpf_link__destroy(t->iter);
	t->iter = NULL;
	gilscope_bpf__destroy(t->skel);
	t->skel = NULL;
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
		if (probe_tps[i].required && !probe_usable(&t->probe, i)) {
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
	if (getenv("GILSCOPE_RAW_TP") || try_load(t, false, err, errlen)) {
		unload(t);
		if (try_load(t, true, err, errlen))
			goto fail;
	}
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		snprintf(err, errlen, "cannot count the possible CPUs");
		goto fail;
	}
	if (t->opts.bpf_stats)
		t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME); /* -1: figures stay 0 */
	if (tracer_read_init(t, err, errlen) || tasks_init(t, err, errlen))
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
	tasks_fini(t);
	tracer_read_fini(t);
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	unload(t);
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

int tracer_follow_new(struct tracer *t, pid_t pid)
{
	int e = tasks_add(t, pid, pid, 0);

	return e ? e : tasks_flush(t);
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

		if (tid > 0 && tasks_add(t, tid, pid, GS_TASK_LATE) == 0)
			n++;
	}
	closedir(d);
	tasks_flush(t);
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

			if (p > 0 && !tasks_traced(t, p) && tasks_traced(t, parent_of(p)) && add_threads(t, p) > 0)
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
	struct gs_gil_range *r;

	if (t->ngil >= GS_MAX_GIL_RANGES)
		return -ENOSPC;
	if (!len || start + len < start)
		return -EINVAL;
	/* the programs read the ranges in place: `end` last makes the range live */
	r = &t->skel->bss->gil_ranges[t->ngil];
	r->tgid = (uint32_t)tgid;
	r->start = start;
	__atomic_store_n(&r->end, start + len, __ATOMIC_RELEASE);
	t->ngil++;
	return 0;
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

/* Delete every key of a hash map. */
void tracer_clear_hash(struct bpf_map *m)
{
	char key[64], next[64];
	int fd = bpf_map__fd(m);

	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, bpf_map__key_size(m));
		if (bpf_map_delete_elem(fd, key))
			break;
	}
}

int tracer_reset(struct tracer *t)
{
	struct gilscope_bpf *s = t->skel;

	tasks_reset(t);
	tracer_clear_hash(s->maps.futex_addrs);
	tracer_clear_hash(s->maps.iouring_reqs);
	tracer_clear_hash(s->maps.uring_tids);
	for (unsigned i = 0; i < GS_MAX_GIL_RANGES; i++)
		__atomic_store_n(&s->bss->gil_ranges[i].end, 0, __ATOMIC_RELEASE);
	clear_array(t, s->maps.cpu_busy, true);
	clear_array(t, s->maps.counters, true);
	clear_array(t, s->maps.hists, true);
	t->ngil = 0;
	tracer_read_reset(t);
	return 0;
}
