/* results.c - build, load and check the results document (docs/results.md). */
#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "hist.h"
#include "metrics.h"

#define TOP_FUTEXES 20

static const struct {
	const char *name;
	const char *unit;
} metric_units[] = {
	{ "oncpu_ns", "ns" }, { "cores_used", "cores" },
	{ "voluntary_switches", "count" }, { "involuntary_switches", "count" },
	{ "migrations", "count" },
	{ "futex_waits", "count" }, { "futex_wait_ns", "ns" }, { "futex_wakes", "count" },
	{ "futex_wait_p50_ns", "ns" }, { "futex_wait_p99_ns", "ns" },
	{ "gil_waits", "count" }, { "gil_wait_ns", "ns" }, { "gil_wait_share", "fraction" },
	{ "runq_p50_ns", "ns" }, { "runq_p90_ns", "ns" }, { "runq_p99_ns", "ns" },
	{ "runq_max_ns", "ns" }, { "runq_ns", "ns" },
	{ "iouring_submits", "count" }, { "iouring_completes", "count" },
	{ "iouring_punts", "count" }, { "iouring_p50_ns", "ns" }, { "iouring_p99_ns", "ns" },
	{ "threads", "count" }, { "processes", "count" },
	{ "events", "count" }, { "lost_events", "count" },
	{ "units", "count" }, { "units_per_s", "1/s" }, { "speedup", "ratio" },
	{ "efficiency", "ratio" },
	{ "gil_handoffs", "count" }, { "gil_handoffs_per_s", "1/s" },
	{ "gil_drop_requests", "count" }, { "gil_forced_switches", "count" },
	{ "gil_hold_p50_ns", "ns" }, { "gil_hold_p99_ns", "ns" },
	{ "startup_ns_per_worker", "ns" }, { "rss_bytes_per_worker", "bytes" },
	{ "peak_rss_bytes", "bytes" }, { "serialise_ns", "ns" },
	{ "io_latency_p50_ns", "ns" }, { "io_latency_p99_ns", "ns" },
	{ "wall_s", "s" },
};

const char *results_metric_unit(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(metric_units) / sizeof(metric_units[0]); i++)
		if (!strcmp(metric_units[i].name, name))
			return metric_units[i].unit;
	/* names not in the table say their unit in their suffix */
	if (n > 3 && !strcmp(name + n - 3, "_ns"))
		return "ns";
	if (n > 6 && !strcmp(name + n - 6, "_bytes"))
		return "bytes";
	return "count";
}

static void read_line(const char *path, const char *prefix, char *out, size_t outlen)
{
	char line[512];
	FILE *f = fopen(path, "re");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, prefix, strlen(prefix))) {
			char *v = strchr(line, ':');

			if (v) {
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				v[strcspn(v, "\n")] = 0;
				snprintf(out, outlen, "%s", v);
			}
			break;
		}
	}
	fclose(f);
}

static json_t *env_block(int argc, char **argv)
{
	struct utsname u;
	char cpu[256], host[256] = "", when[64], *cmd;
	size_t len = 1;
	time_t now = time(NULL);
	struct tm tm;
	json_t *env = json_object();

	uname(&u);
	read_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	gethostname(host, sizeof(host) - 1);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = calloc(1, len);
	for (int i = 0; cmd && i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	json_object_set_new(env, "kernel", json_string(u.release));
	json_object_set_new(env, "arch", json_string(u.machine));
	json_object_set_new(env, "hostname", json_string(host));
	json_object_set_new(env, "cpu_model", json_string(cpu));
	json_object_set_new(env, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(env, "gilscope_version", json_string(GILSCOPE_VERSION));
	json_object_set_new(env, "start_time", json_string(when));
	json_object_set_new(env, "command", json_string(cmd ? cmd : ""));
	json_object_set_new(env, "params", json_object());
	free(cmd);
	return env;
}

json_t *results_new(int argc, char **argv)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "schema", json_integer(GS_SCHEMA_VERSION));
	json_object_set_new(doc, "env", env_block(argc, argv));
	json_object_set_new(doc, "units", json_object());
	json_object_set_new(doc, "runs", json_array());
	return doc;
}

