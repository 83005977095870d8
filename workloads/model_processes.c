/*
 * model_processes.c - one forked process per worker, each running its job on
 * one thread (a process has a GIL of its own, so none is contended). Results
 * come back through a pipe as text: the explicit, timed serialisation step
 * that multiprocessing's pickling stands for.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hist.h"
#include "jobs.h"
#include "models.h"

#define RESULT_MAX (64 * 1024)

struct ready_msg {
	uint32_t worker;
	uint64_t started_ns;
};

/* Encode a job's results as text: what pickling would do for a Python worker. */
static size_t encode(const struct job *j, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "cpu=%llu io=%llu err=%s\nlat=",
				    (unsigned long long)j->cpu_done, (unsigned long long)j->io_done,
				    j->error[0] ? "1" : "0");

	for (uint32_t i = 0; i < GS_HIST_SLOTS && n < len; i++)
		if (j->io_latency.slots[i])
			n += (size_t)snprintf(buf + n, len - n, "%u:%llu,", i,
					      (unsigned long long)j->io_latency.slots[i]);
	return n < len ? n : len - 1;
}

static int decode(const char *buf, struct job *j)
{
	unsigned long long cpu, io, count;
	const char *p;
	unsigned slot;
	int err, used;

	if (sscanf(buf, "cpu=%llu io=%llu err=%d", &cpu, &io, &err) != 3)
		return -1;
	j->cpu_done = cpu;
	j->io_done = io;
	p = strstr(buf, "lat=");
	for (p = p ? p + 4 : ""; sscanf(p, "%u:%llu,%n", &slot, &count, &used) == 2; p += used)
		if (slot < GS_HIST_SLOTS)
			j->io_latency.slots[slot] += count;
	return err ? -1 : 0;
}

static void child(const struct wl_spec *s, unsigned n, unsigned i, int ready_fd, int go_fd,
		  int result_fd, atomic_int *cpu_left)
{
	struct ready_msg r = { .worker = i, .started_ns = gil_now_ns() };
	struct job j = { .spec = s, .worker = (int)i, .cpu_left = cpu_left };
	static char buf[RESULT_MAX];
	uint64_t t0, ser;
	char go, head[64];
	bool cpu;
	size_t len;

	snprintf(head, sizeof(head), "proc-%u", i);
	prctl(PR_SET_NAME, head);
	if (write(ready_fd, &r, sizeof(r)) != sizeof(r) || read(go_fd, &go, 1) != 1)
		_exit(2);
	job_plan(s, n, i, &j, &cpu);
	if ((cpu && job_run_cpu(&j)) || ((!cpu || j.io_to > j.io_from) && job_run_io(&j)))
		fprintf(stderr, "gilscope: worker %u: %s\n", i, j.error);
	t0 = gil_now_ns();
	len = encode(&j, buf, sizeof(buf));
	ser = gil_now_ns() - t0;
	snprintf(head, sizeof(head), "ser=%llu\n", (unsigned long long)ser);
	if (write(result_fd, head, strlen(head)) < 0 || write(result_fd, buf, len) != (ssize_t)len)
		_exit(3);
	_exit(0);
}

