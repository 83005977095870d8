/*
 * run_calib.c - the calibration of `run --python`: a few cells run on the
 * simulation and on the real interpreter alike, and the figures the
 * simulation must reproduce side by side (doc.calibration, and a table).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "run_ctx.h"
#include "cell_stats.h"

#define CALIB_TOLERANCE 0.25
#define CALIB_MAX_CPU_UNITS 400 /* per CPU cell: enough for 20 ms slices */
#define CALIB_IO_UNITS 300

struct calib_cell {
	const char *id;
	enum wl_model m;
	enum wl_kind k;
	unsigned interval_us;
	bool bare_echo;    /* the zero-latency peer */
	int cpu_units;     /* -1: the calibration's; else as many */
	unsigned io_units;
};

static const struct calib_cell cells[] = {
	{ "serial-cpu", WL_SERIAL, WL_CPU, 5000, false, -1, 0 },
	{ "gil-cpu-20ms", WL_THREADS_GIL, WL_CPU, 20000, false, -1, 0 },
	{ "gil-cpu-5ms", WL_THREADS_GIL, WL_CPU, 5000, false, -1, 0 },
	{ "gil-cpu-1ms", WL_THREADS_GIL, WL_CPU, 1000, false, -1, 0 },
	{ "gil-cpu-0.1ms", WL_THREADS_GIL, WL_CPU, 100, false, -1, 0 },
	{ "serial-echo", WL_SERIAL, WL_IO, 5000, true, 0, CALIB_IO_UNITS },
	{ "gil-mixed-5ms", WL_THREADS_GIL, WL_MIXED, 5000, true, -1, 0 },
	{ "gil-mixed-1ms", WL_THREADS_GIL, WL_MIXED, 1000, true, -1, 0 },
	{ "serial-echo-in", WL_SERIAL, WL_MIXED_ECHO, 5000, true, 1, CALIB_IO_UNITS },
	{ "gil-echo-in-5ms", WL_THREADS_GIL, WL_MIXED_ECHO, 5000, true, -1, 0 },
	{ "gil-echo-in-1ms", WL_THREADS_GIL, WL_MIXED_ECHO, 1000, true, -1, 0 },
};
#define NCELLS (sizeof(cells) / sizeof(cells[0]))

enum { NFIGS = 6 };
static const char *const fig_names[NFIGS] = {
	"units_per_s", "cores_used", "voluntary_switches_per_s", "handoffs_per_s", "gil_wait_share",
	"io_per_s",
};

