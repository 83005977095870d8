/* test_writers - CSV quoting, HTML escaping, the timeline's shape, compare. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compare.h"
#include "csv.h"
#include "html.h"
#include "timeline.h"

/* What fn writes for v, in a malloc'd string. */
static char *capture(int (*fn)(FILE *, const json_t *), const json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fn(f, v), 0);
	len = (size_t)ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	return buf;
}

static json_t *doc_with(const char *label, const char *comm)
{
	return json_pack("{si s{ss} s[{ss sf s{si sf} s[{si ss}]}]}", "schema", 1, "env", "command",
			 comm, "runs", "label", label, "wall_s", 1.5, "metrics", "voluntary_switches",
			 42, "cores_used", 0.5, "threads", "tid", 7, "comm", comm);
}

static void test_csv_field_quoting(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	csv_field(f, "plain");
	fputc('|', f);
	csv_field(f, "a,b");
	fputc('|', f);
	csv_field(f, "say \"hi\"");
	fputc('|', f);
	csv_field(f, "two\nlines");
	fputc('|', f);
	csv_field(f, NULL);
	fclose(f);
	assert_string_equal(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
	free(buf);
}

/* Each character that needs quoting, alone: a bare CR ends a record for
 * most readers just as LF does. */
static void test_csv_quotes_each_special_alone(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "cr\ronly", "\"cr\ronly\"" },
		{ "\r", "\"'\r\"" }, /* a leading CR is also neutralised (OWASP) */
		{ "lf\nonly", "\"lf\nonly\"" },
		{ "crlf\r\n", "\"crlf\r\n\"" },
		{ "\"", "\"\"\"\"" },
		{ ",", "\",\"" },
		{ "a;b\tc d", "a;b\tc d" }, /* not special in RFC 4180 */
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		csv_field(f, cases[i].in);
		fclose(f);
		if (strcmp(buf, cases[i].out))
			fail_msg("case %zu: csv_field wrote [%s]", i, buf);
		free(buf);
	}
}

/* A label with a CR in the tidy CSV stays one field of one record. */
static void test_csv_label_with_cr(void **state)
{
	json_t *doc = doc_with("evil\rlabel", "x");
	char *out = capture(csv_write_results, doc);

	assert_non_null(strstr(out, "\r\n\"evil\rlabel\",,,,,voluntary_switches,42,count\r\n"));
	assert_null(strstr(out, "\nevil"));
	free(out);
	json_decref(doc);
}

/* OWASP: text a spreadsheet would run as a formula gets a leading quote;
 * numbers, negative ones too, stay numbers. */
static void test_csv_formula_injection(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *in[] = { "=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "=a,b", "-12", "+1.5e3",
			     "-0.25", "-inf", "a=b", "", "-" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		csv_field(f, in[i]);
		fputc('|', f);
	}
	fclose(f);
	assert_string_equal(buf, "'=1+2|'+cmd|'-2+3|'@SUM(A1)|'\tx|\"'=a,b\"|-12|+1.5e3|-0.25|'-inf|"
				 "a=b||'-|");
	free(buf);
}

static void test_csv_is_tidy(void **state)
{
	json_t *doc = doc_with("record: sh -c \"a,b\"", "x");
	char *out = capture(csv_write_results, doc);

	assert_non_null(strstr(out, "run,model,workload,workers,repeat,metric,value,unit\r\n"));
	assert_non_null(strstr(out, "\"record: sh -c \"\"a,b\"\"\",,,,,voluntary_switches,42,count\r\n"));
	assert_non_null(strstr(out, ",wall_s,1.5,s\r\n"));
	assert_non_null(strstr(out, ",cores_used,0.5,cores\r\n"));
	free(out);
	json_decref(doc);
}

