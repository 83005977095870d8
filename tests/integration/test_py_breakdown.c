/*
 * test_py_breakdown - where a real CPython's threads spend their time
 * (`gilscope record`, Debian's python3 or GILSCOPE_PYTHON): an I/O thread
 * beside a spinning thread (tests/progs/gil_io.py) is shown waiting for the
 * GIL most of its life, with I/O wait time too, and a "GIL convoy" finding
 * names it; the GIL's words are one named row at the top of the lock table;
 * every thread's breakdown sums to its lifetime within 1%.
 */
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <jansson.h>
#include "integ.h"

static char tmp[64];

static int setup(void **state)
{
	strcpy(tmp, "/tmp/gs-pyb-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *python(void)
{
	const char *py = getenv("GILSCOPE_PYTHON") ? getenv("GILSCOPE_PYTHON") : "/usr/bin/python3";

	if (access(py, X_OK))
		fail_msg("%s not found: make deps installs Debian's python3", py);
	return py;
}

/* gilscope record -f json -o dir -- cmd...; its terminal output in tmp/out.txt */
static json_t *record(const char *dir, char *const cmd[])
{
	char *args[32] = { "gilscope", "record", "-f", "json", "-o", (char *)dir, "--" };
	char out[128], path[256];
	json_error_t je;
	json_t *doc;
	int n = 7, st;
	pid_t pid;

	for (int i = 0; cmd[i] && n < 31; i++)
		args[n++] = cmd[i];
	args[n] = NULL;
	snprintf(out, sizeof(out), "%s/out.txt", tmp);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(integ_gilscope(), args);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	doc = json_load_file(path, 0, &je);
	if (!doc)
		fail_msg("%s: %s", path, je.text);
	return doc;
}

static double num(const json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_number(v))
		fail_msg("%s missing or not a number", name);
	return json_number_value(v);
}

static const char *const parts[] = { "time_oncpu_ns", "time_runq_ns", "time_gil_ns", "time_lock_ns",
				     "time_io_ns", "time_sleep_ns", "time_other_ns" };

static void test_io_beside_cpu(void **state)
{
	char dir[128], out[160], text[65536];
	json_t *doc, *run, *t, *victim = NULL, *f, *gil_row;
	size_t i, n;
	bool convoy = false;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/io", tmp);
	/* real-time priority, as test_cpython: on a machine busy with other work
	 * the peer process would wait for a CPU, and that wait is the I/O
	 * thread's I/O time, not what is tested here */
	doc = record(dir, (char *[]){ "chrt", "-f", "10", (char *)python(), "tests/progs/gil_io.py",
				      "1.5", NULL });
	run = json_array_get(json_object_get(doc, "runs"), 0);
	assert_true(json_is_true(json_object_get(json_object_get(json_array_get(
		json_object_get(run, "python"), 0), "gil"), "found")));

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		double life = num(t, "lifetime_ns"), sum = 0;

		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
			sum += num(t, parts[k]);
		if (fabs(sum - life) > 0.01 * life)
			fail_msg("thread %.0f: breakdown sums to %.0f ns, lifetime %.0f ns",
				 num(t, "tid"), sum, life);
		if (!victim || num(t, "time_gil_ns") / life >
				       num(victim, "time_gil_ns") / num(victim, "lifetime_ns"))
			victim = t;
	}
	/* the I/O thread: most of its life waiting for the GIL, some in I/O */
	print_message("I/O thread %.0f: GIL %.1f%%, I/O %.1f%%, on CPU %.1f%% of %.0f ms\n",
		      num(victim, "tid"), 100 * num(victim, "time_gil_ns") / num(victim, "lifetime_ns"),
		      100 * num(victim, "time_io_ns") / num(victim, "lifetime_ns"),
		      100 * num(victim, "time_oncpu_ns") / num(victim, "lifetime_ns"),
		      num(victim, "lifetime_ns") / 1e6);
	assert_true(num(victim, "lifetime_ns") > 1.2e9);
	assert_true(num(victim, "time_gil_ns") > 0.5 * num(victim, "lifetime_ns"));
	/* it waits in recv for the peer part of each round trip (its send drops
	 * the GIL too, so the answer is often there before it has it back) */
	assert_true(num(victim, "time_io_ns") > 0.02 * num(victim, "lifetime_ns"));
	/* its GIL time is its GIL futex waits (waits still going at the end aside) */
	assert_true(fabs(num(victim, "time_gil_ns") - num(victim, "gil_wait_ns")) <
		    0.05 * num(victim, "time_gil_ns"));

	json_array_foreach(json_object_get(run, "findings"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "id")), "gil_convoy") &&
		    num(json_object_get(f, "figures"), "tid") == num(victim, "tid"))
			convoy = true;
	assert_true(convoy);

	/* the GIL: one row, its words together, first */
	gil_row = json_array_get(json_object_get(run, "locks"), 0);
	assert_string_equal(json_string_value(json_object_get(gil_row, "name")), "GIL");
	assert_true(json_array_size(json_object_get(gil_row, "words")) >= 2);

	/* the terminal shows the breakdown and the finding */
	snprintf(out, sizeof(out), "%s/out.txt", tmp);
	fp = fopen(out, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = 0;
	fclose(fp);
	assert_non_null(strstr(text, "GIL convoy: thread"));
	assert_non_null(strstr(text, " main "));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_io_beside_cpu, setup, teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
