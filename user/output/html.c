/* html.c - write report.html: page skeleton, inlined assets, embedded data.
 * It renders the document as it is: verdicts (claims[], verdict_table) are
 * decided before the document is written (derive.h), never here. */
#include "html.h"

#include <string.h>
#include "assets.h"

static int dump_cb(const char *buf, size_t size, void *data)
{
	FILE *f = data;

	for (size_t i = 0; i < size; i++) {
		switch (buf[i]) {
		case '<': fputs("\\u003c", f); break;
		case '>': fputs("\\u003e", f); break;
		case '&': fputs("\\u0026", f); break;
		default: fputc(buf[i], f);
		}
	}
	return ferror(f) ? -1 : 0;
}

int html_write_json(FILE *f, const json_t *v)
{
	/* the escapes are only ever inside JSON strings: '<' '>' '&' cannot
	 * appear elsewhere in JSON text */
	return json_dump_callback(v, dump_cb, f, JSON_COMPACT | JSON_REAL_PRECISION(9));
}

static void asset(FILE *f, const char *start, const char *end)
{
	fwrite(start, 1, (size_t)(end - start), f);
}

/* The page: data is rendered by report.js. */
static int write_page(FILE *f, const json_t *data)
{
	int e = 0;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      /* nothing may leave the page: inline script and style only */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>gilscope report</title>\n<style>\n", f);
	asset(f, asset_report_css, asset_report_css_end);
	fputs("</style>\n</head>\n<body>\n<main id=\"app\"><p>This report needs JavaScript.</p></main>\n"
	      "<script type=\"application/json\" id=\"gs-data\">", f);
	e |= html_write_json(f, data);
	fputs("</script>\n<script>\n", f);
	asset(f, asset_chartjs, asset_chartjs_end);
	fputs("\n</script>\n<script>\n", f);
	asset(f, asset_report_js, asset_report_js_end);
	fputs("\n</script>\n</body>\n</html>\n", f);
	return e || ferror(f) ? -1 : 0;
}

int html_write_report(FILE *f, const json_t *doc)
{
	return write_page(f, doc);
}

int html_write_comparison(FILE *f, const json_t *cmp)
{
	return write_page(f, cmp);
}
