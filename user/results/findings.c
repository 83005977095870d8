/* findings.c - what a run's figures say (see findings.h).
 *
 * Shares are of a thread's traced lifetime (the time breakdown sums to it).
 * Threads that lived less than min_lifetime_ns are not judged: a share of a
 * few milliseconds says nothing.
 */
#include "findings.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct finding_threshold findings_thresholds[] = {
	{ "min_lifetime_ns", 50e6, "threads that lived less than this are not judged" },
	{ "gil_convoy_share", 0.5,
	  "GIL convoy: a thread waited for the GIL at least this share of its life..." },
	{ "gil_convoy_oncpu_ratio", 0.5,
	  "...and was on a CPU less than this times the busiest other thread of its process" },
	{ "full_interval", 0.9,
	  "a GIL wait at least this share of the switch interval counts as a whole interval" },
	{ "gil_contention_share", 0.05,
	  "no thread waited for the GIL this share of its life or more: no GIL contention" },
	{ "cpu_bound_share", 0.8,
	  "CPU-bound thread: on CPU + run queue + GIL wait at least this share of its life..." },
	{ "cpu_bound_oncpu_share", 0.05, "...and on a CPU at least this share" },
	{ "parallel_cores", 1.2,
	  "CPU-bound threads of one process using fewer cores than this: no parallelism" },
	{ "io_bound_share", 0.5, "I/O-bound thread: in I/O waits at least this share of its life" },
	{ "runq_share", 0.2,
	  "CPU oversubscribed: all threads together waited for a CPU this share of their lives" },
	{ "lock_wall_share", 0.1,
	  "lock contention: waits on one lock (not the GIL, not a join) of at least this share of the wall time..." },
	{ "lock_min_waits", 10, "...in at least this many waits (one long wait is waiting for an event)" },
};
const size_t findings_nthresholds = sizeof(findings_thresholds) / sizeof(findings_thresholds[0]);

double findings_threshold(const char *name)
{
	for (size_t i = 0; i < findings_nthresholds; i++)
		if (!strcmp(findings_thresholds[i].name, name))
			return findings_thresholds[i].value;
	abort();
}

#define T(name) findings_threshold(name)

static double num(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A share of the thread's lifetime, NAN when not measured. */
static double share(const json_t *t, const char *k)
{
	double life = num(t, "lifetime_ns");

	return life > 0 ? num(t, k) / life : NAN;
}

static bool judged(const json_t *t)
{
	return num(t, "lifetime_ns") >= T("min_lifetime_ns");
}

static json_int_t tid_of(const json_t *t)
{
	return json_integer_value(json_object_get(t, "tid"));
}

static json_int_t tgid_of(const json_t *o)
{
	return json_integer_value(json_object_get(o, "tgid"));
}

/* The python[] entry of tgid with its GIL found, or NULL. */
static const json_t *found_gil(const json_t *run, json_int_t tgid)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(run, "python"), i, p)
		if (tgid_of(p) == tgid && json_is_true(json_object_get(json_object_get(p, "gil"), "found")))
			return p;
	return NULL;
}

static void add(json_t *out, const char *id, const char *text, json_t *figures)
{
	json_array_append_new(out, json_pack("{ss ss so}", "id", id, "text", text, "figures", figures));
}

static double busiest_other_oncpu(const json_t *run, const json_t *t, const json_t **who)
{
	double best = 0;
	json_t *u;
	size_t i;

	*who = NULL;
	json_array_foreach(json_object_get(run, "threads"), i, u) {
		double s = share(u, "time_oncpu_ns");

		if (u == t || tgid_of(u) != tgid_of(t) || !judged(u) || !(s > best))
			continue;
		best = s;
		*who = u;
	}
	return best;
}

