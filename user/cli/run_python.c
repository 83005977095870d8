/* run_python.c - trace a cell on a real interpreter (see run_ctx.h). */
#include <string.h>
#include <time.h>

#include "gil.h"
#include "py_gil.h"
#include "py_target.h"
#include "run_ctx.h"

struct py_trace {
	struct run_ctx *c;
	struct gil_range *gil;
	size_t *ngil;
	uint64_t t0;
	pid_t pid; /* the interpreter, once forked */
};

static void forked(void *arg, pid_t pid)
{
	struct py_trace *p = arg;

	/* from before exec: the interpreter's whole life, its children too */
	p->pid = pid;
	tracer_follow_new(p->c->t, pid);
	tracer_start(p->c->t);
	p->t0 = gil_now_ns();
}

static void ready(void *arg, pid_t pid)
{
	struct py_trace *p = arg;

	run_find_python_gil(p->c->t, pid, p->gil, p->ngil);
}

static void idle(void *arg)
{
	struct py_trace *p = arg;

	tracer_sample(p->c->t);
	if (p->pid > 0)
		run_stop_cell(p->c, p->pid);
}

int run_find_python_gil(struct tracer *t, pid_t pid, struct gil_range *gil, size_t *ngil)
{
	struct py_target tg;
	struct py_gil g;
	char why[256];

	if (*ngil >= RUN_MAX_GIL_RANGES ||
	    py_target_recognise(pid, &tg, why, sizeof(why)) != PY_IS_PYTHON ||
	    py_gil_find(&tg, &g, why, sizeof(why)) != PY_CHECK_OK)
		return 0; /* no GIL found: the row's GIL waits stay n/a */
	if (tracer_add_gil_range(t, pid, g.words, g.words_len))
		return 0;
	gil[(*ngil)++] = (struct gil_range){ (uint32_t)pid, g.words, g.words + g.words_len };
	return 1;
}

int run_trace_python(struct run_ctx *c, const struct wl_spec *spec, struct wl_result *res,
		     struct trace_data *d, double *wall, struct gil_range *gil, size_t *ngil)
{
	struct py_trace p = { c, gil, ngil, 0, 0 };
	struct py_hooks h = { forked, ready, idle, &p };

	tracer_reset(c->t);
	py_run_cell(c->py, spec, &h, res);
	*wall = p.t0 ? (double)(gil_now_ns() - p.t0) / 1e9 : 0;
	return tracer_collect(c->t, d);
}
