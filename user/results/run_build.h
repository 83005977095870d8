/* run_build.h - one run of the results document, built from what the tracer
 * saw and (for `gilscope run`) what the workload reported.
 *
 * Everything a run needs comes in as arguments: the trace data, both wall
 * clocks, the GIL's futex ranges, the workload's result. Nothing is read back
 * from the document. Rates, medians and verdicts are derived afterwards, once,
 * by derive.h.
 */
#ifndef GS_RUN_BUILD_H
#define GS_RUN_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <jansson.h>
#include "models.h"
#include "tracer.h"

/* Futex words [start, end) of process tgid are a GIL. */
struct gil_range {
	uint32_t tgid;
	uint64_t start, end;
};

/* What the tracer saw of one run. */
struct run_trace {
	const struct trace_data *data;
	double wall_s;       /* the run's wall time (a workload run's work phase) */
	double trace_wall_s; /* the time the tracer covered: cores_used, per_cpu */
	const struct gil_range *gil;
	size_t ngil;
};

/* A run of `gilscope run`: one model x workload x repeat. */
struct workload_run {
	const char *model, *workload;
	const char *runtime;           /* "sim" or the real interpreter ("cpython-3.11.2") */
	const char *gil_mode;          /* the simulated GIL's algorithm ("new", "old") */
	unsigned workers, repeat;
	unsigned interval_us;          /* the GIL's switch interval */
	const struct wl_result *result;
};

/* A run of `gilscope record`. */
struct record_run {
	char *const *cmd;              /* the command, NULL when attached with -p */
	int cmdc;
	int exit_status;               /* with a command */
	const struct rusage *children; /* with a command: RUSAGE_CHILDREN */
	int pid;                       /* when attached */
	bool interrupted;
};

/* New run objects (not yet in a document: see results_append_run). */
json_t *run_build_workload(const char *label, const struct run_trace *tr, const struct workload_run *w);
json_t *run_build_record(const char *label, const struct run_trace *tr, const struct record_run *r);

/* Fill run with the tracer's figures over wall_s (both clocks the same, no GIL
 * range): metrics, threads[], per_cpu[], cpu_timeline, histograms, futexes[],
 * tracer{}. */
int results_add_trace(json_t *run, const struct trace_data *d, double wall_s);

#endif
