/*
 * async_loop.h - the io_uring event loop of the async models, shared by its
 * two halves: the I/O tasks (model_async.c) and the process pool of
 * async-pool (async_pool.c).
 */
#ifndef GS_ASYNC_LOOP_H
#define GS_ASYNC_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "models.h"
#include "work.h"

struct pool_worker {
	pid_t pid;
	int req, res;    /* pipes: units to it, results from it */
	bool busy;
	uint64_t out[2]; /* the (unit, result) being read */
	uint64_t unit;   /* the unit being written */
};

struct io_task;
struct io_chan;

struct loop {
	const struct wl_spec *s;
	struct io_uring ring;
	int data_fd;
	bool fixed;         /* the channels' file buffers are registered with the ring */
	uint64_t io_total, io_next, io_done;
	uint64_t cpu_total, cpu_next, cpu_done;
	bool io_until_cpu;  /* mixed: I/O for as long as the CPU work runs */
	unsigned idle;      /* tasks with no unit left */
	struct io_task *tasks;
	unsigned ntasks;
	struct io_chan *chans;
	char (*bufs)[WORK_FILE_READ]; /* one file-read buffer per channel */
	unsigned nchans, nconnected;
	uint32_t free_chan; /* stack of idle channels (index + 1; 0: none) */
	uint32_t wait_head, wait_tail; /* tasks waiting for a channel (index + 1) */
	struct pool_worker *pool;
	unsigned npool;
	struct wl_result *out;
	bool failed;
};

/* user_data: a task channel or pool_worker pointer, tagged in its low bits */
#define TAG_CHAN 0u
#define TAG_POOL_WRITE 1u
#define TAG_POOL_READ 2u
#define TAG_MASK 3u

/* A free submission entry (submitting what is queued when the ring is full). */
struct io_uring_sqe *loop_sqe(struct loop *l);
/* The first failure wins: out->error, and the loop stops. */
void loop_fail(struct loop *l, const char *what);

/* async_pool.c: fork n workers, measure their start-up and memory. */
int pool_start(struct loop *l, unsigned n);
/* Hand the next CPU unit to every idle worker. */
void pool_dispatch(struct loop *l);
void pool_event(struct loop *l, struct pool_worker *w, unsigned tag, int res);
void pool_stop(struct loop *l);

#endif