static void test_html_escapes_system_strings(void **state)
{
	json_t *doc = doc_with("</script><script>alert(1)</script>", "<script>alert(1)</script>");
	char *out = capture(html_write_report, doc), *data;

	/* the only </script> tags are the page's own: one per script element */
	data = strstr(out, "id=\"gs-data\">");
	assert_non_null(data);
	assert_null(strstr(out, "<script>alert(1)"));
	assert_non_null(strstr(data, "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
	assert_non_null(strstr(out, "Content-Security-Policy"));
	assert_non_null(strstr(out, "default-src 'none'"));
	assert_non_null(strstr(out, "Chart.js v3")); /* inlined, not linked */
	assert_null(strstr(out, "src=\"http"));
	free(out);
	json_decref(doc);
}

static void test_timeline_trace_events(void **state)
{
	struct gs_task tasks[1] = { { .tid = 11, .tgid = 10, .comm = "worker" } };
	struct gs_event ev[] = {
		{ .ts_ns = 1000000, .tid = 11, .tgid = 10, .type = GS_EV_SWITCH_IN },
		{ .ts_ns = 3000000, .tid = 11, .tgid = 10, .type = GS_EV_SWITCH_OUT },
		{ .ts_ns = 3000000, .dur_ns = 500000, .tid = 11, .tgid = 10, .type = GS_EV_FUTEX_WAIT, .arg = 1 },
		{ .ts_ns = 4000000, .dur_ns = 2000, .tid = 11, .tgid = 10, .type = GS_EV_IOURING },
		{ .ts_ns = 5000000, .tid = 99, .tgid = 99, .type = GS_EV_SWITCH_OUT }, /* unknown: skipped */
	};
	struct trace_data d = { .tasks = tasks, .ntasks = 1, .start_ns = 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len), *spool = timeline_spool_new();
	json_error_t je;
	json_t *root, *e;
	size_t i, slices = 0;

	assert_non_null(spool);
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		timeline_spool_event(spool, &ev[i]);
	d.counters[GS_CTR_LOST_TIMELINE] = 3;
	assert_int_equal(timeline_write(f, &d, NULL, spool), 0);
	fclose(spool);
	fclose(f);
	root = json_loads(buf, 0, &je);
	assert_non_null(root);
	json_array_foreach(json_object_get(root, "traceEvents"), i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		if (!strcmp(json_string_value(json_object_get(e, "ph")), "X")) {
			slices++;
			if (!strcmp(name, "on CPU")) {
				assert_true(json_number_value(json_object_get(e, "ts")) == 1000);
				assert_true(json_number_value(json_object_get(e, "dur")) == 2000);
			}
		}
	}
	assert_int_equal(slices, 3); /* on CPU, GIL wait, io_uring */
	assert_non_null(strstr(buf, "\"GIL wait\""));
	assert_non_null(strstr(buf, "\"thread_name\""));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "otherData"),
							    "lost_events")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "otherData"),
							    "events")), 5);
	json_decref(root);
	free(buf);
}

/* A spool that could not be written fails the timeline, with the reason. */
static void test_timeline_spool_write_failure(void **state)
{
	struct gs_event ev = { .ts_ns = 1, .tid = 1, .tgid = 1, .type = GS_EV_WAKEUP };
	struct trace_data d = { 0 };
	FILE *full = fopen("/dev/full", "w+"), *out = tmpfile();

	if (!full)
		skip();
	for (int i = 0; i < 10000; i++)
		timeline_spool_event(full, &ev);
	errno = 0;
	assert_int_equal(timeline_write(out, &d, NULL, full), -1);
	assert_int_equal(errno, ENOSPC);
	fclose(full);
	fclose(out);
}

static json_t *summary_doc(double median, double lo, double hi)
{
	return json_pack("{si s{ss} s[] s[{ss ss s{s{sf sf sf}}}]}", "schema", 1, "env", "hostname", "h",
			 "runs", "summary", "model", "threads-gil", "workload", "cpu", "metrics",
			 "speedup", "median", median, "min", lo, "max", hi);
}

static void test_compare_marks_outside_spread(void **state)
{
	json_t *docs[3] = { summary_doc(1.0, 0.95, 1.05), summary_doc(1.02, 0.98, 1.1),
			    summary_doc(1.5, 1.4, 1.6) };
	const char *names[3] = { "a.json", "b.json", "c.json" };
	json_t *cmp = compare_docs(docs, names, 3), *row;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	row = json_array_get(json_object_get(cmp, "rows"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "cell")), "threads-gil/cpu");
	assert_string_equal(json_string_value(json_object_get(row, "metric")), "speedup");
	assert_true(json_real_value(json_array_get(json_object_get(row, "ratios"), 2)) == 1.5);
	assert_false(json_is_true(json_array_get(json_object_get(row, "significant"), 1)));
	assert_true(json_is_true(json_array_get(json_object_get(row, "significant"), 2)));
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_write_csv(f, cmp), 0);
	fclose(f);
	assert_non_null(strstr(buf, "threads-gil/cpu,speedup,ratio,c.json,1.5,1.4,1.6,1.5,true\r\n"));
	free(buf);
	for (int i = 0; i < 3; i++)
		json_decref(docs[i]);
	json_decref(cmp);
}

