/*
 * model_async.c - async and async-pool: ONE thread runs an io_uring event
 * loop over many lightweight tasks (state machines, no thread per task).
 * I/O tasks send a request, receive the answer and read the data file, each
 * step a submission. CPU units run on the loop itself (async: while one runs,
 * nothing else does) or are handed to a pool of forked processes through
 * pipes, also driven by the ring (async-pool).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hist.h"
#include "jobs.h"
#include "models.h"
#include "work.h"

#define DEFAULT_TASKS 16
#define RING_ENTRIES 256

enum io_step { STEP_SEND, STEP_RECV, STEP_READ };

struct io_task {
	int sock;
	enum io_step step;
	uint64_t unit, t0;
	size_t done; /* bytes of the current send or receive */
	char msg[WORK_MSG_SIZE];
	char data[WORK_FILE_READ];
};

struct pool_worker {
	pid_t pid;
	int req, res;    /* pipes: units to it, results from it */
	bool busy;
	uint64_t out[2]; /* the (unit, result) being read */
	uint64_t unit;   /* the unit being written */
};

/* user_data: an io_task or pool_worker pointer, tagged in its low bits */
#define TAG_TASK 0u
#define TAG_POOL_WRITE 1u
#define TAG_POOL_READ 2u
#define TAG_MASK 3u

struct loop {
	const struct wl_spec *s;
	struct io_uring ring;
	int data_fd;
	uint64_t io_total, io_next, io_done;
	uint64_t cpu_total, cpu_next, cpu_done;
	bool io_until_cpu;  /* mixed: I/O for as long as the CPU work runs */
	unsigned idle;      /* tasks with no unit left */
	struct pool_worker *pool;
	unsigned npool;
	struct wl_result *out;
	bool failed;
};

static struct io_uring_sqe *sqe(struct loop *l)
{
	struct io_uring_sqe *e = io_uring_get_sqe(&l->ring);

	if (!e) { /* full: hand what is queued to the kernel and retry */
		io_uring_submit(&l->ring);
		e = io_uring_get_sqe(&l->ring);
	}
	return e;
}

static void fail(struct loop *l, const char *what)
{
	if (!l->failed)
		snprintf(l->out->error, sizeof(l->out->error), "async: %s", what);
	l->failed = true;
}

static void task_send(struct loop *l, struct io_task *t)
{
	struct io_uring_sqe *e = sqe(l);

	io_uring_prep_send(e, t->sock, t->msg + t->done, sizeof(t->msg) - t->done, 0);
	io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)t | TAG_TASK);
}

static void task_recv(struct loop *l, struct io_task *t)
{
	struct io_uring_sqe *e = sqe(l);

	io_uring_prep_recv(e, t->sock, t->msg + t->done, sizeof(t->msg) - t->done, 0);
	io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)t | TAG_TASK);
}

/* Give the task its next I/O unit, if any is left. */
static void task_next(struct loop *l, struct io_task *t)
{
	if (l->io_until_cpu ? l->cpu_done >= l->cpu_total && l->io_done > 0 :
			      l->io_next >= l->io_total) {
		l->idle++;
		return;
	}
	t->unit = l->io_next++;
	t->t0 = gil_now_ns();
	t->step = STEP_SEND;
	t->done = 0;
	memset(t->msg, 0, sizeof(t->msg));
	memcpy(t->msg, &t->unit, sizeof(t->unit));
	task_send(l, t);
}

static void task_event(struct loop *l, struct io_task *t, int res)
{
	struct io_uring_sqe *e;

	if (res < 0 || (res == 0 && t->step != STEP_READ)) {
		fail(l, "an I/O step failed");
		return;
	}
	switch (t->step) {
	case STEP_SEND:
		t->done += (size_t)res;
		if (t->done < sizeof(t->msg))
			return task_send(l, t);
		t->step = STEP_RECV;
		t->done = 0;
		return task_recv(l, t);
	case STEP_RECV:
		t->done += (size_t)res;
		if (t->done < sizeof(t->msg))
			return task_recv(l, t);
		if (memcmp(t->msg, &t->unit, sizeof(t->unit)))
			return fail(l, "the peer answered the wrong request");
		if (l->data_fd < 0) /* a zero-latency peer: the bare echo */
			goto unit_done;
		t->step = STEP_READ;
		e = sqe(l);
		io_uring_prep_read(e, l->data_fd, t->data, sizeof(t->data),
				   (t->unit % 16) * WORK_FILE_READ);
		io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)t | TAG_TASK);
		return;
	case STEP_READ:
		if (res != (int)sizeof(t->data))
			return fail(l, "a file read came back short");
