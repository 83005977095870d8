/* record_table.c - print a recorded run like `perf stat` does. */
#include "record_table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void safe_str(char *out, size_t outlen, const char *s)
{
	size_t i = 0;

	for (; s && *s && i + 1 < outlen; s++)
		out[i++] = isprint((unsigned char)*s) ? *s : '?';
	out[i] = 0;
}

static double metric(const json_t *run, const char *name)
{
	json_t *v = json_object_get(json_object_get(run, "metrics"), name);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static double num(const json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	return json_is_number(v) ? json_number_value(v) : 0;
}

/* --- per-thread table: where each thread's lifetime went ------------------ */

/* A share of the thread's lifetime as "NN%", "n/a" when not measured (null,
 * absent: a document of an older gilscope, or an unfound GIL). */
static void pct(char *out, size_t len, const json_t *t, const char *name)
{
	json_t *v = json_object_get(t, name), *life = json_object_get(t, "lifetime_ns");

	if (!json_is_number(v) || !json_is_number(life) || json_number_value(life) <= 0)
		snprintf(out, len, "n/a");
	else
		snprintf(out, len, "%.1f%%", 100 * json_number_value(v) / json_number_value(life));
}

static const char *const breakdown[][2] = {
	{ "ONCPU", "time_oncpu_ns" }, { "RUNQ", "time_runq_ns" }, { "GIL", "time_gil_ns" },
	{ "LOCK", "time_lock_ns" },   { "IO", "time_io_ns" },     { "SLEEP", "time_sleep_ns" },
	{ "OTHER", "time_other_ns" },
};
#define NBREAKDOWN (sizeof(breakdown) / sizeof(breakdown[0]))

/* Threads by traced lifetime, longest first (ties: by tid): a short helper
 * process of a wrapper script does not push the program's threads off the
 * table. */
static int by_lifetime_desc(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	double lx = num(x, "lifetime_ns"), ly = num(y, "lifetime_ns");

	if (lx != ly)
		return lx < ly ? 1 : -1;
	return num(x, "tid") < num(y, "tid") ? -1 : num(x, "tid") > num(y, "tid");
}

static void print_threads(FILE *f, const json_t *all)
{
	size_t i, shown = 0, n = json_array_size(all);
	const json_t **threads = calloc(n ? n : 1, sizeof(*threads));
	const json_t *t;

	if (!threads)
		return;
	for (i = 0; i < n; i++)
		threads[i] = json_array_get(all, i);
	qsort(threads, n, sizeof(*threads), by_lifetime_desc);
	fprintf(f, "\n  where each thread's time went (share of its traced lifetime; longest-lived first):\n");
	fprintf(f, "  %-8s %-22s %9s", "PID", "THREAD", "LIFE_MS");
	for (size_t k = 0; k < NBREAKDOWN; k++)
		fprintf(f, " %6s", breakdown[k][0]);
	fprintf(f, " %9s %9s %8s %7s\n", "VOL_CS", "INVOL_CS", "FUTEX_W", "URING");
	for (i = 0; i < n; i++) {
		char name[64], cell[16];
		const char *label;

		t = threads[i];
		label = json_string_value(json_object_get(t, "label"));
		if (shown++ == 40) {
			fprintf(f, "  ... %zu more threads in results.json\n", n - 40);
			break;
		}
		safe_str(name, sizeof(name), label ? label : json_string_value(json_object_get(t, "comm")));
		fprintf(f, "  %-8.0f %-22s ", num(t, "tgid"), name);
		if (json_is_number(json_object_get(t, "lifetime_ns")))
			fprintf(f, "%9.1f", num(t, "lifetime_ns") / 1e6);
		else
			fprintf(f, "%9s", "n/a");
		for (size_t k = 0; k < NBREAKDOWN; k++) {
			pct(cell, sizeof(cell), t, breakdown[k][1]);
			fprintf(f, " %6s", cell);
		}
		fprintf(f, " %9.0f %9.0f %8.0f %7.0f\n", num(t, "voluntary_switches"),
			num(t, "involuntary_switches"), num(t, "futex_waits"), num(t, "iouring_submits"));
	}
	free(threads);
}

/* --- lock table: runs[].locks[] (named, the GIL's words as one row) --------- */

static void print_locks(FILE *f, const json_t *run)
{
	const json_t *locks = json_object_get(run, "locks");
	size_t i;
	json_t *x;

	if (!json_array_size(locks))
		return;
	fprintf(f, "\n  futex words waited on (the GIL and contended locks first):\n"
		"  %-8s %-32s %-18s %9s %11s %10s %9s\n", "PID", "LOCK", "ADDRESS", "WAITS", "WAIT_MS",
		"MAX_US", "WAKES");
	json_array_foreach(locks, i, x) {
		const json_t *words = json_object_get(x, "words");
		char name[64], addr[32];

		if (i == 10) {
			fprintf(f, "  ... %zu more in results.json\n", json_array_size(locks) - 10);
			break;
		}
		safe_str(name, sizeof(name), json_is_string(json_object_get(x, "name")) ?
			 json_string_value(json_object_get(x, "name")) : "?");
		safe_str(addr, sizeof(addr), json_string_value(json_array_get(words, 0)));
		if (json_array_size(words) > 1) /* the GIL: its words together */
			snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), " +%zu",
				 json_array_size(words) - 1);
		fprintf(f, "  %-8.0f %-32s %-18s %9.0f %11.2f %10.1f %9.0f\n", num(x, "tgid"), name, addr,
			num(x, "waits"), num(x, "wait_ns") / 1e6, num(x, "max_wait_ns") / 1e3,
			num(x, "wakes"));
	}
}

