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
#include "fsout.h"
#include "models.h"
#include "peer.h"
#include "record_args.h"
#include "outputs.h"
#include "derive.h"
#include "results.h"
#include "run_args.h"
#include "run_build.h"
#include "runner.h"
#include "run_table.h"
#include "tracer.h"
#include "work.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

/* ---- one traced run ---------------------------------------------------- */

struct run_ctx {
	const struct run_opts *o;
	struct tracer *t;
	struct peer peer;
	const char *data_file;
	json_t *doc;
	const char *dir;
	int failures;
};

#define MAX_GIL_RANGES 8

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
		if (m.kind == RUNNER_NOTHING)
			continue;
		if (m.kind == RUNNER_GIL) {
			if (*ngil == MAX_GIL_RANGES ||
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
			  enum wl_model m, enum wl_kind k)
{
	char name[64], err[512];

	snprintf(name, sizeof(name), "trace-%s-%s.json", wl_model_name(m), wl_kind_name(k));
	if (!outputs_write_timeline(c->dir, name, d, run, err, sizeof(err)))
		return 0;
	fprintf(stderr, "\ngilscope run: %s\n", err);
	return -1;
}

static int one_run(struct run_ctx *c, enum wl_model m, enum wl_kind k, unsigned rep)
{
	const struct run_opts *o = c->o;
	struct wl_spec spec = {
		.model = m, .kind = k, .workers = o->workers, .tasks = o->tasks,
		.interval_us = o->interval_us, .cpu_units = o->cpu_units,
		.io_units = k == WL_MIXED ? o->mixed_io_units : o->io_units,
		.peer_port = c->peer.port, .data_file = c->data_file,
	};
	static struct wl_result res;
	struct trace_data d;
	struct gil_range gil[MAX_GIL_RANGES];
	size_t ngil;
	char label[96];
	json_t *run;
	double wall;

	snprintf(label, sizeof(label), "%s/%s#%u", wl_model_name(m), wl_kind_name(k), rep);
	if (trace_runner(c, &spec, &res, &d, &wall, gil, &ngil))
		return -1;
	if (!res.ok) {
		fprintf(stderr, "\ngilscope run: %s failed: %s\n", label, res.error);
		c->failures++;
	}
	run = results_append_run(c->doc, run_build_workload(label,
		&(struct run_trace){ .data = &d, .wall_s = res.wall_s, .trace_wall_s = wall,
				     .gil = gil, .ngil = ngil },
		&(struct workload_run){ .model = wl_model_name(m), .workload = wl_kind_name(k),
					.workers = wl_concurrency(&spec), .repeat = rep,
					.interval_us = spec.interval_us, .result = &res }));
	if (o->timeline && rep == 0 && write_timeline(c, &d, run, m, k)) {
		trace_data_free(&d);
		return -1;
	}
	trace_data_free(&d);
	return 0;
}

static void set_params(json_t *doc, const struct run_opts *o)
{
	json_t *p = json_object_get(json_object_get(doc, "env"), "params");

	json_object_set_new(p, "workers", json_integer(o->workers));
	json_object_set_new(p, "tasks", json_integer(o->tasks));
	json_object_set_new(p, "interval_us", json_integer(o->interval_us));
	json_object_set_new(p, "repeat", json_integer(o->repeat));
	json_object_set_new(p, "cpu_units", json_integer((json_int_t)o->cpu_units));
	json_object_set_new(p, "io_units", json_integer((json_int_t)o->io_units));
	json_object_set_new(p, "mixed_io_units", json_integer((json_int_t)o->mixed_io_units));
	json_object_set_new(p, "unit_us", json_integer(o->unit_us));
	json_object_set_new(p, "latency_us", json_integer(o->latency_us));
	json_object_set_new(p, "work_tick_iters", json_integer(work_tick_iters));
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct tracer_opts to = { .sample_ms = 50 };
	struct run_ctx c = { .o = &o };
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
	if (out_dir_prepare(dir, err, sizeof(err))) {
		fprintf(stderr, "gilscope run: %s\n", err);
		return 1;
	}
	to.timeline = o.timeline;
	c.t = tracer_open(&to, err, sizeof(err));
	if (!c.t) {
		fprintf(stderr, "gilscope run: %s\n", err);
		rmdir(dir);
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
	for (int k = 0; k < WL_NKINDS; k++)
		for (int m = 0; m < WL_NMODELS; m++)
			total += o.kinds[k] && o.models[m];
	total *= o.repeat;

	for (unsigned rep = 0; rep < o.repeat && !stop_requested; rep++) {
		for (int k = 0; k < WL_NKINDS && !stop_requested; k++) {
			if (!o.kinds[k])
				continue;
			/* serial first: it is every other model's speed-up baseline */
			for (int m = 0; m < WL_NMODELS && !stop_requested; m++) {
				if (!o.models[m])
					continue;
				if (!o.quiet && tty)
					fprintf(stderr, "\r\033[K[%u/%u] %s/%s (repeat %u)", ++done, total,
						wl_model_name((enum wl_model)m), wl_kind_name((enum wl_kind)k), rep + 1);
				if (one_run(&c, (enum wl_model)m, (enum wl_kind)k, rep)) {
					fprintf(stderr, "\ngilscope run: cannot trace a run\n");
					goto out;
				}
			}
		}
	}
	if (!o.quiet && tty)
		fprintf(stderr, "\r\033[K");
	if (stop_requested) {
		fprintf(stderr, "gilscope run: interrupted; writing the runs done so far\n");
		json_object_set_new(c.doc, "interrupted", json_true());
	}
	results_derive(c.doc);
	if (!o.quiet)
		run_table_print(stdout, c.doc);
	if (outputs_write_all(c.doc, dir, o.formats, err, sizeof(err))) {
		fprintf(stderr, "gilscope run: %s\n", err);
		goto out;
	}
	if (!o.quiet || (o.formats & FMT_HTML)) {
		printf("\nresults: %s/results.json\n", dir);
		if (o.formats & FMT_HTML)
			printf("report:  %s/report.html\n", dir);
	}
	rc = c.failures || stop_requested ? 1 : 0;
out:
	peer_stop(&c.peer);
	if (c.data_file)
		unlink(c.data_file);
	json_decref(c.doc);
	tracer_close(c.t);
	return rc;
}