static int read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got + 1 < len && (r = read(fd, buf + got, len - 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	buf[got] = 0;
	return 0;
}

/* A worker could not be started: end the `started` ones (parked on the go
 * pipe, whose write end they share, so it never reads end-of-file), reap
 * them and free everything. */
static int give_up(unsigned started, pid_t *pid, int *res, uint64_t *created, int ready[2],
		   int go[2])
{
	close(go[1]);
	close(go[0]);
	for (unsigned i = 0; i < started; i++) {
		close(res[i]);
		kill(pid[i], SIGKILL);
		waitpid(pid[i], NULL, 0);
	}
	close(ready[0]);
	close(ready[1]);
	free(pid);
	free(res);
	free(created);
	return -1;
}

int model_processes(const struct wl_spec *s, struct wl_result *out)
{
	unsigned n = wl_concurrency(s);
	pid_t *pid = calloc(n, sizeof(*pid));
	int *res = calloc(n, sizeof(*res));
	uint64_t *created = calloc(n, sizeof(*created)), t0, startup = 0, mem = 0, ser = 0, m0;
	static char buf[RESULT_MAX + 64];
	int ready[2], go[2], rc = 0;
	/* CPU workers still computing, shared with the I/O workers of a mixed
	 * workload (which run until it is 0) */
	atomic_int *cpu_left = mmap(NULL, sizeof(atomic_int), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (cpu_left == MAP_FAILED)
		cpu_left = NULL;
	if (cpu_left) {
		struct job j;
		bool cpu;

		atomic_init(cpu_left, 0);
		for (unsigned i = 0; i < n; i++) {
			job_plan(s, n, i, &j, &cpu);
			*cpu_left += j.cpu_to > j.cpu_from;
		}
	}
	/* the clock runs from before the forks: starting workers is part of
	 * what the model costs */
	t0 = gil_now_ns();
	if (!cpu_left || !pid || !res || !created || pipe(ready) || pipe(go)) {
		snprintf(out->error, sizeof(out->error), "cannot set up the workers");
		free(pid);
		free(res);
		free(created);
		if (cpu_left)
			munmap(cpu_left, sizeof(*cpu_left));
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		int rp[2];

		if (pipe(rp)) {
			snprintf(out->error, sizeof(out->error), "cannot start worker %u: %s", i, strerror(errno));
			return give_up(i, pid, res, created, ready, go);
		}
		created[i] = gil_now_ns();
		pid[i] = fork();
		if (pid[i] < 0) {
			snprintf(out->error, sizeof(out->error), "cannot start worker %u: %s", i, strerror(errno));
			close(rp[0]);
			close(rp[1]);
			return give_up(i, pid, res, created, ready, go);
		}
		if (pid[i] == 0) {
			close(rp[0]);
			child(s, n, i, ready[1], go[0], rp[1], cpu_left);
		}
		close(rp[1]);
		res[i] = rp[0];
	}
	for (unsigned i = 0; i < n; i++) {
		struct ready_msg r;

		if (read(ready[0], &r, sizeof(r)) != sizeof(r) || r.worker >= n) {
			rc = -1;
			break;
		}
		startup += r.started_ns - created[r.worker];
	}
	out->pool_startup_ns = gil_now_ns() - t0;
	/* all parked: what each costs in memory (its proportional set); the
	 * measuring is not the model's time */
	m0 = gil_now_ns();
	for (unsigned i = 0; i < n; i++)
		mem += wl_pss_bytes(pid[i]);
	t0 += gil_now_ns() - m0;
	for (unsigned i = 0; i < n; i++)
		if (write(go[1], "g", 1) != 1)
			rc = -1;
	for (unsigned i = 0; i < n; i++) {
		struct job j = { 0 };
		unsigned long long child_ser = 0;
		uint64_t d0;
		char *body;

		if (read_all(res[i], buf, sizeof(buf)) || sscanf(buf, "ser=%llu", &child_ser) != 1 ||
		    !(body = strchr(buf, '\n'))) {
			rc = -1;
			snprintf(out->error, sizeof(out->error), "worker %u sent no result", i);
			continue;
		}
		d0 = gil_now_ns();
		if (decode(body + 1, &j)) {
			rc = -1;
			snprintf(out->error, sizeof(out->error), "worker %u failed its units", i);
		}
		ser += child_ser + (gil_now_ns() - d0);
		out->cpu_units += j.cpu_done;
		out->io_units += j.io_done;
		hist_merge(&out->io_latency, &j.io_latency);
		close(res[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		int st;

		waitpid(pid[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			rc = -1;
			snprintf(out->error, sizeof(out->error), "worker %u died", i);
		}
	}
	out->wall_s = (double)(gil_now_ns() - t0) / 1e9;
	out->startup_ns_per_worker = startup / n;
	out->rss_bytes_per_worker = mem / n;
	out->serialise_ns = ser / n;
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	free(pid);
	free(res);
	free(created);
	munmap(cpu_left, sizeof(*cpu_left));
	return rc;
}
