/* models.c - names of the models and workloads, and the dispatch of wl_run. */
#include "models.h"
#include "procfs.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const char *const model_names[WL_NMODELS] = {
	"serial", "threads-gil", "threads-nogil", "processes", "async", "async-pool",
};
static const char *const kind_names[WL_NKINDS] = { "cpu", "io", "mixed" };

const char *wl_model_name(enum wl_model m)
{
	return m < WL_NMODELS ? model_names[m] : "?";
}

const char *wl_kind_name(enum wl_kind k)
{
	return k < WL_NKINDS ? kind_names[k] : "?";
}

unsigned wl_concurrency(const struct wl_spec *s)
{
	if (s->model == WL_SERIAL)
		return 1;
	/* I/O-bound work is spread over as many workers as requests in flight */
	if (s->kind == WL_IO)
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

int wl_run(const struct wl_spec *spec, const struct wl_hooks *hooks, struct wl_result *out)
{
	struct rusage self, kids;
	int e;

	memset(out, 0, sizeof(*out));
	if (spec->workers < 1 || (spec->kind != WL_CPU && !spec->peer_port)) {
		snprintf(out->error, sizeof(out->error), "bad spec: %u workers, peer port %u",
			 spec->workers, spec->peer_port);
		return -1;
	}
	switch (spec->model) {
	case WL_SERIAL:
	case WL_THREADS_GIL:
	case WL_THREADS_NOGIL:
		e = model_threads(spec, hooks, out);
		break;
	case WL_PROCESSES:
		e = model_processes(spec, out);
		break;
	case WL_ASYNC:
	case WL_ASYNC_POOL:
		e = model_async(spec, out);
		break;
	default:
		snprintf(out->error, sizeof(out->error), "unknown model");
		return -1;
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	out->peak_rss_bytes = (uint64_t)(self.ru_maxrss + kids.ru_maxrss) * 1024;
	if (!e && (out->cpu_units != (spec->kind == WL_IO ? 0 : spec->cpu_units) ||
		   out->io_units != (spec->kind == WL_CPU ? 0 : spec->io_units))) {
		snprintf(out->error, sizeof(out->error), "did %llu cpu and %llu io units of %llu and %llu",
			 (unsigned long long)out->cpu_units, (unsigned long long)out->io_units,
			 (unsigned long long)(spec->kind == WL_IO ? 0 : spec->cpu_units),
			 (unsigned long long)(spec->kind == WL_CPU ? 0 : spec->io_units));
		e = -1;
	}
	out->ok = e == 0;
	return e;
}
