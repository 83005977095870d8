/*
 * test_timeline_memory - `record --timeline` streams its events instead of
 * holding them (issue 11, case 9): gilscope's peak RSS (the kernel's
 * ru_maxrss from wait4) is the same for 20,000 and 200,000 io_uring reads,
 * and the trace of the larger run is complete, valid Chrome trace JSON,
 * written atomically (no temporary file left beside it).
 */
#include <sys/resource.h>
#include "cli.h"

struct traced {
	long maxrss_kb;
	size_t uring_slices;
	long long events;
};

/* Both runs are made before any trace is loaded here: a forked child's peak
 * RSS counts the memory it had before exec, i.e. this test's own. */
static long record_reads(int n)
{
	char dir[128], data[128], count[16], buf[4096];
	struct rusage ru;
	int st, fd;
	pid_t p;

	snprintf(data, sizeof(data), "%s/data", tmp);
	fd = open(data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'x', sizeof(buf));
	for (int k = 0; k < 16; k++)
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
	snprintf(dir, sizeof(dir), "%s/tl%d", tmp, n);
	snprintf(count, sizeof(count), "%d", n);
	p = cli_spawn((char *[]){ "gilscope", "record", "-q", "-t", "-f", "json", "-o", dir, "--",
				  (char *)integ_prog("uring_reads"), count, data, NULL });
	assert_int_equal(wait4(p, &st, 0, &ru), p);
	assert_int_equal(cli_status(st), 0);
	return ru.ru_maxrss;
}

static struct traced check_trace(int n, long maxrss_kb)
{
	char dir[128];
	struct traced r = { .maxrss_kb = maxrss_kb };
	json_t *trace, *e;
	size_t i, files = 0;
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/tl%d", tmp, n);
	trace = cli_load(dir, "trace.json");
	json_array_foreach(json_object_get(trace, "traceEvents"), i, e)
		r.uring_slices += !strcmp(json_string_value(json_object_get(e, "name")), "io_uring request");
	r.events = json_integer_value(json_object_get(json_object_get(trace, "otherData"), "events"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(trace, "otherData"),
							    "lost_events")), 0);
	json_decref(trace);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		files += de->d_name[0] != '.' || strstr(de->d_name, ".tmp");
	if (d)
		closedir(d);
	assert_int_equal(files, 2); /* results.json, trace.json; no temporary file */
	printf("    %d reads: peak RSS %ld KiB, %lld events, %zu io_uring slices\n", n, r.maxrss_kb,
	       r.events, r.uring_slices);
	return r;
}

static void test_memory_flat_as_events_grow(void **state)
{
	long small_kb = record_reads(20000), large_kb = record_reads(200000);
	struct traced small = check_trace(20000, small_kb), large = check_trace(200000, large_kb);

	assert_true(small.uring_slices >= 20000);
	assert_true(large.uring_slices >= 200000);
	/* ten times the events: not materially more memory (the old in-memory
	 * timeline took ~250 MiB here). The margin is for the 4 MiB ring buffer,
	 * mapped twice, whose pages count as they fill, however many events. */
	if (large.maxrss_kb > small.maxrss_kb + 8192)
		fail_msg("peak RSS grew from %ld to %ld KiB with the events", small.maxrss_kb,
			 large.maxrss_kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memory_flat_as_events_grow, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