json_t *results_add_run(json_t *doc, const char *label)
{
	json_t *run = json_object();

	json_object_set_new(run, "label", json_string(label));
	json_object_set_new(run, "wall_s", json_real(0));
	json_object_set_new(run, "metrics", json_object());
	json_object_set_new(run, "threads", json_array());
	json_array_append_new(json_object_get(doc, "runs"), run);
	return run;
}

void results_set_metric(json_t *run, const char *name, double value)
{
	json_t *m = json_object_get(run, "metrics");

	if (!m) {
		m = json_object();
		json_object_set_new(run, "metrics", m);
	}
	/* whole numbers stay integers, so counts read back exactly */
	if (value == (double)(long long)value && value < 9e15 && value > -9e15)
		json_object_set_new(m, name, json_integer((json_int_t)value));
	else
		json_object_set_new(m, name, json_real(value));
}

double results_get_metric(const json_t *run, const char *name, double dflt)
{
	json_t *v = json_object_get(json_object_get(run, "metrics"), name);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

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
	return json_pack("{sI sI sI ss sb sI sI sI sI sI sI sI sI sI sI sI sI sI sI sI}",
			 "tid", (json_int_t)t->tid, "tgid", (json_int_t)t->tgid,
			 "ppid", (json_int_t)t->ppid, "comm", t->comm,
			 "exited", (t->flags & GS_TASK_EXITED) != 0,
			 "oncpu_ns", (json_int_t)t->oncpu_ns,
			 "voluntary_switches", (json_int_t)t->voluntary_switches,
			 "involuntary_switches", (json_int_t)t->involuntary_switches,
			 "migrations", (json_int_t)t->migrations,
			 "runq_ns", (json_int_t)t->runq_ns, "runq_count", (json_int_t)t->runq_count,
			 "runq_max_ns", (json_int_t)t->runq_max_ns,
			 "futex_waits", (json_int_t)t->futex_waits,
			 "futex_wait_ns", (json_int_t)t->futex_wait_ns,
			 "futex_wakes", (json_int_t)t->futex_wakes,
			 "gil_waits", (json_int_t)t->gil_waits,
			 "gil_wait_ns", (json_int_t)t->gil_wait_ns,
			 "iouring_submits", (json_int_t)t->iouring_submits,
			 "iouring_completes", (json_int_t)t->iouring_completes,
			 "iouring_punts", (json_int_t)t->iouring_punts);
}

/* Futex words ordered by wait time, most first. */
static const struct trace_data *sort_data;
static int by_wait_desc(const void *a, const void *b)
{
	uint64_t x = sort_data->futex_stats[*(const size_t *)a].wait_ns;
	uint64_t y = sort_data->futex_stats[*(const size_t *)b].wait_ns;

	return x < y ? 1 : x > y ? -1 : 0;
}

static json_t *futexes_json(const struct trace_data *d, json_t *gil_ranges)
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
		bool gil = false;
		size_t j;
		json_t *r;

		json_array_foreach(gil_ranges, j, r) {
			uint64_t tg = json_integer_value(json_object_get(r, "tgid"));
			uint64_t lo = json_integer_value(json_object_get(r, "start"));
			uint64_t hi = json_integer_value(json_object_get(r, "end"));

			if (tg == k->tgid && k->uaddr >= lo && k->uaddr < hi)
				gil = true;
		}
		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)k->uaddr);
		json_array_append_new(arr, json_pack("{sI ss sI sI sI sI sb}",
			"tgid", (json_int_t)k->tgid, "uaddr", addr,
			"waits", (json_int_t)s->waits, "wait_ns", (json_int_t)s->wait_ns,
			"max_wait_ns", (json_int_t)s->max_wait_ns, "wakes", (json_int_t)s->wakes,
			"gil", gil));
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

