/* timeline.h - Chrome trace-event JSON (opens in Perfetto) of a traced run. */
#ifndef GS_TIMELINE_H
#define GS_TIMELINE_H

#include <stdio.h>
#include <jansson.h>
#include "tracer.h"

/* Write d's events (and run's gil.timeline when run is not NULL) to f. */
int timeline_write(FILE *f, const struct trace_data *d, const json_t *run);

#endif