/* Documents without locks[] (an older gilscope): the raw futexes[]. */
static void print_futexes(FILE *f, const json_t *futexes)
{
	size_t i;
	json_t *x;

	if (!json_array_size(futexes))
		return;
	fprintf(f, "\n  top contended futex words:\n  %-8s %-18s %9s %11s %10s %9s\n", "PID", "ADDRESS",
		"WAITS", "WAIT_MS", "MAX_US", "WAKES");
	json_array_foreach(futexes, i, x) {
		char addr[32];

		if (i == 10)
			break;
		safe_str(addr, sizeof(addr), json_string_value(json_object_get(x, "uaddr")));
		fprintf(f, "  %-8.0f %-18s %9.0f %11.2f %10.1f %9.0f%s\n", num(x, "tgid"), addr,
			num(x, "waits"), num(x, "wait_ns") / 1e6, num(x, "max_wait_ns") / 1e3,
			num(x, "wakes"), json_is_true(json_object_get(x, "gil")) ? "  GIL" : "");
	}
}

/* --- findings: runs[].findings[], decided by results/findings.c ----------- */

static void print_findings(FILE *f, const json_t *run)
{
	const json_t *list = json_object_get(run, "findings");
	size_t i;
	json_t *x;

	if (!json_is_array(list))
		return;
	fprintf(f, "\n  findings:\n");
	if (!json_array_size(list))
		fprintf(f, "    (nothing stands out)\n");
	json_array_foreach(list, i, x) {
		char text[600];

		safe_str(text, sizeof(text), json_string_value(json_object_get(x, "text")));
		fprintf(f, "  * %s\n", text);
	}
}

/* A GIL figure, or "n/a" when it was not measured (null or absent). */
static void gil_figure(FILE *f, const json_t *run, const char *name, double scale,
		       const char *fmt, const char *what)
{
	json_t *v = json_object_get(json_object_get(run, "metrics"), name);
	char buf[64];

	if (json_is_number(v))
		snprintf(buf, sizeof(buf), fmt, json_number_value(v) * scale);
	else
		snprintf(buf, sizeof(buf), "n/a");
	fprintf(f, "  %14s      %s\n", buf, what);
}

/* The CPythons of a recorded run and their GIL: found (how) or why not. */
static void print_python(FILE *f, const json_t *run)
{
	json_t *py = json_object_get(run, "python"), *p;
	size_t i;

	if (!json_array_size(py))
		return;
	json_array_foreach(py, i, p) {
		json_t *g = json_object_get(p, "gil");
		char exe[96], why[160], how[32];

		safe_str(exe, sizeof(exe), json_string_value(json_object_get(p, "executable")));
		safe_str(why, sizeof(why), json_string_value(json_object_get(g, "reason")));
		safe_str(how, sizeof(how), json_string_value(json_object_get(g, "how")));
		fprintf(f, "  CPython %s (pid %.0f, %s): GIL %s%s%s\n",
			json_is_string(json_object_get(p, "version")) ?
				json_string_value(json_object_get(p, "version")) : "of unknown version",
			num(p, "tgid"), exe, json_is_true(json_object_get(g, "found")) ? "found by " : "not found: ",
			json_is_true(json_object_get(g, "found")) ? how : why, "");
	}
	gil_figure(f, run, "gil_wait_ns", 1e-9, "%.3f s", "waiting for the GIL");
	gil_figure(f, run, "gil_waits", 1, "%.0f", "GIL waits");
	gil_figure(f, run, "gil_wait_share", 100, "%.1f%%", "GIL wait share");
	gil_figure(f, run, "gil_handoffs", 1, "%.0f", "GIL hand-offs");
	gil_figure(f, run, "gil_handoffs_per_s", 1, "%.0f/s", "GIL hand-offs per second");
}