static bool convoy_victim(const json_t *run, const json_t *t)
{
	const json_t *other;
	double other_oncpu;

	if (!judged(t) || !found_gil(run, tgid_of(t)) || !(share(t, "time_gil_ns") >= T("gil_convoy_share")))
		return false;
	other_oncpu = busiest_other_oncpu(run, t, &other);
	return other && share(t, "time_oncpu_ns") < T("gil_convoy_oncpu_ratio") * other_oncpu;
}

static bool cpu_bound(const json_t *run, const json_t *t)
{
	double s = share(t, "time_oncpu_ns") + share(t, "time_runq_ns") +
		   (json_is_number(json_object_get(t, "time_gil_ns")) ? share(t, "time_gil_ns") : 0);

	return judged(t) && s >= T("cpu_bound_share") &&
	       share(t, "time_oncpu_ns") >= T("cpu_bound_oncpu_share") && !convoy_victim(run, t);
}

/* GIL waits of at least full_interval x the switch interval (run-wide: the
 * histogram is the run's), or -1 when it cannot be told. */
static json_int_t full_interval_waits(const json_t *run, const json_t *py)
{
	json_t *b, *h = json_object_get(json_object_get(run, "histograms"), "gil_wait");
	double iv = num(json_object_get(py, "gil"), "interval_us") * 1e3;
	json_int_t n = 0;
	size_t i;

	if (!(iv > 0) || !json_is_array(json_object_get(h, "buckets")))
		return -1;
	json_array_foreach(json_object_get(h, "buckets"), i, b)
		if (json_number_value(json_array_get(b, 0)) >= T("full_interval") * iv)
			n += json_integer_value(json_array_get(b, 2));
	return n;
}

static void gil_convoy(const json_t *run, json_t *out)
{
	const json_t *worst = NULL, *other = NULL, *py;
	json_t *t, *fig;
	size_t i, victims = 0;
	char text[512];
	int len;
	json_int_t full;

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		if (!convoy_victim(run, t))
			continue;
		victims++;
		if (!worst || share(t, "time_gil_ns") > share(worst, "time_gil_ns"))
			worst = t;
	}
	if (!worst)
		return;
	busiest_other_oncpu(run, worst, &other);
	py = found_gil(run, tgid_of(worst));
	fig = json_pack("{sI sf sf sf sI sf}", "tid", tid_of(worst),
			"gil_share", share(worst, "time_gil_ns"), "io_share", share(worst, "time_io_ns"),
			"oncpu_share", share(worst, "time_oncpu_ns"), "other_tid", tid_of(other),
			"other_oncpu_share", share(other, "time_oncpu_ns"));
	len = snprintf(text, sizeof(text), "GIL convoy: thread %lld waited for the GIL %.0f%% of its "
		       "life (%.0f%% in I/O, %.0f%% on a CPU)", (long long)tid_of(worst),
		       100 * share(worst, "time_gil_ns"), 100 * share(worst, "time_io_ns"),
		       100 * share(worst, "time_oncpu_ns"));
	full = full_interval_waits(run, py);
	if (full >= 0) {
		json_object_set_new(fig, "full_interval_waits", json_integer(full));
		json_object_set_new(fig, "interval_us", json_real(num(json_object_get(py, "gil"), "interval_us")));
		len += snprintf(text + len, sizeof(text) - (size_t)len, "; %lld GIL waits in the run lasted "
				"a whole switch interval (%.0f ms)", (long long)full,
				num(json_object_get(py, "gil"), "interval_us") / 1e3);
	}
	len += snprintf(text + len, sizeof(text) - (size_t)len, ", while thread %lld was on a CPU "
			"%.0f%% of its life", (long long)tid_of(other), 100 * share(other, "time_oncpu_ns"));
	if (victims > 1) {
		snprintf(text + len, sizeof(text) - (size_t)len, " (%zu threads like it)", victims);
		json_object_set_new(fig, "threads", json_integer((json_int_t)victims));
	}
	add(out, "gil_convoy", text, fig);
}

