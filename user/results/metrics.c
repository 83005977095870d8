/* metrics.c - derive a run's figures from the tracer's maps (see metrics.h). */
#include "metrics.h"

#include <string.h>
#include "hist.h"

void metrics_from_trace(const struct trace_data *d, double wall_s, struct trace_metrics *m)
{
	uint64_t waited_ns = 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < d->ntasks; i++) {
		const struct gs_task *t = &d->tasks[i];
		bool new_group = true;

		m->oncpu_ns += t->oncpu_ns;
		m->voluntary_switches += t->voluntary_switches;
		m->involuntary_switches += t->involuntary_switches;
		m->migrations += t->migrations;
		m->runq_ns += t->runq_ns;
		m->runq_count += t->runq_count;
		if (t->runq_max_ns > m->runq_max_ns)
			m->runq_max_ns = t->runq_max_ns;
		m->futex_waits += t->futex_waits;
		m->futex_wait_ns += t->futex_wait_ns;
		m->futex_wakes += t->futex_wakes;
		m->gil_waits += t->gil_waits;
		m->gil_wait_ns += t->gil_wait_ns;
		m->iouring_submits += t->iouring_submits;
		m->iouring_completes += t->iouring_completes;
		m->iouring_punts += t->iouring_punts;
		m->events += t->events;
		/* time breakdown (kernel: bpf/gs_sched.bpf.h) */
		m->lifetime_ns += t->lifetime_ns;
		m->time_oncpu_ns += t->time_ns[GS_TIME_ONCPU];
		m->time_runq_ns += t->time_ns[GS_TIME_RUNQ];
		m->time_gil_ns += t->time_ns[GS_TIME_GIL];
		m->time_lock_ns += t->time_ns[GS_TIME_LOCK];
		m->time_io_ns += t->time_ns[GS_TIME_IO];
		m->time_sleep_ns += t->time_ns[GS_TIME_SLEEP];
		m->time_other_ns += t->time_ns[GS_TIME_OTHER];
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
		if (t->tid != t->tgid || alone)
			waited_ns += t->oncpu_ns + t->runq_ns + t->futex_wait_ns;
	}
	m->gil_wait_share = waited_ns ? (double)m->gil_wait_ns / (double)waited_ns : 0;
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
