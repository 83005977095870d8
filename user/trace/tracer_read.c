/*
 * tracer_read.c - reading what the kernel side aggregated: the per-CPU busy
 * samples taken while a run goes on, the timeline ring buffer, and the one read
 * of every map at the end of a run.
 */
#include "tracer_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each timeline event goes straight to its consumer (--timeline streams it). */
static int on_event(void *ctx, void *data, size_t size)
{
	struct tracer *t = ctx;
	struct gs_event ev;

	if (size < sizeof(ev) || !t->on_event)
		return 0;
	memcpy(&ev, data, sizeof(ev)); /* ring-buffer records are only 8-byte aligned */
	t->on_event(t->on_event_ctx, &ev);
	return 0;
}

void tracer_on_event(struct tracer *t, tracer_event_fn fn, void *ctx)
{
	t->on_event = fn;
	t->on_event_ctx = ctx;
}

int tracer_read_init(struct tracer *t, char *err, size_t errlen)
{
	t->last_busy = calloc((size_t)t->ncpus, sizeof(*t->last_busy));
	if (!t->last_busy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (t->opts.timeline) {
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, t, NULL);
		if (!t->rb) {
			snprintf(err, errlen, "cannot open the timeline ring buffer: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

void tracer_read_fini(struct tracer *t)
{
	ring_buffer__free(t->rb);
	free(t->last_busy);
	free(t->bins);
}

void tracer_read_reset(struct tracer *t)
{
	tracer_event_fn fn = t->on_event;

	t->on_event = NULL; /* what is left of the previous run is dropped */
	if (t->rb)
		ring_buffer__consume(t->rb);
	t->on_event = fn;
	t->nbins = 0;
	t->dropped = 0;
}

/* Busy time of the traced tree on each CPU up to `now`, the running slice included. */
static int read_busy(struct tracer *t, uint64_t now, uint64_t *busy)
{
	struct gs_cpu_busy *v = calloc((size_t)t->ncpus, sizeof(*v));
	uint32_t zero = 0;

	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.cpu_busy), &zero, v)) {
		free(v);
		return -errno;
	}
	for (int c = 0; c < t->ncpus; c++)
		busy[c] = v[c].busy_ns + (v[c].on_since && v[c].on_since < now ? now - v[c].on_since : 0);
	free(v);
	return 0;
}

static void bpf_cost(struct tracer *t, uint64_t *ns, uint64_t *cnt)
{
	struct bpf_program *p;

	*ns = *cnt = 0;
	bpf_object__for_each_program(p, t->skel->obj) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);

		if (!bpf_program__autoload(p) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			continue;
		*ns += info.run_time_ns;
		*cnt += info.run_cnt;
	}
}

void tracer_start(struct tracer *t)
{
	t->start_ns = t->last_sample_ns = tracer_now_ns();
	t->nbins = 0;
	read_busy(t, t->start_ns, t->last_busy);
	bpf_cost(t, &t->bpf_ns0, &t->bpf_cnt0);
}

static void add_bin(struct tracer *t, uint64_t now)
{
	uint64_t *busy = calloc((size_t)t->ncpus, sizeof(*busy));
	double span = (double)(now - t->last_sample_ns);

	if (!busy || span <= 0 || read_busy(t, now, busy)) {
		free(busy);
		return;
	}
	if (t->nbins == t->cap_bins) {
		size_t cap = t->cap_bins ? t->cap_bins * 2 : 256;
		double *n = realloc(t->bins, cap * (size_t)t->ncpus * sizeof(*n));

		if (!n) {
			free(busy);
			return;
		}
		t->bins = n;
		t->cap_bins = cap;
	}
	for (int c = 0; c < t->ncpus; c++) {
		double f = busy[c] > t->last_busy[c] ? (double)(busy[c] - t->last_busy[c]) / span : 0;

		t->bins[t->nbins * (size_t)t->ncpus + (size_t)c] = f > 1 ? 1 : f;
		t->last_busy[c] = busy[c];
	}
	t->nbins++;
	t->last_sample_ns = now;
	free(busy);
}