int results_add_trace(json_t *run, const struct trace_data *d, double wall_s)
{
	struct trace_metrics m;
	json_t *threads = json_object_get(run, "threads"), *per_cpu = json_array();
	json_t *bins = json_array(), *hists = json_object();
	json_t *ranges = json_object_get(run, "gil_ranges");

	metrics_from_trace(d, wall_s, &m);
	json_object_set_new(run, "wall_s", json_real(wall_s));
#define SET(name) results_set_metric(run, #name, (double)m.name)
	SET(oncpu_ns); SET(cores_used); SET(voluntary_switches); SET(involuntary_switches);
	SET(migrations); SET(futex_waits); SET(futex_wait_ns); SET(futex_wakes);
	SET(futex_wait_p50_ns); SET(futex_wait_p99_ns); SET(gil_waits); SET(gil_wait_ns);
	SET(gil_wait_share); SET(runq_ns); SET(runq_p50_ns); SET(runq_p90_ns); SET(runq_p99_ns);
	SET(runq_max_ns); SET(iouring_submits); SET(iouring_completes); SET(iouring_punts);
	SET(iouring_p50_ns); SET(iouring_p99_ns); SET(threads); SET(processes); SET(events);
	SET(lost_events);
#undef SET
	if (!threads) {
		threads = json_array();
		json_object_set_new(run, "threads", threads);
	}
	for (size_t i = 0; i < d->ntasks; i++)
		json_array_append_new(threads, thread_json(&d->tasks[i]));
	for (int c = 0; c < d->ncpus; c++)
		json_array_append_new(per_cpu, json_real(metrics_cpu_busy_fraction(d, c, wall_s)));
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
	json_object_set_new(run, "histograms", hists);
	/* no gil_ranges (a record): NULL iterates as an empty array */
	json_object_set_new(run, "futexes", futexes_json(d, ranges));
	json_object_set_new(run, "tracer", tracer_json(d, &m));
	return 0;
}

int results_check(const json_t *doc, char *err, size_t errlen)
{
	json_t *schema = json_object_get(doc, "schema"), *runs, *run;
	size_t i;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "not a gilscope results document (the top level is not an object)");
		return -1;
	}
	if (!json_is_integer(schema)) {
		snprintf(err, errlen, "not a gilscope results document (no schema version)");
		return -1;
	}
	if (json_integer_value(schema) != GS_SCHEMA_VERSION) {
		snprintf(err, errlen, "results schema %lld is not supported (this gilscope reads schema %d)",
			 (long long)json_integer_value(schema), GS_SCHEMA_VERSION);
		return -1;
	}
	runs = json_object_get(doc, "runs");
	if (!json_is_object(json_object_get(doc, "env")) || !json_is_array(runs)) {
		snprintf(err, errlen, "not a gilscope results document (env or runs missing)");
		return -1;
	}
	json_array_foreach(runs, i, run) {
		if (!json_is_object(run) || !json_is_string(json_object_get(run, "label")) ||
		    !json_is_object(json_object_get(run, "metrics")) ||
		    !json_is_number(json_object_get(run, "wall_s"))) {
			snprintf(err, errlen, "run %zu of the results document is malformed "
				 "(label, wall_s or metrics missing)", i);
			return -1;
		}
	}
	return 0;
}

/* jansson's message quotes the input near the error: keep it one printable
 * line (a hostile file could hold newlines or terminal escapes there). */
static void printable(char *dst, size_t n, const char *src)
{
	size_t o = 0;

	for (; *src && o + 5 < n; src++) {
		unsigned char c = (unsigned char)*src;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(dst + o, n - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

json_t *results_load(const char *path, char *err, size_t errlen)
{
	char why[4 * JSON_ERROR_TEXT_LENGTH + 8];
	json_error_t je;
	json_t *doc;

	if (access(path, R_OK) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		printable(why, sizeof(why), je.text);
		snprintf(err, errlen, "%s is not valid JSON (line %d: %s)%s", path, je.line, why,
			 json_error_code(&je) == json_error_premature_end_of_input ? "; is it truncated?" : "");
		return NULL;
	}
	if (results_check(doc, err, errlen)) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "%s: %s", path, msg);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

void results_fill_units(json_t *doc)
{
	json_t *units = json_object_get(doc, "units"), *run, *v;
	const char *name;
	size_t i;

	if (!units) {
		units = json_object();
		json_object_set_new(doc, "units", units);
	}
	json_array_foreach(json_object_get(doc, "runs"), i, run)
		json_object_foreach(json_object_get(run, "metrics"), name, v)
			json_object_set_new(units, name, json_string(results_metric_unit(name)));
}
