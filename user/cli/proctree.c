/* proctree.c - process ancestry from /proc (see proctree.h). */
#include "proctree.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t proc_parent(pid_t pid, bool *zombie)
{
	char path[64], buf[512], *p, state = 0;
	int ppid = 0;
	FILE *f;

	if (zombie)
		*zombie = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* "pid (comm) S ppid ...": comm may hold anything, so from the last ')' */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 1, " %c %d", &state, &ppid);
	fclose(f);
	if (zombie)
		*zombie = state == 'Z' || state == 'X';
	return ppid;
}

bool proc_is_self_or_ancestor(pid_t pid)
{
	for (pid_t p = getpid(); p > 0; p = proc_parent(p, NULL))
		if (p == pid)
			return true;
	return false;
}

static bool below(pid_t pid, pid_t root)
{
	for (int depth = 0; pid > 1 && depth < 4096; depth++) {
		pid = proc_parent(pid, NULL);
		if (pid == root)
			return true;
	}
	return false;
}

/* Is pid in the first n entries of done? */
static bool seen(const pid_t *done, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (done[i] == pid)
			return true;
	return false;
}

int proc_signal_descendants(pid_t root, int sig)
{
	size_t n = 0, cap = 0;
	pid_t *done = NULL;
	bool grew = true;

	/* a process may fork while we scan: scan again until nothing is new */
	for (int round = 0; grew && round < 16; round++) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		grew = false;
		if (!d)
			break;
		while ((de = readdir(d))) {
			pid_t pid = atoi(de->d_name);
			bool zombie;

			if (pid <= 1 || pid == root || seen(done, n, pid))
				continue;
			proc_parent(pid, &zombie);
			if (zombie || !below(pid, root))
				continue;
			if (n == cap) {
				pid_t *m = realloc(done, (cap = cap ? 2 * cap : 64) * sizeof(*m));

				if (!m)
					break;
				done = m;
			}
			done[n++] = pid;
			kill(pid, sig);
			grew = true;
		}
		closedir(d);
	}
	free(done);
	return (int)n;
}
