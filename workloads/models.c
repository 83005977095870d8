/* models.c - names of the models and workloads, and the dispatch of wl_run. */
#include "models.h"
#include "procfs.h"
#include "echo.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const char *const model_names[WL_NMODELS] = {
	"serial", "threads-gil", "threads-nogil", "processes", "async", "async-pool",
};
static const char *const kind_names[WL_NKINDS] = { "cpu", "io", "mixed", "mixed-echo",
						    "cpu-release", "shared", "io-block" };

const char *wl_model_name(enum wl_model m)
{
	return m < WL_NMODELS ? model_names[m] : "?";
}

const char *wl_kind_name(enum wl_kind k)
{
	return k < WL_NKINDS ? kind_names[k] : "?";
}

bool wl_is_cpu_only(enum wl_kind k)
{
	return k == WL_CPU || k == WL_CPU_RELEASE || k == WL_SHARED;
}

bool wl_is_io_only(enum wl_kind k)
{
	return k == WL_IO || k == WL_IO_BLOCK;
}

bool wl_cell_supported(enum wl_model m, enum wl_kind k)
{
	if (k == WL_IO_BLOCK)
		return m == WL_ASYNC;
	if (k == WL_CPU_RELEASE || k == WL_SHARED)
		return m == WL_SERIAL || m == WL_THREADS_GIL || m == WL_THREADS_NOGIL || m == WL_PROCESSES;
	return true;
}

unsigned wl_concurrency(const struct wl_spec *s)
{
	if (s->model == WL_SERIAL)
		return 1;
	/* I/O-bound work is spread over as many workers as requests in flight */
	if (wl_is_io_only(s->kind))
		return s->tasks ? s->tasks : 16;
	return s->workers;
}

int wl_model_parse(const char *s, enum wl_model *m)
{
	for (int i = 0; i < WL_NMODELS; i++)
		if (!strcmp(s, model_names[i])) {
			*m = (enum wl_model)i;
			return 0;
		}
	return -1;
}

int wl_kind_parse(const char *s, enum wl_kind *k)
{
	for (int i = 0; i < WL_NKINDS; i++)
		if (!strcmp(s, kind_names[i])) {
			*k = (enum wl_kind)i;
			return 0;
		}
	return -1;
}

static uint64_t status_kb(pid_t pid, const char *file, const char *const *fields)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return proc_sum_kb(path, fields);
}

/* smaps_rollup walks the page tables: exact, where VmRSS lags behind by the
 * per-thread counters the kernel batches */
uint64_t wl_rss_bytes(pid_t pid)
{
	static const char *const f[] = { "Rss:", NULL };

	return status_kb(pid, "smaps_rollup", f);
}

uint64_t wl_pss_bytes(pid_t pid)
{
	static const char *const f[] = { "Pss:", NULL };

	return status_kb(pid, "smaps_rollup", f);
}

int wl_check_units(const struct wl_spec *spec, struct wl_result *out)
{
	int e = 0;

	/* a mixed workload with several workers runs its I/O for as long as
	 * its CPU: some units, their number not fixed */
	if (wl_is_mixed(spec->kind) && wl_concurrency(spec) > 1) {
		if (out->cpu_units != spec->cpu_units || !out->io_units) {
			snprintf(out->error, sizeof(out->error), "did %llu cpu units of %llu and %llu io units",
				 (unsigned long long)out->cpu_units, (unsigned long long)spec->cpu_units,
				 (unsigned long long)out->io_units);
			e = -1;
		}
	} else if ((out->cpu_units != (wl_is_io_only(spec->kind) ? 0 : spec->cpu_units) ||
		   out->io_units != (wl_is_cpu_only(spec->kind) ? 0 : spec->io_units))) {
		snprintf(out->error, sizeof(out->error), "did %llu cpu and %llu io units of %llu and %llu",
			 (unsigned long long)out->cpu_units, (unsigned long long)out->io_units,
			 (unsigned long long)(wl_is_io_only(spec->kind) ? 0 : spec->cpu_units),
			 (unsigned long long)(wl_is_cpu_only(spec->kind) ? 0 : spec->io_units));
		e = -1;
	}
	return e;
}

int wl_run(const struct wl_spec *spec, const struct wl_hooks *hooks, struct wl_result *out)
{
	struct wl_spec local = *spec;
	struct rusage self, kids;
	struct echo echo;
	bool echoing = false;
	int e;

	memset(out, 0, sizeof(*out));
	if (spec->workers < 1 || (!wl_is_cpu_only(spec->kind) && spec->kind != WL_MIXED_ECHO &&
				  !spec->peer_port)) {
		snprintf(out->error, sizeof(out->error), "bad spec: %u workers, peer port %u",
			 spec->workers, spec->peer_port);
		return -1;
	}
	if (!wl_cell_supported(spec->model, spec->kind)) {
		snprintf(out->error, sizeof(out->error), "the %s model does not run the %s workload",
			 wl_model_name(spec->model), wl_kind_name(spec->kind));
		return -1;
	}
	switch (spec->model) {
	case WL_SERIAL:
	case WL_THREADS_GIL:
	case WL_THREADS_NOGIL:
		e = model_threads(spec, hooks, out);
		break;
	case WL_PROCESSES:
	case WL_ASYNC:
	case WL_ASYNC_POOL:
		/* the in-process peer of a model without a GIL to share: a plain
		 * thread of the runner (threads models start theirs under the GIL) */
		if (spec->kind == WL_MIXED_ECHO) {
			if (echo_start(&echo, NULL)) {
				snprintf(out->error, sizeof(out->error), "cannot start the echo thread");
				return -1;
			}
			echoing = true;
			local.peer_port = echo.port;
		}
		e = spec->model == WL_PROCESSES ? model_processes(&local, out) :
		    spec->kind == WL_IO_BLOCK ? model_async_block(&local, out) : model_async(&local, out);
		if (echoing)
			echo_stop(&echo);
		break;
	default:
		snprintf(out->error, sizeof(out->error), "unknown model");
		return -1;
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	out->peak_rss_bytes = (uint64_t)(self.ru_maxrss + kids.ru_maxrss) * 1024;
	if (!e)
		e = wl_check_units(spec, out);
	out->ok = e == 0;
	return e;
}