static double num(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Figures of one run that the table needs, measured the same way on both
 * runtimes. */
static json_t *run_figures(const json_t *run, const struct calib_cell *cc, uint64_t cpu_units)
{
	const json_t *m = json_object_get(run, "metrics"), *t;
	double wall = num(run, "wall_s"), units = num(m, "units"), busy = 0, waited = 0;
	double handoffs = num(m, "gil_handoffs_per_s");
	size_t i;

	if (isnan(handoffs)) /* the real interpreter: seen by its threads */
		handoffs = num(m, "py_switches_per_s");
	/* the GIL's share of the worker threads' time, from their futex waits
	 * (a worker of these cells waits on nothing else), on both runtimes */
	json_array_foreach(json_object_get(run, "threads"), i, t) {
		double tid = num(t, "tid"), tgid = num(t, "tgid");

		if (tid == tgid || !json_is_true(json_object_get(run, "ok")))
			continue;
		waited += num(t, "futex_wait_ns");
		busy += num(t, "oncpu_ns") + num(t, "runq_ns") + num(t, "futex_wait_ns");
	}
	const double v[NFIGS] = {
		num(m, "units_per_s"), num(m, "cores_used"), num(m, "voluntary_switches") / wall,
		handoffs, busy > 0 ? waited / busy : NAN,
		cc->k == WL_CPU ? NAN : (units - (double)cpu_units) / wall,
	};
	json_t *o = json_object();

	for (int f = 0; f < NFIGS; f++)
		if (isfinite(v[f])) /* not measured: absent */
			json_object_set_new(o, fig_names[f], json_real(v[f]));
	return o;
}

/* The median of each figure over a cell's runs. */
static json_t *medians(json_t *runs)
{
	json_t *out = json_object(), *r;
	size_t i;

	for (int f = 0; f < NFIGS; f++) {
		const char *k = fig_names[f];
		double *x = calloc(json_array_size(runs), sizeof(*x));
		size_t n = 0;

		json_array_foreach(runs, i, r) {
			double y = num(r, k);

			if (x && !isnan(y) && !isinf(y))
				x[n++] = y;
		}
		if (n)
			json_object_set_new(out, k, json_real(median_of(x, n)));
		free(x);
	}
	return out;
}

static double fig(const json_t *c, const char *cell, enum run_rt rt, const char *k)
{
	return num(json_object_get(json_object_get(c, cell), rt == RT_SIM ? "sim" : "real"), k);
}

static void row(json_t *rows, const char *figure, const char *unit, double sim, double real)
{
	json_t *r = json_pack("{ss ss}", "figure", figure, "unit", unit);
	double diff = (sim - real) / real;

	/* a figure that was not measured is null, never 0 */
	json_object_set_new(r, "sim", isfinite(sim) ? json_real(sim) : json_null());
	json_object_set_new(r, "real", isfinite(real) ? json_real(real) : json_null());
	json_object_set_new(r, "diff", isfinite(diff) ? json_real(diff) : json_null());
	json_object_set_new(r, "within", isfinite(diff) ? json_boolean(fabs(diff) <= CALIB_TOLERANCE) :
							  json_null());
	json_array_append_new(rows, r);
}

static json_t *table(const json_t *c)
{
	static const struct { const char *cell, *label; } vol[] = {
		{ "gil-cpu-20ms", "voluntary switches/s, 2 CPU threads, 20 ms" },
		{ "gil-cpu-5ms", "voluntary switches/s, 2 CPU threads, 5 ms" },
		{ "gil-cpu-1ms", "voluntary switches/s, 2 CPU threads, 1 ms" },
		{ "gil-cpu-0.1ms", "voluntary switches/s, 2 CPU threads, 0.1 ms" },
	};
	static const struct { const char *cell, *base, *label; } convoy[] = {
		{ "gil-mixed-5ms", "serial-echo", "convoy factor, echo in another process, 5 ms" },
		{ "gil-mixed-1ms", "serial-echo", "convoy factor, echo in another process, 1 ms" },
		{ "gil-echo-in-5ms", "serial-echo-in", "convoy factor, echo thread in-process, 5 ms" },
		{ "gil-echo-in-1ms", "serial-echo-in", "convoy factor, echo thread in-process, 1 ms" },
	};
	json_t *rows = json_array();
	double v[RT_N];

	for (int rt = 0; rt < RT_N; rt++)
		v[rt] = fig(c, "gil-cpu-5ms", rt, "units_per_s") / fig(c, "serial-cpu", rt, "units_per_s");
	row(rows, "speed-up, 2 CPU threads, 5 ms", "x", v[RT_SIM], v[RT_REAL]);
	row(rows, "cores used, 2 CPU threads, 5 ms", "cores", fig(c, "gil-cpu-5ms", RT_SIM, "cores_used"),
	    fig(c, "gil-cpu-5ms", RT_REAL, "cores_used"));
	for (size_t i = 0; i < 4; i++)
		row(rows, vol[i].label, "1/s", fig(c, vol[i].cell, RT_SIM, "voluntary_switches_per_s"),
		    fig(c, vol[i].cell, RT_REAL, "voluntary_switches_per_s"));
	row(rows, "GIL hand-offs/s, 2 CPU threads, 5 ms", "1/s", fig(c, "gil-cpu-5ms", RT_SIM, "handoffs_per_s"),
	    fig(c, "gil-cpu-5ms", RT_REAL, "handoffs_per_s"));
	row(rows, "GIL hand-offs/s, 2 CPU threads, 1 ms", "1/s", fig(c, "gil-cpu-1ms", RT_SIM, "handoffs_per_s"),
	    fig(c, "gil-cpu-1ms", RT_REAL, "handoffs_per_s"));
	row(rows, "GIL wait share, 2 CPU threads, 5 ms", "fraction",
	    fig(c, "gil-cpu-5ms", RT_SIM, "gil_wait_share"), fig(c, "gil-cpu-5ms", RT_REAL, "gil_wait_share"));
	/* how many times fewer requests a thread gets answered beside one
	 * spinning thread than alone (zero-latency echo) */
	for (size_t i = 0; i < 4; i++) {
		for (int rt = 0; rt < RT_N; rt++)
			v[rt] = fig(c, convoy[i].base, rt, "io_per_s") / fig(c, convoy[i].cell, rt, "io_per_s");
		row(rows, convoy[i].label, "x", v[RT_SIM], v[RT_REAL]);
	}
	row(rows, "unloaded echo, requests/s (reference)", "1/s", fig(c, "serial-echo", RT_SIM, "io_per_s"),
	    fig(c, "serial-echo", RT_REAL, "io_per_s"));
	return rows;
}

int run_calibration(struct run_ctx *c)
{
	const struct run_opts *o = c->o;
	uint64_t units = o->cpu_units < CALIB_MAX_CPU_UNITS ? o->cpu_units : CALIB_MAX_CPU_UNITS;
	json_t *scratch = results_new(0, NULL), *out = json_object();

	for (size_t i = 0; i < NCELLS; i++) {
		const struct calib_cell *cc = &cells[i];
		json_t *cell = json_object();

		json_t *figs[RT_N] = { json_array(), json_array() };
		struct wl_spec s = {
			.model = cc->m, .kind = cc->k, .workers = 2, .tasks = 1,
			.interval_us = cc->interval_us, .gil_mode = GIL_NEW,
			.cpu_units = cc->cpu_units < 0 ? units : (uint64_t)cc->cpu_units,
			.io_units = cc->io_units, .peer_port = cc->bare_echo ? c->peer0.port : c->peer.port,
			.data_file = NULL,
		};

		/* sim and real in turns: the machine's load of the moment weighs on
		 * both alike */
		for (unsigned rep = 0; rep < o->repeat; rep++) {
			for (int rt = 0; rt < RT_N; rt++) {
				json_t *run = run_cell(c, scratch, &s, (enum run_rt)rt, rep);

				if (!run) {
					json_decref(figs[RT_SIM]);
					json_decref(figs[RT_REAL]);
					json_decref(cell);
					json_decref(out);
					json_decref(scratch);
					fprintf(stderr, "\ngilscope run: cannot trace a calibration cell\n");
					return -1;
				}
				json_array_append_new(figs[rt], run_figures(run, cc, s.cpu_units));
			}
		}
		for (int rt = 0; rt < RT_N; rt++) {
			json_object_set_new(cell, rt == RT_SIM ? "sim" : "real", medians(figs[rt]));
			json_decref(figs[rt]);
		}
		json_object_set_new(out, cc->id, cell);
	}
	json_decref(scratch);
	json_object_set_new(c->doc, "calibration", json_pack("{ss sI sI sf so so}",
		"runtime", c->py->runtime, "repeat", (json_int_t)o->repeat,
		"cpu_units", (json_int_t)units, "tolerance", CALIB_TOLERANCE,
		"rows", table(out), "cells", out));
	return 0;
}

static void cell(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "%10s ", "n/a");
	else
		fprintf(f, "%10.3g ", v);
}

