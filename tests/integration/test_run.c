/*
 * test_run - `gilscope run` on a short matrix, traced for real: the kernel's
 * view must show the GIL where there is one and only there, hand-offs at the
 * switch interval, io_uring only where the event loop is; then `report` and
 * `compare` regenerate from the results alone.
 */
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <jansson.h>
#include "integ.h"

static char tmp[64], results[128];
static json_t *doc;

static int run_cmd(char *const args[])
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execv(integ_gilscope(), args);
		_exit(99);
	}
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int setup(void **state)
{
	char dir[96];
	json_error_t je;

	strcpy(tmp, "/tmp/gs-run-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(dir, sizeof(dir), "%s/m", tmp);
	if (run_cmd((char *[]){ "gilscope", "run", "-q", "-o", dir, "-f", "json,csv,html", "--cpu-units",
				"300", "--io-units", "120", "--interval-us", "5000", "--workers", "2", "--repeat", "1",
				NULL }))
		return -1;
	snprintf(results, sizeof(results), "%s/results.json", dir);
	doc = json_load_file(results, 0, &je);
	return doc ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	json_decref(doc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static json_t *find_run(const char *model, const char *workload)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, r)
		if (!strcmp(integ_str(r, "model"), model) && !strcmp(integ_str(r, "workload"), workload))
			return r;
	fail_msg("no run %s/%s", model, workload);
	return NULL;
}

/* A missing metric fails the test (integ.h), it never reads as a number. */
#define metric(run, name) integ_metric(run, name)

static void test_every_cell_ran_and_nothing_was_lost(void **state)
{
	json_t *r;
	size_t i;

	/* 6 models x cpu, io, mixed; serial, threads-gil, threads-nogil and
	 * processes x cpu-release, shared; async x io-block */
	assert_int_equal(json_array_size(json_object_get(doc, "runs")), 27);
	assert_int_equal(json_array_size(json_object_get(doc, "summary")), 27);
	json_array_foreach(json_object_get(doc, "runs"), i, r) {
		assert_true(json_is_true(json_object_get(r, "ok")));
		assert_int_equal(metric(r, "lost_events"), 0);
		assert_true(metric(r, "units") > 0);
		assert_true(metric(r, "oncpu_ns") > 0);
	}
}

static void test_gil_waits_only_under_a_gil(void **state)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, r) {
		bool gil = !strcmp(integ_str(r, "model"), "threads-gil");
		const char *w = integ_str(r, "workload");

		if (!gil)
			assert_int_equal(metric(r, "gil_waits"), 0);
		else if (!strcmp(w, "cpu") || !strcmp(w, "mixed")) /* CPU-bound threads must contend */
			assert_true(metric(r, "gil_waits") > 0);
		assert_true(metric(r, "gil_waits") <= metric(r, "futex_waits"));
	}
}

/* The futex words the kernel saw waits on are the GIL's own. */
static void test_futex_waits_attributed_to_the_gil(void **state)
{
	json_t *r = find_run("threads-gil", "cpu"), *f, *range;
	uint64_t gil_wait_on_words = 0;
	size_t i;

	range = json_array_get(json_object_get(r, "gil_ranges"), 0);
	assert_non_null(range);
	json_array_foreach(json_object_get(r, "futexes"), i, f) {
		unsigned long long a = strtoull(integ_str(f, "uaddr"), NULL, 16);
		bool inside = a >= (unsigned long long)integ_num(range, "start") &&
			      a < (unsigned long long)integ_num(range, "end");

		assert_int_equal(json_is_true(json_object_get(f, "gil")), inside);
		if (inside)
			gil_wait_on_words += (uint64_t)integ_num(f, "waits");
	}
	/* the top words listed hold all (or nearly all) of the GIL's waits */
	assert_true(gil_wait_on_words > 0);
	assert_true(gil_wait_on_words <= (uint64_t)metric(r, "gil_waits"));
	assert_true(gil_wait_on_words * 10 >= (uint64_t)metric(r, "gil_waits") * 9);
}

static void test_handoffs_at_the_switch_interval(void **state)
{
	json_t *r = find_run("threads-gil", "cpu");
	double rate = metric(r, "gil_handoffs_per_s"), wall = integ_num(r, "wall_s");

	double cores = metric(r, "cores_used"), per_cpu_s;

	/* The switch interval is wall time, but the holder hands over at a tick
	 * of its work and the waiter must run to ask for it: on a loaded machine
	 * the runner gets part of a core and everything slows with it. So the
	 * rate is taken per second of CPU the process got (its one GIL lets it
	 * use about one core), and must lie within C2's own factor (2) of
	 * 1 / interval. */
	per_cpu_s = cores > 0 ? rate / fmin(cores, 1.0) : 0;
	printf("    threads-gil/cpu: %.0f hand-offs/s, %.0f per CPU-second (interval 5 ms: 200/s), "
	       "cores %.2f, voluntary switches %.0f/s\n", rate, per_cpu_s, cores,
	       metric(r, "voluntary_switches") / wall);
	assert_true(cores > 0.05);
	assert_true(per_cpu_s >= 200 / 2.0 && per_cpu_s <= 200 * 2.0);
	/* each hand-off puts a thread to sleep: the kernel sees at least as many blocks */
	assert_true(metric(r, "voluntary_switches") >= metric(r, "gil_handoffs"));
	/* one GIL: never much more than one core busy */
	assert_true(metric(r, "cores_used") < 1.3);
}

