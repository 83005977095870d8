/*
 * test_record_hostile - `gilscope record` treated as a hostile user would:
 * killed with SIGKILL, interrupted again and again, given commands that
 * cannot run, pointed at itself (issue 11's cases, by number).
 */
#include "cli.h"

/* 1. A SIGKILLed gilscope takes the traced command with it and leaves no
 *    empty output directory behind. */
static void test_sigkill_does_not_orphan_the_command(void **state)
{
	char dir[128];
	pid_t gs, cmd;

	snprintf(dir, sizeof(dir), "%s/killed", tmp);
	gs = cli_spawn((char *[]){ "gilscope", "record", "-q", "-o", dir, "--", "sleep", "30", NULL });
	cmd = cli_wait_child(gs, 5);
	assert_true(cmd > 0);
	usleep(300000); /* recording */
	kill(gs, SIGKILL);
	waitpid(gs, NULL, 0);
	if (!cli_gone_within(cmd, 3)) {
		kill(cmd, SIGKILL);
		fail_msg("the command (pid %d) outlived a SIGKILLed gilscope", (int)cmd);
	}
	assert_int_equal(access(dir, F_OK), -1);
}

/* 2. A command that ignores INT and TERM: the first interrupt is passed on,
 *    the second sends TERM, the third KILLs the whole tree; results written. */
static void test_repeated_interrupts_escalate(void **state)
{
	char dir[128];
	pid_t gs, sh, sleeper;
	json_t *doc, *run;
	double t0;
	int st;

	snprintf(dir, sizeof(dir), "%s/stubborn", tmp);
	gs = cli_spawn((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--", "sh",
				   "-c", "trap '' INT TERM; sleep 20; echo survived", NULL });
	sh = cli_wait_child(gs, 5);
	assert_true(sh > 0);
	sleeper = cli_wait_child(sh, 5);
	assert_true(sleeper > 0);
	t0 = integ_now();
	for (int i = 0; i < 3; i++) {
		kill(gs, SIGINT);
		usleep(300000);
		if (i < 2)
			assert_true(cli_alive(sh)); /* INT and TERM are ignored */
	}
	waitpid(gs, &st, 0);
	printf("    gilscope ended %.2f s after the first interrupt, status %d\n", integ_now() - t0,
	       cli_status(st));
	assert_true(integ_now() - t0 < 5);
	assert_int_equal(cli_status(st), 128 + SIGKILL);
	assert_true(cli_says("SIGKILL"));
	assert_null(strstr(cli_output(), "survived"));
	assert_true(cli_gone_within(sleeper, 2)); /* the grandchild went too */
	doc = cli_load(dir, "results.json");
	run = json_array_get(json_object_get(doc, "runs"), 0);
	assert_true(json_is_true(json_object_get(run, "interrupted")));
	assert_int_equal(json_integer_value(json_object_get(run, "exit_status")), 128 + SIGKILL);
	json_decref(doc);
}

static void write_script(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* 5. A command that cannot run: the shell's exit status and one line; the
 *    user's own (empty) output directory is left alone. */
static void test_exec_failures_keep_the_output_dir(void **state)
{
	char dir[128], bad[128], noexec[128];

	snprintf(dir, sizeof(dir), "%s/mine", tmp);
	snprintf(bad, sizeof(bad), "%s/bad-interpreter", tmp);
	snprintf(noexec, sizeof(noexec), "%s/not-executable", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_script(bad, "#!/nonexistent/interpreter\necho hi\n", 0755);
	write_script(noexec, "echo hi\n", 0644);

	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "--", bad, NULL }), 127);
	assert_true(cli_says("interpreter"));
	assert_int_equal(access(dir, F_OK), 0);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "--", noexec, NULL }), 126);
	assert_true(cli_says("Permission denied"));
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "--", tmp, NULL }), 126);
	assert_true(cli_says("Is a directory"));
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "--",
					     "/nonexistent/cmd", NULL }), 127);
	assert_int_equal(access(dir, F_OK), 0);
}

/* 10. -p of gilscope's own pid, or of one of its parents, would trace itself. */
static void test_pid_of_itself_is_refused(void **state)
{
	char me[16], script[256];

	snprintf(me, sizeof(me), "%d", (int)getpid());
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-p", me, "-d", "1", NULL }), 2);
	assert_true(cli_says("itself"));
	/* the shell execs gilscope: $$ is then gilscope's own pid */
	snprintf(script, sizeof(script), "exec %s record -q -p $$ -d 1", integ_gilscope());
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", tmp,
					     "--", "sh", "-c", script, NULL }), 2);
	assert_true(cli_says("itself"));
}

/* 4. Bytes that are not UTF-8 in the command: kept (escaped), and the
 *    results read back by `report`. */
static void test_non_utf8_command(void **state)
{
	char dir[128], results[160];
	json_t *doc, *run;

	snprintf(dir, sizeof(dir), "%s/bytes", tmp);
	snprintf(results, sizeof(results), "%s/results.json", dir);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "--", "/bin/echo",
					     "\xff", "caf\xc3\xa9", NULL }), 0);
	doc = cli_load(dir, "results.json");
	run = json_array_get(json_object_get(doc, "runs"), 0);
	assert_non_null(json_string_value(json_object_get(run, "label")));
	assert_non_null(json_string_value(json_array_get(json_object_get(run, "command"), 1)));
	assert_string_equal(json_string_value(json_object_get(run, "label")),
			    "record: /bin/echo \\xff caf\xc3\xa9");
	assert_string_equal(json_string_value(json_array_get(json_object_get(run, "command"), 1)), "\\xff");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(doc, "env"), "command")),
			       "-- /bin/echo \\xff caf\xc3\xa9"));
	json_decref(doc);
	assert_int_equal(cli_run((char *[]){ "gilscope", "report", results, NULL }), 0);
}