/* Per process: two or more CPU-bound threads, and whether they ran in parallel. */
static void cpu_bound_threads(const json_t *run, json_t *out)
{
	json_t *t, *u, *seen = json_array();
	size_t i, j;

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		json_int_t tgid = tgid_of(t), n = 0;
		double oncpu = 0, life = 0, hps;
		const json_t *py = found_gil(run, tgid);
		char text[320], rate[64] = "";
		bool done = false;
		json_t *fig, *v;

		json_array_foreach(seen, j, v)
			done |= json_integer_value(v) == tgid;
		if (done || !cpu_bound(run, t))
			continue;
		json_array_append_new(seen, json_integer(tgid));
		json_array_foreach(json_object_get(run, "threads"), j, u) {
			if (tgid_of(u) != tgid || !cpu_bound(run, u))
				continue;
			n++;
			oncpu += num(u, "time_oncpu_ns");
			life = fmax(life, num(u, "lifetime_ns"));
		}
		if (n < 2)
			continue;
		fig = json_pack("{sI sI sf}", "tgid", tgid, "threads", n, "cores", oncpu / life);
		hps = num(json_object_get(run, "metrics"), "gil_handoffs_per_s");
		if (py && isfinite(hps)) {
			json_object_set_new(fig, "gil_handoffs_per_s", json_real(hps));
			snprintf(rate, sizeof(rate), ", %.0f GIL hand-offs/s", hps);
		}
		snprintf(text, sizeof(text), "CPU-bound threads: %lld threads of process %lld, %.2f cores "
			 "used%s: %s", (long long)n, (long long)tgid, oncpu / life, rate,
			 oncpu / life >= T("parallel_cores") ? "running in parallel" :
			 py ? "no parallelism (the GIL lets one run at a time)" : "no parallelism");
		add(out, "cpu_bound", text, fig);
	}
	json_decref(seen);
}

/* Every Python process with its GIL found: the most any thread waited for it. */
static void gil_contention(const json_t *run, json_t *out, bool said)
{
	json_t *p, *t;
	size_t i, j;

	json_array_foreach(json_object_get(run, "python"), i, p) {
		const json_t *worst = NULL;
		char text[256];

		if (!found_gil(run, tgid_of(p)))
			continue;
		json_array_foreach(json_object_get(run, "threads"), j, t)
			if (tgid_of(t) == tgid_of(p) && judged(t) && isfinite(share(t, "time_gil_ns")) &&
			    (!worst || share(t, "time_gil_ns") > share(worst, "time_gil_ns")))
				worst = t;
		if (!worst)
			continue;
		if (share(worst, "time_gil_ns") < T("gil_contention_share")) {
			snprintf(text, sizeof(text), "no GIL contention in process %lld: no thread waited "
				 "for the GIL more than %.1f%% of its life", (long long)tgid_of(p),
				 100 * share(worst, "time_gil_ns"));
			add(out, "no_gil_contention", text, json_pack("{sI sI sf}", "tgid", tgid_of(p),
				"tid", tid_of(worst), "gil_share", share(worst, "time_gil_ns")));
		} else if (!said) {
			snprintf(text, sizeof(text), "GIL contention: thread %lld waited for the GIL %.0f%% "
				 "of its life", (long long)tid_of(worst), 100 * share(worst, "time_gil_ns"));
			add(out, "gil_contention", text, json_pack("{sI sI sf}", "tgid", tgid_of(p),
				"tid", tid_of(worst), "gil_share", share(worst, "time_gil_ns")));
		}
	}
}

static void gil_not_found(const json_t *run, json_t *out)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(run, "python"), i, p) {
		json_t *g = json_object_get(p, "gil");
		const char *why = json_string_value(json_object_get(g, "reason"));
		char text[400];

		if (json_is_true(json_object_get(g, "found")))
			continue;
		snprintf(text, sizeof(text), "GIL not identified in process %lld (CPython %s): %s; "
			 "its GIL figures are n/a", (long long)tgid_of(p),
			 json_is_string(json_object_get(p, "version")) ?
				json_string_value(json_object_get(p, "version")) : "of unknown version",
			 why ? why : "no reason given");
		add(out, "gil_not_found", text, json_pack("{sI}", "tgid", tgid_of(p)));
	}
}

