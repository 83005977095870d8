/*
 * pyrun.h - the models on a real CPython: the bundled scripts
 * (workloads/python/, embedded in the binary) run by an interpreter, one
 * process per cell, reporting over a pipe as JSON lines (see
 * gilscope_work.py for the protocol). The caller traces the interpreter's
 * process through the hooks, as it traces its own runner.
 */
#ifndef GS_PYRUN_H
#define GS_PYRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "models.h"

struct py_env {
	char python[512];     /* the interpreter, as given (looked up in PATH) */
	char dir[64];         /* the scripts, written to a private directory */
	char version[32];     /* "3.11.2" */
	char runtime[64];     /* "cpython-3.11.2", "cpython-3.13.0t" (free-threaded) */
	int major, minor;
	bool free_threaded;
	unsigned unit_us;
	unsigned iters;       /* loop iterations of one tick of a CPU unit */
	json_t *expected;     /* the seeds' results, hex strings */
};

struct py_hooks {
	/* the interpreter's process exists, before exec: start tracing it */
	void (*forked)(void *arg, pid_t pid);
	/* the interpreter is up and waits: find its GIL (then it starts) */
	void (*ready)(void *arg, pid_t pid);
	/* every 25 ms while waiting for it */
	void (*idle)(void *arg);
	/* the result came; the interpreter waits until the cell is finished */
	void (*done)(void *arg, pid_t pid);
	void *arg;
};

/* Write the scripts out, start `python` once to learn its version and to
 * calibrate a CPU unit to unit_us. One line in err on failure. */
int py_env_open(struct py_env *e, const char *python, unsigned unit_us, char *err, size_t len);
void py_env_close(struct py_env *e);
/* Can this interpreter run model m? If not, why (one line). */
bool py_model_supported(const struct py_env *e, enum wl_model m, char *why, size_t len);
/* Run one cell; out as wl_run fills it (no GIL timeline: out->gil false).
 * 0, or -1 with out->error. */
int py_run_cell(const struct py_env *e, const struct wl_spec *s, const struct py_hooks *h,
		struct wl_result *out);
/* The runtime name of a version: "cpython-3.11.2" (pure; unit-tested). */
void py_runtime_name(const char *impl, const char *version, bool free_threaded, char *buf,
		     size_t len);

#endif
