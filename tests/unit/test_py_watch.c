/*
 * test_py_watch - `record`'s list of a tree's CPythons (user/python/py_watch.c):
 * a process that execs its next program between the look at its program's
 * identity and its recognition (chrt, env or a shell exec python at once) is
 * listed once, as the program it became, not also as the one it left.
 *
 * Recognition and the GIL search are stood in for here (this file defines
 * py_target_recognise, py_gil_find, py_gil_read and tracer_add_gil_range, so
 * the linker takes these, not the library's): the stand-in recognition makes
 * the child exec at exactly the wrong moment, and calls everything Python.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "py_gil.h"
#include "py_target.h"
#include "py_watch.h"
#include "tracer.h"

static pid_t child;
static int go_fd = -1;       /* a byte here makes the child exec sleep */
static int recognitions;

static bool exe_is(pid_t pid, const char *want)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = 0;
	return !strcmp(path, want);
}

enum py_recognise py_target_recognise(pid_t tgid, struct py_target *t, char *why, size_t whylen)
{
	char sleep_path[PATH_MAX];

	recognitions++;
	if (go_fd >= 0) {
		/* the first look: the process moves on to its next program now */
		assert_non_null(realpath("/bin/sleep", sleep_path));
		assert_int_equal(write(go_fd, "x", 1), 1);
		close(go_fd);
		go_fd = -1;
		for (int i = 0; i < 5000 && !exe_is(tgid, sleep_path); i++)
			usleep(1000);
		assert_true(exe_is(tgid, sleep_path));
	}
	memset(t, 0, sizeof(*t));
	t->tgid = tgid;
	snprintf(t->executable, sizeof(t->executable), "/usr/bin/python3.11");
	snprintf(t->version, sizeof(t->version), "3.11.2");
	t->major = 3;
	t->minor = 11;
	snprintf(why, whylen, "stand-in");
	return PY_IS_PYTHON;
}

enum py_check py_gil_find(const struct py_target *t, struct py_gil *g, char *why, size_t whylen)
{
	(void)t;
	memset(g, 0, sizeof(*g));
	snprintf(why, whylen, "the GIL is not created yet");
	return PY_CHECK_NOT_YET;
}

bool py_gil_read(const struct py_target *t, const struct py_gil *g, struct py_gil_state *st)
{
	(void)t;
	(void)g;
	(void)st;
	return false;
}

int tracer_add_gil_range(struct tracer *t, pid_t tgid, uint64_t start, uint64_t len)
{
	(void)t;
	(void)tgid;
	(void)start;
	(void)len;
	return -1;
}

static void test_exec_during_recognition(void **state)
{
	json_t *run = json_pack("{s{} s[]}", "metrics", "threads"), *py;
	struct py_watch *w;
	int go[2];

	(void)state;
	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char b;

		close(go[1]);
		if (read(go[0], &b, 1) == 1)
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	go_fd = go[1];
	w = py_watch_new(NULL, child, false, 100);
	assert_non_null(w);
	py_watch_poll(w); /* sees this test's program, which execs sleep meanwhile */
	assert_int_equal(recognitions, 1);
	py_watch_poll(w); /* sees sleep: a new program in the same process */
	assert_true(recognitions >= 2);
	py_watch_results(w, run);
	py = json_object_get(run, "python");
	assert_int_equal(json_array_size(py), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(py, 0), "tgid")), child);
	py_watch_free(w);
	json_decref(run);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_during_recognition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
