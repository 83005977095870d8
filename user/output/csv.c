/* csv.c - tidy CSV of a results document (summary.csv): one row per run and
 * metric, then one per claim (metric claim:ID, value = verdict). */
#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "metric_registry.h"

/*
 * A spreadsheet runs a cell that starts with = + - @ (or tab / CR) as a
 * formula; OWASP's advice is to prefix such text with a single quote. A number
 * ("-12", "+1.5e3") is left as it is, so it stays a number. Numbers are all
 * this writer quotes itself; every other field goes through here.
 */
static bool formula_like(const char *s)
{
	char *end;

	if (!*s || !strchr("=+-@\t\r", *s))
		return false;
	strtod(s, &end);
	/* decimal numbers only: "-inf" or "-0x1p3" are text to a spreadsheet */
	return end == s || *end || s[strspn(s, "+-0123456789.eE")];
}

void csv_field(FILE *f, const char *s)
{
	bool quote_mark;

	if (!s)
		s = "";
	quote_mark = formula_like(s);
	if (!s[strcspn(s, ",\"\r\n")]) {
		if (quote_mark)
			fputc('\'', f);
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (quote_mark)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The document's unit of a metric, else the registry's. */
static const char *unit_of(const json_t *doc, const char *name)
{
	const char *u = json_string_value(json_object_get(json_object_get(doc, "units"), name));

	return u ? u : metric_unit(name);
}

int csv_write_results(FILE *f, const json_t *doc)
{
	json_t *run, *v;
	const char *name;
	size_t i;

	fputs("run,model,workload,workers,repeat,metric,value,unit\r\n", f);
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		char workers[32] = "", repeat[32] = "", value[64];
		json_t *w = json_object_get(run, "workers"), *r = json_object_get(run, "repeat");

		if (json_is_integer(w))
			snprintf(workers, sizeof(workers), "%lld", (long long)json_integer_value(w));
		if (json_is_integer(r))
			snprintf(repeat, sizeof(repeat), "%lld", (long long)json_integer_value(r));
		/* wall_s is a field of its own in JSON; in the tidy form it is a metric */
		snprintf(value, sizeof(value), "%.9g", json_number_value(json_object_get(run, "wall_s")));
		csv_field(f, str(run, "label"));
		fputc(',', f);
		csv_field(f, str(run, "model"));
		fputc(',', f);
		csv_field(f, str(run, "workload"));
		fprintf(f, ",%s,%s,wall_s,%s,s\r\n", workers, repeat, value);
		json_object_foreach(json_object_get(run, "metrics"), name, v) {
			if (json_is_null(v)) /* not measured: an empty cell, never 0 */
				value[0] = 0;
			else if (json_is_integer(v))
				snprintf(value, sizeof(value), "%lld", (long long)json_integer_value(v));
			else
				snprintf(value, sizeof(value), "%.9g", json_number_value(v));
			csv_field(f, str(run, "label"));
			fputc(',', f);
			csv_field(f, str(run, "model"));
			fputc(',', f);
			csv_field(f, str(run, "workload"));
			fprintf(f, ",%s,%s,", workers, repeat);
			csv_field(f, name);
			fprintf(f, ",%s,", value);
			csv_field(f, unit_of(doc, name));
			fputs("\r\n", f);
		}
	}
	json_array_foreach(json_object_get(doc, "claims"), i, v) {
		char metric[64];

		const char *rt = json_string_value(json_object_get(v, "runtime"));

		/* one verdict per runtime: the simulation's plain, others @runtime */
		snprintf(metric, sizeof(metric), "claim:%s%s%.40s", str(v, "id"),
			 rt && strcmp(rt, "sim") ? "@" : "", rt && strcmp(rt, "sim") ? rt : "");
		fputs(",,,,,", f);
		csv_field(f, metric);
		fputc(',', f);
		csv_field(f, str(v, "verdict"));
		fputs(",verdict\r\n", f);
	}
	return ferror(f) ? -1 : 0;
}
