/* report.c - write each asked format of a results document, atomically. */
#include "report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "csv.h"
#include "fsout.h"
#include "html.h"

static const struct {
	const char *name;
	unsigned bit;
	const char *file;
} formats[] = {
	{ "json", FMT_JSON, "results.json" },
	{ "csv", FMT_CSV, "summary.csv" },
	{ "html", FMT_HTML, "report.html" },
};

int report_formats_parse(const char *s, unsigned *mask, char *err, size_t errlen)
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

static int write_one(const json_t *doc, unsigned bit, FILE *f)
{
	switch (bit) {
	case FMT_JSON:
		return json_dumpf(doc, f, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) || fputc('\n', f) == EOF;
	case FMT_CSV:
		return csv_write_results(f, doc);
	case FMT_HTML:
		return html_write_report(f, doc);
	}
	return -1;
}

static int write_file(const json_t *doc, const char *dir, size_t i, char *err, size_t errlen)
{
	struct out_file o;

	if (out_open(&o, dir, formats[i].file, err, errlen))
		return -1;
	errno = 0;
	if (write_one(doc, formats[i].bit, o.f)) {
		int e = errno ? errno : EIO;

		out_abort(&o);
		snprintf(err, errlen, "cannot write %s/%s: %s", dir, formats[i].file, strerror(e));
		return -1;
	}
	return out_commit(&o, err, errlen);
}

/* Every asked file is tried, so one that fails does not cost the others;
 * err holds the first failure (and says when there were more). */
int report_write_all(const json_t *doc, const char *dir, unsigned mask, char *err, size_t errlen)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char e[512];

		if (!(mask & formats[i].bit) || !write_file(doc, dir, i, e, sizeof(e)))
			continue;
		if (!failed++)
			snprintf(err, errlen, "%s", e);
		else if (strlen(err) + strlen(formats[i].file) + 16 < errlen)
			snprintf(err + strlen(err), errlen - strlen(err), "; nor %s", formats[i].file);
	}
	return failed ? -1 : 0;
}
