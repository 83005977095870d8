/* tracer_internal.h - the tracer's state, shared by tracer.c, tracer_tasks.c
 * and tracer_read.c. */
#ifndef GS_TRACER_INTERNAL_H
#define GS_TRACER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tracer.h" /* gilscope.h first: the skeleton names its structs */
#include "gilscope.skel.h"
#include "probe.h"

struct tracer {
	struct tracer_opts opts;
	struct gilscope_bpf *skel;
	struct probe_result probe;
	bool raw_tp; /* raw_tp programs and the `tasks` hash; else tp_btf and task storage */
	bool noop;   /* GILSCOPE_BENCH_NOOP: programs attach but record nothing */
	struct bpf_link *links[TP_COUNT];
	struct bpf_link *iter; /* the task iterator (tp_btf only) */
	int ncpus;
	int stats_fd;
	unsigned ngil;
	/* sampling of per-CPU busy time */
	uint64_t start_ns, last_sample_ns;
	uint64_t *last_busy; /* [ncpus] */
	double *bins;        /* [cap_bins * ncpus] */
	size_t nbins, cap_bins;
	uint64_t bpf_ns0, bpf_cnt0; /* BPF cost at tracer_start */
	/* timeline */
	struct ring_buffer *rb;
	tracer_event_fn on_event; /* the consumer of each event (none: not kept) */
	void *on_event_ctx;
	uint64_t dropped;
	/* figures of threads that have ended, drained from the `gone` ring */
	struct ring_buffer *gone_rb;
	struct gs_task *gone;
	size_t ngone, cap_gone;
	uint64_t gone_lost; /* no memory to keep them */
};

uint64_t tracer_now_ns(void);
int tracer_task_runtime(uint32_t tgid, uint32_t tid, uint64_t *ns);
int tracer_read_init(struct tracer *t, char *err, size_t errlen);
void tracer_read_fini(struct tracer *t);
void tracer_read_reset(struct tracer *t);
void tracer_clear_hash(struct bpf_map *m);

/* tracer_tasks.c: which threads are traced, and their figures */
int tasks_init(struct tracer *t, char *err, size_t errlen);
void tasks_fini(struct tracer *t);
/* Queue a running thread (or a new child) to be traced; tasks_flush makes it so. */
int tasks_add(struct tracer *t, pid_t tid, pid_t tgid, uint32_t flags);
int tasks_flush(struct tracer *t);
bool tasks_traced(struct tracer *t, pid_t pid);
/* Keep the figures of threads that ended since the last call. */
void tasks_drain(struct tracer *t);
/* Every thread's figures, the ended ones first, open intervals closed at now. */
int tasks_read(struct tracer *t, uint64_t now, struct trace_data *d);
void tasks_reset(struct tracer *t);

#endif
