/* test_record_args - the command line of `gilscope record`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "record_args.h"
#include "outputs.h"

#define ARGV(...) ((char *[]){ "record", __VA_ARGS__, NULL })
#define ARGC(v) ((int)(sizeof(v) / sizeof(v[0]) - 1))

static int parse(int argc, char **argv, struct record_opts *o, char *err)
{
	return record_parse_args(argc, argv, o, err, 256);
}

static void test_command_and_defaults(void **state)
{
	char **v = ARGV("--", "ls", "-l");
	struct record_opts o;
	char err[256];

	assert_int_equal(parse(ARGC(ARGV("--", "ls", "-l")), v, &o, err), ARGS_OK);
	assert_int_equal(o.cmdc, 2);
	assert_string_equal(o.cmd[0], "ls");
	assert_string_equal(o.cmd[1], "-l");
	assert_null(o.cmd[2]);
	assert_int_equal(o.interval_ms, 100);
	assert_int_equal(o.formats, FMT_DEFAULT);
	assert_null(o.outdir);
	assert_int_equal(o.pid, 0);
}

static void test_command_flags_stay_the_commands(void **state)
{
	/* without "--", options after the command name belong to the command */
	char **v = ARGV("-o", "out", "stress-ng", "-t", "3");
	struct record_opts o;
	char err[256];

	assert_int_equal(parse(6, v, &o, err), ARGS_OK);
	assert_string_equal(o.outdir, "out");
	assert_int_equal(o.cmdc, 3);
	assert_string_equal(o.cmd[1], "-t");
}

static void test_pid_and_duration(void **state)
{
	char **v = ARGV("-p", "1234", "-d", "2.5", "-i", "50", "-f", "csv,json", "-t");
	struct record_opts o;
	char err[256];

	assert_int_equal(parse(10, v, &o, err), ARGS_OK);
	assert_int_equal(o.pid, 1234);
	assert_true(o.duration_s == 2.5);
	assert_int_equal(o.interval_ms, 50);
	assert_int_equal(o.formats, FMT_CSV | FMT_JSON);
	assert_true(o.timeline);
}

static void test_errors(void **state)
{
	struct { char **argv; int argc; const char *needle; } cases[] = {
		{ ARGV("-p", "abc"), 2, "process id" },
		{ ARGV("-p", "-5"), 2, "process id" },
		{ ARGV("-p", "0"), 2, "process id" },
		{ ARGV("-d", "0", "-p", "1"), 4, "seconds" },
		{ ARGV("-d", "x", "-p", "1"), 4, "seconds" },
		{ ARGV("-i", "5", "ls"), 3, "milliseconds" },
		{ ARGV("-i", "10x", "ls"), 3, "milliseconds" },
		{ ARGV("-f", "pdf", "ls"), 3, "pdf" },
		{ ARGV("--bogus", "ls"), 2, "unknown option" },
		{ ARGV("-p", "12", "--", "ls"), 4, "not both" },
		{ ARGV("-q"), 1, "nothing to record" },
		{ ARGV("-o"), 1, "needs a value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct record_opts o;
		char err[256] = "";

		assert_int_equal(parse(cases[i].argc + 1, cases[i].argv, &o, err), ARGS_ERROR);
		if (!strstr(err, cases[i].needle))
			fail_msg("case %zu: '%s' does not mention '%s'", i, err, cases[i].needle);
	}
}

static void test_help(void **state)
{
	struct record_opts o;
	char err[256];

	assert_int_equal(parse(2, ARGV("--help"), &o, err), ARGS_HELP);
	assert_non_null(strstr(record_usage, "-p PID"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_and_defaults),
		cmocka_unit_test(test_command_flags_stay_the_commands),
		cmocka_unit_test(test_pid_and_duration),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
