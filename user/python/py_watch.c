/* py_watch.c - the CPythons of a recorded tree and their GILs (see py_watch.h). */
#include "py_watch.h"
#include "sysstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "py_gil.h"
#include "py_target.h"
#include "py_tree.h"

#define MAX_TREE 4096
#define RECHECK_SCANS 3 /* a dynamically linked python maps libpython just after exec */
#define SMALL_TREE 64    /* trees this small are looked at on every poll, not every interval */

enum py_state { PS_NOT_PYTHON, PS_PENDING, PS_FOUND, PS_FAILED };

struct py_proc {
	pid_t tgid;
	dev_t dev;
	ino_t ino;
	unsigned scans;     /* scans that saw it */
	bool superseded;    /* it exec'd something else since */
	bool gone;
	enum py_state state;
	struct py_target t;
	struct py_gil g;
	char reason[256];
	uint64_t sw_first, sw_last, t_first_ns, t_last_ns, holder;
	bool sw_broken;     /* the counter went backwards: hand-offs unknown */
};

struct py_watch {
	struct tracer *tracer;
	pid_t root;
	bool subreaper;
	uint64_t interval_ns, last_scan_ns;
	size_t last_tree;   /* processes the last scan saw */
	struct py_proc *procs;
	size_t n, cap;
	pid_t tree[MAX_TREE];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct py_watch *py_watch_new(struct tracer *t, pid_t root, bool subreaper, unsigned interval_ms)
{
	struct py_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->tracer = t;
	w->root = root;
	w->subreaper = subreaper;
	w->interval_ns = (uint64_t)(interval_ms ? interval_ms : 100) * 1000000ull;
	return w;
}

void py_watch_free(struct py_watch *w)
{
	if (!w)
		return;
	free(w->procs);
	free(w);
}

static bool exe_id(pid_t pid, dev_t *dev, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		return false;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return true;
}

static struct py_proc *current(struct py_watch *w, pid_t pid)
{
	for (size_t i = w->n; i-- > 0;)
		if (w->procs[i].tgid == pid && !w->procs[i].superseded)
			return &w->procs[i];
	return NULL;
}

static struct py_proc *add_proc(struct py_watch *w, pid_t pid, dev_t dev, ino_t ino)
{
	struct py_proc *p;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct py_proc *np = realloc(w->procs, cap * sizeof(*np));

		if (!np)
			return NULL;
		w->procs = np;
		w->cap = cap;
	}
	p = &w->procs[w->n++];
	memset(p, 0, sizeof(*p));
	p->tgid = pid;
	p->dev = dev;
	p->ino = ino;
	return p;
}

/* Recognise p's program. The process may have left it since its identity
 * was read (chrt, env or a shell exec the next program at once): then what
 * was seen belongs to the new program, which the next scan gives an entry
 * of its own; kept here too, it would list that interpreter twice. */
static void recognise(struct py_proc *p)
{
	dev_t dev;
	ino_t ino;

	switch (py_target_recognise(p->tgid, &p->t, p->reason, sizeof(p->reason))) {
	case PY_IS_PYTHON:
		p->state = p->t.version[0] ? PS_PENDING : PS_FAILED;
		break;
	case PY_GONE:
		p->gone = true;
		/* fall through */
	case PY_NOT_PYTHON:
		p->state = PS_NOT_PYTHON;
		return;
	}
	if (exe_id(p->tgid, &dev, &ino) && (dev != p->dev || ino != p->ino)) {
		p->state = PS_NOT_PYTHON;
		p->superseded = true;
	}
}

static void find_gil(struct py_watch *w, struct py_proc *p)
{
	switch (py_gil_find(&p->t, &p->g, p->reason, sizeof(p->reason))) {
	case PY_CHECK_OK:
		if (tracer_add_gil_range(w->tracer, p->tgid, p->g.words, p->g.words_len)) {
			snprintf(p->reason, sizeof(p->reason), "found at 0x%llx, but the tracer has no "
				 "room for another GIL", (unsigned long long)p->g.address);
			p->state = PS_FAILED;
			return;
		}
		p->state = PS_FOUND;
		p->reason[0] = 0;
		p->t_first_ns = p->t_last_ns = now_ns();
		p->sw_first = p->sw_last = p->g.state.switch_number;
		p->holder = p->g.state.last_holder;
		break;
	case PY_CHECK_NOT_YET:
		break; /* again at the next scan; the reason stays for the end */
	case PY_CHECK_BAD:
		p->state = PS_FAILED;
		break;
	}
}

