/* locks.h - the run's lock table (runs[].locks[]) and its threads' labels,
 * built from futexes[] and threads[] of the run: pure, no system access.
 *
 * A lock row is a futex word, or all the words of one interpreter's GIL
 * together. Its name is the one a writer of the futex word gave it
 * (futexes[].name, see futex_namer.h), else "GIL" for a GIL word and
 * "join TID" for a thread's clear_child_tid word. Rows are sorted so what a
 * user looks for comes first: the GIL, then other locks by wait time, then
 * joins (a main thread waiting for its workers to end is not contention).
 */
#ifndef GS_LOCKS_H
#define GS_LOCKS_H

#include <jansson.h>

/* Set run.locks[] (replacing any). */
void locks_build(json_t *run);
/* Set threads[].label: the comm, and where several threads share it, the tid
 * too and "main" for a process's first thread ("python3 812 main"). */
void thread_labels_build(json_t *run);

#endif
