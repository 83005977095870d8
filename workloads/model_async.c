/*
 * model_async.c - async and async-pool: ONE thread runs an io_uring event
 * loop over many lightweight tasks (state machines, no thread per task).
 *
 * A task is a small struct (its unit, when it began, a queue link): tens of
 * thousands cost little. The tasks share a bounded pool of I/O channels, as
 * an asyncio program shares a client's connection pool: a channel is a
 * connection to the peer with its message buffer and one file-read buffer
 * (registered with the ring when the kernel lets us). A task with a unit
 * takes a free channel, or waits in line for one; on the channel it sends
 * the request, receives the answer and reads the data file, each step a
 * submission. CPU units run on the loop itself (async: while one runs,
 * nothing else does) or go to a process pool (async-pool, async_pool.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "async_loop.h"
#include "hist.h"
#include "work.h"

#define DEFAULT_TASKS 16
#define MAX_CHANS 256    /* connections to the peer, shared by every task */
#define RING_ENTRIES 512 /* at most MAX_CHANS requests and 2 per pool worker in flight */

enum io_step { STEP_SEND, STEP_RECV, STEP_READ };

/* A task: what it costs is what a coroutine of many costs */
struct io_task {
	uint64_t unit, t0;
	uint32_t next; /* in the line for a channel: the next task (index + 1) */
};

struct io_chan {
	int sock;
	uint8_t step;
	uint32_t task;    /* the task on it (index) */
	uint32_t done;    /* bytes of the current send or receive */
	uint32_t next_free;
	char msg[WORK_MSG_SIZE];
};

struct io_uring_sqe *loop_sqe(struct loop *l)
{
	struct io_uring_sqe *e = io_uring_get_sqe(&l->ring);

	if (!e) { /* full: hand what is queued to the kernel and retry */
		io_uring_submit(&l->ring);
		e = io_uring_get_sqe(&l->ring);
	}
	return e;
}

void loop_fail(struct loop *l, const char *what)
{
	if (!l->failed)
		snprintf(l->out->error, sizeof(l->out->error), "async: %s", what);
	l->failed = true;
}

static void chan_submit(struct loop *l, struct io_chan *c)
{
	struct io_uring_sqe *e = loop_sqe(l);
	uint32_t i = (uint32_t)(c - l->chans);

	switch (c->step) {
	case STEP_SEND:
		io_uring_prep_send(e, c->sock, c->msg + c->done, sizeof(c->msg) - c->done, 0);
		break;
	case STEP_RECV:
		io_uring_prep_recv(e, c->sock, c->msg + c->done, sizeof(c->msg) - c->done, 0);
		break;
	case STEP_READ:
		if (l->fixed)
			io_uring_prep_read_fixed(e, l->data_fd, l->bufs[i], WORK_FILE_READ,
						 (l->tasks[c->task].unit % 16) * WORK_FILE_READ, 0);
		else
			io_uring_prep_read(e, l->data_fd, l->bufs[i], WORK_FILE_READ,
					   (l->tasks[c->task].unit % 16) * WORK_FILE_READ);
		break;
	}
	io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)c | TAG_CHAN);
}

/* Task t (index) starts its unit on channel c. */
static void chan_start(struct loop *l, struct io_chan *c, uint32_t t)
{
	c->task = t;
	c->step = STEP_SEND;
	c->done = 0;
	memset(c->msg, 0, sizeof(c->msg));
	memcpy(c->msg, &l->tasks[t].unit, sizeof(l->tasks[t].unit));
	chan_submit(l, c);
}

/* Give task t its next I/O unit, if any is left; it starts on a free
 * channel or waits in line. Its latency counts from here. */
static void task_next(struct loop *l, uint32_t t)
{
	struct io_task *k = &l->tasks[t];

	if (l->io_until_cpu ? l->cpu_done >= l->cpu_total && l->io_done > 0 :
			      l->io_next >= l->io_total) {
		l->idle++;
		return;
	}
	k->unit = l->io_next++;
	k->t0 = gil_now_ns();
	k->next = 0;
	if (l->free_chan) {
		struct io_chan *c = &l->chans[l->free_chan - 1];

		l->free_chan = c->next_free;
		chan_start(l, c, t);
	} else if (l->wait_tail) {
		l->tasks[l->wait_tail - 1].next = t + 1;
		l->wait_tail = t + 1;
	} else {
		l->wait_head = l->wait_tail = t + 1;
	}
}

/* c's unit is done: the first task in line gets c, then its task its next unit */
static void chan_done(struct loop *l, struct io_chan *c)
{
	uint32_t t = c->task;

	hist_add_value(&l->out->io_latency, gil_now_ns() - l->tasks[t].t0);
	l->io_done++;
	if (l->wait_head) {
		uint32_t w = l->wait_head - 1;

		l->wait_head = l->tasks[w].next;
		if (!l->wait_head)
			l->wait_tail = 0;
		chan_start(l, c, w);
	} else {
		c->next_free = l->free_chan;
		l->free_chan = (uint32_t)(c - l->chans) + 1;
	}
	task_next(l, t);
}

