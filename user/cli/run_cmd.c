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

#include "commands.h"
#include "fsout.h"
#include "hist.h"
#include "models.h"
#include "peer.h"
#include "proctree.h"
#include "record_args.h"
#include "report.h"
#include "results.h"
#include "run_args.h"
#include "run_summary.h"
#include "run_table.h"
#include "timeline.h"
#include "tracer.h"
#include "work.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

/* ---- the runner process ------------------------------------------------- */

/* Messages up the runner's pipe: 'G' + range (the GIL exists), 'R' + result. */
struct up_gil {
	char tag;
	uint64_t start, len;
};

struct runner_io {
	int up, down;
};

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* In the runner: tell gilscope where the GIL is and wait until it is marked. */
static void gil_ready(void *arg, uint64_t start, uint64_t len)
{
	struct runner_io *io = arg;
	struct up_gil m = { 'G', start, len };
	char ack;

	if (write_full(io->up, &m, sizeof(m)) || read_full(io->down, &ack, 1))
		_exit(4);
}

static void runner(const struct wl_spec *spec, struct runner_io io)
{
	struct wl_hooks hooks = { gil_ready, &io };
	static struct wl_result r;
	char go, tag = 'R';

	char name[16];

	snprintf(name, sizeof(name), "%s", wl_model_name(spec->model));
	prctl(PR_SET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive gilscope */
	signal(SIGINT, SIG_IGN); /* gilscope decides when to stop */
	if (read_full(io.down, &go, 1))
		_exit(3);
	wl_run(spec, &hooks, &r);
	if (write_full(io.up, &tag, 1) || write_full(io.up, &r, sizeof(r)))
		_exit(5);
	_exit(r.ok ? 0 : 1);
}

/* ---- one traced run ---------------------------------------------------- */

struct run_ctx {
	const struct run_opts *o;
	struct tracer *t;
	struct peer peer;
	const char *data_file;
	json_t *doc;
	const char *dir;
	double serial_rate[WL_NKINDS]; /* units/s of serial, this repeat */
	int failures;
	bool cell_interrupted; /* the runner was stopped by Ctrl-C */
};

/* Ctrl-C mid-cell: the runner and every process of its model go at once. */
static bool stop_runner(pid_t runner)
{
	proc_signal_descendants(runner, SIGKILL);
	kill(runner, SIGKILL);
	return true;
}

/* Drive one runner: trace it, serve its GIL message, collect its result. */
static int trace_runner(struct run_ctx *c, const struct wl_spec *spec, struct wl_result *res,
			struct trace_data *d, double *wall, json_t *gil_ranges)
{
	int up[2], down[2], st;
	struct runner_io io;
	bool got = false;
	uint64_t t0;
	pid_t pid;

	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		io.up = up[1];
		io.down = down[0];
		runner(spec, io);
	}
	close(up[1]);
	close(down[0]);
	tracer_reset(c->t);
	tracer_follow_new(c->t, pid);
	tracer_start(c->t);
	t0 = gil_now_ns();
	if (write_full(down[1], "g", 1))
		goto reap;
	while (!got) {
		struct pollfd p = { .fd = up[0], .events = POLLIN };
		char tag;
		int n = poll(&p, 1, 25);

		tracer_sample(c->t);
		if (stop_requested && !c->cell_interrupted)
			c->cell_interrupted = stop_runner(pid);
		if (n <= 0)
			continue;
		if (read_full(up[0], &tag, 1))
			break; /* the runner died */
		if (tag == 'G') {
			struct up_gil m;

			if (read_full(up[0], (char *)&m + 1, sizeof(m) - 1))
				break;
			tracer_add_gil_range(c->t, pid, m.start, m.len);
			json_array_append_new(gil_ranges, json_pack("{sI sI sI}", "tgid", (json_int_t)pid,
				"start", (json_int_t)m.start, "end", (json_int_t)(m.start + m.len)));
			if (write_full(down[1], "a", 1))
				break;
		} else if (tag == 'R') {
			got = read_full(up[0], res, sizeof(*res)) == 0;
			break;
		}
	}
reap:
	waitpid(pid, &st, 0);
	*wall = (double)(gil_now_ns() - t0) / 1e9;
	close(up[0]);
	close(down[1]);
	if (tracer_collect(c->t, d))
		return -1;
	if (!got) {
		memset(res, 0, sizeof(*res));
		snprintf(res->error, sizeof(res->error), "the runner died (status %d)", st);
	}
	return 0;
}

