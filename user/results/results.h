/* results.h - the results document (results.json), built and read with jansson.
 *
 * It is the contract every later stage reads: writers (CSV, HTML), `report` and
 * `compare` take a document, never the tracer's raw data. docs/results.md
 * describes every field.
 */
#ifndef GS_RESULTS_H
#define GS_RESULTS_H

#include <stddef.h>
#include <jansson.h>
#include "tracer.h"

#define GS_SCHEMA_VERSION 1

/* New document: schema, env (kernel, cpu, online cpus, version, start time,
 * command line), empty runs[]. */
json_t *results_new(int argc, char **argv);
/* Append a run {label, wall_s, metrics:{}, threads:[]}; returns it (borrowed).
 * The label, the env block's strings and threads' comm are bytes from the
 * system, stored through json_sysstr (sysstr.h). */
json_t *results_add_run(json_t *doc, const char *label);
/* Set run.metrics[name] = value (a number). */
void results_set_metric(json_t *run, const char *name, double value);
double results_get_metric(const json_t *run, const char *name, double dflt);
/* Fill a run from what the tracer saw in wall_s seconds: the tracer's metrics,
 * threads[], per_cpu[], cpu_timeline, histograms, futexes[] (top contended),
 * tracer{} (events, losses, BPF cost). */
int results_add_trace(json_t *run, const struct trace_data *d, double wall_s);
/* Fill the document's units{} with the unit of every metric its runs use. */
void results_fill_units(json_t *doc);
/* Unit of a metric name ("ns", "count", "cores", "fraction", ...). */
const char *results_metric_unit(const char *name);
/* Load and check a document: one line in err when it is missing, truncated,
 * not JSON, or of another schema version. */
json_t *results_load(const char *path, char *err, size_t errlen);
int results_check(const json_t *doc, char *err, size_t errlen);

#endif
