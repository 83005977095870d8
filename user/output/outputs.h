/* outputs.h - every file written from one results document (and a run's
 * timeline), each through out_write_file (fsout.h). */
#ifndef GS_OUTPUTS_H
#define GS_OUTPUTS_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum output_format {
	FMT_JSON = 1u << 0, /* results.json */
	FMT_CSV = 1u << 1,  /* summary.csv */
	FMT_HTML = 1u << 2, /* report.html */
};
#define FMT_DEFAULT (FMT_JSON | FMT_CSV | FMT_HTML)

/* Parse "csv,json,html" into a mask; -1 with a message in err on a bad name. */
int outputs_formats_parse(const char *s, unsigned *mask, char *err, size_t errlen);
/* Write each asked format into dir, atomically; returns 0 or -1 with err set.
 * Every asked format is tried; one that fails leaves no file of that name
 * behind, and err names the first failure with its reason. */
int outputs_write_all(const json_t *doc, const char *dir, unsigned formats, char *err,
		     size_t errlen);

struct trace_data;
/* dir/name: the Chrome trace-event timeline of d's threads, the events
 * spooled while it ran (timeline.h) and run's GIL when run is not NULL,
 * atomically; 0 or -1 with err set (with the reason). */
int outputs_write_timeline(const char *dir, const char *name, const struct trace_data *d,
			   const json_t *run, FILE *spool, char *err, size_t errlen);

#endif
