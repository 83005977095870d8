/* test_outputs - every file goes through out_write_file: whole or not at all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fsout.h"
#include "outputs.h"
#include "timeline.h"
#include "tracer.h"

static int write_text(FILE *f, const void *arg)
{
	return fputs(arg, f) < 0;
}

static int write_half_then_fail(FILE *f, const void *arg)
{
	fputs(arg, f);
	return -1;
}

static void test_whole_or_nothing(void **state)
{
	char dir[] = "/tmp/gs-outputs-XXXXXX", path[128], buf[64] = "", err[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	assert_int_equal(out_write_file(dir, "a.txt", write_text, "hello", err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "hello");
	/* a failing writer leaves the old file as it was and no temporary */
	assert_int_equal(out_write_file(dir, "a.txt", write_half_then_fail, "bye", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a.txt"));
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "hello");
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* empty: no temporary left */
}

static void test_timeline_through_the_writer(void **state)
{
	char dir[] = "/tmp/gs-outputs-XXXXXX", path[128], err[256];
	struct gs_task t = { .tid = 1, .tgid = 1, .comm = "x" };
	struct trace_data d = { .tasks = &t, .ntasks = 1 };
	json_error_t je;
	json_t *root;
	FILE *spool = timeline_spool_new();

	assert_non_null(spool);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(outputs_write_timeline(dir, "trace.json", &d, NULL, spool, err, sizeof(err)), 0);
	fclose(spool);
	snprintf(path, sizeof(path), "%s/trace.json", dir);
	root = json_load_file(path, 0, &je);
	assert_non_null(json_object_get(root, "traceEvents"));
	json_decref(root);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_or_nothing),
		cmocka_unit_test(test_timeline_through_the_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