static void chan_event(struct loop *l, struct io_chan *c, int res)
{
	if (res < 0 || (res == 0 && c->step != STEP_READ))
		return loop_fail(l, "an I/O step failed");
	switch (c->step) {
	case STEP_SEND:
		c->done += (uint32_t)res;
		if (c->done >= sizeof(c->msg)) {
			c->step = STEP_RECV;
			c->done = 0;
		}
		return chan_submit(l, c);
	case STEP_RECV:
		c->done += (uint32_t)res;
		if (c->done < sizeof(c->msg))
			return chan_submit(l, c);
		if (memcmp(c->msg, &l->tasks[c->task].unit, sizeof(uint64_t)))
			return loop_fail(l, "the peer answered the wrong request");
		if (l->data_fd < 0) /* a zero-latency peer: the bare echo */
			return chan_done(l, c);
		c->step = STEP_READ;
		return chan_submit(l, c);
	case STEP_READ:
		if (res != WORK_FILE_READ)
			return loop_fail(l, "a file read came back short");
		return chan_done(l, c);
	}
}

/* ---- the loop ----------------------------------------------------------- */

static void handle(struct loop *l, struct io_uring_cqe *c)
{
	uint64_t ud = io_uring_cqe_get_data64(c);
	unsigned tag = (unsigned)(ud & TAG_MASK);
	void *p = (void *)(uintptr_t)(ud & ~(uint64_t)TAG_MASK);

	if (tag == TAG_CHAN)
		chan_event(l, p, c->res);
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
		loop_fail(l, "a CPU unit computed a wrong result");
		return -1;
	}
	l->cpu_done++;
	return 0;
}

/* Make the tasks and the channels' buffers, every byte touched as a running
 * program touches it; register the file buffers with the ring (fixed
 * buffers: no page pinning per read). */
static int make_tasks(struct loop *l)
{
	l->tasks = malloc((size_t)l->ntasks * sizeof(*l->tasks));
	l->chans = malloc((size_t)l->nchans * sizeof(*l->chans));
	if (!l->tasks || !l->chans)
		return -1;
	for (unsigned i = 0; i < l->ntasks; i++)
		l->tasks[i] = (struct io_task){ 0 };
	for (unsigned i = 0; i < l->nchans; i++) {
		l->chans[i] = (struct io_chan){ .sock = -1 };
		l->chans[i].next_free = l->free_chan;
		l->free_chan = i + 1;
	}
	if (l->data_fd >= 0) {
		struct iovec v;

		l->bufs = aligned_alloc(4096, (size_t)l->nchans * WORK_FILE_READ);
		if (!l->bufs)
			return -1;
		memset(l->bufs, 0, (size_t)l->nchans * WORK_FILE_READ);
		v = (struct iovec){ l->bufs, (size_t)l->nchans * WORK_FILE_READ };
		l->fixed = io_uring_register_buffers(&l->ring, &v, 1) == 0;
	}
	return 0;
}

/* The I/O tasks of io and mixed, with their channels connected to the peer. */
static int start_tasks(struct loop *l)
{
	const struct wl_spec *s = l->s;
	uint64_t rss0, c0;

	l->ntasks = s->tasks ? s->tasks : DEFAULT_TASKS; /* in flight, in io and mixed */
	if (!l->io_until_cpu && l->ntasks > l->io_total)
		l->ntasks = (unsigned)l->io_total;
	l->nchans = l->ntasks < MAX_CHANS ? l->ntasks : MAX_CHANS;
	if (s->data_file && (l->data_fd = open(s->data_file, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	rss0 = wl_rss_bytes(getpid());
	c0 = gil_now_ns();
	if (make_tasks(l))
		return -1;
	/* async-pool with CPU work: its workers are the pool, measured there */
	if (s->model == WL_ASYNC || !l->cpu_total) {
		uint64_t rss1 = wl_rss_bytes(getpid());

		l->out->startup_ns_per_worker = (gil_now_ns() - c0) / l->ntasks;
		l->out->rss_bytes_per_worker = rss1 > rss0 ? (rss1 - rss0) / l->ntasks : 0;
	}
	for (; l->nconnected < l->nchans; l->nconnected++)
		if ((l->chans[l->nconnected].sock = work_connect(s->peer_port)) < 0)
			return -1;
	return 0;
}

/* After the ring is gone: nothing can still write into the buffers. */
static void free_tasks(struct loop *l)
{
	for (unsigned i = 0; i < l->nconnected; i++)
		close(l->chans[i].sock);
	free(l->bufs);
	free(l->chans);
	free(l->tasks);
	if (l->data_fd >= 0)
		close(l->data_fd);
}

int model_async(const struct wl_spec *s, struct wl_result *out)
{
	struct loop l = { .s = s, .out = out, .data_fd = -1 };
	uint64_t t0;
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
		loop_fail(&l, "cannot start the process pool");
		goto out;
	}
	if (l.io_total && start_tasks(&l)) {
		loop_fail(&l, "cannot reach the I/O peer or the data file");
		goto out;
	} else if (!l.io_total && s->model == WL_ASYNC) {
		/* CPU-only: each unit is a task the loop runs in turn; making one
		 * costs next to nothing, and so does its memory */
		out->startup_ns_per_worker = 0;
		out->rss_bytes_per_worker = 0;
	}

	t0 = gil_now_ns();
	for (unsigned i = 0; i < l.ntasks; i++)
		task_next(&l, i);
	if (l.npool)
		pool_dispatch(&l);
	while (!l.failed && (l.idle < l.ntasks || l.cpu_done < l.cpu_total)) {
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
	if (l.pool)
		pool_stop(&l);
	io_uring_queue_exit(&l.ring); /* unregisters the buffers too */
	free_tasks(&l);
	return l.failed ? -1 : 0;
}
