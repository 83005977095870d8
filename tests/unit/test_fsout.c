/* test_fsout - atomic writes that never follow a symlink. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "fsout.h"

static char base[64];

static int setup(void **state)
{
	strcpy(base, "/tmp/gs-fsout-XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static void test_write_creates_dirs_and_commits(void **state)
{
	char dir[128], path[160], buf[32] = "", err[256];
	struct out_file o;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/a/b", base);
	assert_int_equal(out_dir_prepare(dir, err, sizeof(err)), 0);
	assert_int_equal(out_open(&o, dir, "x.txt", err, sizeof(err)), 0);
	fputs("hello", o.f);
	snprintf(path, sizeof(path), "%s/x.txt", dir);
	assert_int_equal(access(path, F_OK), -1); /* not visible before commit */
	assert_int_equal(out_commit(&o, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "hello");
	assert_int_equal(entries(dir), 1); /* no temporary left */
}

static void test_abort_leaves_nothing(void **state)
{
	char err[256];
	struct out_file o;

	assert_int_equal(out_open(&o, base, "y.txt", err, sizeof(err)), 0);
	fputs("partial", o.f);
	out_abort(&o);
	assert_int_equal(entries(base), 0);
}

static void test_symlinked_dir_is_refused(void **state)
{
	char link[128], target[128], dir[160], err[256] = "";
	struct out_file o;

	snprintf(target, sizeof(target), "%s/target", base);
	snprintf(link, sizeof(link), "%s/link", base);
	assert_int_equal(mkdir(target, 0755), 0);
	assert_int_equal(symlink(target, link), 0);
	snprintf(dir, sizeof(dir), "%s/link/sub", base);
	assert_int_equal(out_dir_prepare(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symlink"));
	assert_int_equal(out_open(&o, link, "z", err, sizeof(err)), -1);
	assert_int_equal(entries(target), 0);
}

static void test_symlinked_file_is_replaced_not_followed(void **state)
{
	char victim[128], link[128], err[256], buf[32] = "";
	struct out_file o;
	FILE *f;

	snprintf(victim, sizeof(victim), "%s/victim", base);
	snprintf(link, sizeof(link), "%s/report.html", base);
	f = fopen(victim, "w");
	fputs("precious", f);
	fclose(f);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(out_open(&o, base, "report.html", err, sizeof(err)), 0);
	fputs("report", o.f);
	assert_int_equal(out_commit(&o, err, sizeof(err)), 0);
	f = fopen(victim, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious");
}

static void test_unwritable_and_bad_names(void **state)
{
	char err[256] = "", file[128];
	struct out_file o;
	FILE *f;

	snprintf(file, sizeof(file), "%s/plainfile", base);
	f = fopen(file, "w");
	fclose(f);
	assert_int_equal(out_dir_prepare(file, err, sizeof(err)), -1);
	assert_int_equal(out_open(&o, base, "../escape", err, sizeof(err)), -1);
	assert_non_null(strstr(out_default_dir(), "reports/out/"));
}

/* out_dir_check finds out whether a directory could be made, and leaves the
 * file system as it found it: nothing made, nothing of the user's removed. */
static void test_dir_check_leaves_no_trace(void **state)
{
	char dir[128], file[128], mine[128], err[256];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/a/b/c", base);
	assert_int_equal(out_dir_check(dir, err, sizeof(err)), 0);
	assert_int_equal(entries(base), 0);
	snprintf(mine, sizeof(mine), "%s/mine", base);
	assert_int_equal(mkdir(mine, 0755), 0);
	assert_int_equal(out_dir_check(mine, err, sizeof(err)), 0);
	assert_int_equal(access(mine, F_OK), 0); /* the user's empty directory stays */
	snprintf(file, sizeof(file), "%s/file", base);
	f = fopen(file, "w");
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/file/x", base); /* a file in the way */
	assert_int_equal(out_dir_check(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "in the way"));
	assert_int_equal(entries(base), 2); /* mine and file, nothing else */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_creates_dirs_and_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_dir_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_file_is_replaced_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_and_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_check_leaves_no_trace, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
