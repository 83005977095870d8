/* truth.h - what the kernel itself says about a task, for the integration
 * tests that pin gilscope's figures to it: /proc/PID/task/TID/status
 * (context switches), schedstat (run-queue delay), sched (migrations), and
 * which kinds of BPF programs this process holds. */
#ifndef GS_TRUTH_H
#define GS_TRUTH_H

#include <dirent.h>
#include <linux/bpf.h>
#include "integ.h"

struct task_truth {
	long long nvcsw, nivcsw;        /* status: voluntary/nonvoluntary_ctxt_switches */
	long long runtime_ns, run_delay_ns; /* schedstat: on CPU, waiting on a run queue */
	long long nr_migrations;        /* sched: se.nr_migrations */
	/* sched: wait_sum, CFS's own time on a run queue, -1 where the kernel
	 * keeps no schedstats (CONFIG_SCHEDSTATS, kernel.sched_schedstats=1) */
	long long wait_sum_ns;
};

/* The text after the colon of the line "key:  ..." (status) or "key  :  ..."
 * (sched) of a /proc file, in val; false if there is no such line. */
static inline bool truth_value(const char *path, const char *key, char *val, size_t len)
{
	char line[256], *colon;
	size_t n = strlen(key);
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) || (line[n] != ':' && line[n] != ' ' && line[n] != '\t'))
			continue;
		colon = strchr(line, ':');
		if (colon)
			found = snprintf(val, len, "%s", colon + 1) >= 0;
		break;
	}
	fclose(f);
	return found;
}

/* The value of a line "key: N" as a number; -1 if absent. */
static inline long long truth_field(const char *path, const char *key)
{
	char val[128];

	return truth_value(path, key, val, sizeof(val)) ? atoll(val) : -1;
}

/* The value of a line "key  :  MS.NNNNNN" of /proc/PID/sched (milliseconds
 * to the ns), in ns; -1 if absent. */
static inline long long truth_field_ms(const char *path, const char *key)
{
	char val[128];
	long long ms, ns;

	if (!truth_value(path, key, val, sizeof(val)) || sscanf(val, " %lld.%lld", &ms, &ns) != 2)
		return -1;
	return ms * 1000000 + ns;
}

/* The kernel's figures of one thread; false when it is gone. */
static inline bool truth_task(pid_t tgid, pid_t tid, struct task_truth *t)
{
	char path[96];
	FILE *f;
	int ok;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)tgid, (int)tid);
	t->nvcsw = truth_field(path, "voluntary_ctxt_switches");
	t->nivcsw = truth_field(path, "nonvoluntary_ctxt_switches");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", (int)tgid, (int)tid);
	t->nr_migrations = truth_field(path, "se.nr_migrations");
	t->wait_sum_ns = truth_field_ms(path, "wait_sum");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)tgid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fscanf(f, "%lld %lld", &t->runtime_ns, &t->run_delay_ns) == 2;
	fclose(f);
	return ok && t->nvcsw >= 0 && t->nivcsw >= 0;
}

/* One-letter state of a process (/proc/PID/stat), 0 if gone. */
static inline char truth_state(pid_t pid)
{
	char path[64], buf[512], *p, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		st = p[2];
	fclose(f);
	return st;
}

/* Is thread tid of tgid asleep and off its CPU? The state letter turns 'S'
 * when the thread marks itself asleep, before it switches out (and before
 * the kernel counts that switch); /proc/.../syscall waits until it is
 * really off the CPU, and says "running" when it is not. */
static inline bool truth_off_cpu(pid_t tgid, pid_t tid)
{
	char path[96], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)tgid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	{
		char line[512], *p;

		if (!fgets(line, sizeof(line), f) || !(p = strrchr(line, ')')) || p[2] != 'S') {
			fclose(f);
			return false;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)tgid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] && strncmp(buf, "running", 7) != 0;
}

/* Wait (up to 5 s) until every thread of pid sleeps off its CPU: parked,
 * its last switch done and counted, and none to come until it is woken. */
static inline void truth_wait_parked(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int i = 0; i < 5000; i++) {
		DIR *d = opendir(path);
		struct dirent *e;
		bool all = d != NULL;

		while (all && (e = readdir(d)))
			if (e->d_name[0] != '.' && !truth_off_cpu(pid, (pid_t)atoi(e->d_name)))
				all = false;
		if (d)
			closedir(d);
		if (all)
			return;
		usleep(1000);
	}
	fail_msg("process %d never went to sleep", (int)pid);
}

/* How many BPF programs of a type this process holds, from /proc/self/fdinfo:
 * the kernel's word on which variant (tp_btf = TRACING, raw_tp =
 * RAW_TRACEPOINT) was loaded, whatever gilscope says about it. */
static inline int truth_my_bpf_progs(unsigned type)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s", e->d_name);
		if (truth_field(path, "prog_type") == (long long)type)
			n++;
	}
	closedir(d);
	return n;
}

#endif
