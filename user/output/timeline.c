/*
 * timeline.c - the Chrome trace-event JSON of a run (trace.json), which
 * Perfetto and chrome://tracing open. One track per thread with its on-CPU
 * slices; beside it a "waits" track with futex/GIL waits and io_uring
 * requests; the simulated GIL's holder as a counter.
 *
 * Memory stays flat however many events a run has: while it runs, the
 * tracer hands each event to timeline_spool_event, which appends it to an
 * anonymous temporary file (the spool); timeline_write then reads the spool
 * once, in order, and writes each trace event as it goes.
 */
#include "timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "fsout.h"
#include "sysstr.h"

/* Each thread's second track: waits never overlap its on-CPU slices there. */
#define WAITS_TRACK 0x40000000
/* The simulated GIL's track. */
#define GIL_TRACK 0x7fff0000

struct open_slice {
	uint32_t tid;
	uint64_t since; /* switch-in time, 0: not on a CPU */
};

/* Writes the elements of the traceEvents array, with the commas between. */
struct ev_writer {
	FILE *f;
	bool any;
};

FILE *timeline_spool_new(void)
{
	FILE *f = tmpfile(); /* O_TMPFILE: no name, gone with the process */

	if (f)
		fcntl(fileno(f), F_SETFD, FD_CLOEXEC); /* not the traced command's */
	return f;
}

void timeline_spool_event(void *spool, const struct gs_event *ev)
{
	fwrite(ev, sizeof(*ev), 1, spool); /* a failure shows in ferror(spool) */
}

static void sep(struct ev_writer *w)
{
	if (w->any)
		fputc(',', w->f);
	w->any = true;
}

static void emit(struct ev_writer *w, json_t *ev)
{
	if (!ev)
		return;
	sep(w);
	json_dumpf(ev, w->f, JSON_COMPACT);
	json_decref(ev);
}

static void slice(struct ev_writer *w, const char *name, const char *cat, uint32_t pid,
		  uint32_t tid, double ts, double dur)
{
	/* names and categories are our own ASCII: no escaping needed */
	sep(w);
	fprintf(w->f, "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,"
		"\"ts\":%.3f,\"dur\":%.3f}", name, cat, pid, tid, ts, dur);
}

static int by_tid(const void *a, const void *b)
{
	uint32_t x = ((const struct open_slice *)a)->tid, y = ((const struct open_slice *)b)->tid;

	return x < y ? -1 : x > y;
}

static double us(const struct trace_data *d, uint64_t ts)
{
	return ts > d->start_ns ? (double)(ts - d->start_ns) / 1e3 : 0;
}

static void thread_names(struct ev_writer *w, const struct trace_data *d)
{
	for (size_t i = 0; i < d->ntasks; i++) {
		const struct gs_task *t = &d->tasks[i];
		char comm[sizeof(t->comm) + 1], waits[48];

		snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(t->comm), t->comm);
		snprintf(waits, sizeof(waits), "%s (waits)", comm);
		emit(w, json_pack("{ss ss sI sI s{so}}", "name", "thread_name", "ph", "M",
				  "pid", (json_int_t)t->tgid, "tid", (json_int_t)t->tid,
				  "args", "name", json_sysstr(comm)));
		emit(w, json_pack("{ss ss sI sI s{so}}", "name", "thread_name", "ph", "M",
				  "pid", (json_int_t)t->tgid, "tid", (json_int_t)(t->tid + WAITS_TRACK),
				  "args", "name", json_sysstr(waits)));
	}
}

/* The simulated GIL's hand-offs as slices on a track of their own: who held
 * it when (worker index), and as a counter. */
static void gil_slices(struct ev_writer *w, const struct trace_data *d, const json_t *run,
		       uint32_t pid)
{
	json_t *gil = json_object_get(run, "gil"), *tl = json_object_get(gil, "timeline"), *p, *next;
	/* the GIL's clock starts at its creation (t0_ns, CLOCK_MONOTONIC) */
	double off = us(d, (uint64_t)json_integer_value(json_object_get(gil, "t0_ns")));
	size_t i;

	if (!json_array_size(tl))
		return;
	emit(w, json_pack("{ss ss sI sI s{ss}}", "name", "thread_name", "ph", "M",
			  "pid", (json_int_t)pid, "tid", (json_int_t)GIL_TRACK, "args", "name", "GIL holder"));
	json_array_foreach(tl, i, p) {
		double t = off + json_number_value(json_array_get(p, 0));
		json_int_t holder = json_integer_value(json_array_get(p, 1));
		char name[48];

		emit(w, json_pack("{ss ss sI sf s{sI}}", "name", "GIL holder", "ph", "C",
				  "pid", (json_int_t)pid, "ts", t, "args", "holder", holder));
		next = json_array_get(tl, i + 1);
		if (!next || holder < 0)
			continue;
		snprintf(name, sizeof(name), "worker %lld holds the GIL", (long long)holder);
		slice(w, name, "gil", pid, GIL_TRACK, t, off + json_number_value(json_array_get(next, 0)) - t);
	}
}