/* 4. A 512-byte label is cut between characters, never inside one. */
static void test_long_label_cut_between_characters(void **state)
{
	char dir[128], arg[1200];
	const char *label;
	json_t *doc;

	/* "record: /bin/true " is 18 bytes: 'é' (2 bytes) then straddles byte 511 */
	memset(arg, 0, sizeof(arg));
	for (size_t i = 0; i + 2 < sizeof(arg) - 1; i += 2)
		memcpy(arg + i, "\xc3\xa9", 2);
	snprintf(dir, sizeof(dir), "%s/long", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--",
					     "/bin/true", arg, NULL }), 0);
	doc = cli_load(dir, "results.json");
	label = json_string_value(json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "label"));
	assert_non_null(label);
	printf("    label of %zu bytes\n", strlen(label));
	assert_int_equal(strlen(label), 510);
	assert_null(strstr(label, "\\x")); /* nothing escaped: no character was split */
	json_decref(doc);
}

/* 4. Threads named with bytes that are not UTF-8 (or cut mid-character by
 *    the kernel's 15-byte comm) stay in threads[] and in trace.json. */
static void test_threads_with_invalid_names(void **state)
{
	char dir[128];
	json_t *doc, *run, *th, *trace, *e;
	size_t i, tracks = 0;
	bool lone = false, cut = false;

	snprintf(dir, sizeof(dir), "%s/names", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-t", "-f", "json", "-o", dir,
					     "--", (char *)integ_prog("badnames"), NULL }), 0);
	doc = cli_load(dir, "results.json");
	run = json_array_get(json_object_get(doc, "runs"), 0);
	json_array_foreach(json_object_get(run, "threads"), i, th) {
		const char *comm = json_string_value(json_object_get(th, "comm"));

		printf("    thread %lld: %s\n", (long long)json_integer_value(json_object_get(th, "tid")), comm);
		lone |= comm && !strcmp(comm, "\\xff\\xfebad");
		cut |= comm && !strcmp(comm, "abcdefghijklmn\\xc3");
	}
	assert_int_equal(json_array_size(json_object_get(run, "threads")), 4);
	assert_true(lone);
	assert_true(cut);
	trace = cli_load(dir, "trace.json");
	json_array_foreach(json_object_get(trace, "traceEvents"), i, e)
		tracks += !strcmp(json_string_value(json_object_get(e, "name")), "thread_name");
	assert_int_equal(tracks, 8); /* two tracks a thread */
	json_decref(trace);
	json_decref(doc);
}

/* 4. A results file whose name is not UTF-8 is still a source of compare. */
static void test_compare_non_utf8_file_name(void **state)
{
	char dir[128], a[160], b[160], out[160], csv[200], line[512];
	bool seen_b = false;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/cmp", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--",
					     "true", NULL }), 0);
	snprintf(a, sizeof(a), "%s/results.json", dir);
	snprintf(b, sizeof(b), "%s/b\xff.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(link(a, b), 0);
	assert_int_equal(cli_run((char *[]){ "gilscope", "compare", "-o", out, a, b, NULL }), 0);
	snprintf(csv, sizeof(csv), "%s/compare.csv", out);
	f = fopen(csv, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		seen_b |= strstr(line, "b\\xff.json") != NULL;
	fclose(f);
	assert_true(seen_b);
}

/* 6. A label a spreadsheet would run, imported through `report`: neutralised. */
static void test_report_csv_formula_label(void **state)
{
	char path[128], csv[128], line[512];
	bool quoted = false, raw = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/results.json", tmp);
	f = fopen(path, "w");
	fputs("{\"schema\": 1, \"env\": {}, \"runs\": [{\"label\": \"=HYPERLINK(\\\"http://x\\\")\", "
	      "\"wall_s\": 1, \"metrics\": {\"oncpu_ns\": -5}}]}\n", f);
	fclose(f);
	assert_int_equal(cli_run((char *[]){ "gilscope", "report", "-f", "csv", path, NULL }), 0);
	snprintf(csv, sizeof(csv), "%s/summary.csv", tmp);
	f = fopen(csv, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		quoted |= !strncmp(line, "\"'=HYPERLINK", 12);
		raw |= line[0] == '=' || !strncmp(line, "\"=", 2);
		if (strstr(line, ",oncpu_ns,"))
			assert_non_null(strstr(line, ",oncpu_ns,-5,ns")); /* a number stays one */
	}
	fclose(f);
	assert_true(quoted);
	assert_false(raw);
}

/* 10. A FIFO as input is refused at once, not waited on. */
static void test_fifo_input_refused(void **state)
{
	char fifo[128];
	double t0 = integ_now();

	snprintf(fifo, sizeof(fifo), "%s/results.json", tmp);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(cli_run_within((char *[]){ "gilscope", "report", fifo, NULL }, 5), 1);
	assert_true(cli_says("not a regular file"));
	assert_int_equal(cli_run_within((char *[]){ "gilscope", "compare", fifo, fifo, NULL }, 5), 1);
	assert_true(cli_says("not a regular file"));
	assert_true(integ_now() - t0 < 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sigkill_does_not_orphan_the_command, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_repeated_interrupts_escalate, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_exec_failures_keep_the_output_dir, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_pid_of_itself_is_refused, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_non_utf8_command, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_long_label_cut_between_characters, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_threads_with_invalid_names, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_compare_non_utf8_file_name, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_report_csv_formula_label, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_fifo_input_refused, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