unit_done:
		hist_add_value(&l->out->io_latency, gil_now_ns() - t->t0);
		l->io_done++;
		task_next(l, t);
		return;
	}
}

/* ---- the process pool of async-pool ------------------------------------ */

static void pool_worker_main(int req, int res, int ready)
{
	uint64_t unit, msg[2], start = gil_now_ns();

	prctl(PR_SET_NAME, "pool-worker");
	if (write(ready, &start, sizeof(start)) != sizeof(start))
		_exit(2);
	close(ready);
	while (read(req, &unit, sizeof(unit)) == sizeof(unit)) {
		uint64_t s = work_unit_start(unit);

		for (int t = 0; t < WORK_TICKS_PER_UNIT; t++)
			s = work_tick(s);
		msg[0] = unit;
		msg[1] = s;
		if (write(res, msg, sizeof(msg)) != sizeof(msg))
			_exit(3);
	}
	_exit(0);
}

static int pool_start(struct loop *l, unsigned n)
{
	uint64_t startup = 0, mem = 0;

	l->pool = calloc(n, sizeof(*l->pool));
	if (!l->pool)
		return -1;
	l->npool = n;
	for (unsigned i = 0; i < n; i++) {
		int rq[2], rs[2], rd[2];
		uint64_t created = gil_now_ns(), started;

		if (pipe2(rq, O_CLOEXEC) || pipe2(rs, O_CLOEXEC) || pipe(rd))
			return -1;
		l->pool[i].pid = fork();
		if (l->pool[i].pid < 0)
			return -1;
		if (l->pool[i].pid == 0) {
			close(rq[1]);
			close(rs[0]);
			close(rd[0]);
			for (unsigned k = 0; k < i; k++) { /* the earlier workers' pipes */
				close(l->pool[k].req);
				close(l->pool[k].res);
			}
			pool_worker_main(rq[0], rs[1], rd[1]);
		}
		close(rq[0]);
		close(rs[1]);
		close(rd[1]);
		if (read(rd[0], &started, sizeof(started)) != sizeof(started))
			return -1;
		close(rd[0]);
		startup += started - created;
		l->pool[i].req = rq[1];
		l->pool[i].res = rs[0];
	}
	for (unsigned i = 0; i < n; i++)
		mem += wl_pss_bytes(l->pool[i].pid);
	l->out->startup_ns_per_worker = startup / n;
	l->out->rss_bytes_per_worker = mem / n;
	return 0;
}

/* Hand the next CPU unit to every idle pool worker. */
static void pool_dispatch(struct loop *l)
{
	for (unsigned i = 0; i < l->npool && l->cpu_next < l->cpu_total; i++) {
		struct pool_worker *w = &l->pool[i];
		struct io_uring_sqe *e;

		if (w->busy)
			continue;
		w->busy = true;
		w->unit = l->cpu_next++;
		e = sqe(l);
		io_uring_prep_write(e, w->req, &w->unit, sizeof(w->unit), 0);
		io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)w | TAG_POOL_WRITE);
		e = sqe(l);
		io_uring_prep_read(e, w->res, w->out, sizeof(w->out), 0);
		io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)w | TAG_POOL_READ);
	}
}

static void pool_event(struct loop *l, struct pool_worker *w, unsigned tag, int res)
{
	if (tag == TAG_POOL_WRITE) {
		if (res != (int)sizeof(w->unit))
			fail(l, "cannot hand a unit to the pool");
		return;
	}
	if (res != (int)sizeof(w->out) || !work_unit_check(w->out[0], w->out[1]))
		return fail(l, "a pool worker returned a wrong result");
	l->cpu_done++;
	w->busy = false;
	pool_dispatch(l);
}

static void pool_stop(struct loop *l)
{
	for (unsigned i = 0; i < l->npool; i++) {
		close(l->pool[i].req); /* EOF: the worker exits */
		close(l->pool[i].res);
	}
	for (unsigned i = 0; i < l->npool; i++)
		if (l->pool[i].pid > 0)
			waitpid(l->pool[i].pid, NULL, 0);
	free(l->pool);
}

/* ---- the loop ----------------------------------------------------------- */

static void handle(struct loop *l, struct io_uring_cqe *c)
{
	uint64_t ud = io_uring_cqe_get_data64(c);
	unsigned tag = (unsigned)(ud & TAG_MASK);
	void *p = (void *)(uintptr_t)(ud & ~(uint64_t)TAG_MASK);

	if (tag == TAG_TASK)
		task_event(l, p, c->res);
	else
		pool_event(l, p, tag, c->res);
}