static void scan(struct py_watch *w)
{
	size_t n;

	if (w->subreaper) /* gilscope's children: the command and adopted orphans */
		n = py_tree_list(getpid(), 0, w->tree, MAX_TREE);
	else
		n = py_tree_list(w->root, 1, w->tree, MAX_TREE);
	w->last_tree = n;
	for (size_t i = 0; i < n; i++) {
		struct py_proc *p = current(w, w->tree[i]);
		dev_t dev;
		ino_t ino;

		if (!exe_id(w->tree[i], &dev, &ino))
			continue;
		if (p && (p->dev != dev || p->ino != ino)) {
			p->superseded = true; /* exec: a new program in the same process */
			p = NULL;
		}
		if (!p) {
			p = add_proc(w, w->tree[i], dev, ino);
			if (!p)
				return;
			recognise(p);
		} else if (p->state == PS_NOT_PYTHON && p->scans < RECHECK_SCANS && !p->gone) {
			recognise(p);
		}
		p->scans++;
		if (p->state == PS_PENDING)
			find_gil(w, p);
	}
}

/* Follow the switch counter of every found GIL, while its process lives. */
static void read_counters(struct py_watch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct py_proc *p = &w->procs[i];
		struct py_gil_state st;

		if (p->state != PS_FOUND || p->gone || p->g.old_lock)
			continue;
		if (!py_gil_read(&p->t, &p->g, &st)) {
			p->gone = true; /* exited, or exec'd: the last read stands */
			continue;
		}
		if (st.switch_number < p->sw_last)
			p->sw_broken = true;
		p->sw_last = st.switch_number;
		p->holder = st.last_holder;
		p->g.state.interval_us = st.interval_us;
		p->t_last_ns = now_ns();
	}
}

void py_watch_poll(struct py_watch *w)
{
	uint64_t now = now_ns();

	if (!w)
		return;
	read_counters(w);
	/* an exec'd interpreter is best caught early: small trees at every poll */
	if (w->last_tree <= SMALL_TREE || now - w->last_scan_ns >= w->interval_ns) {
		w->last_scan_ns = now;
		scan(w);
	}
}

void py_watch_finish(struct py_watch *w)
{
	if (!w)
		return;
	read_counters(w);
}

static json_t *gil_json(const struct py_proc *p)
{
	char addr[32];
	json_t *g = json_object();
	double window = (double)(p->t_last_ns - p->t_first_ns) / 1e9;

	json_object_set_new(g, "found", json_boolean(p->state == PS_FOUND));
	if (p->state != PS_FOUND) {
		json_object_set_new(g, "reason", json_string(p->reason[0] ? p->reason :
							     "the interpreter never finished starting"));
		return g;
	}
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)p->g.address);
	json_object_set_new(g, "how", json_string(p->g.how));
	json_object_set_new(g, "address", json_string(addr));
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)p->g.words);
	json_object_set_new(g, "words", json_pack("{ss sI}", "start", addr, "len",
						  (json_int_t)p->g.words_len));
	if (p->g.old_lock)
		return g;
	json_object_set_new(g, "interval_us", json_integer((json_int_t)p->g.state.interval_us));
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)p->holder);
	json_object_set_new(g, "last_holder", json_string(addr));
	if (p->sw_broken) {
		json_object_set_new(g, "handoffs", json_null());
		return g;
	}
	json_object_set_new(g, "switch_number", json_pack("{sI sI}", "first",
				(json_int_t)p->sw_first, "last", (json_int_t)p->sw_last));
	json_object_set_new(g, "handoffs", json_integer((json_int_t)(p->sw_last - p->sw_first)));
	json_object_set_new(g, "window_s", json_real(window));
	if (window > 0)
		json_object_set_new(g, "handoffs_per_s",
				    json_real((double)(p->sw_last - p->sw_first) / window));
	return g;
}