static void io_bound(const json_t *run, json_t *out)
{
	const json_t *worst = NULL;
	json_int_t n = 0;
	json_t *t;
	size_t i;
	char text[256];

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		if (!judged(t) || !(share(t, "time_io_ns") >= T("io_bound_share")))
			continue;
		n++;
		if (!worst || share(t, "time_io_ns") > share(worst, "time_io_ns"))
			worst = t;
	}
	if (!n)
		return;
	snprintf(text, sizeof(text), "I/O-bound threads: %lld thread%s in I/O waits at least %.0f%% "
		 "of its life (most: thread %lld, %.0f%%)", (long long)n, n > 1 ? "s" : "",
		 100 * T("io_bound_share"), (long long)tid_of(worst), 100 * share(worst, "time_io_ns"));
	add(out, "io_bound", text, json_pack("{sI sI sf}", "threads", n, "tid", tid_of(worst),
					     "io_share", share(worst, "time_io_ns")));
}

static void oversubscribed(const json_t *run, json_t *out)
{
	double runq = 0, life = 0;
	json_t *t;
	size_t i;
	char text[200];

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		if (!isfinite(share(t, "time_runq_ns")))
			continue;
		runq += num(t, "time_runq_ns");
		life += num(t, "lifetime_ns");
	}
	if (!(life > 0) || runq / life < T("runq_share"))
		return;
	snprintf(text, sizeof(text), "CPU oversubscribed: the threads waited for a CPU (run queue) "
		 "%.0f%% of their time", 100 * runq / life);
	add(out, "oversubscribed", text, json_pack("{sf}", "runq_share", runq / life));
}

static void lock_contention(const json_t *run, json_t *out)
{
	double wall = num(run, "wall_s") * 1e9;
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(run, "locks"), i, l) {
		const char *kind = json_string_value(json_object_get(l, "kind"));
		const char *name = json_string_value(json_object_get(l, "name"));
		const char *addr = json_string_value(json_array_get(json_object_get(l, "words"), 0));
		char text[400];

		if (!kind || strcmp(kind, "lock") || !(wall > 0) || num(l, "waits") < T("lock_min_waits"))
			continue;
		if (num(l, "wait_ns") < T("lock_wall_share") * wall)
			continue;
		snprintf(text, sizeof(text), "lock contention: %s%s%s (process %lld) waited on for %.3f s "
			 "in %.0f waits, the longest %.1f ms", name ? name : addr ? addr : "?",
			 name && addr ? " at " : "", name && addr ? addr : "", (long long)tgid_of(l),
			 num(l, "wait_ns") / 1e9, num(l, "waits"), num(l, "max_wait_ns") / 1e6);
		add(out, "lock_contention", text, json_pack("{sI sf sf sf}", "tgid", tgid_of(l),
			"wait_ns", num(l, "wait_ns"), "waits", num(l, "waits"), "wall_share",
			num(l, "wait_ns") / wall));
		return; /* the worst one */
	}
}

static void lost(const json_t *run, json_t *out)
{
	double n = num(json_object_get(run, "tracer"), "lost_events");
	char text[160];

	if (!(n > 0))
		return;
	snprintf(text, sizeof(text), "figures incomplete: %.0f events were lost", n);
	add(out, "lost_events", text, json_pack("{sf}", "lost_events", n));
}

json_t *findings_decide(const json_t *run)
{
	json_t *out = json_array();
	size_t before;

	lost(run, out);
	gil_not_found(run, out);
	before = json_array_size(out);
	gil_convoy(run, out);
	cpu_bound_threads(run, out);
	gil_contention(run, out, json_array_size(out) > before);
	lock_contention(run, out);
	io_bound(run, out);
	oversubscribed(run, out);
	return out;
}