static json_t *hist_buckets(const struct gs_hist *h)
{
	json_t *b = json_array();

	for (uint32_t i = 0; i < GS_HIST_SLOTS; i++)
		if (h->slots[i])
			json_array_append_new(b, json_pack("[III]", (json_int_t)gs_hist_slot_low(i),
				(json_int_t)(i + 1 < GS_HIST_SLOTS ? hist_slot_high(i) : INT64_MAX),
				(json_int_t)h->slots[i]));
	return json_pack("{ss so}", "unit", "ns", "buckets", b);
}

/* The model's own figures, beside the tracer's. */
static void add_model_figures(struct run_ctx *c, json_t *run, const struct wl_spec *spec,
			      const struct wl_result *r, unsigned workers)
{
	double units = (double)(r->cpu_units + r->io_units);
	double rate = r->wall_s > 0 ? units / r->wall_s : 0;
	json_t *hists = json_object_get(run, "histograms");

	results_set_metric(run, "units", units);
	results_set_metric(run, "units_per_s", rate);
	if (spec->model == WL_SERIAL)
		c->serial_rate[spec->kind] = rate;
	if (c->serial_rate[spec->kind] > 0) {
		results_set_metric(run, "speedup", rate / c->serial_rate[spec->kind]);
		results_set_metric(run, "efficiency", rate / c->serial_rate[spec->kind] / workers);
	}
	results_set_metric(run, "startup_ns_per_worker", (double)r->startup_ns_per_worker);
	results_set_metric(run, "rss_bytes_per_worker", (double)r->rss_bytes_per_worker);
	results_set_metric(run, "peak_rss_bytes", (double)r->peak_rss_bytes);
	results_set_metric(run, "serialise_ns", (double)r->serialise_ns);
	if (hist_count(&r->io_latency)) {
		results_set_metric(run, "io_latency_p50_ns", (double)hist_quantile(&r->io_latency, 0.5, 0));
		results_set_metric(run, "io_latency_p99_ns", (double)hist_quantile(&r->io_latency, 0.99, 0));
		json_object_set_new(hists, "io_latency", hist_buckets(&r->io_latency));
	}
	if (r->gil) {
		json_t *tl = json_array();

		results_set_metric(run, "gil_handoffs", (double)r->gil_handoffs);
		results_set_metric(run, "gil_handoffs_per_s", r->wall_s > 0 ? (double)r->gil_handoffs / r->wall_s : 0);
		results_set_metric(run, "gil_drop_requests", (double)r->gil_drop_requests);
		results_set_metric(run, "gil_forced_switches", (double)r->gil_forced_switches);
		results_set_metric(run, "gil_hold_p50_ns", (double)hist_quantile(&r->gil_hold, 0.5, 0));
		results_set_metric(run, "gil_hold_p99_ns", (double)hist_quantile(&r->gil_hold, 0.99, 0));
		json_object_set_new(hists, "gil_hold", hist_buckets(&r->gil_hold));
		for (uint32_t i = 0; i < r->gil_ntimeline && i < GIL_TIMELINE_MAX; i++)
			json_array_append_new(tl, json_pack("[ii]", r->gil_timeline[i][0], r->gil_timeline[i][1]));
		json_object_set_new(run, "gil", json_pack("{sI sI sI sI sI so}", "interval_us",
			(json_int_t)spec->interval_us, "t0_ns", (json_int_t)r->gil_t0_ns,
			"handoffs", (json_int_t)r->gil_handoffs,
			"drop_requests", (json_int_t)r->gil_drop_requests, "forced_switches",
			(json_int_t)r->gil_forced_switches, "timeline", tl));
	}
}

