/* async_pool.c - the process pool of async-pool (see async_loop.h): CPU
 * units handed to forked workers through pipes, the pipes driven by the
 * loop's ring. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "async_loop.h"
#include "work.h"

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

int pool_start(struct loop *l, unsigned n)
{
	uint64_t startup = 0, mem = 0;

	l->pool = calloc(n, sizeof(*l->pool));
	if (!l->pool)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		int rq[2], rs[2], rd[2];
		uint64_t created = gil_now_ns(), started;

		if (pipe2(rq, O_CLOEXEC) || pipe2(rs, O_CLOEXEC) || pipe(rd))
			return -1;
		l->pool[i].pid = fork();
		if (l->pool[i].pid < 0) {
			close(rq[0]);
			close(rq[1]);
			close(rs[0]);
			close(rs[1]);
			close(rd[0]);
			close(rd[1]);
			return -1;
		}
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
		/* counted from here: pool_stop closes its pipes and reaps it */
		l->pool[i].req = rq[1];
		l->pool[i].res = rs[0];
		l->npool = i + 1;
		if (read(rd[0], &started, sizeof(started)) != sizeof(started)) {
			close(rd[0]);
			return -1;
		}
		close(rd[0]);
		startup += started - created;
	}
	for (unsigned i = 0; i < n; i++)
		mem += wl_pss_bytes(l->pool[i].pid);
	l->out->startup_ns_per_worker = startup / n;
	l->out->rss_bytes_per_worker = mem / n;
	return 0;
}

void pool_dispatch(struct loop *l)
{
	for (unsigned i = 0; i < l->npool && l->cpu_next < l->cpu_total; i++) {
		struct pool_worker *w = &l->pool[i];
		struct io_uring_sqe *e;

		if (w->busy)
			continue;
		w->busy = true;
		w->unit = l->cpu_next++;
		e = loop_sqe(l);
		io_uring_prep_write(e, w->req, &w->unit, sizeof(w->unit), 0);
		io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)w | TAG_POOL_WRITE);
		e = loop_sqe(l);
		io_uring_prep_read(e, w->res, w->out, sizeof(w->out), 0);
		io_uring_sqe_set_data64(e, (uint64_t)(uintptr_t)w | TAG_POOL_READ);
	}
}

void pool_event(struct loop *l, struct pool_worker *w, unsigned tag, int res)
{
	if (tag == TAG_POOL_WRITE) {
		if (res != (int)sizeof(w->unit))
			loop_fail(l, "cannot hand a unit to the pool");
		return;
	}
	if (res != (int)sizeof(w->out) || !work_unit_check(w->out[0], w->out[1]))
		return loop_fail(l, "a pool worker returned a wrong result");
	l->cpu_done++;
	w->busy = false;
	pool_dispatch(l);
}

void pool_stop(struct loop *l)
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