void run_calib_print(FILE *f, const json_t *doc)
{
	json_t *cal = json_object_get(doc, "calibration"), *r;
	size_t i, ok = 0, n = 0;

	if (!cal)
		return;
	fprintf(f, "\nCALIBRATION: the simulation against %s (medians of %lld; zero-latency echo)\n",
		json_string_value(json_object_get(cal, "runtime")),
		(long long)json_integer_value(json_object_get(cal, "repeat")));
	fprintf(f, "%-48s %10s %10s %8s\n", "FIGURE", "SIM", "REAL", "DIFF");
	json_array_foreach(json_object_get(cal, "rows"), i, r) {
		json_t *d = json_object_get(r, "diff");
		double sim = num(r, "sim"), real = num(r, "real");

		fprintf(f, "%-48s ", json_string_value(json_object_get(r, "figure")));
		cell(f, sim);
		cell(f, real);
		if (json_is_number(d)) {
			fprintf(f, "%+7.0f%%%s\n", 100 * json_number_value(d),
				json_is_true(json_object_get(r, "within")) ? "" : "  (over 25%)");
			ok += json_is_true(json_object_get(r, "within"));
			n++;
		} else {
			fprintf(f, "%8s\n", "n/a");
		}
	}
	fprintf(f, "%zu of %zu figures within 25%%\n", ok, n);
}