/* Whether compare marks other against base, and the CSV row it writes. */
static bool marked(json_t *base, json_t *other, char *row, size_t rowlen)
{
	json_t *docs[2] = { base, other };
	const char *names[2] = { "base.json", "other.json" };
	json_t *cmp = compare_docs(docs, names, 2), *r;
	char *buf = NULL, *line;
	size_t len = 0;
	bool sig;
	FILE *f;

	assert_int_equal(json_array_size(json_object_get(cmp, "rows")), 1);
	r = json_array_get(json_object_get(cmp, "rows"), 0);
	sig = json_is_true(json_array_get(json_object_get(r, "significant"), 1));
	/* the baseline is never marked against itself */
	assert_false(json_is_true(json_array_get(json_object_get(r, "significant"), 0)));
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_write_csv(f, cmp), 0);
	fclose(f);
	line = strstr(buf, "threads-gil/cpu,speedup,ratio,other.json,");
	assert_non_null(line);
	line[strcspn(line, "\r")] = 0;
	snprintf(row, rowlen, "%s", line);
	free(buf);
	json_decref(cmp);
	json_decref(base);
	json_decref(other);
	return sig;
}

/*
 * A difference is marked when each median lies outside the other's spread:
 * an increase or a decrease alike; not when one spread, however lopsided,
 * holds the other's median.
 */
static void test_compare_spreads(void **state)
{
	char row[256];

	/* a clear increase */
	assert_true(marked(summary_doc(1.0, 0.95, 1.05), summary_doc(1.2, 1.15, 1.25), row, sizeof(row)));
	assert_string_equal(row, "threads-gil/cpu,speedup,ratio,other.json,1.2,1.15,1.25,1.2,true");
	/* a clear decrease */
	assert_true(marked(summary_doc(1.0, 0.95, 1.05), summary_doc(0.5, 0.45, 0.55), row, sizeof(row)));
	assert_string_equal(row, "threads-gil/cpu,speedup,ratio,other.json,0.5,0.45,0.55,0.5,true");
	/* the baseline's spread reaches up to the other median: not marked */
	assert_false(marked(summary_doc(1.0, 0.99, 3.0), summary_doc(2.0, 1.9, 2.1), row, sizeof(row)));
	assert_string_equal(row, "threads-gil/cpu,speedup,ratio,other.json,2,1.9,2.1,2,false");
	/* the other's spread reaches down to the baseline median: not marked */
	assert_false(marked(summary_doc(1.0, 0.95, 1.05), summary_doc(2.0, 0.5, 2.1), row, sizeof(row)));
	/* the same, downwards */
	assert_false(marked(summary_doc(1.0, 0.3, 1.05), summary_doc(0.5, 0.45, 0.55), row, sizeof(row)));
	assert_false(marked(summary_doc(1.0, 0.95, 1.05), summary_doc(0.5, 0.45, 1.5), row, sizeof(row)));
	/* touching spreads: a median on the other's edge is inside it */
	assert_false(marked(summary_doc(1.0, 0.9, 1.1), summary_doc(1.1, 1.0, 1.2), row, sizeof(row)));
	/* no spread at all (one sample each): any difference is outside */
	assert_true(marked(summary_doc(1.0, 1.0, 1.0), summary_doc(1.01, 1.01, 1.01), row, sizeof(row)));
	assert_false(marked(summary_doc(1.0, 1.0, 1.0), summary_doc(1.0, 1.0, 1.0), row, sizeof(row)));
}

/* Records (no summary): each run is a cell of one sample, matched by label. */
static void test_compare_records(void **state)
{
	json_t *docs[2] = { doc_with("record: ./app", "x"), doc_with("record: ./app", "x") };
	const char *names[2] = { "a.json", "b.json" };
	json_t *cmp;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	json_object_set_new(json_object_get(json_array_get(json_object_get(docs[1], "runs"), 0), "metrics"),
			    "voluntary_switches", json_integer(63));
	cmp = compare_docs(docs, names, 2);
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_write_csv(f, cmp), 0);
	fclose(f);
	assert_non_null(strstr(buf, "record: ./app,voluntary_switches,count,a.json,42,42,42,1,false\r\n"));
	assert_non_null(strstr(buf, "record: ./app,voluntary_switches,count,b.json,63,63,63,1.5,true\r\n"));
	assert_non_null(strstr(buf, "record: ./app,cores_used,cores,b.json,0.5,0.5,0.5,1,false\r\n"));
	assert_non_null(strstr(buf, "record: ./app,wall_s,s,b.json,1.5,1.5,1.5,1,false\r\n"));
	free(buf);
	json_decref(cmp);
	json_decref(docs[0]);
	json_decref(docs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_field_quoting),
		cmocka_unit_test(test_csv_quotes_each_special_alone),
		cmocka_unit_test(test_csv_label_with_cr),
		cmocka_unit_test(test_csv_formula_injection),
		cmocka_unit_test(test_csv_is_tidy),
		cmocka_unit_test(test_html_escapes_system_strings),
		cmocka_unit_test(test_timeline_trace_events),
		cmocka_unit_test(test_timeline_spool_write_failure),
		cmocka_unit_test(test_compare_marks_outside_spread),
		cmocka_unit_test(test_compare_spreads),
		cmocka_unit_test(test_compare_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
