/* run_build.c - one run of the results document from trace data and the
 * workload's result (see run_build.h). */
#include "run_build.h"
#include "sysstr.h"

#include <stdio.h>
#include <stdlib.h>
#include "hist.h"
#include "metric_registry.h"
#include "metrics.h"
#include "results.h"

#define TOP_FUTEXES 20

static json_t *hist_json(const struct gs_hist *h)
{
	json_t *o = json_object(), *b = json_array();

	for (uint32_t i = 0; i < GS_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		json_array_append_new(b, json_pack("[III]", (json_int_t)gs_hist_slot_low(i),
						   (json_int_t)(i + 1 < GS_HIST_SLOTS ?
								hist_slot_high(i) : INT64_MAX),
						   (json_int_t)h->slots[i]));
	}
	json_object_set_new(o, "unit", json_string("ns"));
	json_object_set_new(o, "buckets", b);
	return o;
}

static json_t *thread_json(const struct gs_task *t)
{
	char comm[sizeof(t->comm) + 1];
	json_t *o;

	/* the kernel's comm may be cut mid-character, or not be UTF-8 at all */
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(t->comm), t->comm);
	o = json_pack("{sI sI sI so sb}", "tid", (json_int_t)t->tid, "tgid", (json_int_t)t->tgid,
		      "ppid", (json_int_t)t->ppid, "comm", json_sysstr(comm),
		      "exited", (t->flags & GS_TASK_EXITED) != 0);

#define GS_THREAD_JSON(name, unit, agg, flags, meaning) \
	json_object_set_new(o, #name, json_integer((json_int_t)GS_TASK_FIGURE(t, name)));
	GS_THREAD_METRICS(GS_THREAD_JSON)
#undef GS_THREAD_JSON
	/* the word a joining thread waits on (names "join TID" futex waits) */
	json_object_set_new(o, "clear_child_tid", json_integer((json_int_t)t->clear_child_tid));
	/* when it joined and left the trace (CLOCK_MONOTONIC): its traced lifetime */
	json_object_set_new(o, "start_ns", json_integer((json_int_t)t->start_ns));
	json_object_set_new(o, "exit_ns", t->flags & GS_TASK_EXITED ?
				json_integer((json_int_t)t->exit_ns) : json_null());
	return o;
}

/* Futex words ordered by wait time, most first. */
static const struct trace_data *sort_data;
static int by_wait_desc(const void *a, const void *b)
{
	uint64_t x = sort_data->futex_stats[*(const size_t *)a].wait_ns;
	uint64_t y = sort_data->futex_stats[*(const size_t *)b].wait_ns;

	return x < y ? 1 : x > y ? -1 : 0;
}

static json_t *futexes_json(const struct trace_data *d, const struct gil_range *gil, size_t ngil)
{
	json_t *arr = json_array();
	size_t *idx = calloc(d->nfutex ? d->nfutex : 1, sizeof(*idx));

	if (!idx)
		return arr;
	for (size_t i = 0; i < d->nfutex; i++)
		idx[i] = i;
	sort_data = d;
	qsort(idx, d->nfutex, sizeof(*idx), by_wait_desc);
	for (size_t i = 0; i < d->nfutex && i < TOP_FUTEXES; i++) {
		const struct gs_futex_key *k = &d->futex_keys[idx[i]];
		const struct gs_futex_stats *s = &d->futex_stats[idx[i]];
		char addr[32];
		bool is_gil = false;

		for (size_t j = 0; j < ngil; j++)
			if (gil[j].tgid == k->tgid && k->uaddr >= gil[j].start && k->uaddr < gil[j].end)
				is_gil = true;
		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)k->uaddr);
		json_array_append_new(arr, json_pack("{sI ss sI sI sI sI sb}",
			"tgid", (json_int_t)k->tgid, "uaddr", addr,
			"waits", (json_int_t)s->waits, "wait_ns", (json_int_t)s->wait_ns,
			"max_wait_ns", (json_int_t)s->max_wait_ns, "wakes", (json_int_t)s->wakes,
			"gil", is_gil));
	}
	free(idx);
	return arr;
}

