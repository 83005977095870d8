/* gil.c - the simulated GIL (see gil.h): take_gil/drop_gil of ceval_gil.c. */
#include "gil.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "hist.h"

uint64_t gil_now_ns(void)
{
	return clock_mono_ns();
}

const char *gil_mode_name(enum gil_mode m)
{
	return m == GIL_OLD ? "old" : "new";
}

int gil_mode_parse(const char *s, enum gil_mode *m)
{
	if (!strcmp(s, "new"))
		*m = GIL_NEW;
	else if (!strcmp(s, "old"))
		*m = GIL_OLD;
	else
		return -1;
	return 0;
}

int gil_init(struct gil *g, bool enabled, unsigned interval_us)
{
	return gil_init_mode(g, GIL_NEW, enabled, interval_us);
}

int gil_init_mode(struct gil *g, enum gil_mode mode, bool enabled, unsigned interval_us)
{
	pthread_condattr_t ca;

	memset(g, 0, sizeof(*g));
	g->enabled = enabled;
	g->mode = mode;
	if (sem_init(&g->sync.sem, 0, 1))
		return -1;
	g->interval_us = interval_us ? interval_us : 1;
	atomic_init(&g->holder, -1);
	g->t0_ns = gil_now_ns();
	/* timed waits on CLOCK_MONOTONIC, as CPython does where it can */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&g->sync.mutex, NULL) || pthread_cond_init(&g->sync.cond, &ca) ||
	    pthread_mutex_init(&g->sync.switch_mutex, NULL) ||
	    pthread_cond_init(&g->sync.switch_cond, &ca)) {
		pthread_condattr_destroy(&ca);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

void gil_destroy(struct gil *g)
{
	pthread_mutex_destroy(&g->sync.mutex);
	pthread_cond_destroy(&g->sync.cond);
	pthread_mutex_destroy(&g->sync.switch_mutex);
	pthread_cond_destroy(&g->sync.switch_cond);
	sem_destroy(&g->sync.sem);
}

void gil_futex_range(const struct gil *g, uint64_t *start, uint64_t *len)
{
	*start = (uint64_t)(uintptr_t)&g->sync;
	*len = sizeof(g->sync);
}

static void timeline_add(struct gil *g, uint64_t now, int holder)
{
	if (g->ntimeline < GIL_TIMELINE_MAX) {
		g->timeline[g->ntimeline][0] = (int32_t)((now - g->t0_ns) / 1000);
		g->timeline[g->ntimeline][1] = holder;
		g->ntimeline++;
	}
}

/* GIL_OLD: PyThread_acquire_lock(interpreter_lock, 1) on a semaphore. */
static void old_acquire(struct gil *g, int worker)
{
	uint64_t now;

	while (sem_wait(&g->sync.sem) && errno == EINTR)
		;
	now = gil_now_ns();
	atomic_store(&g->locked, 1);
	if (atomic_load(&g->holder) != worker) {
		atomic_store(&g->holder, worker);
		atomic_fetch_add(&g->switch_number, 1);
		g->handoffs++;
		timeline_add(g, now, worker);
	}
	g->takes++;
	g->taken_ns = now;
}

static void old_release(struct gil *g)
{
	hist_add_value(&g->hold, gil_now_ns() - g->taken_ns);
	atomic_store(&g->locked, 0);
	sem_post(&g->sync.sem);
}

void gil_acquire(struct gil *g, int worker)
{
	uint64_t now;

	if (!g->enabled)
		return;
	if (g->mode == GIL_OLD)
		return old_acquire(g, worker);
	pthread_mutex_lock(&g->sync.mutex);
	while (atomic_load(&g->locked)) {
		unsigned long saved = atomic_load(&g->switch_number);
		struct timespec dl;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_nsec += (long)g->interval_us * 1000;
		dl.tv_sec += dl.tv_nsec / 1000000000;
		dl.tv_nsec %= 1000000000;
		rc = pthread_cond_timedwait(&g->sync.cond, &g->sync.mutex, &dl);
		/* a whole interval without a switch: ask the holder to drop it */
		if (rc == ETIMEDOUT && atomic_load(&g->locked) &&
		    atomic_load(&g->switch_number) == saved) {
			atomic_store(&g->drop_request, 1);
			g->drop_requests++;
		}
	}
	/* FORCE_SWITCHING: last holder may only change under switch_mutex */
	pthread_mutex_lock(&g->sync.switch_mutex);
	atomic_store(&g->locked, 1);
	now = gil_now_ns();
	if (atomic_load(&g->holder) != worker) {
		atomic_store(&g->holder, worker);
		atomic_fetch_add(&g->switch_number, 1);
		g->handoffs++;
		timeline_add(g, now, worker);
	}
	pthread_cond_signal(&g->sync.switch_cond);
	pthread_mutex_unlock(&g->sync.switch_mutex);
	atomic_store(&g->drop_request, 0);
	g->takes++;
	g->taken_ns = now;
	pthread_mutex_unlock(&g->sync.mutex);
}

void gil_release(struct gil *g, int worker)
{
	if (!g->enabled)
		return;
	if (g->mode == GIL_OLD)
		return old_release(g);
	pthread_mutex_lock(&g->sync.mutex);
	hist_add_value(&g->hold, gil_now_ns() - g->taken_ns);
	atomic_store(&g->locked, 0);
	pthread_cond_signal(&g->sync.cond);
	pthread_mutex_unlock(&g->sync.mutex);

	/* FORCE_SWITCHING: asked to drop, wait until another thread took it,
	 * so that the dropper cannot retake it at once */
	if (atomic_load(&g->drop_request)) {
		pthread_mutex_lock(&g->sync.switch_mutex);
		if (atomic_load(&g->holder) == worker) {
			atomic_store(&g->drop_request, 0);
			g->forced_switches++;
			pthread_cond_wait(&g->sync.switch_cond, &g->sync.switch_mutex);
		}
		pthread_mutex_unlock(&g->sync.switch_mutex);
	}
}
