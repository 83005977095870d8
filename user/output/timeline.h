/* timeline.h - Chrome trace-event JSON (opens in Perfetto) of a traced run. */
#ifndef GS_TIMELINE_H
#define GS_TIMELINE_H

#include <stdio.h>
#include <jansson.h>
#include "tracer.h"

/* The spool: an anonymous temporary file that holds a run's events while it
 * runs, so memory stays flat (NULL, with errno, when it cannot be made). */
FILE *timeline_spool_new(void);
/* A tracer_event_fn: append ev to the spool given as ctx. */
void timeline_spool_event(void *spool, const struct gs_event *ev);
/* Write the trace of d's threads, the spooled events and run's gil.timeline
 * (when run is not NULL) to f. -1, with errno, when a write (to f or to the
 * spool before) failed. */
int timeline_write(FILE *f, const struct trace_data *d, const json_t *run, FILE *spool);

#endif
