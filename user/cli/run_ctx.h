/*
 * run_ctx.h - what the pieces of `gilscope run` share: the options, the
 * tracer, the peers, the interpreter of --python, and one traced cell.
 */
#ifndef GS_RUN_CTX_H
#define GS_RUN_CTX_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "models.h"
#include "peer.h"
#include "py_gil.h"
#include "py_target.h"
#include "pyrun.h"
#include "run_build.h"
#include "run_args.h"
#include "tracer.h"

enum run_rt { RT_SIM, RT_REAL, RT_N };

#define RUN_MAX_GIL_RANGES 8

struct run_ctx {
	const struct run_opts *o;
	struct tracer *t;
	struct peer peer;       /* at --latency-us */
	struct peer peer0;      /* zero latency: the calibration's bare echo */
	const char *data_file;
	const struct py_env *py; /* --python, else NULL */
	json_t *doc;
	const char *dir;
	int failures;
	bool cell_interrupted;   /* the cell in progress was stopped by Ctrl-C */
};

/* Ctrl-C was asked: stop the cell whose runner (or interpreter) is pid, with
 * everything it started, once; true when the cell was stopped. */
bool run_stop_cell(struct run_ctx *c, pid_t pid);

/* One traced cell: spec on runtime rt, appended to doc's runs[]; returns the
 * run (borrowed) or NULL when it could not be traced at all. */
json_t *run_cell(struct run_ctx *c, json_t *doc, const struct wl_spec *spec, enum run_rt rt,
		 unsigned rep);
/* Trace spec on c->py (run_python.c); as trace_runner for the simulation. */
int run_trace_python(struct run_ctx *c, const struct wl_spec *spec, struct wl_result *res,
		     struct trace_data *d, double *wall, struct gil_range *gil, size_t *ngil);
/* A real interpreter's GIL as found, to read its switch counter again. */
struct run_py_gil {
	struct py_target t;
	struct py_gil g;
};
/* Called with the interpreter's pid once it is up: finds its GIL (user/python),
 * registers the futex words with the tracer and appends them to gil[] (room
 * for RUN_MAX_GIL_RANGES); fills *found (if not NULL) when it found one.
 * Returns how many ranges it added. */
int run_find_python_gil(struct tracer *t, pid_t pid, struct gil_range *gil, size_t *ngil,
			struct run_py_gil *found);
/* The calibration cells on both runtimes, and doc.calibration (run_calib.c). */
int run_calibration(struct run_ctx *c);
/* The calibration table of doc, if any, as text. */
void run_calib_print(FILE *f, const json_t *doc);
const char *run_rt_name(const struct run_ctx *c, enum run_rt rt);

#endif
