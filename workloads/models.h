/*
 * models.h - the concurrency models. Each does the same total work for a
 * workload and reports what it cost: wall time, worker start-up, memory per
 * worker or task, serialisation, I/O latency and the GIL's own counts.
 */
#ifndef GS_MODELS_H
#define GS_MODELS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "gil.h"
#include "gilscope.h"

enum wl_model { WL_SERIAL, WL_THREADS_GIL, WL_THREADS_NOGIL, WL_PROCESSES, WL_ASYNC,
		WL_ASYNC_POOL, WL_NMODELS };
/* mixed-echo: mixed, with the peer an echo thread inside the worker's
 * process (under its GIL) instead of another process. cpu-release: CPU units
 * done in a C library call that releases the GIL (zlib's crc32 over large
 * buffers, as zlib.crc32 or hashlib do in CPython); shared: CPU units that
 * finish under a lock shared by the threads, updating shared data; io-block:
 * the io workload on an event loop where one task also makes a blocking call
 * (the other tasks' latency is reported). */
enum wl_kind { WL_CPU, WL_IO, WL_MIXED, WL_MIXED_ECHO, WL_CPU_RELEASE, WL_SHARED, WL_IO_BLOCK,
	       WL_NKINDS };

struct wl_spec {
	enum wl_model model;
	enum wl_kind kind;
	unsigned workers;     /* CPU parallelism: threads, processes, the async pool */
	unsigned tasks;       /* I/O concurrency of the io workload: threads,
			       * processes or async tasks in flight (0: 16) */
	unsigned interval_us; /* GIL switch interval */
	enum gil_mode gil_mode; /* new (3.2+) or old (<= 3.1, tick-based) */
	uint64_t cpu_units;   /* CPU units of the workload (cpu, mixed) */
	uint64_t io_units;    /* I/O units of the io workload, and of a serial
			       * mixed one (else the I/O runs as long as the CPU) */
	unsigned peer_port;   /* the I/O peer on 127.0.0.1 */
	const char *data_file; /* NULL: no file read (a zero-latency peer) */
};

struct wl_hooks {
	/* called with the GIL's futex range once it exists, before any worker runs */
	void (*gil_ready)(void *arg, uint64_t start, uint64_t len);
	void *arg;
};

/* Flat, so that a runner process can send it through a pipe as is. */
struct wl_result {
	bool ok;
	char error[160];
	uint64_t cpu_units, io_units; /* done, and checked */
	double wall_s;
	uint64_t startup_ns_per_worker;
	uint64_t rss_bytes_per_worker; /* per thread, process or task */
	uint64_t serialise_ns;         /* per worker: encoding + decoding its results */
	uint64_t peak_rss_bytes;
	uint64_t pool_startup_ns;      /* a process pool made ready (0: none) */
	/* real CPython: changes of the running thread seen by the script at
	 * every tick (its GIL's hand-offs, seen from inside) */
	bool py_switches_seen;
	uint64_t py_switches;
	/* real CPython: gil_handoffs read from the interpreter's own counter
	 * (switch_number) before and after the work, not simulated (gil false) */
	bool gil_handoffs_read;
	struct gs_hist io_latency;     /* one I/O unit as its worker saw it, GIL included */
	bool gil;
	uint64_t gil_t0_ns; /* CLOCK_MONOTONIC origin of gil_timeline */
	uint64_t gil_handoffs, gil_drop_requests, gil_forced_switches;
	struct gs_hist gil_hold;
	uint32_t gil_ntimeline;
	int32_t gil_timeline[GIL_TIMELINE_MAX][2];
};

/* How many workers (threads, processes, tasks) a model runs for spec. */
unsigned wl_concurrency(const struct wl_spec *s);
const char *wl_model_name(enum wl_model m);
const char *wl_kind_name(enum wl_kind k);
bool wl_is_mixed(enum wl_kind k);
/* Workloads of CPU units only (cpu, cpu-release, shared) / I/O units only
 * (io, io-block). */
bool wl_is_cpu_only(enum wl_kind k);
bool wl_is_io_only(enum wl_kind k);
/* Does model m run workload k? io-block is the async model's only; the CPU
 * kinds of C13 and C14 run on the thread and process models. */
bool wl_cell_supported(enum wl_model m, enum wl_kind k);
int wl_model_parse(const char *s, enum wl_model *m);
int wl_kind_parse(const char *s, enum wl_kind *k);

/* Run spec in the calling process (which may start threads or processes).
 * work_calibrate() must have been called. Returns 0, or -1 with out->error. */
int wl_run(const struct wl_spec *spec, const struct wl_hooks *hooks, struct wl_result *out);

/* Did out do all of spec's units? -1 with out->error if not. */
int wl_check_units(const struct wl_spec *spec, struct wl_result *out);

/* model_*.c, called by wl_run with out zeroed and the data file open */
int model_threads(const struct wl_spec *s, const struct wl_hooks *h, struct wl_result *out);
int model_processes(const struct wl_spec *s, struct wl_result *out);
int model_async(const struct wl_spec *s, struct wl_result *out);
/* io-block (model_async_block.c): an event loop of tasks, one of which
 * makes a blocking call after each of its requests */
int model_async_block(const struct wl_spec *s, struct wl_result *out);

/* Memory of a process: resident (what a thread adds to its process is the
 * difference), and proportional (a process's fair share of the pages it
 * shares with its parent and siblings, plus its own: what a worker process
 * costs). */
uint64_t wl_rss_bytes(pid_t pid);
uint64_t wl_pss_bytes(pid_t pid);

#endif
