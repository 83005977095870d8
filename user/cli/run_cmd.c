/*
 * run_cmd.c - `gilscope run`: every model x workload (x repeat) in a runner
 * process of its own, traced from its first instruction; the I/O peer runs
 * beside it, untraced. A run is a record of a workload gilscope starts itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "derive.h"
#include "fsout.h"
#include "models.h"
#include "outputs.h"
#include "peer.h"
#include "proctree.h"
#include "record_args.h"
#include "results.h"
#include "run_args.h"
#include "run_build.h"
#include "run_ctx.h"
#include "run_table.h"
#include "runner.h"
#include "timeline.h"
#include "tracer.h"
#include "work.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

/* ---- one traced run ---------------------------------------------------- */

const char *run_rt_name(const struct run_ctx *c, enum run_rt rt)
{
	return rt == RT_REAL && c->py ? c->py->runtime : "sim";
}

/* Ctrl-C mid-cell: the runner and every process of its model go at once. */
bool run_stop_cell(struct run_ctx *c, pid_t runner)
{
	if (!stop_requested || c->cell_interrupted)
		return c->cell_interrupted;
	proc_signal_descendants(runner, SIGKILL);
	kill(runner, SIGKILL);
	c->cell_interrupted = true;
	return true;
}

/* Drive one runner: trace it, serve its GIL message, collect its result. */
static int trace_runner(struct run_ctx *c, const struct wl_spec *spec, struct wl_result *res,
			struct trace_data *d, double *wall, struct gil_range *gil, size_t *ngil)
{
	struct runner r;
	bool got = false;
	uint64_t t0;
	int st;

	if (runner_spawn(&r, spec))
		return -1;
	*ngil = 0;
	tracer_reset(c->t);
	if (tracer_follow_new(c->t, r.pid)) {
		fprintf(stderr, "\ngilscope run: cannot follow the runner\n");
		runner_kill(&r);
		runner_reap(&r);
		return -1;
	}
	tracer_start(c->t);
	t0 = clock_mono_ns();
	if (runner_go(&r))
		goto reap;
	while (!got) {
		struct runner_msg m = runner_poll(&r, 25, res);

		tracer_sample(c->t);
		run_stop_cell(c, r.pid);
		if (m.kind == RUNNER_NOTHING)
			continue;
		if (m.kind == RUNNER_GIL) {
			if (*ngil == RUN_MAX_GIL_RANGES ||
			    tracer_add_gil_range(c->t, r.pid, m.gil_start, m.gil_len)) {
				/* GIL waits would go unattributed: a failed run */
				fprintf(stderr, "\ngilscope run: cannot mark the runner's GIL\n");
				runner_kill(&r);
				break;
			}
			gil[(*ngil)++] = (struct gil_range){ (uint32_t)r.pid, m.gil_start,
							     m.gil_start + m.gil_len };
			if (runner_ack(&r))
				break;
		} else {
			got = m.kind == RUNNER_RESULT;
			break;
		}
	}
reap:
	st = runner_reap(&r);
	*wall = clock_elapsed_s(t0);
	if (tracer_collect(c->t, d))
		return -1;
	if (!got) {
		memset(res, 0, sizeof(*res));
		snprintf(res->error, sizeof(res->error), "the runner died (status %d)", st);
	}
	return 0;
}

static int write_timeline(struct run_ctx *c, const struct trace_data *d, const json_t *run,
			  const struct wl_spec *s, enum run_rt rt, FILE *spool)
{
	char name[160], err[512], at[32] = "";

	if (c->o->nintervals > 1)
		snprintf(at, sizeof(at), "-%uus", s->interval_us);
	snprintf(name, sizeof(name), "trace-%s-%s%s%s%s.json", wl_model_name(s->model),
		 wl_kind_name(s->kind), rt == RT_REAL ? "-" : "", rt == RT_REAL ? c->py->runtime : "", at);
	if (!outputs_write_timeline(c->dir, name, d, run, spool, err, sizeof(err)))
		return 0;
	fprintf(stderr, "\ngilscope run: %s\n", err);
	return -1;
}

/* Metrics of a real row the tracer could not measure there: the GIL's waits
 * need its futex words, and none were registered (n/a, not 0). */
