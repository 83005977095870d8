/* tracer_internal.h - the tracer's state, shared by tracer.c and tracer_read.c. */
#ifndef GS_TRACER_INTERNAL_H
#define GS_TRACER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gilscope.skel.h"
#include "probe.h"
#include "tracer.h"

struct tracer {
	struct tracer_opts opts;
	struct gilscope_bpf *skel;
	struct probe_result probe;
	bool raw_tp;
	bool noop; /* GILSCOPE_BENCH_NOOP: programs attach but record nothing */
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
};

uint64_t tracer_now_ns(void);
int tracer_task_runtime(uint32_t tgid, uint32_t tid, uint64_t *ns);
int tracer_read_init(struct tracer *t, char *err, size_t errlen);
void tracer_read_fini(struct tracer *t);
void tracer_read_reset(struct tracer *t);

#endif