/* --- futex waits: named "GIL wait" on a GIL word, with the word's address
 * and its name from the run's futexes[] (futex_namer.h) when it has one --- */
static json_t *word_name(const json_t *run, uint32_t tgid, uint64_t uaddr)
{
	json_t *fx;
	size_t i;
	char addr[32];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)uaddr);
	json_array_foreach(json_object_get(run, "futexes"), i, fx)
		if (json_integer_value(json_object_get(fx, "tgid")) == tgid &&
		    json_is_string(json_object_get(fx, "name")) &&
		    !strcmp(addr, json_string_value(json_object_get(fx, "uaddr"))))
			return json_object_get(fx, "name");
	return NULL;
}

static void futex_slice(struct ev_writer *w, const struct trace_data *d, const json_t *run,
			const struct gs_event *x, bool gil)
{
	json_t *name = run ? word_name(run, x->tgid, x->addr) : NULL;
	json_t *args = json_pack("{ss}", "word", "");
	char addr[32];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)x->addr);
	json_object_set_new(args, "word", json_string(addr));
	if (name) /* already lossless-escaped text (sysstr.h) */
		json_object_set(args, "lock", name);
	emit(w, json_pack("{ss ss ss sI sI sf sf so}", "name", gil ? "GIL wait" : "futex wait",
			  "cat", gil ? "gil" : "lock", "ph", "X", "pid", (json_int_t)x->tgid,
			  "tid", (json_int_t)(x->tid + WAITS_TRACK), "ts", us(d, x->ts_ns),
			  "dur", (double)x->dur_ns / 1e3, "args", args));
}

/* One spooled event; open[] (sorted by tid) tracks who is on a CPU since when. */
static void one_event(struct ev_writer *w, const struct trace_data *d, const json_t *run,
		      const struct gs_event *x, struct open_slice *open)
{
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
			slice(w, "on CPU", "sched", x->tgid, x->tid, us(d, o->since),
			      (double)(x->ts_ns - o->since) / 1e3);
			o->since = 0;
		}
		break;
	case GS_EV_FUTEX_WAIT:
		futex_slice(w, d, run, x, gil);
		break;
	case GS_EV_IOURING:
		slice(w, "io_uring request", "io", x->tgid, x->tid + WAITS_TRACK, us(d, x->ts_ns),
		      (double)x->dur_ns / 1e3);
		break;
	case GS_EV_WAKEUP:
		sep(w);
		fprintf(w->f, "{\"name\":\"wakeup\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%u,\"tid\":%u,"
			"\"ts\":%.3f}", x->tgid, x->tid, us(d, x->ts_ns));
		break;
	}
}

int timeline_write(FILE *f, const struct trace_data *d, const json_t *run, FILE *spool)
{
	struct open_slice *open = calloc(d->ntasks ? d->ntasks : 1, sizeof(*open));
	uint64_t lost = d->counters[GS_CTR_LOST_TIMELINE] + d->timeline_dropped, n = 0;
	struct ev_writer w = { .f = f };
	struct gs_event x;

	if (!open)
		return -1;
	/* the spool is complete: a write to it that failed fails the timeline */
	if (spool && (fflush(spool) || ferror(spool) || fseek(spool, 0, SEEK_SET))) {
		int e = errno;

		free(open);
		errno = e ? e : EIO;
		return -1;
	}
	for (size_t i = 0; i < d->ntasks; i++)
		open[i].tid = d->tasks[i].tid;
	qsort(open, d->ntasks, sizeof(*open), by_tid);
	fputs("{\"traceEvents\":[", f);
	thread_names(&w, d);
	while (spool && fread(&x, sizeof(x), 1, spool) == 1) {
		one_event(&w, d, run, &x, open);
		n++;
	}
	free(open);
	if (spool && ferror(spool))
		return -1;
	if (run && d->ntasks && json_object_get(run, "gil"))
		gil_slices(&w, d, run, d->tasks[0].tgid);
	if (lost)
		emit(&w, json_pack("{ss ss ss sI sI sf s{sI}}", "name",
			"EVENTS LOST (ring buffer full)", "ph", "i", "s", "g", "pid", (json_int_t)0,
			"tid", (json_int_t)0, "ts", 0.0, "args", "lost", (json_int_t)lost));
	fprintf(f, "],\"displayTimeUnit\":\"ms\",\"otherData\":{\"events\":%llu,\"lost_events\":%llu}}",
		(unsigned long long)n, (unsigned long long)lost);
	return ferror(f) ? -1 : 0;
}
