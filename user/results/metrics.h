/* metrics.h - the tracer's figures of one run, derived from what it collected.
 * Pure functions: definitions in docs/results.md, tests in tests/unit/test_metrics.c. */
#ifndef GS_METRICS_H
#define GS_METRICS_H

#include <stdint.h>
#include "tracer.h"

struct trace_metrics {
	uint64_t oncpu_ns;
	double cores_used;
	uint64_t voluntary_switches, involuntary_switches, migrations;
	uint64_t runq_ns, runq_count, runq_p50_ns, runq_p90_ns, runq_p99_ns, runq_max_ns;
	uint64_t futex_waits, futex_wait_ns, futex_wakes, futex_wait_p50_ns, futex_wait_p99_ns;
	uint64_t gil_waits, gil_wait_ns;
	double gil_wait_share;
	uint64_t iouring_submits, iouring_completes, iouring_punts, iouring_p50_ns, iouring_p99_ns;
	uint64_t threads, processes;
	uint64_t events, lost_events;
	/* where the threads' time went (summed over threads; docs/results.md) */
	uint64_t lifetime_ns, time_oncpu_ns, time_runq_ns, time_gil_ns, time_lock_ns;
	uint64_t time_io_ns, time_sleep_ns, time_other_ns;
};

void metrics_from_trace(const struct trace_data *d, double wall_s, struct trace_metrics *m);
/* Busy fraction of cpu over the run (0 when wall is 0). */
double metrics_cpu_busy_fraction(const struct trace_data *d, int cpu, double wall_s);

#endif
