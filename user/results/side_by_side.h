/* side_by_side.h - the simulation beside each real interpreter of a `run
 * --python` document, cell by cell: the figures of both runtimes and their
 * difference, derived once (results_derive) so that writers only show them. */
#ifndef GS_SIDE_BY_SIDE_H
#define GS_SIDE_BY_SIDE_H

#include <jansson.h>

/* [{runtime, metrics: [name...], rows: [{model, workload, interval_us,
 * workers, sweep, figures: {name: {sim, real, diff}}}]}], one entry per
 * runtime other than "sim" in summary[]; diff is (sim - real) / real, null
 * when either is missing or real is 0. An empty array when there is none. */
json_t *side_by_side(const json_t *summary);

#endif
