/* jobs.h - a worker's share of a workload: a range of CPU units and a range
 * of I/O units, run the way a Python thread runs them under a GIL. Used by
 * every model (a serial run is one job; a process runs one job, GIL-less). */
#ifndef GS_JOBS_H
#define GS_JOBS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "gil.h"
#include "models.h"

struct job {
	const struct wl_spec *spec;
	struct gil *gil; /* NULL: no GIL */
	int worker;
	uint64_t cpu_from, cpu_to; /* [from, to) */
	uint64_t io_from, io_to;
	uint64_t cpu_done, io_done;
	/* mixed workload: an I/O job runs units from io_from until no CPU job
	 * is left (*cpu_left, shared by the model; at least one unit), a CPU
	 * job counts itself out when done. NULL: fixed ranges. */
	bool io_until_cpu_done;
	atomic_int *cpu_left;
	/* shared workload: the lock the threads share and the data it guards
	 * (NULL: a process's own copy, no lock) */
	pthread_mutex_t *lock;
	uint64_t *shared_sum;
	struct gs_hist io_latency;
	char error[160];
};

/* Split n units among `workers`: worker w gets [*from, *to). */
void job_split(uint64_t n, unsigned workers, unsigned w, uint64_t *from, uint64_t *to);
/* The share of worker i of n: every worker a share of each kind, except in a
 * mixed workload with several workers, where the first half compute and the
 * rest do I/O for as long as the computing runs (io_until_cpu_done). *cpu
 * tells whether the job starts with CPU units. */
void job_plan(const struct wl_spec *s, unsigned n, unsigned i, struct job *j, bool *cpu);
/* Holds the GIL while computing, checking for drop requests every tick
 * (cpu-release: releases it around each library call; shared: ends each unit
 * under the shared lock, waiting for it without the GIL as CPython's
 * Lock.acquire does). */
int job_run_cpu(struct job *j);
/* Releases the GIL around each blocking call, as Py_BEGIN_ALLOW_THREADS does;
 * a unit's latency runs until the worker holds the GIL again. */
int job_run_io(struct job *j);

#endif
