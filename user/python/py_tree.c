/* py_tree.c - list a process tree from /proc (see py_tree.h). */
#include "py_tree.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t add(pid_t *out, size_t n, size_t max, pid_t p)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] == p)
			return n;
	if (n < max)
		out[n++] = p;
	return n;
}

/* Children of every thread of p; -1 when the kernel has no children file. */
static long children_of(pid_t p, pid_t *out, size_t n, size_t max)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int seen = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p);
	d = opendir(path);
	if (!d)
		return (long)n;
	while ((e = readdir(d))) {
		char cpath[96];
		FILE *f;
		int c;

		if (e->d_name[0] == '.')
			continue;
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%.16s/children", (int)p, e->d_name);
		f = fopen(cpath, "re");
		if (!f)
			continue;
		seen = 1;
		while (fscanf(f, "%d", &c) == 1)
			n = add(out, n, max, c);
		fclose(f);
	}
	closedir(d);
	return seen ? (long)n : -1;
}

/* Parent of every process, from /proc/N/stat, for kernels without children
 * files: passes until no process is added. */
static size_t by_parents(pid_t root, pid_t *out, size_t n, size_t max)
{
	for (;;) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		size_t before = n;

		if (!d)
			return n;
		while ((e = readdir(d))) {
			char path[64], buf[512], *rp;
			int pid = atoi(e->d_name), ppid;
			bool ours = false;
			FILE *f;

			if (pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			f = fopen(path, "re");
			if (!f)
				continue;
			buf[fread(buf, 1, sizeof(buf) - 1, f)] = 0;
			fclose(f);
			rp = strrchr(buf, ')');
			if (!rp || sscanf(rp + 2, "%*c %d", &ppid) != 1)
				continue;
			ours = ppid == root;
			for (size_t i = 0; i < n && !ours; i++)
				ours = out[i] == ppid;
			if (ours)
				n = add(out, n, max, pid);
		}
		closedir(d);
		if (n == before || n == max)
			return n;
	}
}

size_t py_tree_list(pid_t root, int include_root, pid_t *out, size_t max)
{
	size_t n = 0, base;
	long r;

	if (include_root)
		n = add(out, n, max, root);
	base = n;
	r = children_of(root, out, n, max);
	if (r < 0)
		return by_parents(root, out, n, max);
	n = (size_t)r;
	/* breadth first over what was found */
	for (size_t i = base; i < n; i++) {
		r = children_of(out[i], out, n, max);
		if (r >= 0)
			n = (size_t)r;
	}
	return n;
}