static void drop_unmeasured_gil(json_t *run)
{
	json_t *m = json_object_get(run, "metrics");

	if (json_array_size(json_object_get(run, "gil_ranges")))
		return;
	json_object_del(m, "gil_waits");
	json_object_del(m, "gil_wait_ns");
	json_object_del(m, "gil_wait_share");
	/* the lock waits are the futex waits that are not the GIL's */
	json_object_del(m, "lock_wait_share");
	json_object_del(json_object_get(run, "histograms"), "gil_wait");
}

/* A cell stopped by Ctrl-C: what the tracer saw until then, marked, and no
 * model figures (they were not measured: absent, not 0). */
static json_t *interrupted_run(const char *label, struct run_ctx *c, const struct wl_spec *spec,
			       enum run_rt rt, unsigned rep, const struct trace_data *d, double wall,
			       const struct gil_range *gil, size_t ngil)
{
	json_t *run = results_run_new(label), *ranges = json_array();

	json_object_set_new(run, "kind", json_string("workload"));
	json_object_set_new(run, "model", json_string(wl_model_name(spec->model)));
	json_object_set_new(run, "workload", json_string(wl_kind_name(spec->kind)));
	json_object_set_new(run, "runtime", json_string(run_rt_name(c, rt)));
	json_object_set_new(run, "interval_us", json_integer(spec->interval_us));
	json_object_set_new(run, "workers", json_integer(wl_concurrency(spec)));
	json_object_set_new(run, "repeat", json_integer(rep));
	json_object_set_new(run, "interrupted", json_true());
	for (size_t i = 0; i < ngil; i++)
		json_array_append_new(ranges, json_pack("{sI sI sI}", "tgid", (json_int_t)gil[i].tgid,
			"start", (json_int_t)gil[i].start, "end", (json_int_t)gil[i].end));
	json_object_set_new(run, "gil_ranges", ranges);
	results_add_trace(run, d, wall);
	json_object_set_new(run, "runner_wall_s", json_real(wall));
	return run;
}

json_t *run_cell(struct run_ctx *c, json_t *doc, const struct wl_spec *spec, enum run_rt rt,
		 unsigned rep)
{
	static struct wl_result res;
	struct trace_data d;
	struct gil_range gil[RUN_MAX_GIL_RANGES];
	size_t ngil = 0;
	char label[160];
	json_t *run;
	FILE *spool = NULL;
	double wall;
	int e;

	c->cell_interrupted = false;
	/* the first repeat's events stream to a spool while it runs (flat memory) */
	if (c->o->timeline && rep == 0 && doc == c->doc && (spool = timeline_spool_new()))
		tracer_on_event(c->t, timeline_spool_event, spool);
	snprintf(label, sizeof(label), "%s/%s#%u%s%s", wl_model_name(spec->model),
		 wl_kind_name(spec->kind), rep, rt == RT_REAL ? "@" : "", rt == RT_REAL ? c->py->runtime : "");
	if (c->o->nintervals > 1)
		snprintf(label + strlen(label), sizeof(label) - strlen(label), "@%uus", spec->interval_us);
	e = rt == RT_REAL ? run_trace_python(c, spec, &res, &d, &wall, gil, &ngil) :
			    trace_runner(c, spec, &res, &d, &wall, gil, &ngil);
	tracer_on_event(c->t, NULL, NULL);
	if (e) {
		if (spool)
			fclose(spool);
		return NULL;
	}
	if (c->cell_interrupted) {
		run = results_append_run(doc, interrupted_run(label, c, spec, rt, rep, &d, wall, gil, ngil));
		trace_data_free(&d);
		if (spool)
			fclose(spool);
		return run;
	}
	if (!res.ok) {
		fprintf(stderr, "\ngilscope run: %s failed: %s\n", label, res.error);
		c->failures++;
	}
	run = results_append_run(doc, run_build_workload(label,
		&(struct run_trace){ .data = &d, .wall_s = res.wall_s, .trace_wall_s = wall,
				     .gil = gil, .ngil = ngil },
		&(struct workload_run){ .model = wl_model_name(spec->model),
					.workload = wl_kind_name(spec->kind),
					.runtime = run_rt_name(c, rt), .gil_mode = gil_mode_name(spec->gil_mode),
					.workers = wl_concurrency(spec), .repeat = rep,
					.interval_us = spec->interval_us, .result = &res }));
	if (rt == RT_REAL)
		drop_unmeasured_gil(run);
	/* the calibration reads this run's rates at once */
	derive_run_rates(run, true);
	e = c->o->timeline && rep == 0 && doc == c->doc ? write_timeline(c, &d, run, spec, rt, spool) : 0;
	if (spool)
		fclose(spool);
	trace_data_free(&d);
	return e ? NULL : run;
}

