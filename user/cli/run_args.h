/* run_args.h - the command line of `gilscope run` (pure; unit-tested). */
#ifndef GS_RUN_ARGS_H
#define GS_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "models.h"

#define RUN_MAX_INTERVALS 16
/* async tasks are small structs sharing a pool of connections: up to
 * 100,000; the other models run a thread or a process per task of the io
 * workload, which stops being sensible long before */
#define RUN_MAX_TASKS 100000
#define RUN_MAX_WORKER_TASKS 256

struct run_opts {
	bool models[WL_NMODELS];
	bool kinds[WL_NKINDS];
	unsigned workers;     /* CPU parallelism; 0: online CPUs, at least 2 */
	unsigned tasks;       /* I/O concurrency */
	unsigned interval_us; /* GIL switch interval: intervals[0] */
	unsigned intervals[RUN_MAX_INTERVALS]; /* --interval-us LIST: the sweep */
	unsigned nintervals;
	enum gil_mode gil_mode;
	unsigned repeat;
	uint64_t cpu_units, io_units, mixed_io_units;
	unsigned unit_us;     /* CPU time of one unit */
	unsigned latency_us;  /* the peer's service latency */
	const char *outdir;
	unsigned formats;
	bool quiet;
	bool timeline;        /* DIR/trace-MODEL-WORKLOAD.json of the first repeat */
	const char *python;   /* --python: also run on this interpreter (NULL: no) */
	bool calibration;     /* with --python: the calibration cells and table */
	bool workers_sweep;   /* also cpu at 1, 2, ... 2 x online CPUs workers (claim C16) */
};

int run_parse_args(int argc, char **argv, struct run_opts *o, char *err, size_t errlen);
extern const char run_usage[];

#endif
