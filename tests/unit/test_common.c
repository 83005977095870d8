/* test_common - the shared primitives: clock, whole-buffer I/O, /proc readers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "clock.h"
#include "fullio.h"
#include "procfs.h"

static void test_clock_is_monotonic(void **state)
{
	uint64_t a = clock_mono_ns(), b;

	usleep(2000);
	b = clock_mono_ns();
	assert_true(b - a >= 2000000);
	assert_true(clock_elapsed_s(a) >= 0.002);
}

static void test_full_io_through_a_pipe(void **state)
{
	int p[2];
	char big[100000], back[100000];
	pid_t pid;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) { /* more than a pipe holds: the writer must loop */
		close(p[0]);
		_exit(write_full(p[1], big, sizeof(big)) ? 1 : 0);
	}
	close(p[1]);
	assert_int_equal(read_full(p[0], back, sizeof(back)), 0);
	assert_memory_equal(big, back, sizeof(big));
	/* end of file before the whole buffer: an error */
	assert_int_equal(read_full(p[0], back, 1), -1);
	close(p[0]);
}

static void test_proc_readers(void **state)
{
	char path[] = "/tmp/gs-procfs-XXXXXX", v[64];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	static const char *const keys[] = { "Rss:", "Swap:", NULL };

	fputs("model name\t: Some CPU  \nRss:   100 kB\nPss: 7 kB\nSwap: 20 kB\n", f);
	fclose(f);
	assert_int_equal(proc_read_field(path, "model name", v, sizeof(v)), 0);
	assert_string_equal(v, "Some CPU  ");
	assert_int_equal(proc_read_field(path, "nothing", v, sizeof(v)), -1);
	assert_string_equal(v, "");
	assert_int_equal(proc_sum_kb(path, keys), 120 * 1024);
	assert_int_equal(proc_read_int(path, 42), 42); /* not a number */
	f = fopen(path, "w");
	fputs("3\n", f);
	fclose(f);
	assert_int_equal(proc_read_int(path, 42), 3);
	unlink(path);
	assert_int_equal(proc_read_int(path, 42), 42);
	assert_int_equal(proc_sum_kb(path, keys), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_is_monotonic),
		cmocka_unit_test(test_full_io_through_a_pipe),
		cmocka_unit_test(test_proc_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
