/* py_watch.h - `gilscope record`'s view of the CPythons in the traced tree.
 *
 * py_watch_poll() looks at the tree every sampling interval (and the found
 * GILs at every call): a new process, or one that exec'd, is checked for
 * CPython; a CPython's GIL is found, checked and its futex words registered
 * with the tracer, so that the kernel counts waits on them as GIL waits.
 * CPython's own switch counter, read at the first sight and at the last, gives
 * the exact number of hand-offs in between, without tracing anything more.
 */
#ifndef GS_PY_WATCH_H
#define GS_PY_WATCH_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>
#include "tracer.h"

struct py_watch;

/* root: the traced process. subreaper: gilscope adopts the tree's orphans,
 * so its own children are part of the tree too. */
struct py_watch *py_watch_new(struct tracer *t, pid_t root, bool subreaper, unsigned interval_ms);
void py_watch_poll(struct py_watch *w);
/* Last read of every GIL while its process is still there. */
void py_watch_finish(struct py_watch *w);
/* Add runs[].python[], the GIL metrics (gil_handoffs, gil_handoffs_per_s; null
 * gil_* figures where a CPython's GIL was not found; none when nothing is
 * Python) and per-thread null gil figures for unfound GILs. */
void py_watch_results(const struct py_watch *w, json_t *run);
void py_watch_free(struct py_watch *w);

#endif