static json_t *tracer_json(const struct trace_data *d, const struct trace_metrics *m)
{
	json_t *o = json_pack("{sI sI s{sI sI sI sI} sI sI sI sb}",
		"events", (json_int_t)m->events, "lost_events", (json_int_t)m->lost_events,
		"lost", "tasks", (json_int_t)d->counters[GS_CTR_LOST_TASKS],
		"futex_addrs", (json_int_t)d->counters[GS_CTR_LOST_FUTEX_ADDRS],
		"iouring", (json_int_t)d->counters[GS_CTR_LOST_IOURING],
		"timeline", (json_int_t)(d->counters[GS_CTR_LOST_TIMELINE] + d->timeline_dropped),
		"iouring_unmatched", (json_int_t)d->counters[GS_CTR_IOURING_UNMATCHED],
		"bpf_run_ns", (json_int_t)d->bpf_run_ns, "bpf_run_cnt", (json_int_t)d->bpf_run_cnt,
		"raw_tp", d->raw_tp);
	json_t *missing = json_array();

	json_object_set_new(o, "bpf_ns_per_event",
			    json_real(d->bpf_run_cnt ? (double)d->bpf_run_ns / (double)d->bpf_run_cnt : 0));
	for (size_t i = 0; i < d->nmissing; i++)
		json_array_append_new(missing, json_string(d->missing[i]));
	json_object_set_new(o, "missing_tracepoints", missing);
	return o;
}

/* The tracer's part of a run; its histograms go into hists. */
static void add_trace(json_t *run, const struct run_trace *tr, json_t *hists)
{
	const struct trace_data *d = tr->data;
	struct trace_metrics m;
	json_t *threads = json_array(), *per_cpu = json_array(), *bins = json_array();

	metrics_from_trace(d, tr->trace_wall_s, &m);
	json_object_set_new(run, "wall_s", json_real(tr->wall_s));
#define GS_SET(name, unit, agg, flags, meaning) results_set_metric(run, #name, (double)m.name);
	GS_THREAD_METRICS(GS_SET)
#undef GS_SET
#define SET(name) results_set_metric(run, #name, (double)m.name)
	SET(cores_used); SET(gil_wait_share); SET(lock_wait_share);
	SET(runq_p50_ns); SET(runq_p90_ns); SET(runq_p99_ns);
	SET(futex_wait_p50_ns); SET(futex_wait_p99_ns); SET(iouring_p50_ns); SET(iouring_p99_ns);
	SET(threads); SET(processes); SET(lost_events);
#undef SET
	for (size_t i = 0; i < d->ntasks; i++)
		json_array_append_new(threads, thread_json(&d->tasks[i]));
	json_object_set_new(run, "threads", threads);
	for (int c = 0; c < d->ncpus; c++)
		json_array_append_new(per_cpu, json_real(metrics_cpu_busy_fraction(d, c, tr->trace_wall_s)));
	json_object_set_new(run, "per_cpu", per_cpu);
	for (size_t b = 0; b < d->nbins; b++) {
		json_t *row = json_array();

		for (int c = 0; c < d->ncpus; c++)
			json_array_append_new(row, json_real(d->cpu_bins[b * (size_t)d->ncpus + (size_t)c]));
		json_array_append_new(bins, row);
	}
	json_object_set_new(run, "cpu_timeline", json_pack("{sI so}", "bin_ms",
				(json_int_t)d->bin_ms, "bins", bins));
	json_object_set_new(hists, "runq", hist_json(&d->hists[GS_HIST_RUNQ]));
	json_object_set_new(hists, "futex_wait", hist_json(&d->hists[GS_HIST_FUTEX]));
	json_object_set_new(hists, "gil_wait", hist_json(&d->hists[GS_HIST_GIL]));
	json_object_set_new(hists, "iouring", hist_json(&d->hists[GS_HIST_IOURING]));
	json_object_set_new(run, "futexes", futexes_json(d, tr->gil, tr->ngil));
	json_object_set_new(run, "tracer", tracer_json(d, &m));
}

int results_add_trace(json_t *run, const struct trace_data *d, double wall_s)
{
	struct run_trace tr = { .data = d, .wall_s = wall_s, .trace_wall_s = wall_s };
	json_t *hists = json_object();

	add_trace(run, &tr, hists);
	json_object_set_new(run, "histograms", hists);
	return 0;
}

/* The model's own figures, beside the tracer's. Rates (units_per_s,
 * gil_handoffs_per_s) and speed-ups are derived later (derive.h). */