static int write_timeline(struct run_ctx *c, const struct trace_data *d, const json_t *run,
			  enum wl_model m, enum wl_kind k, FILE *spool)
{
	char name[64], err[512];

	snprintf(name, sizeof(name), "trace-%s-%s.json", wl_model_name(m), wl_kind_name(k));
	if (!timeline_save(c->dir, name, d, run, spool, err, sizeof(err)))
		return 0;
	fprintf(stderr, "\ngilscope run: %s\n", err);
	return -1;
}

/* A cell stopped by Ctrl-C: what the tracer saw until then, marked, and no
 * model figures (they were not measured: absent, not 0). */
static void mark_interrupted(json_t *run, const struct trace_data *d, double wall)
{
	json_object_set_new(run, "interrupted", json_true());
	results_add_trace(run, d, wall);
	json_object_set_new(run, "runner_wall_s", json_real(wall));
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
	char label[96];
	json_t *run, *ranges = json_array();
	unsigned workers = wl_concurrency(&spec);
	double wall;
	FILE *spool = NULL;
	int e;

	snprintf(label, sizeof(label), "%s/%s#%u", wl_model_name(m), wl_kind_name(k), rep);
	c->cell_interrupted = false;
	/* the first repeat's events stream to a spool while it runs */
	if (o->timeline && rep == 0 && (spool = timeline_spool_new()))
		tracer_on_event(c->t, timeline_spool_event, spool);
	e = trace_runner(c, &spec, &res, &d, &wall, ranges);
	tracer_on_event(c->t, NULL, NULL);
	if (e) {
		json_decref(ranges);
		if (spool)
			fclose(spool);
		return -1;
	}
	run = results_add_run(c->doc, label);
	json_object_set_new(run, "kind", json_string("workload"));
	json_object_set_new(run, "model", json_string(wl_model_name(m)));
	json_object_set_new(run, "workload", json_string(wl_kind_name(k)));
	json_object_set_new(run, "workers", json_integer(workers));
	json_object_set_new(run, "repeat", json_integer(rep));
	if (c->cell_interrupted) {
		json_object_set_new(run, "gil_ranges", ranges);
		mark_interrupted(run, &d, wall);
		trace_data_free(&d);
		if (spool)
			fclose(spool);
		return 0;
	}
	json_object_set_new(run, "ok", json_boolean(res.ok));
	if (!res.ok) {
		json_object_set_new(run, "error", json_string(res.error));
		fprintf(stderr, "\ngilscope run: %s failed: %s\n", label, res.error);
		c->failures++;
	}
	json_object_set_new(run, "gil_ranges", ranges);
	/* the tracer's figures (cores_used among them) cover the runner's life,
	 * wall_s and the model's figures its work phase */
	results_add_trace(run, &d, wall);
	json_object_set_new(run, "wall_s", json_real(res.wall_s));
	json_object_set_new(run, "runner_wall_s", json_real(wall));
	add_model_figures(c, run, &spec, &res, workers);
	if (o->timeline && rep == 0)
		e = write_timeline(c, &d, run, m, k, spool);
	if (spool)
		fclose(spool);
	trace_data_free(&d);
	return e;
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
	for (int k = 0; k < WL_NKINDS; k++)
		for (int m = 0; m < WL_NMODELS; m++)
			total += o.kinds[k] && o.models[m];
	total *= o.repeat;

	for (unsigned rep = 0; rep < o.repeat && !stop_requested; rep++) {
		for (int k = 0; k < WL_NKINDS && !stop_requested; k++) {
			if (!o.kinds[k])
				continue;
			c.serial_rate[k] = 0;
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
	json_object_set_new(c.doc, "summary", run_summary(json_object_get(c.doc, "runs")));
	results_fill_units(c.doc);
	if (!o.quiet)
		run_table_print(stdout, c.doc);
	if (report_write_all(c.doc, dir, o.formats, err, sizeof(err))) {
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
	json_decref(c.doc);
	tracer_close(c.t);
	return rc;
}
