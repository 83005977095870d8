/* metrics.h - the tracer's figures of one run, derived from what it collected.
 * Pure functions: definitions in docs/results.md, tests in tests/unit/test_metrics.c. */
#ifndef GS_METRICS_H
#define GS_METRICS_H

#include <stdint.h>
#include "metric_registry.h"
#include "tracer.h"

struct trace_metrics {
	/* every per-thread figure of the registry, aggregated over the threads */
#define GS_FIELD(name, unit, agg, flags, meaning) uint64_t name;
	GS_THREAD_METRICS(GS_FIELD)
#undef GS_FIELD
	double cores_used;
	double gil_wait_share;
	double lock_wait_share;
	uint64_t runq_p50_ns, runq_p90_ns, runq_p99_ns;
	uint64_t futex_wait_p50_ns, futex_wait_p99_ns;
	uint64_t iouring_p50_ns, iouring_p99_ns;
	uint64_t threads, processes;
	uint64_t lost_events;
};

/* The run's figures from what the tracer saw; wall_s is the time the tracer
 * covered (cores_used = oncpu_ns / wall_s). */
void metrics_from_trace(const struct trace_data *d, double wall_s, struct trace_metrics *m);
/* Busy fraction of cpu over the run (0 when wall is 0). */
double metrics_cpu_busy_fraction(const struct trace_data *d, int cpu, double wall_s);

#endif
