/*
 * model_threads.c - serial, threads-gil and threads-nogil: one process, one
 * job per thread. threads-gil shares one simulated GIL; a mixed workload puts
 * CPU-bound and I/O-bound threads side by side (the convoy case).
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "echo.h"
#include "hist.h"
#include "jobs.h"
#include "models.h"
#include "work.h"

/* Where the workers wait once started: memory is measured when all have
 * arrived, then the gate opens (go) or is cancelled (a thread could not be
 * created: the ones that were return without working). */
struct start_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned arrived;
	bool open, cancelled;
};

struct worker {
	struct job job;
	bool cpu;                  /* runs CPU units, else I/O units */
	uint64_t created_ns, started_ns;
	struct start_gate *gate;
	int rc;
};

/* In a worker: arrive, then wait for the gate; false when cancelled. */
static bool gate_pass(struct start_gate *g)
{
	bool go;

	pthread_mutex_lock(&g->mu);
	g->arrived++;
	pthread_cond_broadcast(&g->cv);
	while (!g->open && !g->cancelled)
		pthread_cond_wait(&g->cv, &g->mu);
	go = !g->cancelled;
	pthread_mutex_unlock(&g->mu);
	return go;
}

static void gate_wait_arrived(struct start_gate *g, unsigned n)
{
	pthread_mutex_lock(&g->mu);
	while (g->arrived < n)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void gate_release(struct start_gate *g, bool cancel)
{
	pthread_mutex_lock(&g->mu);
	g->open = !cancel;
	g->cancelled = cancel;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char stack_use[16384]; /* a thread touches some stack, as an interpreter's does */

	w->started_ns = gil_now_ns();
	/* names that say what a thread does, in the tracer's thread tables */
	snprintf(stack_use, 16, "%s-%d", w->cpu ? "cpu" : "io", w->job.worker);
	pthread_setname_np(pthread_self(), stack_use);
	memset(stack_use, 0, sizeof(stack_use));
	__asm__ volatile("" : : "r"(stack_use) : "memory");
	if (!gate_pass(w->gate))
		return NULL;
	w->rc = w->cpu ? job_run_cpu(&w->job) : job_run_io(&w->job);
	if (!w->rc && w->cpu && w->job.io_to > w->job.io_from)
		w->rc = job_run_io(&w->job);
	return NULL;
}

int model_threads(const struct wl_spec *spec, const struct wl_hooks *h, struct wl_result *out)
{
	struct wl_spec local = *spec, *s = &local;
	unsigned n = wl_concurrency(s);
	atomic_int cpu_left = 0;
	struct echo echo;
	struct gil *gil = NULL;
	struct worker *w = calloc(n, sizeof(*w));
	pthread_t *tid = calloc(n, sizeof(*tid));
	struct start_gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false, false };
	unsigned created;
	int err = 0;
	/* shared workload: the data the threads update and its lock */
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	uint64_t shared_sum = 0, want_sum = 0;
	uint64_t rss0, t0, startup = 0;
	int rc = 0;

	if (!w || !tid) {
		free(w);
		free(tid);
		snprintf(out->error, sizeof(out->error), "out of memory");
		return -1;
	}
	if (s->model == WL_THREADS_GIL) {
		uint64_t start, len;

		gil = calloc(1, sizeof(*gil));
		if (!gil || gil_init_mode(gil, s->gil_mode, true, s->interval_us)) {
			snprintf(out->error, sizeof(out->error), "cannot create the GIL");
			free(gil);
			free(w);
			free(tid);
			return -1;
		}
		gil_futex_range(gil, &start, &len);
		if (h && h->gil_ready)
			h->gil_ready(h->arg, start, len);
	}
	if (s->kind == WL_MIXED_ECHO) {
		if (echo_start(&echo, gil)) {
			snprintf(out->error, sizeof(out->error), "cannot start the echo thread");
			if (gil)
				gil_destroy(gil);
			free(gil);
			free(w);
			free(tid);
			return -1;
		}
		s->peer_port = echo.port;
	}
	for (unsigned i = 0; i < n; i++) {
		job_plan(s, n, i, &w[i].job, &w[i].cpu);
		w[i].job.cpu_left = &cpu_left;
		w[i].job.lock = &lock;
		w[i].job.shared_sum = &shared_sum;
		cpu_left += w[i].job.cpu_to > w[i].job.cpu_from;
	}
	rss0 = wl_rss_bytes(getpid());
	for (created = 0; created < n; created++) {
		struct worker *wk = &w[created];

		wk->job.spec = s;
		wk->job.gil = gil;
		wk->job.worker = (int)created;
		wk->gate = &gate;
		wk->created_ns = gil_now_ns();
		if ((err = pthread_create(&tid[created], NULL, worker_main, wk)))
			break;
	}
	if (err) {
		/* out of threads or memory: the ones started go home, nothing is measured */
		gate_release(&gate, true);
		for (unsigned i = 0; i < created; i++)
			pthread_join(tid[i], NULL);
		snprintf(out->error, sizeof(out->error), "cannot start thread %u of %u: %s", created + 1,
			 n, strerror(err));
		if (s->kind == WL_MIXED_ECHO)
			echo_stop(&echo);
		if (gil)
			gil_destroy(gil);
		free(gil);
		free(w);
		free(tid);
		return -1;
	}
	gate_wait_arrived(&gate, n);
	/* a serial run has no worker to start: its thread is the caller's */
	out->rss_bytes_per_worker = s->model == WL_SERIAL ? 0 : (wl_rss_bytes(getpid()) - rss0) / n;
	t0 = gil_now_ns();
	gate_release(&gate, false);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		startup += w[i].started_ns - w[i].created_ns;
		out->cpu_units += w[i].job.cpu_done;
		out->io_units += w[i].job.io_done;
		hist_merge(&out->io_latency, &w[i].job.io_latency);
		if (w[i].rc && !rc) {
			rc = -1;
			snprintf(out->error, sizeof(out->error), "%s", w[i].job.error);
		}
	}
	out->wall_s = (double)(gil_now_ns() - t0) / 1e9;
	out->startup_ns_per_worker = s->model == WL_SERIAL ? 0 : startup / n;
	/* the lock kept every update: the shared sum is every unit's result */
	for (uint64_t u = 0; s->kind == WL_SHARED && u < out->cpu_units; u++)
		want_sum += work_unit_expected(u);
	if (s->kind == WL_SHARED && !rc && shared_sum != want_sum) {
		rc = -1;
		snprintf(out->error, sizeof(out->error), "the shared data lost updates");
	}
	if (s->kind == WL_MIXED_ECHO)
		echo_stop(&echo);
	if (gil) {
		out->gil = true;
		out->gil_t0_ns = gil->t0_ns;
		out->gil_handoffs = gil->handoffs;
		out->gil_drop_requests = gil->drop_requests;
		out->gil_forced_switches = gil->forced_switches;
		out->gil_hold = gil->hold;
		out->gil_ntimeline = (uint32_t)gil->ntimeline;
		memcpy(out->gil_timeline, gil->timeline, sizeof(out->gil_timeline));
		gil_destroy(gil);
		free(gil);
	}
	free(w);
	free(tid);
	return rc;
}
