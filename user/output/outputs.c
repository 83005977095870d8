/* outputs.c - the files gilscope writes from a results document (results.json,
 * summary.csv, report.html) and a run's timeline (trace*.json), each through
 * out_write_file: atomic, never following a symlink. */
#include "outputs.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "csv.h"
#include "fsout.h"
#include "html.h"
#include "timeline.h"

static int write_json(FILE *f, const void *doc);
static int write_csv(FILE *f, const void *doc);
static int write_html(FILE *f, const void *doc);

static const struct {
	const char *name;
	unsigned bit;
	const char *file;
	out_writer_fn write;
} formats[] = {
	{ "json", FMT_JSON, "results.json", write_json },
	{ "csv", FMT_CSV, "summary.csv", write_csv },
	{ "html", FMT_HTML, "report.html", write_html },
};

int outputs_formats_parse(const char *s, unsigned *mask, char *err, size_t errlen)
{
	unsigned m = 0;
	size_t n;

	while (*s) {
		bool known = false;

		n = strcspn(s, ",");
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
			if (n == strlen(formats[i].name) && !strncmp(s, formats[i].name, n)) {
				m |= formats[i].bit;
				known = true;
			}
		}
		if (!known) {
			snprintf(err, errlen, "unknown format '%.*s' (formats: json, csv, html)", (int)n, s);
			return -1;
		}
		s += n + (s[n] == ',');
	}
	if (!m) {
		snprintf(err, errlen, "no format given (formats: json, csv, html)");
		return -1;
	}
	*mask = m;
	return 0;
}

static int write_json(FILE *f, const void *doc)
{
	return json_dumpf(doc, f, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) || fputc('\n', f) == EOF;
}

static int write_csv(FILE *f, const void *doc)
{
	return csv_write_results(f, doc);
}

static int write_html(FILE *f, const void *doc)
{
	return html_write_report(f, doc);
}

/* Every asked file is tried, so one that fails does not cost the others;
 * err holds the first failure (and says when there were more). */
int outputs_write_all(const json_t *doc, const char *dir, unsigned mask, char *err, size_t errlen)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char e[512];

		if (!(mask & formats[i].bit) ||
		    !out_write_file(dir, formats[i].file, formats[i].write, doc, e, sizeof(e)))
			continue;
		if (!failed++)
			snprintf(err, errlen, "%s", e);
		else if (strlen(err) + strlen(formats[i].file) + 16 < errlen)
			snprintf(err + strlen(err), errlen - strlen(err), "; nor %s", formats[i].file);
	}
	return failed ? -1 : 0;
}

struct timeline_args {
	const struct trace_data *d;
	const json_t *run;
	FILE *spool;
};

static int write_timeline(FILE *f, const void *arg)
{
	const struct timeline_args *a = arg;

	return timeline_write(f, a->d, a->run, a->spool);
}

int outputs_write_timeline(const char *dir, const char *name, const struct trace_data *d,
			   const json_t *run, FILE *spool, char *err, size_t errlen)
{
	struct timeline_args a = { d, run, spool };

	if (!spool) {
		snprintf(err, errlen, "cannot write %s: no room for its events in the temporary "
			 "directory", name);
		return -1;
	}
	return out_write_file(dir, name, write_timeline, &a, err, errlen);
}