static struct wl_spec cell_spec(const struct run_ctx *c, enum wl_model m, enum wl_kind k,
				unsigned interval_us)
{
	const struct run_opts *o = c->o;
	struct wl_spec spec = {
		.model = m, .kind = k, .workers = o->workers, .tasks = o->tasks,
		.interval_us = interval_us, .gil_mode = o->gil_mode,
		/* cpu-release and shared decide their claims by a ratio, not a
		 * long run: half the units keep `make run` short */
		.cpu_units = k == WL_CPU_RELEASE || k == WL_SHARED ? (o->cpu_units + 1) / 2 : o->cpu_units,
		.io_units = wl_is_mixed(k) ? o->mixed_io_units : o->io_units,
		.peer_port = c->peer.port, .data_file = o->latency_us ? c->data_file : NULL,
	};

	return spec;
}

/* The worker counts of --workers-sweep: every count from 1 to 2 x CPUs up
 * to 8, beyond that the powers of two, the CPUs and 2 x CPUs (as claim C16
 * reads them). Returns how many went into w[] (room for 64). */
static unsigned sweep_points(unsigned cpus, unsigned w[64])
{
	unsigned n = 0, max = 2 * (cpus ? cpus : 1);

	for (unsigned k = 1; k <= max && n < 64; k++)
		if (k <= 8 || !(k & (k - 1)) || k == cpus || k == max)
			w[n++] = k;
	return n;
}

static bool sweep_model(enum wl_model m)
{
	return m == WL_SERIAL || m == WL_THREADS_GIL || m == WL_THREADS_NOGIL || m == WL_PROCESSES;
}

/* --workers-sweep: the cpu workload at each worker count, on each runtime;
 * the runs are marked `sweep` (cells of their own, read by C16 only). */
static int run_sweep(struct run_ctx *c, unsigned rep, unsigned *done, unsigned total, bool tty)
{
	struct run_opts quiet_timeline = *c->o;
	const struct run_opts *o = c->o;
	unsigned w[64], np = sweep_points((unsigned)sysconf(_SC_NPROCESSORS_ONLN), w);
	char why[160];
	int e = 0;

	quiet_timeline.timeline = false; /* the matrix's cells keep their trace files */
	c->o = &quiet_timeline;
	for (int rt = 0; rt < (c->py ? RT_N : 1) && !stop_requested && !e; rt++)
	for (unsigned p = 0; p < np && !stop_requested && !e; p++)
	for (int m = 0; m < WL_NMODELS && !stop_requested && !e; m++) {
		struct wl_spec spec = cell_spec(c, (enum wl_model)m, WL_CPU, o->intervals[0]);
		char label[200];
		json_t *run;

		if (!sweep_model(spec.model) || (spec.model != WL_SERIAL && !o->models[m]) ||
		    (spec.model == WL_SERIAL && w[p] != 1) ||
		    (rt == RT_REAL && !py_model_supported(c->py, spec.model, why, sizeof(why))))
			continue;
		spec.workers = w[p];
		if (!o->quiet && tty)
			fprintf(stderr, "\r\033[K[%u/%u] sweep: %s/cpu at %u workers %s (repeat %u)", ++*done,
				total, wl_model_name(spec.model), w[p], run_rt_name(c, (enum run_rt)rt), rep + 1);
		if (!(run = run_cell(c, c->doc, &spec, (enum run_rt)rt, rep))) {
			e = -1;
			break;
		}
		json_object_set_new(run, "sweep", json_true());
		snprintf(label, sizeof(label), "%s/w%u", json_string_value(json_object_get(run, "label")), w[p]);
		json_object_set_new(run, "label", json_string(label));
	}
	c->o = o;
	return e;
}

