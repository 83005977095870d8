/*
 * timeline.c - the Chrome trace-event JSON of a run (trace.json), which
 * Perfetto and chrome://tracing open. One track per thread with its on-CPU
 * slices; beside it a "waits" track with futex/GIL waits and io_uring
 * requests; the simulated GIL's holder as a counter.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>
#include "sysstr.h"

/* Each thread's second track: waits never overlap its on-CPU slices there. */
#define WAITS_TRACK 0x40000000

struct open_slice {
	uint32_t tid;
	uint64_t since; /* switch-in time, 0: not on a CPU */
};

static int by_tid(const void *a, const void *b)
{
	uint32_t x = ((const struct open_slice *)a)->tid, y = ((const struct open_slice *)b)->tid;

	return x < y ? -1 : x > y;
}

static double us(const struct trace_data *d, uint64_t ts)
{
	return ts > d->start_ns ? (double)(ts - d->start_ns) / 1e3 : 0;
}

static json_t *slice(const char *name, const char *cat, uint32_t pid, uint32_t tid, double ts,
		     double dur)
{
	return json_pack("{ss ss ss sI sI sf sf}", "name", name, "cat", cat, "ph", "X",
			 "pid", (json_int_t)pid, "tid", (json_int_t)tid, "ts", ts, "dur", dur);
}

static void thread_names(json_t *ev, const struct trace_data *d)
{
	for (size_t i = 0; i < d->ntasks; i++) {
		const struct gs_task *t = &d->tasks[i];
		char comm[sizeof(t->comm) + 1], waits[48];

		snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(t->comm), t->comm);
		snprintf(waits, sizeof(waits), "%s (waits)", comm);
		json_array_append_new(ev, json_pack("{ss ss sI sI s{so}}", "name", "thread_name",
			"ph", "M", "pid", (json_int_t)t->tgid, "tid", (json_int_t)t->tid,
			"args", "name", json_sysstr(comm)));
		json_array_append_new(ev, json_pack("{ss ss sI sI s{so}}", "name", "thread_name",
			"ph", "M", "pid", (json_int_t)t->tgid, "tid", (json_int_t)(t->tid + WAITS_TRACK),
			"args", "name", json_sysstr(waits)));
	}
}

/* The simulated GIL's hand-offs as slices on a track of their own: who held
 * it when (worker index), and as a counter. */
#define GIL_TRACK 0x7fff0000

static void gil_slices(json_t *ev, const struct trace_data *d, const json_t *run, uint32_t pid)
{
	json_t *gil = json_object_get(run, "gil"), *tl = json_object_get(gil, "timeline"), *p, *next;
	/* the GIL's clock starts at its creation (t0_ns, CLOCK_MONOTONIC) */
	double off = us(d, (uint64_t)json_integer_value(json_object_get(gil, "t0_ns")));
	size_t i;

	if (!json_array_size(tl))
		return;
	json_array_append_new(ev, json_pack("{ss ss sI sI s{ss}}", "name", "thread_name", "ph", "M",
		"pid", (json_int_t)pid, "tid", (json_int_t)GIL_TRACK, "args", "name", "GIL holder"));
	json_array_foreach(tl, i, p) {
		double t = off + json_number_value(json_array_get(p, 0));
		json_int_t holder = json_integer_value(json_array_get(p, 1));
		char name[48];

		json_array_append_new(ev, json_pack("{ss ss sI sf s{sI}}", "name", "GIL holder",
			"ph", "C", "pid", (json_int_t)pid, "ts", t, "args", "holder", holder));
		next = json_array_get(tl, i + 1);
		if (!next || holder < 0)
			continue;
		snprintf(name, sizeof(name), "worker %lld holds the GIL", (long long)holder);
		json_array_append_new(ev, slice(name, "gil", pid, GIL_TRACK, t,
						off + json_number_value(json_array_get(next, 0)) - t));
	}
}

int timeline_write(FILE *f, const struct trace_data *d, const json_t *run)
{
	struct open_slice *open = calloc(d->ntasks ? d->ntasks : 1, sizeof(*open));
	json_t *root, *ev = json_array();
	uint64_t lost = d->counters[GS_CTR_LOST_TIMELINE] + d->timeline_dropped;
	int e;

	if (!open)
		return -1;
	for (size_t i = 0; i < d->ntasks; i++)
		open[i].tid = d->tasks[i].tid;
	qsort(open, d->ntasks, sizeof(*open), by_tid);
	thread_names(ev, d);

	for (size_t i = 0; i < d->nevents; i++) {
		const struct gs_event *x = &d->events[i];
		struct open_slice key = { .tid = x->tid }, *o;
		bool gil = x->arg != 0;

		switch (x->type) {
		case GS_EV_SWITCH_IN:
		case GS_EV_SWITCH_OUT:
			o = bsearch(&key, open, d->ntasks, sizeof(*open), by_tid);
			if (!o)
				break;
			if (x->type == GS_EV_SWITCH_IN) {
				o->since = x->ts_ns;
			} else if (o->since) {
				json_array_append_new(ev, slice("on CPU", "sched", x->tgid, x->tid,
					us(d, o->since), (double)(x->ts_ns - o->since) / 1e3));
				o->since = 0;
			}
			break;
		case GS_EV_FUTEX_WAIT:
			json_array_append_new(ev, slice(gil ? "GIL wait" : "futex wait", "lock", x->tgid,
				x->tid + WAITS_TRACK, us(d, x->ts_ns), (double)x->dur_ns / 1e3));
			break;
		case GS_EV_IOURING:
			json_array_append_new(ev, slice("io_uring request", "io", x->tgid,
				x->tid + WAITS_TRACK, us(d, x->ts_ns), (double)x->dur_ns / 1e3));
			break;
		case GS_EV_WAKEUP:
			json_array_append_new(ev, json_pack("{ss ss ss sI sI sf}", "name", "wakeup",
				"ph", "i", "s", "t", "pid", (json_int_t)x->tgid, "tid", (json_int_t)x->tid,
				"ts", us(d, x->ts_ns)));
			break;
		}
	}
	if (run && d->ntasks)
		gil_slices(ev, d, run, d->tasks[0].tgid);
	if (lost)
		json_array_append_new(ev, json_pack("{ss ss ss sI sI sf s{sI}}", "name",
			"EVENTS LOST (ring buffer full)", "ph", "i", "s", "g", "pid", (json_int_t)0,
			"tid", (json_int_t)0, "ts", 0.0, "args", "lost", (json_int_t)lost));
	root = json_pack("{so ss s{sI sI}}", "traceEvents", ev, "displayTimeUnit", "ms",
			 "otherData", "events", (json_int_t)d->nevents, "lost_events", (json_int_t)lost);
	e = json_dumpf(root, f, JSON_COMPACT);
	json_decref(root);
	free(open);
	return e || ferror(f) ? -1 : 0;
}
