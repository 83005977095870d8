/* metric_registry.h - every metric gilscope reports, declared once.
 *
 * One entry per metric: name, unit, scope, a one-line meaning and how it is
 * derived. results.json's metrics and units{}, summary.csv, `compare` and the
 * terminal tables take their metrics from here; docs/results.md must describe
 * every name (tests/unit/test_registry.c checks it).
 *
 * Per-thread figures are an X-macro over the fields of struct gs_task
 * (bpf/gilscope.h): listing one here puts it in threads[] of results.json and,
 * aggregated over the run's threads, in the run's metrics. See docs/HACKING.md.
 */
#ifndef GS_METRIC_REGISTRY_H
#define GS_METRIC_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

/* X(name, unit, aggregate over a run's threads: SUM or MAX, flags, meaning) */
#define GS_THREAD_METRICS(X) \
	X(events, "count", SUM, 0, "tracepoint hits that touched a traced thread") \
	X(oncpu_ns, "ns", SUM, METRIC_COMPARE, "on-CPU time: the scheduler's se.sum_exec_runtime, read at each switch-out") \
	X(voluntary_switches, "count", SUM, METRIC_COMPARE, "switches where the thread blocked (the kernel's nvcsw)") \
	X(involuntary_switches, "count", SUM, METRIC_COMPARE, "switches where the thread was preempted or still runnable (nivcsw)") \
	X(migrations, "count", SUM, METRIC_COMPARE, "sched_migrate_task of the thread") \
	X(runq_ns, "ns", SUM, 0, "time waiting on a run queue: wakeup or preemption -> on CPU") \
	X(runq_count, "count", SUM, 0, "waits on a run queue") \
	X(runq_max_ns, "ns", MAX, 0, "longest wait on a run queue") \
	X(futex_waits, "count", SUM, METRIC_COMPARE, "waiting futex ops, whatever they returned") \
	X(futex_wait_ns, "ns", SUM, METRIC_COMPARE, "time in waiting futex ops") \
	X(futex_wakes, "count", SUM, 0, "waking futex ops") \
	X(gil_waits, "count", SUM, 0, "the futex waits on a registered GIL") \
	X(gil_wait_ns, "ns", SUM, 0, "time in futex waits on a registered GIL") \
	X(iouring_submits, "count", SUM, METRIC_COMPARE, "io_uring requests submitted") \
	X(iouring_completes, "count", SUM, 0, "io_uring requests completed") \
	X(iouring_punts, "count", SUM, 0, "io_uring requests handed to io-wq workers") \
	X(lifetime_ns, "ns", SUM, 0, "traced lifetime: joined (or attached) -> last switch-out or the end") \
	X(time_oncpu_ns, "ns", SUM, 0, "lifetime on a CPU (wall clock)") \
	X(time_runq_ns, "ns", SUM, 0, "lifetime runnable, waiting for a CPU") \
	X(time_gil_ns, "ns", SUM, 0, "lifetime blocked in a futex wait on a registered GIL") \
	X(time_lock_ns, "ns", SUM, 0, "lifetime blocked in any other futex wait") \
	X(time_io_ns, "ns", SUM, 0, "lifetime blocked in I/O calls or D state") \
	X(time_sleep_ns, "ns", SUM, 0, "lifetime in nanosleep, clock_nanosleep or pause") \
	X(time_other_ns, "ns", SUM, 0, "lifetime blocked in anything else")

/* The one place that reads a per-thread figure out of struct gs_task. */
#define GS_TASK_FIGURE(t, name) ((t)->name)

enum metric_scope {
	SCOPE_THREAD, /* a figure of each traced thread; the run's is their aggregate */
	SCOPE_RUN,    /* a figure of one run (one repeat of a cell, or a record) */
	SCOPE_CELL,   /* a run's figure relative to another cell of the same repeat */
};

enum metric_flag {
	METRIC_FIELD = 1u << 0,   /* a field of the run (wall_s), not in metrics{} */
	METRIC_COMPARE = 1u << 1, /* a row of `gilscope compare` */
};

struct metric_def {
	const char *name;
	const char *unit;       /* "ns", "count", "cores", "fraction", "1/s", "ratio", "bytes", "s" */
	enum metric_scope scope;
	const char *meaning;    /* one line */
	const char *derivation; /* how it is computed */
	const char *rate_of;    /* a rate: this metric / wall_s, derived before writing */
	unsigned flags;         /* enum metric_flag */
};

/* Every metric, in the order writers list them. */
extern const struct metric_def metric_defs[];
extern const size_t metric_ndefs;

/* The entry of name, or NULL. */
const struct metric_def *metric_find(const char *name);
/* Unit of a metric name; names not in the registry say it in their suffix
 * (_ns, _bytes), else "count". */
const char *metric_unit(const char *name);
const char *metric_scope_name(enum metric_scope s);

#endif