/* Process every completion there is; wait for one when `wait`. */
static void drain(struct loop *l, bool wait)
{
	struct io_uring_cqe *c;
	unsigned head, n = 0;

	if (wait)
		io_uring_submit_and_wait(&l->ring, 1);
	else
		io_uring_submit(&l->ring);
	io_uring_for_each_cqe(&l->ring, head, c) {
		handle(l, c);
		n++;
	}
	io_uring_cq_advance(&l->ring, n);
}

static int run_cpu_inline(struct loop *l)
{
	uint64_t u = l->cpu_next++, s = work_unit_start(u);

	for (int t = 0; t < WORK_TICKS_PER_UNIT; t++)
		s = work_tick(s);
	if (!work_unit_check(u, s)) {
		fail(l, "a CPU unit computed a wrong result");
		return -1;
	}
	l->cpu_done++;
	return 0;
}

int model_async(const struct wl_spec *s, struct wl_result *out)
{
	struct loop l = { .s = s, .out = out, .data_fd = -1 };
	unsigned ntasks = 0, connected = 0;
	struct io_task *tasks = NULL;
	uint64_t rss0, t0, c0;
	int e;

	l.io_total = s->kind == WL_CPU ? 0 : s->io_units;
	l.cpu_total = s->kind == WL_IO ? 0 : s->cpu_units;
	l.io_until_cpu = wl_is_mixed(s->kind) && wl_concurrency(s) > 1 && l.cpu_total;
	e = io_uring_queue_init(RING_ENTRIES, &l.ring, 0);
	if (e) {
		snprintf(out->error, sizeof(out->error), "io_uring unavailable: %s", strerror(-e));
		return -1;
	}
	if (s->model == WL_ASYNC_POOL && l.cpu_total && pool_start(&l, s->workers)) {
		fail(&l, "cannot start the process pool");
		goto out;
	}
	if (l.io_total) {
		ntasks = s->tasks ? s->tasks : DEFAULT_TASKS; /* in flight, in io and mixed */
		if (!l.io_until_cpu && ntasks > l.io_total)
			ntasks = (unsigned)l.io_total;
		if (s->data_file)
			l.data_fd = open(s->data_file, O_RDONLY | O_CLOEXEC);
		/* a task is a small struct with its buffers: what it costs to make one */
		rss0 = wl_rss_bytes(getpid());
		c0 = gil_now_ns();
		tasks = calloc(ntasks, sizeof(*tasks));
		for (unsigned i = 0; tasks && i < ntasks; i++)
			memset(&tasks[i], 0, sizeof(tasks[i]));
		if (s->model == WL_ASYNC || !l.cpu_total) {
			out->startup_ns_per_worker = ntasks ? (gil_now_ns() - c0) / ntasks : 0;
			out->rss_bytes_per_worker = ntasks ? (wl_rss_bytes(getpid()) - rss0) / ntasks : 0;
		}
		for (connected = 0; tasks && connected < ntasks; connected++)
			if ((tasks[connected].sock = work_connect(s->peer_port)) < 0)
				break;
		if (!tasks || (s->data_file && l.data_fd < 0) || connected < ntasks) {
			fail(&l, "cannot reach the I/O peer or the data file");
			goto out;
		}
	} else if (s->model == WL_ASYNC) {
		/* CPU-only: each unit is a task the loop runs in turn; making one
		 * costs next to nothing, and so does its memory */
		out->startup_ns_per_worker = 0;
		out->rss_bytes_per_worker = 0;
	}

	t0 = gil_now_ns();
	for (unsigned i = 0; i < ntasks; i++)
		task_next(&l, &tasks[i]);
	if (l.npool)
		pool_dispatch(&l);
	while (!l.failed && (l.idle < ntasks || l.cpu_done < l.cpu_total)) {
		if (!l.npool && l.cpu_next < l.cpu_total) {
			/* the loop itself computes: nothing else runs meanwhile */
			if (run_cpu_inline(&l))
				break;
			drain(&l, false);
		} else {
			drain(&l, true);
		}
	}
	out->wall_s = (double)(gil_now_ns() - t0) / 1e9;
	out->io_units = l.io_done;
	out->cpu_units = l.cpu_done;
out:
	for (unsigned i = 0; tasks && i < connected; i++)
		close(tasks[i].sock);
	free(tasks);
	if (l.npool)
		pool_stop(&l);
	if (l.data_fd >= 0)
		close(l.data_fd);
	io_uring_queue_exit(&l.ring);
	return l.failed ? -1 : 0;
}
