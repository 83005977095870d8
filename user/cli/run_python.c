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
	/* its GIL's switch_number just before the work and just after */
	struct run_py_gil found;
	bool counting, counted;
	uint64_t sw0, sw1;
};

/* Models whose work runs in the one interpreter whose GIL is read (the
 * processes' workers have GILs of their own) */
static bool one_interpreter(enum wl_model m)
{
	return m == WL_SERIAL || m == WL_THREADS_GIL || m == WL_THREADS_NOGIL || m == WL_ASYNC;
}

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

	if (run_find_python_gil(p->c->t, pid, p->gil, p->ngil, &p->found) &&
	    !p->found.g.old_lock) { /* 2.7's lock has no counter */
		p->counting = true;
		p->sw0 = p->found.g.state.switch_number; /* read as it was found, just now */
	}
}

/* The result is in and the interpreter waits: the counter after the work. */
static void done(void *arg, pid_t pid)
{
	struct py_trace *p = arg;
	struct py_gil_state st;

	(void)pid;
	if (p->counting && py_gil_read(&p->found.t, &p->found.g, &st) &&
	    st.switch_number >= p->sw0) {
		p->sw1 = st.switch_number;
		p->counted = true;
	}
}

static void idle(void *arg)
{
	struct py_trace *p = arg;

	tracer_sample(p->c->t);
	if (p->pid > 0)
		run_stop_cell(p->c, p->pid);
}

int run_find_python_gil(struct tracer *t, pid_t pid, struct gil_range *gil, size_t *ngil,
			struct run_py_gil *found)
{
	struct run_py_gil local, *f = found ? found : &local;
	char why[256];

	if (*ngil >= RUN_MAX_GIL_RANGES ||
	    py_target_recognise(pid, &f->t, why, sizeof(why)) != PY_IS_PYTHON ||
	    py_gil_find(&f->t, &f->g, why, sizeof(why)) != PY_CHECK_OK)
		return 0; /* no GIL found: the row's GIL waits stay n/a */
	if (tracer_add_gil_range(t, pid, f->g.words, f->g.words_len))
		return 0;
	gil[(*ngil)++] = (struct gil_range){ (uint32_t)pid, f->g.words, f->g.words + f->g.words_len };
	return 1;
}

int run_trace_python(struct run_ctx *c, const struct wl_spec *spec, struct wl_result *res,
		     struct trace_data *d, double *wall, struct gil_range *gil, size_t *ngil)
{
	static struct py_trace p; /* a py_target is large: not on the stack */
	struct py_hooks h = { forked, ready, idle, done, &p };

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.gil = gil;
	p.ngil = ngil;
	tracer_reset(c->t);
	py_run_cell(c->py, spec, &h, res);
	*wall = p.t0 ? (double)(gil_now_ns() - p.t0) / 1e9 : 0;
	/* CPython's own count of its GIL changing holder over the work */
	if (p.counted && res->ok && one_interpreter(spec->model)) {
		res->gil_handoffs_read = true;
		res->gil_handoffs = p.sw1 - p.sw0;
	}
	return tracer_collect(c->t, d);
}
