/* results.h - the results document (results.json): its schema, built and read
 * with jansson.
 *
 * It is the contract every later stage reads: writers (CSV, HTML), `report` and
 * `compare` take a document, never the tracer's raw data. docs/results.md
 * describes every field. This module knows nothing of the tracer: a run is
 * built from trace data by run_build.h, and everything derived from measured
 * figures (rates, medians, verdicts) by derive.h, before the document is
 * written.
 */
#ifndef GS_RESULTS_H
#define GS_RESULTS_H

#include <stddef.h>
#include <jansson.h>

#define GS_SCHEMA_VERSION 1

/* New document: schema, env (kernel, cpu, online cpus, version, start time,
 * command line), empty runs[]. */
json_t *results_new(int argc, char **argv);
/* A new run {label, wall_s, metrics:{}, threads:[]}, not yet in a document.
 * The label, like every string from the system (the env block's, threads'
 * comm, commands), is stored through json_sysstr (sysstr.h). */
json_t *results_run_new(const char *label);
/* Append run to runs[] (takes the reference); returns it (borrowed). */
json_t *results_append_run(json_t *doc, json_t *run);
/* results_append_run(doc, results_run_new(label)). */
json_t *results_add_run(json_t *doc, const char *label);
/* Set run.metrics[name] = value (a number). */
void results_set_metric(json_t *run, const char *name, double value);
double results_get_metric(const json_t *run, const char *name, double dflt);
/* Fill the document's units{} with the unit of every metric its runs use. */
void results_fill_units(json_t *doc);
/* Unit of a metric name ("ns", "count", "cores", "fraction", ...): the registry's. */
const char *results_metric_unit(const char *name);
/* Load and check a document: one line in err when it is missing, truncated,
 * not JSON, or of another schema version. */
json_t *results_load(const char *path, char *err, size_t errlen);
int results_check(const json_t *doc, char *err, size_t errlen);

#endif