void record_table_print(FILE *f, const json_t *run)
{
	char label[256];
	const json_t *ru = json_object_get(run, "rusage"), *tr = json_object_get(run, "tracer");
	double wall = num(run, "wall_s");
	size_t i;
	json_t *c;

	safe_str(label, sizeof(label), json_string_value(json_object_get(run, "label")));
	fprintf(f, "\n Concurrency profile of '%s'", label);
	if (json_object_get(run, "exit_status"))
		fprintf(f, " (exit status %.0f)", num(run, "exit_status"));
	fprintf(f, ":\n\n");
	fprintf(f, "  %14.3f s    wall time\n", wall);
	fprintf(f, "  %14.3f s    on-CPU time          # %.2f cores used\n",
		metric(run, "oncpu_ns") / 1e9, metric(run, "cores_used"));
	fprintf(f, "  %14.0f      voluntary switches   # %.0f/s", metric(run, "voluntary_switches"),
		metric(run, "voluntary_switches_per_s"));
	if (ru)
		fprintf(f, "   (kernel rusage: %.0f)", num(ru, "voluntary_switches"));
	fprintf(f, "\n  %14.0f      involuntary switches # %.0f/s", metric(run, "involuntary_switches"),
		metric(run, "involuntary_switches_per_s"));
	if (ru)
		fprintf(f, "   (kernel rusage: %.0f)", num(ru, "involuntary_switches"));
	fprintf(f, "\n  %14.0f      CPU migrations\n", metric(run, "migrations"));
	fprintf(f, "  %14.0f      futex waits          # %.3f s waiting, p50 %.1f us, p99 %.1f us\n",
		metric(run, "futex_waits"), metric(run, "futex_wait_ns") / 1e9,
		metric(run, "futex_wait_p50_ns") / 1e3, metric(run, "futex_wait_p99_ns") / 1e3);
	fprintf(f, "  %14.0f      futex wakes\n", metric(run, "futex_wakes"));
	fprintf(f, "  %14.1f us   run-queue latency p50 # p90 %.1f us, p99 %.1f us, max %.1f us\n",
		metric(run, "runq_p50_ns") / 1e3, metric(run, "runq_p90_ns") / 1e3,
		metric(run, "runq_p99_ns") / 1e3, metric(run, "runq_max_ns") / 1e3);
	fprintf(f, "  %14.0f      io_uring submits     # %.0f completes, %.0f io-wq punts, p50 %.1f us\n",
		metric(run, "iouring_submits"), metric(run, "iouring_completes"),
		metric(run, "iouring_punts"), metric(run, "iouring_p50_ns") / 1e3);
	fprintf(f, "  %14.0f      threads in %.0f processes\n", metric(run, "threads"),
		metric(run, "processes"));
	print_python(f, run);
	fprintf(f, "  per-CPU busy:");
	json_array_foreach(json_object_get(run, "per_cpu"), i, c)
		fprintf(f, " cpu%zu %.0f%%", i, json_number_value(c) * 100);
	fprintf(f, "\n  tracer: %.0f events, %.0f lost%s", num(tr, "events"), num(tr, "lost_events"),
		num(tr, "lost_events") ? "  <-- figures are incomplete" : "");
	if (num(tr, "bpf_run_cnt"))
		fprintf(f, ", %.0f ns of BPF per event", num(tr, "bpf_ns_per_event"));
	fprintf(f, "\n");
	print_threads(f, json_object_get(run, "threads"));
	if (json_is_array(json_object_get(run, "locks")))
		print_locks(f, run);
	else
		print_futexes(f, json_object_get(run, "futexes"));
	print_findings(f, run);
}
