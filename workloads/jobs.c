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

bool wl_is_mixed(enum wl_kind k)
{
	return k == WL_MIXED || k == WL_MIXED_ECHO;
}

void job_plan(const struct wl_spec *s, unsigned n, unsigned i, struct job *j, bool *cpu)
{
	bool split = wl_is_mixed(s->kind) && n > 1;
	unsigned ncpu = split ? (n + 1) / 2 : n;
	uint64_t cpu_units = wl_is_io_only(s->kind) ? 0 : s->cpu_units;
	uint64_t io_units = wl_is_cpu_only(s->kind) ? 0 : s->io_units;

	j->cpu_from = j->cpu_to = j->io_from = j->io_to = 0;
	j->io_until_cpu_done = false;
	if (!split) {
		*cpu = !wl_is_io_only(s->kind);
		job_split(cpu_units, n, i, &j->cpu_from, &j->cpu_to);
		job_split(io_units, n, i, &j->io_from, &j->io_to);
	} else if (i < ncpu) {
		*cpu = true;
		job_split(cpu_units, ncpu, i, &j->cpu_from, &j->cpu_to);
	} else {
		/* units numbered apart per worker, for as long as the CPU runs */
		*cpu = false;
		j->io_until_cpu_done = true;
		j->io_from = j->io_to = (uint64_t)i << 32;
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

/* Bytecode of an I/O step, under the GIL, polling the drop request. */
static void interp(struct job *j, int ticks)
{
	uint64_t s = (uint64_t)j->worker;

	for (int t = 0; t < ticks; t++) {
		s = work_tick(s);
		if (j->gil)
			gil_tick(j->gil, j->worker);
	}
	__asm__ volatile("" : : "r"(s));
}

/* One GIL-releasing unit: each library call between a release and a
 * re-take, with the interpreter's own step between calls. */
static bool release_unit(struct job *j, uint64_t u)
{
	uint32_t c = work_release_seed(u);

	for (uint32_t i = 0; i < work_release_calls; i++) {
		interp(j, 1);
		release(j);
		c = work_release_step(c);
		acquire(j);
	}
	return work_release_check(u, c);
}

/* Take the shared lock as CPython's Lock.acquire does: try, and when it is
 * held, wait for it with the GIL released. */
static void lock_shared(struct job *j)
{
	if (!pthread_mutex_trylock(j->lock))
		return;
	release(j);
	pthread_mutex_lock(j->lock);
	acquire(j);
}

int job_run_cpu(struct job *j)
{
	bool shared = j->spec->kind == WL_SHARED && j->lock;
	int rc = 0;

	acquire(j);
	for (uint64_t u = j->cpu_from; u < j->cpu_to; u++) {
		uint64_t s = work_unit_start(u);
		bool ok;

		if (j->spec->kind == WL_CPU_RELEASE) {
			ok = release_unit(j, u);
			goto checked;
		}
		for (int t = 0; t < WORK_TICKS_PER_UNIT; t++) {
			/* the end of a shared unit updates the shared data */
			if (shared && t == WORK_SHARED_FROM_TICK)
				lock_shared(j);
			s = work_tick(s);
			if (j->gil)
				gil_tick(j->gil, j->worker);
		}
		if (shared) {
			*j->shared_sum += s;
			pthread_mutex_unlock(j->lock);
		}
		ok = work_unit_check(u, s);
checked:
		if (!ok) {
			snprintf(j->error, sizeof(j->error), "cpu unit %llu computed a wrong result",
				 (unsigned long long)u);
			rc = -1;
			break;
		}
		j->cpu_done++;
	}
	release(j);
	if (j->cpu_left && j->cpu_to > j->cpu_from)
		atomic_fetch_sub(j->cpu_left, 1);
	return rc;
}

static bool more_io(const struct job *j, uint64_t u)
{
	if (!j->io_until_cpu_done)
		return u < j->io_to;
	return u == j->io_from || (j->cpu_left && atomic_load(j->cpu_left) > 0);
}

/* One unit: each blocking call between a release and a re-take of the GIL,
 * with the interpreter's own work around it. */
static int io_unit(struct job *j, int sock, int data, uint64_t u)
{
	int e;

	interp(j, WORK_IO_STEP_TICKS);
	release(j);
	e = work_send(sock, u);
	acquire(j);
	if (e)
		return e;
	interp(j, WORK_IO_STEP_TICKS);
	release(j);
	e = work_recv(sock, u);
	acquire(j);
	if (e || data < 0)
		return e;
	interp(j, WORK_IO_STEP_TICKS);
	release(j);
	e = work_read(data, u);
	acquire(j);
	return e;
}

int job_run_io(struct job *j)
{
	int sock, data = -1;

	if (!j->io_until_cpu_done && j->io_from == j->io_to)
		return 0;
	sock = work_connect(j->spec->peer_port);
	if (j->spec->data_file)
		data = open(j->spec->data_file, O_RDONLY | O_CLOEXEC);
	if (sock < 0 || (j->spec->data_file && data < 0)) {
		snprintf(j->error, sizeof(j->error), "cannot reach the I/O peer or the data file");
		if (sock >= 0)
			close(sock);
		if (data >= 0)
			close(data);
		return -1;
	}
	acquire(j);
	for (uint64_t u = j->io_from; more_io(j, u); u++) {
		uint64_t t0 = gil_now_ns();

		if (io_unit(j, sock, data, u)) {
			snprintf(j->error, sizeof(j->error), "I/O unit %llu failed", (unsigned long long)u);
			break;
		}
		hist_add_value(&j->io_latency, gil_now_ns() - t0);
		j->io_done++;
	}
	release(j);
	close(sock);
	if (data >= 0)
		close(data);
	return j->error[0] ? -1 : 0;
}
