/*
 * cgroup_truth.h - a cgroup v2 group of its own as the kernel's accounting of
 * a process tree's CPU time (cpu.stat usage_usec). Unlike wait4's rusage it
 * also counts what each thread runs after its times were added to its
 * process's (release_task: the last of exit, then the final switch), so it
 * is the truth for trees of thousands of short-lived threads. The group
 * lives in the cgroup2 hierarchy, mounted in a temporary directory when the
 * machine has none mounted; cpu.stat's usage is there with or without the
 * cpu controller.
 */
#ifndef CGROUP_TRUTH_H
#define CGROUP_TRUTH_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct cg_truth {
	char mnt[256];  /* the cgroup2 mount */
	char dir[300];  /* our group */
	char procs[330]; /* its cgroup.procs: a child writes "0" there to join */
	int mounted;    /* we mounted mnt */
};

/* Create a group; 0, or fails the test with the reason. */
static inline void cg_truth_open(struct cg_truth *c)
{
	char line[512], dev[64], path[256], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	memset(c, 0, sizeof(*c));
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %255s %63s", dev, path, type) == 3 && !strcmp(type, "cgroup2")) {
			snprintf(c->mnt, sizeof(c->mnt), "%s", path);
			break;
		}
	if (f)
		fclose(f);
	if (!c->mnt[0]) {
		snprintf(c->mnt, sizeof(c->mnt), "/tmp/gs-cgroup2-XXXXXX");
		if (!mkdtemp(c->mnt) || mount("none", c->mnt, "cgroup2", 0, NULL))
			fail_msg("no cgroup2 hierarchy, and mounting one at %s failed: %s", c->mnt,
				 strerror(errno));
		c->mounted = 1;
	}
	snprintf(c->dir, sizeof(c->dir), "%s/gilscope-test-%d", c->mnt, (int)getpid());
	if (mkdir(c->dir, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", c->dir, strerror(errno));
	snprintf(c->procs, sizeof(c->procs), "%s/cgroup.procs", c->dir);
}

/* In a child: join the group (before it does anything to be counted). */
static inline int cg_truth_join(const char *procs)
{
	FILE *f = fopen(procs, "we");
	int ok = f && fputs("0", f) >= 0;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

/* The group's CPU time so far, in ns (the kernel counts it in us). */
static inline double cg_truth_usage_ns(const struct cg_truth *c)
{
	char path[330], key[64];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu.stat", c->dir);
	f = fopen(path, "re");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %llu", key, &v) == 2)
		if (!strcmp(key, "usage_usec")) {
			fclose(f);
			return (double)v * 1e3;
		}
	fclose(f);
	fail_msg("%s: no usage_usec", path);
	return 0;
}

/* Remove the group (its processes have been reaped) and our mount. */
static inline void cg_truth_close(struct cg_truth *c)
{
	if (c->dir[0] && rmdir(c->dir))
		fprintf(stderr, "warning: rmdir %s: %s\n", c->dir, strerror(errno));
	if (c->mounted) {
		umount(c->mnt);
		rmdir(c->mnt);
	}
}

#endif