static void test_iouring_only_in_the_event_loop(void **state)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, r) {
		const char *m = integ_str(r, "model");
		const char *w = integ_str(r, "workload");
		/* io-block's loop is a poll() loop: the stall is its thread sleeping */
		bool ring = !strncmp(m, "async", 5) && (strcmp(w, "cpu") || !strcmp(m, "async-pool")) &&
			    strcmp(w, "io-block");

		if (ring) {
			if (!(metric(r, "iouring_submits") > 0))
				fail_msg("%s/%s: %g io_uring submits", m, w, metric(r, "iouring_submits"));
			assert_true(metric(r, "iouring_completes") >= metric(r, "iouring_submits") * 0.99);
		} else {
			assert_int_equal(metric(r, "iouring_submits"), 0);
		}
	}
	/* the async io run submits three requests (send, recv, read) per unit */
	r = find_run("async", "io");
	assert_true(metric(r, "iouring_submits") >= 3 * 120);
}

static void test_processes_are_processes(void **state)
{
	assert_int_equal(metric(find_run("processes", "cpu"), "processes"), 3); /* runner + 2 */
	assert_int_equal(metric(find_run("threads-gil", "cpu"), "processes"), 1);
	assert_int_equal(metric(find_run("threads-gil", "cpu"), "threads"), 3); /* runner + 2 */
}

/* The JSON of <script type="application/json" id="ID"> in an HTML page. */
static json_t *embedded_json(const char *path, const char *id)
{
	char open_tag[64], *page, *start, *end;
	json_error_t je;
	json_t *v;
	long len;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	page = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(page, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	snprintf(open_tag, sizeof(open_tag), "id=\"%s\">", id);
	start = strstr(page, open_tag);
	if (!start)
		fail_msg("%s: no element %s", path, id);
	start += strlen(open_tag);
	end = strstr(start, "</script>");
	assert_non_null(end);
	*end = 0;
	v = json_loads(start, 0, &je);
	if (!v)
		fail_msg("%s: element %s is not JSON: %s", path, id, je.text);
	free(page);
	return v;
}

/* compare.csv: "cell,metric,...": every row of a file compared with itself
 * has ratio 1 and no significant difference. Returns the number of rows. */
static size_t check_self_compare_csv(const char *path)
{
	char line[1024];
	size_t rows = 0;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "cell,metric,unit,source,value,min,max,ratio_to_first,significant\r\n");
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *ratio;

		assert_true(n > 2 && !strcmp(line + n - 2, "\r\n"));
		line[n - 2] = 0;
		/* the last two fields: ratio (empty when the baseline is 0), significant */
		assert_non_null(strstr(line, ",false"));
		assert_string_equal(strrchr(line, ','), ",false");
		*strrchr(line, ',') = 0;
		ratio = strrchr(line, ',') + 1;
		if (*ratio && strcmp(ratio, "1"))
			fail_msg("self-comparison row with ratio %s: %s", ratio, line);
		rows++;
	}
	fclose(f);
	return rows;
}

static void test_report_and_compare_from_json_alone(void **state)
{
	char out[128], path[192], bad[128];
	struct stat st;
	FILE *f;

	snprintf(out, sizeof(out), "%s/regen", tmp);
	assert_int_equal(run_cmd((char *[]){ "gilscope", "report", results, "-o", out, NULL }), 0);
	snprintf(path, sizeof(path), "%s/report.html", out);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 200000); /* Chart.js is inlined */
	/* the page carries the whole document, and with it a decision on every
	 * claim (claims[], verdict_table: the page renders them, it decides
	 * nothing): its size alone would be met by Chart.js */
	{
		json_t *data = embedded_json(path, "gs-data"), *c;
		size_t i;

		assert_true(json_equal(data, doc));
		/* C1-C16 on the one runtime (sim); 9 rows of the table */
		assert_int_equal(json_array_size(integ_obj(data, "claims")), 16);
		json_array_foreach(integ_obj(data, "claims"), i, c) {
			const char *v = json_string_value(json_object_get(c, "verdict"));

			assert_non_null(json_string_value(json_object_get(c, "id")));
			assert_non_null(v);
			assert_true(!strcmp(v, "confirmed") || !strcmp(v, "refuted") ||
				    !strcmp(v, "inconclusive"));
		}
		assert_int_equal(json_array_size(integ_obj(integ_obj(data, "verdict_table"), "rows")), 9);
		json_decref(data);
	}
	snprintf(out, sizeof(out), "%s/cmp", tmp);
	assert_int_equal(run_cmd((char *[]){ "gilscope", "compare", results, results, "-o", out, NULL }), 0);
	snprintf(path, sizeof(path), "%s/compare.csv", out);
	assert_int_equal(stat(path, &st), 0);
	/* 18 cells, each with most of the compared metrics, twice (two sources) */
	assert_true(check_self_compare_csv(path) >= 18 * 10 * 2);
	/* a truncated document: one error, no output */
	snprintf(bad, sizeof(bad), "%s/bad.json", tmp);
	f = fopen(bad, "w");
	fputs("{\"schema\": 1, \"env\": {", f);
	fclose(f);
	snprintf(out, sizeof(out), "%s/none", tmp);
	assert_int_equal(run_cmd((char *[]){ "gilscope", "compare", results, bad, "-o", out, NULL }), 1);
	assert_int_equal(run_cmd((char *[]){ "gilscope", "report", bad, "-o", out, NULL }), 1);
	assert_int_equal(stat(out, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cell_ran_and_nothing_was_lost),
		cmocka_unit_test(test_gil_waits_only_under_a_gil),
		cmocka_unit_test(test_futex_waits_attributed_to_the_gil),
		cmocka_unit_test(test_handoffs_at_the_switch_interval),
		cmocka_unit_test(test_iouring_only_in_the_event_loop),
		cmocka_unit_test(test_processes_are_processes),
		cmocka_unit_test(test_report_and_compare_from_json_alone),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, setup, teardown);
}
