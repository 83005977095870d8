/* tracer.h - load the kernel programs, follow a process tree, read the maps.
 *
 * Lifecycle: tracer_open() (open -> configure -> load -> attach), then
 * tracer_follow*() for the tree to trace, tracer_sample() every interval while
 * it runs, tracer_collect() once at the end, tracer_close() always.
 * tracer_reset() clears every map so one tracer serves several runs.
 */
#ifndef GS_TRACER_H
#define GS_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include "gilscope.h"

struct tracer;

struct tracer_opts {
	bool timeline;        /* stream scheduling/futex/io_uring events to a ring buffer */
	unsigned max_tasks;   /* raw_tp: room in the `tasks` hash (0: GS_DEFAULT_MAX_TASKS); tp_btf task storage has no size */
	unsigned sample_ms;   /* per-CPU busy bin width; 0: 100 */
	bool bpf_stats;       /* turn on kernel.bpf_stats_enabled for the BPF cost figures */
};

/* What one run saw, read from the maps (arrays owned by the struct). */
struct trace_data {
	struct gs_task *tasks;
	size_t ntasks;
	struct gs_futex_key *futex_keys;
	struct gs_futex_stats *futex_stats; /* parallel to futex_keys */
	size_t nfutex;
	struct gs_hist hists[GS_HIST_MAX];  /* summed over CPUs */
	uint64_t counters[GS_CTR_MAX];      /* summed over CPUs */
	int ncpus;                          /* possible CPUs */
	uint64_t *cpu_busy_ns;              /* [ncpus], total busy of the traced tree */
	/* utilisation over time: nbins rows of ncpus busy fractions */
	unsigned bin_ms;
	size_t nbins;
	double *cpu_bins;                   /* [nbins * ncpus] */
	uint64_t bpf_run_ns, bpf_run_cnt;   /* 0 when kernel.bpf_stats_enabled is off */
	uint64_t start_ns, end_ns;          /* CLOCK_MONOTONIC, same clock as the kernel side */
	uint64_t timeline_dropped;          /* events gilscope had no room to keep */
	bool raw_tp;                        /* raw_tp fallback programs were used */
	const char *missing[16];            /* tracepoints this kernel lacks (static names) */
	size_t nmissing;
};

/* On failure returns NULL and writes one line that says what to fix into err. */
struct tracer *tracer_open(const struct tracer_opts *opts, char *err, size_t errlen);
/* Trace a task about to start (a forked child waiting to exec): no history. */
int tracer_follow_new(struct tracer *t, pid_t pid);
/* Trace a running process: its threads and all its descendants. */
int tracer_follow_running(struct tracer *t, pid_t pid);
/* Tell the kernel side that futex words in [start, start+len) of tgid are a GIL. */
int tracer_add_gil_range(struct tracer *t, pid_t tgid, uint64_t start, uint64_t len);
/* Start the clock of a run (bins, wall) and the per-CPU sampling. */
void tracer_start(struct tracer *t);
/* With opts.timeline: fn(ctx, event) for each event the ring buffer delivers,
 * in order, from tracer_sample and tracer_collect (fn NULL: events are not
 * kept). Nothing is held in memory: the consumer streams them where it wants. */
typedef void (*tracer_event_fn)(void *ctx, const struct gs_event *ev);
void tracer_on_event(struct tracer *t, tracer_event_fn fn, void *ctx);
/* Call about every sample_ms while the run goes on; cheap. Also drains the ring buffer. */
void tracer_sample(struct tracer *t);
/* Read every map into d (caller frees with trace_data_free). */
int tracer_collect(struct tracer *t, struct trace_data *d);
void trace_data_free(struct trace_data *d);
int tracer_reset(struct tracer *t);
void tracer_close(struct tracer *t);

#endif
