/* report.h - every output format written from one results document. */
#ifndef GS_REPORT_H
#define GS_REPORT_H

#include <stddef.h>
#include <jansson.h>

enum report_format {
	FMT_JSON = 1u << 0, /* results.json */
	FMT_CSV = 1u << 1,  /* summary.csv */
	FMT_HTML = 1u << 2, /* report.html */
};
#define FMT_DEFAULT (FMT_JSON | FMT_CSV | FMT_HTML)

/* Parse "csv,json,html" into a mask; -1 with a message in err on a bad name. */
int report_formats_parse(const char *s, unsigned *mask, char *err, size_t errlen);
/* Write each asked format into dir, atomically; returns 0 or -1 with err set.
 * A format that fails leaves no file of that name behind. */
int report_write_all(const json_t *doc, const char *dir, unsigned formats, char *err,
		     size_t errlen);

#endif
