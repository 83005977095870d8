/* metric_registry.c - the table of metric_registry.h. */
#include "metric_registry.h"

#include <string.h>

#define CMP METRIC_COMPARE

#define THREAD_DEF(name, unit, agg, flags, meaning) \
	{ #name, unit, SCOPE_THREAD, meaning, "kernel, per thread (struct gs_task); run: " #agg " over its threads", \
	  NULL, flags },

const struct metric_def metric_defs[] = {
	{ "wall_s", "s", SCOPE_RUN, "wall-clock seconds of the run (of the work phase for workload runs)",
	  "CLOCK_MONOTONIC around the run", NULL, METRIC_FIELD | CMP },
	GS_THREAD_METRICS(THREAD_DEF)

	/* the tracer's figures of a run */
	{ "cores_used", "cores", SCOPE_RUN, "average cores used",
	  "oncpu_ns / the wall time the tracer covered (runner_wall_s for workload runs)", NULL, CMP },
	{ "gil_wait_share", "fraction", SCOPE_RUN, "share of worker thread time spent waiting for the GIL",
	  "gil_wait_ns / (oncpu_ns + runq_ns + futex_wait_ns) of the worker threads", NULL, CMP },
	{ "lock_wait_share", "fraction", SCOPE_RUN,
	  "share of worker thread time spent waiting on locks other than the GIL",
	  "(futex_wait_ns - gil_wait_ns) / (oncpu_ns + runq_ns + futex_wait_ns) of the worker threads",
	  NULL, CMP },
	{ "voluntary_switches_per_s", "1/s", SCOPE_RUN, "voluntary switches per second",
	  "voluntary_switches / wall_s", "voluntary_switches", 0 },
	{ "involuntary_switches_per_s", "1/s", SCOPE_RUN, "involuntary switches per second",
	  "involuntary_switches / wall_s", "involuntary_switches", 0 },
	{ "runq_p50_ns", "ns", SCOPE_RUN, "run-queue latency, median", "run-queue histogram", NULL, CMP },
	{ "runq_p90_ns", "ns", SCOPE_RUN, "run-queue latency, 90th percentile", "run-queue histogram", NULL, 0 },
	{ "runq_p99_ns", "ns", SCOPE_RUN, "run-queue latency, 99th percentile", "run-queue histogram", NULL, CMP },
	{ "futex_wait_p50_ns", "ns", SCOPE_RUN, "futex wait time, median", "futex wait histogram", NULL, 0 },
	{ "futex_wait_p99_ns", "ns", SCOPE_RUN, "futex wait time, 99th percentile", "futex wait histogram", NULL, 0 },
	{ "iouring_p50_ns", "ns", SCOPE_RUN, "io_uring submit -> completion, median", "io_uring histogram", NULL, 0 },
	{ "iouring_p99_ns", "ns", SCOPE_RUN, "io_uring submit -> completion, 99th percentile", "io_uring histogram",
	  NULL, 0 },
	{ "threads", "count", SCOPE_RUN, "traced threads", "tasks the tracer followed", NULL, 0 },
	{ "processes", "count", SCOPE_RUN, "traced thread groups", "distinct tgids of the traced threads", NULL, 0 },
	{ "lost_events", "count", SCOPE_RUN, "events that could not be recorded (0 for a trusted report)",
	  "the tracer's loss counters, summed", NULL, CMP },

	/* the workload's own figures (gilscope run) */
	{ "units", "count", SCOPE_RUN, "work units done and checked", "the model's result", NULL, 0 },
	{ "units_per_s", "1/s", SCOPE_RUN, "throughput", "units / wall_s", "units", CMP },
	{ "speedup", "ratio", SCOPE_CELL, "speed-up over serial of the same workload and repeat",
	  "units_per_s / serial's units_per_s", NULL, CMP },
	{ "efficiency", "ratio", SCOPE_CELL, "parallel efficiency", "speedup / workers", NULL, 0 },
	{ "gil_handoffs", "count", SCOPE_RUN, "GIL hand-offs from one thread to another",
	  "the simulated GIL; real rows: CPython's switch_number", NULL, 0 },
	{ "gil_handoffs_per_s", "1/s", SCOPE_RUN, "GIL hand-offs per second", "gil_handoffs / wall_s",
	  "gil_handoffs", CMP },
	{ "gil_drop_requests", "count", SCOPE_RUN, "GIL drop requests (a waiter timed out)", "the simulated GIL",
	  NULL, 0 },
	{ "gil_forced_switches", "count", SCOPE_RUN, "forced switches (the dropper waited for a taker)",
	  "the simulated GIL", NULL, 0 },
	{ "gil_hold_p50_ns", "ns", SCOPE_RUN, "GIL hold time, median", "GIL hold histogram", NULL, 0 },
	{ "gil_hold_p99_ns", "ns", SCOPE_RUN, "GIL hold time, 99th percentile", "GIL hold histogram", NULL, 0 },
	{ "startup_ns_per_worker", "ns", SCOPE_RUN, "start-up of a thread, process or task",
	  "creation -> its first instruction, averaged", NULL, CMP },
	{ "rss_bytes_per_worker", "bytes", SCOPE_RUN, "memory per thread, process or task",
	  "threads: Rss added; processes: Pss; async: tasks and buffers", NULL, CMP },
	{ "peak_rss_bytes", "bytes", SCOPE_RUN, "peak resident memory of the workload", "the model's result",
	  NULL, 0 },
	{ "serialise_ns", "ns", SCOPE_RUN, "serialisation of a worker's results", "encoding + decoding, per worker",
	  NULL, 0 },
	{ "io_latency_p50_ns", "ns", SCOPE_RUN, "one I/O request as its worker saw it, median",
	  "the worker's latency histogram", NULL, CMP },
	{ "io_latency_p99_ns", "ns", SCOPE_RUN, "one I/O request as its worker saw it, 99th percentile",
	  "the worker's latency histogram", NULL, 0 },
	{ "pool_startup_ns", "ns", SCOPE_RUN, "processes and async-pool: the whole pool made ready",
	  "before the first worker is made -> every worker started", NULL, CMP },
	{ "py_switches", "count", SCOPE_RUN, "real threads rows: changes of the thread running Python code",
	  "seen by the bundled script at every tick of its CPU loop", NULL, 0 },
	{ "py_switches_per_s", "1/s", SCOPE_RUN, "real threads rows: Python thread changes per second",
	  "py_switches / wall_s", "py_switches", CMP },
};

const size_t metric_ndefs = sizeof(metric_defs) / sizeof(metric_defs[0]);

const struct metric_def *metric_find(const char *name)
{
	for (size_t i = 0; i < metric_ndefs; i++)
		if (!strcmp(metric_defs[i].name, name))
			return &metric_defs[i];
	return NULL;
}

const char *metric_unit(const char *name)
{
	const struct metric_def *m = metric_find(name);
	size_t n = strlen(name);

	if (m)
		return m->unit;
	if (n > 3 && !strcmp(name + n - 3, "_ns"))
		return "ns";
	if (n > 6 && !strcmp(name + n - 6, "_bytes"))
		return "bytes";
	return "count";
}

const char *metric_scope_name(enum metric_scope s)
{
	return s == SCOPE_THREAD ? "thread" : s == SCOPE_CELL ? "cell" : "run";
}
