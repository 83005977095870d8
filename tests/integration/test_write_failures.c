/*
 * test_write_failures - a full disk (a 64 KiB tmpfs mounted here) and a full
 * standard output (/dev/full): every failing write says which file and why
 * (strerror), the others are still written, and the exit status is 1 even
 * when the command's own status was something else (issue 11, case 7).
 */
#include <sys/mount.h>
#include "cli.h"

static char full[128];

static int setup(void **state)
{
	if (cli_setup(state))
		return -1;
	snprintf(full, sizeof(full), "%s/full", tmp);
	if (mkdir(full, 0755) || mount("tmpfs", full, "tmpfs", 0, "size=64k")) {
		perror("mount a small tmpfs");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	umount2(full, MNT_DETACH);
	return cli_teardown(state);
}

static void test_full_disk_wins_over_the_command_status(void **state)
{
	char dir[160], path[200];

	snprintf(dir, sizeof(dir), "%s/out", full);
	/* report.html (the charts' script inside) does not fit in 64 KiB */
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "--", "sh", "-c",
					     "exit 3", NULL }), 1);
	assert_true(cli_says("report.html: No space left on device"));
	assert_true(cli_says("not sh's 3"));
	snprintf(path, sizeof(path), "%s/results.json", dir);
	assert_int_equal(access(path, R_OK), 0); /* what fits is written */
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_full_disk_timeline_and_report(void **state)
{
	char dir[160], results[200], out[160];

	snprintf(dir, sizeof(dir), "%s/out", tmp);
	snprintf(results, sizeof(results), "%s/results.json", dir);
	snprintf(out, sizeof(out), "%s/tl", full);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--",
					     "true", NULL }), 0);
	/* `report` into the full disk */
	assert_int_equal(cli_run((char *[]){ "gilscope", "report", "-o", full, results, NULL }), 1);
	assert_true(cli_says("No space left on device"));
	/* a trace of 20000 switches does not fit either */
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-t", "-f", "json", "-o", out,
					     "--", (char *)integ_prog("pingpong"), "20000", NULL }), 1);
	assert_true(cli_says("trace.json: No space left on device"));
}

static void test_full_stdout(void **state)
{
	char dir[160], errpath[200], buf[1024] = "";
	int st, fd;
	pid_t p;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/out", tmp);
	snprintf(errpath, sizeof(errpath), "%s/err.txt", tmp);
	p = fork();
	if (p == 0) {
		fd = open("/dev/full", O_WRONLY);
		dup2(fd, 1);
		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execv(integ_gilscope(), (char *[]){ "gilscope", "record", "-f", "json", "-o", dir, "--",
						    "sh", "-c", "exit 4", NULL });
		_exit(99);
	}
	waitpid(p, &st, 0);
	f = fopen(errpath, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	printf("    %s", buf);
	assert_int_equal(cli_status(st), 1);
	assert_non_null(strstr(buf, "standard output: No space left on device"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_disk_wins_over_the_command_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_timeline_and_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_stdout, setup, teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