static const char *const gil_figures[] = {
	"gil_waits", "gil_wait_ns", "gil_wait_share", "gil_handoffs", "gil_handoffs_per_s",
};

/* A thread of a CPython whose GIL was not found: its GIL figures are unknown. */
static bool unknown_gil(const struct py_watch *w, json_int_t tgid)
{
	bool python = false;

	for (size_t i = 0; i < w->n; i++) {
		if (w->procs[i].tgid != tgid || w->procs[i].state == PS_NOT_PYTHON)
			continue;
		if (w->procs[i].state == PS_FOUND)
			return false;
		python = true;
	}
	return python;
}

/* Mark the futexes[] rows on a found GIL's words, as `run` does for its own. */
static void mark_futexes(const struct py_watch *w, json_t *run)
{
	json_t *fx;
	size_t i;

	json_array_foreach(json_object_get(run, "futexes"), i, fx) {
		json_int_t tgid = json_integer_value(json_object_get(fx, "tgid"));
		const char *s = json_string_value(json_object_get(fx, "uaddr"));
		uint64_t addr = s ? strtoull(s, NULL, 16) : 0;

		for (size_t j = 0; j < w->n; j++) {
			const struct py_proc *p = &w->procs[j];

			if (p->state == PS_FOUND && p->tgid == tgid && addr >= p->g.words &&
			    addr < p->g.words + p->g.words_len)
				json_object_set_new(fx, "gil", json_true());
		}
	}
}

void py_watch_results(const struct py_watch *w, json_t *run)
{
	json_t *py = json_array(), *metrics = json_object_get(run, "metrics"), *th;
	bool all_found = true, counted = true;
	uint64_t handoffs = 0;
	double window = 0;
	size_t i;

	for (i = 0; w && i < w->n; i++) {
		const struct py_proc *p = &w->procs[i];

		if (p->state == PS_NOT_PYTHON)
			continue;
		json_array_append_new(py, json_pack("{sI so so so}", "tgid", (json_int_t)p->tgid,
			"version", p->t.version[0] ? json_string(p->t.version) : json_null(),
			"executable", json_sysstr(p->t.executable), "gil", gil_json(p)));
		all_found &= p->state == PS_FOUND;
		if (p->state == PS_FOUND && !p->g.old_lock && !p->sw_broken) {
			handoffs += p->sw_last - p->sw_first;
			window += (double)(p->t_last_ns - p->t_first_ns) / 1e9;
		} else {
			counted = false;
		}
	}
	if (!json_array_size(py)) {
		/* nothing is Python: there is no GIL to report on */
		json_decref(py);
		for (i = 0; i < sizeof(gil_figures) / sizeof(gil_figures[0]); i++)
			json_object_del(metrics, gil_figures[i]);
		return;
	}
	json_object_set_new(run, "python", py);
	mark_futexes(w, run);
	if (!all_found) {
		for (i = 0; i < sizeof(gil_figures) / sizeof(gil_figures[0]); i++)
			json_object_set_new(metrics, gil_figures[i], json_null());
		/* the futex waits less the GIL's: unknown without its words */
		json_object_set_new(metrics, "lock_wait_share", json_null());
	} else {
		json_object_set_new(metrics, "gil_handoffs",
				    counted ? json_integer((json_int_t)handoffs) : json_null());
		json_object_set_new(metrics, "gil_handoffs_per_s",
				    counted && window > 0 ? json_real((double)handoffs / window) :
							    json_null());
	}
	json_array_foreach(json_object_get(run, "threads"), i, th) {
		if (!unknown_gil(w, json_integer_value(json_object_get(th, "tgid"))))
			continue;
		json_object_set_new(th, "gil_waits", json_null());
		json_object_set_new(th, "gil_wait_ns", json_null());
	}
}
