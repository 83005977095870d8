/* jobs.c - run a worker's CPU and I/O units (see jobs.h). */
#include "jobs.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "hist.h"
#include "work.h"

void job_split(uint64_t n, unsigned workers, unsigned w, uint64_t *from, uint64_t *to)
{
	*from = n * w / workers;
	*to = n * (w + 1) / workers;
}

void job_plan(const struct wl_spec *s, unsigned n, unsigned i, struct job *j, bool *cpu)
{
	bool split = s->kind == WL_MIXED && n > 1;
	unsigned ncpu = split ? (n + 1) / 2 : n, nio = split ? n - ncpu : n;
	uint64_t cpu_units = s->kind == WL_IO ? 0 : s->cpu_units;
	uint64_t io_units = s->kind == WL_CPU ? 0 : s->io_units;

	j->cpu_from = j->cpu_to = j->io_from = j->io_to = 0;
	if (!split) {
		*cpu = s->kind != WL_IO;
		job_split(cpu_units, n, i, &j->cpu_from, &j->cpu_to);
		job_split(io_units, n, i, &j->io_from, &j->io_to);
	} else if (i < ncpu) {
		*cpu = true;
		job_split(cpu_units, ncpu, i, &j->cpu_from, &j->cpu_to);
	} else {
		*cpu = false;
		job_split(io_units, nio, i - ncpu, &j->io_from, &j->io_to);
	}
}

static void acquire(struct job *j)
{
	if (j->gil)
		gil_acquire(j->gil, j->worker);
}

static void release(struct job *j)
{
	if (j->gil)
		gil_release(j->gil, j->worker);
}

int job_run_cpu(struct job *j)
{
	acquire(j);
	for (uint64_t u = j->cpu_from; u < j->cpu_to; u++) {
		uint64_t s = work_unit_start(u);

		for (int t = 0; t < WORK_TICKS_PER_UNIT; t++) {
			s = work_tick(s);
			if (j->gil)
				gil_tick(j->gil, j->worker);
		}
		if (!work_unit_check(u, s)) {
			snprintf(j->error, sizeof(j->error), "cpu unit %llu computed a wrong result",
				 (unsigned long long)u);
			release(j);
			return -1;
		}
		j->cpu_done++;
	}
	release(j);
	return 0;
}

int job_run_io(struct job *j)
{
	int sock, data;

	if (j->io_from == j->io_to)
		return 0;
	sock = work_connect(j->spec->peer_port);
	data = open(j->spec->data_file, O_RDONLY | O_CLOEXEC);
	if (sock < 0 || data < 0) {
		snprintf(j->error, sizeof(j->error), "cannot reach the I/O peer or the data file");
		if (sock >= 0)
			close(sock);
		if (data >= 0)
			close(data);
		return -1;
	}
	acquire(j);
	for (uint64_t u = j->io_from; u < j->io_to; u++) {
		uint64_t t0 = gil_now_ns();
		int e;

		release(j);
		e = work_io_unit(sock, data, u);
		acquire(j);
		if (e) {
			snprintf(j->error, sizeof(j->error), "I/O unit %llu failed", (unsigned long long)u);
			break;
		}
		hist_add_value(&j->io_latency, gil_now_ns() - t0);
		j->io_done++;
	}
	release(j);
	close(sock);
	close(data);
	return j->error[0] ? -1 : 0;
}