static unsigned sweep_cells(const struct run_ctx *c)
{
	unsigned w[64], np = sweep_points((unsigned)sysconf(_SC_NPROCESSORS_ONLN), w), n = 0;
	char why[160];

	for (int rt = 0; rt < (c->py ? RT_N : 1); rt++)
		for (unsigned p = 0; p < np; p++)
			for (int m = 0; m < WL_NMODELS; m++)
				n += sweep_model((enum wl_model)m) &&
				     (m == WL_SERIAL ? w[p] == 1 : c->o->models[m]) &&
				     (rt == RT_SIM || py_model_supported(c->py, (enum wl_model)m, why, sizeof(why)));
	return n;
}

static void set_params(json_t *doc, const struct run_opts *o)
{
	json_t *p = json_object_get(json_object_get(doc, "env"), "params");

	json_object_set_new(p, "workers", json_integer(o->workers));
	json_object_set_new(p, "tasks", json_integer(o->tasks));
	json_t *iv = json_array();

	for (unsigned i = 0; i < o->nintervals; i++)
		json_array_append_new(iv, json_integer(o->intervals[i]));
	json_object_set_new(p, "interval_us", json_integer(o->interval_us));
	json_object_set_new(p, "intervals_us", iv);
	json_object_set_new(p, "gil", json_string(gil_mode_name(o->gil_mode)));
	json_object_set_new(p, "repeat", json_integer(o->repeat));
	json_object_set_new(p, "cpu_units", json_integer((json_int_t)o->cpu_units));
	json_object_set_new(p, "io_units", json_integer((json_int_t)o->io_units));
	json_object_set_new(p, "mixed_io_units", json_integer((json_int_t)o->mixed_io_units));
	json_object_set_new(p, "unit_us", json_integer(o->unit_us));
	json_object_set_new(p, "latency_us", json_integer(o->latency_us));
	json_object_set_new(p, "work_tick_iters", json_integer(work_tick_iters));
	json_object_set_new(p, "workers_sweep", json_boolean(o->workers_sweep));
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct tracer_opts to = { .sample_ms = 50 };
	struct run_ctx c = { .o = &o };
	struct py_env py;
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	const char *dir;
	unsigned total = 0, done = 0;
	bool tty = isatty(2);
	int rc = 1;

	switch (run_parse_args(argc, argv, &o, err, sizeof(err))) {
	case ARGS_HELP:
		fputs(run_usage, stdout);
		return 0;
	case ARGS_ERROR:
		fprintf(stderr, "gilscope run: %s\n", err);
		return 2;
	}
	if (!o.workers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		o.workers = n < 2 ? 2 : (unsigned)n;
	}
	dir = c.dir = o.outdir ? o.outdir : out_default_dir();
	/* the directory itself is made when the results are written */
	if (out_dir_check(dir, err, sizeof(err))) {
		fprintf(stderr, "gilscope run: %s\n", err);
		return 1;
	}
	to.timeline = o.timeline;
	c.t = tracer_open(&to, err, sizeof(err));
	if (!c.t) {
		fprintf(stderr, "gilscope run: %s\n", err);
		return 1;
	}
	if (!o.quiet)
		fprintf(stderr, "gilscope run: calibrating a CPU unit to %u us...\n", o.unit_us);
	work_calibrate(o.unit_us);
	c.data_file = work_data_file();
	if (!c.data_file || peer_start(&c.peer, o.latency_us)) {
		fprintf(stderr, "gilscope run: cannot start the I/O peer or create its data file\n");
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	c.doc = results_new(argc + 1, argv - 1);
	set_params(c.doc, &o);
	if (o.python) {
		if (!o.quiet)
			fprintf(stderr, "gilscope run: calibrating %s's CPU unit...\n", o.python);
		if (py_env_open(&py, o.python, o.unit_us, err, sizeof(err))) {
			fprintf(stderr, "gilscope run: --python: %s\n", err);
			goto out;
		}
		c.py = &py;
		json_object_set_new(json_object_get(json_object_get(c.doc, "env"), "params"), "python",
				    json_pack("{ss ss ss sb sI}", "path", py.python, "version", py.version,
					      "runtime", py.runtime, "free_threaded", py.free_threaded,
					      "loop_iters_per_tick", (json_int_t)py.iters));
		for (int m = 0; m < WL_NMODELS; m++) {
			char why[160];

			if (o.models[m] && !py_model_supported(&py, (enum wl_model)m, why, sizeof(why)))
				fprintf(stderr, "gilscope run: no %s rows on %s: %s\n",
					wl_model_name((enum wl_model)m), py.runtime, why);
		}
	}
	for (int rt = 0; rt < (c.py ? RT_N : 1); rt++)
		for (int k = 0; k < WL_NKINDS; k++)
			for (int m = 0; m < WL_NMODELS; m++)
				total += o.kinds[k] && o.models[m] &&
					 wl_cell_supported((enum wl_model)m, (enum wl_kind)k) &&
					 (rt == RT_SIM || py_model_supported(c.py, (enum wl_model)m, err, sizeof(err)));
	total *= o.repeat * o.nintervals;
	if (o.workers_sweep)
		total += o.repeat * sweep_cells(&c);

	for (unsigned rep = 0; rep < o.repeat && !stop_requested; rep++)
	for (unsigned iv = 0; iv < o.nintervals && !stop_requested; iv++)
	for (int rt = 0; rt < (c.py ? RT_N : 1) && !stop_requested; rt++) {
		for (int k = 0; k < WL_NKINDS && !stop_requested; k++) {
			if (!o.kinds[k])
				continue;
			/* serial first: it is every other model's speed-up baseline */
			for (int m = 0; m < WL_NMODELS && !stop_requested; m++) {
				struct wl_spec spec = cell_spec(&c, (enum wl_model)m, (enum wl_kind)k,
								o.intervals[iv]);

				if (!o.models[m] || !wl_cell_supported(spec.model, spec.kind) ||
				    (rt == RT_REAL && !py_model_supported(c.py, spec.model,
										       err, sizeof(err))))
					continue;
				if (!o.quiet && tty)
					fprintf(stderr, "\r\033[K[%u/%u] %s/%s %s %.1f ms (repeat %u)", ++done,
						total, wl_model_name(spec.model), wl_kind_name(spec.kind),
						run_rt_name(&c, (enum run_rt)rt), spec.interval_us / 1000.0, rep + 1);
				if (!run_cell(&c, c.doc, &spec, (enum run_rt)rt, rep)) {
					fprintf(stderr, "\ngilscope run: cannot trace a run\n");
					goto out;
				}
			}
		}
	}
	for (unsigned rep = 0; o.workers_sweep && rep < o.repeat && !stop_requested; rep++)
		if (run_sweep(&c, rep, &done, total, tty)) {
			fprintf(stderr, "\ngilscope run: cannot trace a run\n");
			goto out;
		}
	if (c.py && o.calibration && !stop_requested) {
		if (peer_start(&c.peer0, 0)) {
			fprintf(stderr, "gilscope run: cannot start the zero-latency peer\n");
			goto out;
		}
		if (!o.quiet && tty)
			fprintf(stderr, "\r\033[Kcalibration: the simulation against %s...", py.runtime);
		if (run_calibration(&c))
			goto out;
	}
	if (!o.quiet && tty)
		fprintf(stderr, "\r\033[K");
	if (stop_requested) {
		fprintf(stderr, "gilscope run: interrupted; writing the runs done so far\n");
		json_object_set_new(c.doc, "interrupted", json_true());
	}
	results_derive(c.doc);
	if (!o.quiet) {
		run_table_print(stdout, c.doc);
		run_calib_print(stdout, c.doc);
	}
	if (outputs_write_all(c.doc, dir, o.formats, err, sizeof(err))) {
		fprintf(stderr, "gilscope run: %s\n", err);
		goto out;
	}
	if (!o.quiet || (o.formats & FMT_HTML)) {
		printf("\nresults: %s/results.json\n", dir);
		if (o.formats & FMT_HTML)
			printf("report:  %s/report.html\n", dir);
	}
	rc = stop_requested ? 128 + stop_requested : c.failures ? 1 : 0;
out:
	peer_stop(&c.peer);
	peer_stop(&c.peer0);
	if (c.py)
		py_env_close(&py);
	json_decref(c.doc);
	tracer_close(c.t);
	return rc;
}
