/* pyrun.c - run the bundled Python scripts (see pyrun.h). */
#include "pyrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hist.h"
#include "work.h"

extern const char py_work_script[], py_work_script_end[];
extern const char py_async_script[], py_async_script_end[];
extern const char py_block_script[], py_block_script_end[];

#define WORK_PY "gilscope_work.py"
#define LINE_MAX_BYTES (64u << 20) /* a result line: latencies of every unit */

void py_runtime_name(const char *impl, const char *version, bool free_threaded, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s-%s%s", impl && *impl ? impl : "cpython", version,
		 free_threaded ? "t" : "");
}

static int write_file(const char *dir, const char *name, const char *p, const char *end)
{
	char path[128];
	size_t n = (size_t)(end - p);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A child's end of a pipe must survive exec; the parent's must not. */
static int keep_open(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

struct proc {
	pid_t pid;
	int up, down;   /* parent's ends */
	char *buf;      /* what came up, not yet a whole line */
	size_t len, cap;
};

/* Start `python [extra] gilscope_work.py SPEC`. The child waits for one
 * byte on its down pipe before exec, so hooks->forked can start tracing. */
static int spawn(const struct py_env *e, json_t *spec, const char *extra, const struct py_hooks *h,
		 struct proc *p)
{
	int up[2], down[2];
	char script[128], *js;

	memset(p, 0, sizeof(*p));
	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return -1;
	json_object_set_new(spec, "up", json_integer(up[1]));
	json_object_set_new(spec, "down", json_integer(down[0]));
	js = json_dumps(spec, JSON_COMPACT);
	snprintf(script, sizeof(script), "%s/%s", e->dir, WORK_PY);
	p->pid = js ? fork() : -1;
	if (p->pid == 0) {
		char go;
		int null = open("/dev/null", O_WRONLY);
		char *argv[] = { (char *)e->python, "-E", "-s", "-B", (char *)"-X", (char *)extra,
				 script, js, NULL };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_IGN); /* gilscope decides when to stop */
		if (null >= 0)
			dup2(null, 1);
		if (keep_open(up[1]) || keep_open(down[0]) || read(down[0], &go, 1) != 1)
			_exit(3);
		if (!extra) /* no -X option */
			memmove(&argv[4], &argv[6], 3 * sizeof(*argv));
		execvp(e->python, argv);
		_exit(127);
	}
	free(js);
	close(up[1]);
	close(down[0]);
	p->up = up[0];
	p->down = down[1];
	if (p->pid < 0) {
		close(p->up);
		close(p->down);
		return -1;
	}
	if (h && h->forked)
		h->forked(h->arg, p->pid);
	if (write(p->down, "x", 1) != 1)
		return -1;
	return 0;
}

/* The next JSON line from the child; NULL at its end (or on garbage). */
static json_t *next_line(struct proc *p, const struct py_hooks *h)
{
	for (;;) {
		char *nl = p->buf ? memchr(p->buf, '\n', p->len) : NULL;
		struct pollfd pf = { .fd = p->up, .events = POLLIN };
		ssize_t r;

		if (nl) {
			json_t *o = json_loadb(p->buf, (size_t)(nl - p->buf), 0, NULL);

			p->len -= (size_t)(nl + 1 - p->buf);
			memmove(p->buf, nl + 1, p->len);
			return o;
		}
		if (p->len + 65536 > p->cap) {
			char *b;

			if (p->cap >= LINE_MAX_BYTES || !(b = realloc(p->buf, p->cap * 2 + 65536)))
				return NULL;
			p->buf = b;
			p->cap = p->cap * 2 + 65536;
		}
		if (poll(&pf, 1, 25) <= 0) {
			if (h && h->idle)
				h->idle(h->arg);
			continue;
		}
		r = read(p->up, p->buf + p->len, p->cap - p->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		p->len += (size_t)r;
	}
}

static int finish(struct proc *p)
{
	int st = 0;

	close(p->up);
	close(p->down);
	free(p->buf);
	if (p->pid > 0)
		waitpid(p->pid, &st, 0);
	return st;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static uint64_t u64(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) && json_number_value(v) > 0 ? (uint64_t)json_number_value(v) : 0;
}

int py_env_open(struct py_env *e, const char *python, unsigned unit_us, char *err, size_t len)
{
	json_t *spec, *line = NULL;
	struct proc p;
	int st;

	memset(e, 0, sizeof(*e));
	snprintf(e->python, sizeof(e->python), "%s", python);
	e->unit_us = unit_us;
	strcpy(e->dir, "/tmp/gilscope-py-XXXXXX");
	if (!mkdtemp(e->dir) ||
	    write_file(e->dir, WORK_PY, py_work_script, py_work_script_end) ||
	    write_file(e->dir, "gilscope_async.py", py_async_script, py_async_script_end) ||
	    write_file(e->dir, "gilscope_block.py", py_block_script, py_block_script_end)) {
		snprintf(err, len, "cannot write the Python scripts to %s: %s", e->dir, strerror(errno));
		py_env_close(e);
		return -1;
	}
	spec = json_pack("{ss sI}", "model", "calibrate", "unit_us", (json_int_t)unit_us);
	if (spawn(e, spec, NULL, NULL, &p) == 0)
		line = next_line(&p, NULL);
	json_decref(spec);
	st = finish(&p);
	if (!line || strcmp(str(line, "event"), "calibration")) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			snprintf(err, len, "cannot run the interpreter '%s'", python);
		else
			snprintf(err, len, "'%s' did not run gilscope's Python script (exit status %d); "
				 "it needs CPython 2.7 or 3.x", python,
				 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		json_decref(line);
		py_env_close(e);
		return -1;
	}
	snprintf(e->version, sizeof(e->version), "%s", str(line, "version"));
	sscanf(e->version, "%d.%d", &e->major, &e->minor);
	e->free_threaded = json_is_true(json_object_get(line, "free_threaded"));
	py_runtime_name(str(line, "implementation"), e->version, e->free_threaded, e->runtime,
			sizeof(e->runtime));
	e->iters = (unsigned)u64(line, "iters");
	e->expected = json_incref(json_object_get(line, "expected"));
	json_decref(line);
	if (!e->iters || json_array_size(e->expected) != 16) {
		snprintf(err, len, "'%s' sent a calibration gilscope cannot use", python);
		py_env_close(e);
		return -1;
	}
	return 0;
}

void py_env_close(struct py_env *e)
{
	char path[128];

	if (e->dir[0]) {
		snprintf(path, sizeof(path), "%s/%s", e->dir, WORK_PY);
		unlink(path);
		snprintf(path, sizeof(path), "%s/gilscope_async.py", e->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/gilscope_block.py", e->dir);
		unlink(path);
		rmdir(e->dir);
		e->dir[0] = 0;
	}
	json_decref(e->expected);
	e->expected = NULL;
}

bool py_model_supported(const struct py_env *e, enum wl_model m, char *why, size_t len)
{
	if (m == WL_THREADS_NOGIL && !e->free_threaded) {
		snprintf(why, len, "%s is not a free-threaded build", e->runtime);
		return false;
	}
	if ((m == WL_ASYNC || m == WL_ASYNC_POOL) && (e->major < 3 || (e->major == 3 && e->minor < 7))) {
		snprintf(why, len, "asyncio needs Python 3.7 or later, not %s", e->version);
		return false;
	}
	return true;
}

static void fill_result(const json_t *r, struct wl_result *out)
{
	json_t *v;
	size_t i;

	out->ok = json_is_true(json_object_get(r, "ok"));
	snprintf(out->error, sizeof(out->error), "%s", str(r, "error"));
	out->cpu_units = u64(r, "cpu_units");
	out->io_units = u64(r, "io_units");
	out->wall_s = json_number_value(json_object_get(r, "wall_s"));
	out->startup_ns_per_worker = u64(r, "startup_ns_per_worker");
	out->rss_bytes_per_worker = u64(r, "rss_bytes_per_worker");
	out->serialise_ns = u64(r, "serialise_ns");
	out->peak_rss_bytes = u64(r, "peak_rss_bytes");
	out->pool_startup_ns = u64(r, "pool_startup_ns");
	if ((out->py_switches_seen = json_is_integer(json_object_get(r, "gil_handoffs"))))
		out->py_switches = u64(r, "gil_handoffs");
	json_array_foreach(json_object_get(r, "io_latency_ns"), i, v)
		if (json_is_integer(v))
			hist_add_value(&out->io_latency, (uint64_t)json_integer_value(v));
}

int py_run_cell(const struct py_env *e, const struct wl_spec *s, const struct py_hooks *h,
		struct wl_result *out)
{
	json_t *spec, *line = NULL;
	struct proc p;
	int st, sent = -1;

	memset(out, 0, sizeof(*out));
	spec = json_pack("{ss ss sI sI sI sI sI sI sO sI}", "model", wl_model_name(s->model),
			 "kind", wl_kind_name(s->kind), "workers", (json_int_t)s->workers,
			 "tasks", (json_int_t)(s->tasks ? s->tasks : 16),
			 "interval_us", (json_int_t)s->interval_us,
			 "cpu_units", (json_int_t)s->cpu_units, "io_units", (json_int_t)s->io_units,
			 "iters", (json_int_t)e->iters, "expected", e->expected,
			 "port", (json_int_t)s->peer_port);
	if (s->data_file)
		json_object_set_new(spec, "data_file", json_string(s->data_file));
	/* the GIL-releasing unit and the blocking call: the simulation's own */
	if (s->kind == WL_CPU_RELEASE) {
		json_t *want = json_array();

		for (unsigned i = 0; i < WORK_SEEDS; i++)
			json_array_append_new(want, json_integer(work_release_expected(i)));
		json_object_set_new(spec, "release_calls", json_integer(work_release_calls));
		json_object_set_new(spec, "release_expected", want);
	}
	json_object_set_new(spec, "block_us", json_integer(WORK_BLOCK_US));
	/* a free-threaded build runs threads-gil with its GIL turned back on */
	if (spawn(e, spec, s->model == WL_THREADS_GIL && e->free_threaded ? "gil=1" : NULL, h, &p)) {
		json_decref(spec);
		snprintf(out->error, sizeof(out->error), "cannot start %.120s", e->python);
		return -1;
	}
	json_decref(spec);
	while ((line = next_line(&p, h))) {
		const char *ev = str(line, "event");

		if (!strcmp(ev, "ready")) {
			if (h && h->ready)
				h->ready(h->arg, p.pid);
			sent = (int)write(p.down, "g", 1);
		} else if (!strcmp(ev, "result")) {
			fill_result(line, out);
			if (h && h->done)
				h->done(h->arg, p.pid);
			json_decref(line);
			break;
		}
		json_decref(line);
	}
	st = finish(&p);
	if (sent != 1 || !line) {
		memset(out, 0, sizeof(*out));
		snprintf(out->error, sizeof(out->error), "the interpreter died (status %d)", st);
		return -1;
	}
	if (out->ok && wl_check_units(s, out))
		out->ok = false;
	return out->ok ? 0 : -1;
}
