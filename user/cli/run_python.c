/* run_python.c - trace a cell on a real interpreter (see run_ctx.h). */
#include <string.h>
#include <time.h>

#include "gil.h"
#include "run_ctx.h"

struct py_trace {
	struct run_ctx *c;
	json_t *ranges;
	uint64_t t0;
};

static void forked(void *arg, pid_t pid)
{
	struct py_trace *p = arg;

	/* from before exec: the interpreter's whole life, its children too */
	tracer_follow_new(p->c->t, pid);
	tracer_start(p->c->t);
	p->t0 = gil_now_ns();
}

static void ready(void *arg, pid_t pid)
{
	struct py_trace *p = arg;

	run_find_python_gil(p->c->t, pid, p->ranges);
}

static void idle(void *arg)
{
	tracer_sample(((struct py_trace *)arg)->c->t);
}

int run_find_python_gil(struct tracer *t, pid_t pid, json_t *ranges)
{
	/* Where CPython's GIL discovery (the interpreter's _PyRuntime and its
	 * gil_runtime_state, per version) registers the futex words it finds:
	 *   tracer_add_gil_range(t, pid, start, len);
	 *   json_array_append_new(ranges, {tgid, start, end});
	 * Until it does, real rows carry no GIL waits (n/a, not 0). */
	(void)t;
	(void)pid;
	(void)ranges;
	return 0;
}

int run_trace_python(struct run_ctx *c, const struct wl_spec *spec, struct wl_result *res,
		     struct trace_data *d, double *wall, json_t *gil_ranges)
{
	struct py_trace p = { c, gil_ranges, 0 };
	struct py_hooks h = { forked, ready, idle, &p };

	tracer_reset(c->t);
	py_run_cell(c->py, spec, &h, res);
	*wall = p.t0 ? (double)(gil_now_ns() - p.t0) / 1e9 : 0;
	return tracer_collect(c->t, d);
}