void tracer_sample(struct tracer *t)
{
	uint64_t now = tracer_now_ns();

	if (t->rb)
		ring_buffer__consume(t->rb);
	tasks_drain(t);
	/* a bin per sample_ms; a late call closes one longer bin rather than inventing data */
	if (now - t->last_sample_ns >= (uint64_t)t->opts.sample_ms * 1000000ull)
		add_bin(t, now);
}

static int read_futexes(struct tracer *t, struct trace_data *d)
{
	int fd = bpf_map__fd(t->skel->maps.futex_addrs);
	struct gs_futex_key key, next, *prev = NULL;
	size_t cap = bpf_map__max_entries(t->skel->maps.futex_addrs);

	d->futex_keys = calloc(cap, sizeof(*d->futex_keys));
	d->futex_stats = calloc(cap, sizeof(*d->futex_stats));
	if (!d->futex_keys || !d->futex_stats)
		return -ENOMEM;
	while (d->nfutex < cap && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &d->futex_stats[d->nfutex]))
			continue;
		d->futex_keys[d->nfutex++] = key;
	}
	return 0;
}

/* Sum a per-CPU array element over CPUs, as u64 words. */
static int sum_percpu(struct tracer *t, struct bpf_map *m, uint32_t key, uint64_t *out,
		      size_t words)
{
	uint64_t *v = calloc((size_t)t->ncpus * words, sizeof(*v));

	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(m), &key, v)) {
		free(v);
		return -errno;
	}
	memset(out, 0, words * sizeof(*out));
	for (int c = 0; c < t->ncpus; c++)
		for (size_t w = 0; w < words; w++)
			out[w] += v[(size_t)c * words + w];
	free(v);
	return 0;
}

int tracer_collect(struct tracer *t, struct trace_data *d)
{
	uint64_t now = tracer_now_ns(), ns, cnt;
	int e;

	memset(d, 0, sizeof(*d));
	if (t->rb)
		ring_buffer__consume(t->rb);
	if (now > t->last_sample_ns)
		add_bin(t, now); /* the last, partial bin */
	d->start_ns = t->start_ns;
	d->end_ns = now;
	d->ncpus = t->ncpus;
	d->raw_tp = t->raw_tp;
	for (int i = 0; i < TP_COUNT; i++)
		if (probe_lacking(&t->probe, i) &&
		    d->nmissing < sizeof(d->missing) / sizeof(d->missing[0]))
			d->missing[d->nmissing++] = probe_tps[i].name;

	if ((e = read_futexes(t, d)))
		goto fail;
	for (uint32_t h = 0; h < GS_HIST_MAX; h++)
		if ((e = sum_percpu(t, t->skel->maps.hists, h, (uint64_t *)d->hists[h].slots, GS_HIST_SLOTS)))
			goto fail;
	for (uint32_t c = 0; c < GS_CTR_MAX; c++)
		if ((e = sum_percpu(t, t->skel->maps.counters, c, &d->counters[c], 1)))
			goto fail;
	if ((e = tasks_read(t, now, d)))
		goto fail;

	d->cpu_busy_ns = calloc((size_t)t->ncpus, sizeof(*d->cpu_busy_ns));
	if (!d->cpu_busy_ns || (e = read_busy(t, now, d->cpu_busy_ns))) {
		e = e ? e : -ENOMEM;
		goto fail;
	}
	d->bin_ms = t->opts.sample_ms;
	d->nbins = t->nbins;
	if (t->nbins) {
		size_t sz = t->nbins * (size_t)t->ncpus * sizeof(double);

		if (!(d->cpu_bins = malloc(sz))) {
			e = -ENOMEM;
			goto fail;
		}
		memcpy(d->cpu_bins, t->bins, sz);
	}
	d->timeline_dropped = t->dropped;
	bpf_cost(t, &ns, &cnt);
	d->bpf_run_ns = ns - t->bpf_ns0;
	d->bpf_run_cnt = cnt - t->bpf_cnt0;
	return 0;
fail:
	trace_data_free(d);
	return e;
}

void trace_data_free(struct trace_data *d)
{
	free(d->tasks);
	free(d->futex_keys);
	free(d->futex_stats);
	free(d->cpu_busy_ns);
	free(d->cpu_bins);
	memset(d, 0, sizeof(*d));
}
