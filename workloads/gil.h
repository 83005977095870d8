/*
 * gil.h - a simulated CPython GIL: the "new GIL" of Python/ceval_gil.c (3.2+)
 * re-implemented with pthreads, so that its kernel signature (futex waits on
 * a mutex and condition variables, hand-offs every switch interval) is the
 * real one's.
 *
 * A worker holds the GIL while it runs "bytecode"; it calls gil_tick() every
 * tick of work, which drops and retakes the GIL when another thread asked for
 * it; blocking I/O goes between gil_release() and gil_acquire(), as
 * Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS do. With `enabled` false every
 * call returns at once: free-threaded CPython (PEP 703).
 *
 * GIL_OLD is the lock of CPython <= 3.1 (Python/ceval.c, "ticks"): a bare
 * semaphore the holder releases and re-takes every 100 bytecodes, whoever
 * waits; no interval, no drop request, no forced switching. On two cores the
 * waiter is woken, finds it taken again, and sleeps: Beazley's 2009 convoy.
 */
#ifndef GS_GIL_H
#define GS_GIL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "gilscope.h"

#define GIL_TIMELINE_MAX 4000
/* GIL_OLD: ticks of work between a release and re-take. CPython 2's check
 * interval is 100 bytecodes, about two microseconds: two ticks. */
#define GIL_OLD_CHECK_TICKS 2

enum gil_mode { GIL_NEW, GIL_OLD };

/* Everything a thread can block on: the tracer marks this range as the GIL. */
struct gil_sync {
	pthread_mutex_t mutex; /* protects locked, holder, switch_number */
	pthread_cond_t cond;   /* signalled when the GIL is dropped */
	pthread_mutex_t switch_mutex; /* FORCE_SWITCHING: a dropper waits ... */
	pthread_cond_t switch_cond;   /* ... until another thread took it */
	sem_t sem;                    /* GIL_OLD: the lock itself */
};

struct gil {
	struct gil_sync sync;
	atomic_int locked;
	atomic_int holder;             /* worker index of the last holder, -1 none */
	atomic_ulong switch_number;    /* bumped when the holder changes */
	atomic_int drop_request;       /* the eval breaker: set by a waiter on timeout */
	unsigned interval_us;
	bool enabled;
	enum gil_mode mode;
	unsigned ticks; /* GIL_OLD: ticks since the last release (the holder's) */
	/* statistics, updated by the holder (under sync.mutex) */
	uint64_t t0_ns;
	uint64_t taken_ns; /* when the current holder took it */
	uint64_t handoffs, drop_requests, forced_switches, takes;
	struct gs_hist hold;
	int32_t timeline[GIL_TIMELINE_MAX][2]; /* [t_us since t0, holder or -1] */
	size_t ntimeline;
};

/* enabled false: the no-GIL mode, every call is a no-op. */
int gil_init(struct gil *g, bool enabled, unsigned interval_us);
/* The same, of a given kind (gil_init is GIL_NEW); interval unused by GIL_OLD. */
int gil_init_mode(struct gil *g, enum gil_mode mode, bool enabled, unsigned interval_us);
const char *gil_mode_name(enum gil_mode m);
int gil_mode_parse(const char *s, enum gil_mode *m);
void gil_destroy(struct gil *g);
/* take_gil(): wait (timed by the interval) until the GIL is free, asking the
 * holder to drop it when a whole interval passes without a switch. */
void gil_acquire(struct gil *g, int worker);
/* drop_gil(): release; with a pending drop request, wait until another
 * thread has taken it (FORCE_SWITCHING). */
void gil_release(struct gil *g, int worker);
/* A bytecode tick: drop and retake when asked to. Cheap when not asked. */
static inline void gil_tick(struct gil *g, int worker)
{
	if (!g->enabled)
		return;
	if (g->mode == GIL_OLD) {
		if (++g->ticks >= GIL_OLD_CHECK_TICKS) {
			g->ticks = 0;
			gil_release(g, worker);
			gil_acquire(g, worker);
		}
		return;
	}
	if (atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
		gil_release(g, worker);
		gil_acquire(g, worker);
	}
}
/* Address range of the GIL's futex words, for the tracer. */
void gil_futex_range(const struct gil *g, uint64_t *start, uint64_t *len);
uint64_t gil_now_ns(void);

#endif
