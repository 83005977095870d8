/*
 * test_run_interrupt - Ctrl-C and SIGKILL during `gilscope run` (issue 11,
 * case 3): the terminal's SIGINT reaches gilscope's whole process group, its
 * I/O peer included; the cell in progress is stopped and marked interrupted,
 * the finished cells are written, the exit status is 130; a SIGKILLed run
 * leaves no data file in /tmp and no runner behind.
 */
#include "cli.h"

/* gilscope run in a process group of its own, as a shell's foreground job */
static pid_t spawn_job(char *const args[])
{
	char out[128];
	pid_t pid;

	snprintf(out, sizeof(out), "%s/out.txt", tmp);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(integ_gilscope(), args);
		_exit(99);
	}
	setpgid(pid, pid);
	return pid;
}

static bool comm_is(pid_t pid, const char *name)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	if (fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
	return !strcmp(comm, name);
}

/* Wait up to secs for gilscope's runner of model to be running. */
static pid_t wait_runner(pid_t gs, const char *model, double secs)
{
	for (double t0 = integ_now(); integ_now() - t0 < secs; usleep(10000)) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		pid_t found = 0;

		while (d && !found && (e = readdir(d))) {
			pid_t p = atoi(e->d_name);
			char path[64], buf[512], *s;
			int ppid = 0;
			FILE *f;

			if (p <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
			if (!(f = fopen(path, "r")))
				continue;
			if (fgets(buf, sizeof(buf), f) && (s = strrchr(buf, ')')))
				sscanf(s + 1, " %*c %d", &ppid);
			fclose(f);
			if (ppid == gs && comm_is(p, model))
				found = p;
		}
		if (d)
			closedir(d);
		if (found)
			return found;
	}
	return 0;
}

static char *const run_args[] = { "gilscope", "run", "-q", "-f", "json", "-o", NULL /* dir */,
	"--models", "serial,threads-gil", "--workloads", "io", "--io-units", "1000",
	"--latency-us", "2000", "--tasks", "2", "--repeat", "1", NULL };

static void test_ctrl_c_marks_the_cell_interrupted(void **state)
{
	char dir[128], *args[sizeof(run_args) / sizeof(run_args[0])];
	json_t *doc, *runs, *first, *second;
	pid_t gs, runner;
	int st;

	snprintf(dir, sizeof(dir), "%s/int", tmp);
	memcpy(args, run_args, sizeof(args));
	args[6] = dir;
	gs = spawn_job(args);
	runner = wait_runner(gs, "threads-gil", 60); /* serial is done */
	assert_true(runner > 0);
	usleep(300000);
	kill(-gs, SIGINT); /* Ctrl-C: the whole foreground group */
	waitpid(gs, &st, 0);
	assert_int_equal(cli_status(st), 130);
	assert_null(strstr(cli_output(), "failed"));
	assert_true(cli_gone_within(runner, 2));
	doc = cli_load(dir, "results.json");
	runs = json_object_get(doc, "runs");
	assert_int_equal(json_array_size(runs), 2);
	first = json_array_get(runs, 0);
	second = json_array_get(runs, 1);
	assert_true(json_is_true(json_object_get(first, "ok")));
	assert_null(json_object_get(first, "interrupted"));
	assert_true(json_number_value(json_object_get(json_object_get(first, "metrics"), "units")) == 1000);
	assert_true(json_is_true(json_object_get(second, "interrupted")));
	assert_null(json_object_get(second, "error"));
	assert_false(json_is_false(json_object_get(second, "ok")));
	/* its work was cut short: no model figures (not 0), and not in the summary */
	assert_null(json_object_get(json_object_get(second, "metrics"), "units"));
	assert_int_equal(json_array_size(json_object_get(doc, "summary")), 1);
	assert_true(json_is_true(json_object_get(doc, "interrupted")));
	json_decref(doc);
}

static void test_sigkill_leaves_nothing_behind(void **state)
{
	char dir[128], data[64], *args[sizeof(run_args) / sizeof(run_args[0])];
	pid_t gs, runner;

	snprintf(dir, sizeof(dir), "%s/killed", tmp);
	memcpy(args, run_args, sizeof(args));
	args[6] = dir;
	gs = spawn_job(args);
	runner = wait_runner(gs, "serial", 60);
	assert_true(runner > 0);
	usleep(200000);
	kill(gs, SIGKILL);
	waitpid(gs, NULL, 0);
	snprintf(data, sizeof(data), "/tmp/gilscope-data-%d", (int)gs);
	assert_int_equal(access(data, F_OK), -1);
	if (!cli_gone_within(runner, 3)) {
		kill(runner, SIGKILL);
		fail_msg("the runner outlived a SIGKILLed gilscope run");
	}
	assert_int_equal(access(dir, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctrl_c_marks_the_cell_interrupted, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_leaves_nothing_behind, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