static void add_model_figures(json_t *run, const struct workload_run *w, json_t *hists)
{
	const struct wl_result *r = w->result;

	results_set_metric(run, "units", (double)(r->cpu_units + r->io_units));
	results_set_metric(run, "startup_ns_per_worker", (double)r->startup_ns_per_worker);
	results_set_metric(run, "rss_bytes_per_worker", (double)r->rss_bytes_per_worker);
	results_set_metric(run, "peak_rss_bytes", (double)r->peak_rss_bytes);
	results_set_metric(run, "serialise_ns", (double)r->serialise_ns);
	if (r->pool_startup_ns)
		results_set_metric(run, "pool_startup_ns", (double)r->pool_startup_ns);
	if (r->py_switches_seen) /* a real interpreter's hand-offs, seen by its script */
		results_set_metric(run, "py_switches", (double)r->py_switches);
	if (r->gil_handoffs_read) /* ... and as the interpreter counts them */
		results_set_metric(run, "gil_handoffs", (double)r->gil_handoffs);
	if (hist_count(&r->io_latency)) {
		results_set_metric(run, "io_latency_p50_ns", (double)hist_quantile(&r->io_latency, 0.5, 0));
		results_set_metric(run, "io_latency_p99_ns", (double)hist_quantile(&r->io_latency, 0.99, 0));
		json_object_set_new(hists, "io_latency", hist_json(&r->io_latency));
	}
	if (r->gil) {
		json_t *tl = json_array();

		results_set_metric(run, "gil_handoffs", (double)r->gil_handoffs);
		results_set_metric(run, "gil_drop_requests", (double)r->gil_drop_requests);
		results_set_metric(run, "gil_forced_switches", (double)r->gil_forced_switches);
		results_set_metric(run, "gil_hold_p50_ns", (double)hist_quantile(&r->gil_hold, 0.5, 0));
		results_set_metric(run, "gil_hold_p99_ns", (double)hist_quantile(&r->gil_hold, 0.99, 0));
		json_object_set_new(hists, "gil_hold", hist_json(&r->gil_hold));
		for (uint32_t i = 0; i < r->gil_ntimeline && i < GIL_TIMELINE_MAX; i++)
			json_array_append_new(tl, json_pack("[ii]", r->gil_timeline[i][0], r->gil_timeline[i][1]));
		json_object_set_new(run, "gil", json_pack("{sI ss sI sI sI sI so}", "interval_us",
			(json_int_t)w->interval_us, "mode", w->gil_mode ? w->gil_mode : "new",
			"t0_ns", (json_int_t)r->gil_t0_ns,
			"handoffs", (json_int_t)r->gil_handoffs,
			"drop_requests", (json_int_t)r->gil_drop_requests, "forced_switches",
			(json_int_t)r->gil_forced_switches, "timeline", tl));
	}
}

json_t *run_build_workload(const char *label, const struct run_trace *tr, const struct workload_run *w)
{
	json_t *run = results_run_new(label), *ranges = json_array(), *hists = json_object();

	json_object_set_new(run, "kind", json_string("workload"));
	json_object_set_new(run, "model", json_string(w->model));
	json_object_set_new(run, "workload", json_string(w->workload));
	json_object_set_new(run, "runtime", json_string(w->runtime ? w->runtime : "sim"));
	json_object_set_new(run, "interval_us", json_integer(w->interval_us));
	json_object_set_new(run, "workers", json_integer(w->workers));
	json_object_set_new(run, "repeat", json_integer(w->repeat));
	json_object_set_new(run, "ok", json_boolean(w->result->ok));
	if (!w->result->ok)
		json_object_set_new(run, "error", json_string(w->result->error));
	for (size_t i = 0; i < tr->ngil; i++)
		json_array_append_new(ranges, json_pack("{sI sI sI}", "tgid", (json_int_t)tr->gil[i].tgid,
			"start", (json_int_t)tr->gil[i].start, "end", (json_int_t)tr->gil[i].end));
	json_object_set_new(run, "gil_ranges", ranges);
	/* the tracer's figures (cores_used among them) cover the runner's life,
	 * wall_s and the model's figures its work phase */
	add_trace(run, tr, hists);
	json_object_set_new(run, "runner_wall_s", json_real(tr->trace_wall_s));
	add_model_figures(run, w, hists);
	json_object_set_new(run, "histograms", hists);
	return run;
}

/* The kernel's own accounting of every reaped descendant, for comparison. */
static json_t *rusage_json(const struct rusage *ru)
{
	return json_pack("{sI sI sI sI}", "voluntary_switches", (json_int_t)ru->ru_nvcsw,
			 "involuntary_switches", (json_int_t)ru->ru_nivcsw,
			 "oncpu_ns", (json_int_t)((ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000ll +
						  (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000ll),
			 "max_rss_kb", (json_int_t)ru->ru_maxrss);
}

json_t *run_build_record(const char *label, const struct run_trace *tr, const struct record_run *r)
{
	json_t *run = results_run_new(label), *hists = json_object();

	json_object_set_new(run, "kind", json_string("record"));
	if (r->cmd) {
		json_t *cmd = json_array();

		for (int i = 0; i < r->cmdc; i++)
			json_array_append_new(cmd, json_sysstr(r->cmd[i]));
		json_object_set_new(run, "command", cmd);
		json_object_set_new(run, "exit_status", json_integer(r->exit_status));
		if (r->children)
			json_object_set_new(run, "rusage", rusage_json(r->children));
	} else {
		json_object_set_new(run, "pid", json_integer(r->pid));
	}
	if (r->interrupted)
		json_object_set_new(run, "interrupted", json_true());
	add_trace(run, tr, hists);
	json_object_set_new(run, "histograms", hists);
	return run;
}
