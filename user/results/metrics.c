/* metrics.c - derive a run's figures from the tracer's maps (see metrics.h). */
#include "metrics.h"

#include <string.h>
#include "hist.h"

void metrics_from_trace(const struct trace_data *d, double wall_s, struct trace_metrics *m)
{
	uint64_t waited_ns = 0, lock_ns = 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < d->ntasks; i++) {
		const struct gs_task *t = &d->tasks[i];
		bool new_group = true;

#define AGG_SUM(acc, v) acc += (v)
#define AGG_MAX(acc, v) acc = (v) > acc ? (v) : acc
#define GS_AGG(name, unit, agg, flags, meaning) AGG_##agg(m->name, GS_TASK_FIGURE(t, name));
		GS_THREAD_METRICS(GS_AGG)
#undef GS_AGG
		m->threads++;
		for (size_t j = 0; j < i && new_group; j++)
			if (d->tasks[j].tgid == t->tgid)
				new_group = false;
		m->processes += new_group;
	}
	/* The time a worker thread could have spent running Python code:
	 * running, waiting for a CPU, or waiting on a lock. A process's main
	 * thread only starts and joins its workers, so it counts only when it is
	 * the process's one thread. */
	for (size_t i = 0; i < d->ntasks; i++) {
		const struct gs_task *t = &d->tasks[i];
		bool alone = true;

		for (size_t j = 0; j < d->ntasks && alone; j++)
			if (j != i && d->tasks[j].tgid == t->tgid)
				alone = false;
		if (t->tid != t->tgid || alone) {
			waited_ns += GS_TASK_FIGURE(t, oncpu_ns) + GS_TASK_FIGURE(t, runq_ns) +
				     GS_TASK_FIGURE(t, futex_wait_ns);
			/* a futex wait that is not the GIL's: a lock of the program's */
			if (GS_TASK_FIGURE(t, futex_wait_ns) > GS_TASK_FIGURE(t, gil_wait_ns))
				lock_ns += GS_TASK_FIGURE(t, futex_wait_ns) - GS_TASK_FIGURE(t, gil_wait_ns);
		}
	}
	m->gil_wait_share = waited_ns ? (double)m->gil_wait_ns / (double)waited_ns : 0;
	m->lock_wait_share = waited_ns ? (double)lock_ns / (double)waited_ns : 0;
	m->cores_used = wall_s > 0 ? (double)m->oncpu_ns / (wall_s * 1e9) : 0;

	m->runq_p50_ns = hist_quantile(&d->hists[GS_HIST_RUNQ], 0.50, m->runq_max_ns);
	m->runq_p90_ns = hist_quantile(&d->hists[GS_HIST_RUNQ], 0.90, m->runq_max_ns);
	m->runq_p99_ns = hist_quantile(&d->hists[GS_HIST_RUNQ], 0.99, m->runq_max_ns);
	m->futex_wait_p50_ns = hist_quantile(&d->hists[GS_HIST_FUTEX], 0.50, 0);
	m->futex_wait_p99_ns = hist_quantile(&d->hists[GS_HIST_FUTEX], 0.99, 0);
	m->iouring_p50_ns = hist_quantile(&d->hists[GS_HIST_IOURING], 0.50, 0);
	m->iouring_p99_ns = hist_quantile(&d->hists[GS_HIST_IOURING], 0.99, 0);

	m->lost_events = d->counters[GS_CTR_LOST_TASKS] + d->counters[GS_CTR_LOST_FUTEX_ADDRS] +
			 d->counters[GS_CTR_LOST_IOURING] + d->counters[GS_CTR_LOST_TIMELINE] +
			 d->timeline_dropped;
}

double metrics_cpu_busy_fraction(const struct trace_data *d, int cpu, double wall_s)
{
	double f;

	if (wall_s <= 0 || cpu < 0 || cpu >= d->ncpus || !d->cpu_busy_ns)
		return 0;
	f = (double)d->cpu_busy_ns[cpu] / (wall_s * 1e9);
	return f > 1 ? 1 : f;
}
