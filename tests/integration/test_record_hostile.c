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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sigkill_does_not_orphan_the_command, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_repeated_interrupts_escalate, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_exec_failures_keep_the_output_dir, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_pid_of_itself_is_refused, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
