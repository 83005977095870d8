/* futex_namer.h - names for the futex words of a recorded run.
 *
 * A word's name (futex_names.h) needs its process's memory map, and the
 * process may be gone when the run is built: futex_namer_poll keeps the
 * latest /proc/PID/maps of every process of the traced tree (read once per
 * sampling interval), futex_namer_apply names the run's futexes[] from those
 * maps, the run's GIL words (python[].gil.words) and its threads'
 * clear_child_tid words. The files' symbols are read at the end.
 */
#ifndef GS_FUTEX_NAMER_H
#define GS_FUTEX_NAMER_H

#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>

struct futex_namer;

/* root and subreaper as py_watch_new's. */
struct futex_namer *futex_namer_new(pid_t root, bool subreaper, unsigned interval_ms);
void futex_namer_poll(struct futex_namer *n);
/* A last read of the maps of the processes still there. */
void futex_namer_finish(struct futex_namer *n);
/* Set futexes[].name of run where a word has one. */
void futex_namer_apply(const struct futex_namer *n, json_t *run);
void futex_namer_free(struct futex_namer *n);

#endif
