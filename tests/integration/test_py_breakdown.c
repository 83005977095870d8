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
#include "cli.h"

static const char *const parts[] = { "time_oncpu_ns", "time_runq_ns", "time_gil_ns", "time_lock_ns",
				     "time_io_ns", "time_sleep_ns", "time_other_ns" };

/* The GIL of the interpreter with process id tgid was found. */
static bool gil_found(json_t *run, double tgid)
{
	json_t *py;
	size_t i;

	json_array_foreach(json_object_get(run, "python"), i, py)
		if (integ_num(py, "tgid") == tgid)
			return json_is_true(json_object_get(json_object_get(py, "gil"), "found"));
	return false;
}

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
	doc = cli_record_json(dir, false, (char *[]){ "chrt", "-f", "10", (char *)cli_python(), "tests/progs/gil_io.py",
				      "1.5", NULL });
	run = json_array_get(json_object_get(doc, "runs"), 0);

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		double life = integ_num(t, "lifetime_ns"), sum = 0;

		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
			sum += integ_num(t, parts[k]);
		if (fabs(sum - life) > 0.01 * life)
			fail_msg("thread %.0f: breakdown sums to %.0f ns, lifetime %.0f ns",
				 integ_num(t, "tid"), sum, life);
		if (!victim || integ_num(t, "time_gil_ns") / life >
				       integ_num(victim, "time_gil_ns") / integ_num(victim, "lifetime_ns"))
			victim = t;
	}
	/* its interpreter's GIL was found (the peer process is a second
	 * interpreter, listed in whatever order the scans met them) */
	assert_true(gil_found(run, integ_num(victim, "tgid")));
	/* the I/O thread: most of its life waiting for the GIL, some in I/O */
	print_message("I/O thread %.0f: GIL %.1f%%, I/O %.1f%%, on CPU %.1f%% of %.0f ms\n",
		      integ_num(victim, "tid"), 100 * integ_num(victim, "time_gil_ns") / integ_num(victim, "lifetime_ns"),
		      100 * integ_num(victim, "time_io_ns") / integ_num(victim, "lifetime_ns"),
		      100 * integ_num(victim, "time_oncpu_ns") / integ_num(victim, "lifetime_ns"),
		      integ_num(victim, "lifetime_ns") / 1e6);
	assert_true(integ_num(victim, "lifetime_ns") > 1.2e9);
	assert_true(integ_num(victim, "time_gil_ns") > 0.5 * integ_num(victim, "lifetime_ns"));
	/* it waits in recv for the peer's first answer, 100 ms after its
	 * question, less the GIL's re-take after its send (an interval or two);
	 * the later answers are mostly there before it has the GIL back */
	assert_true(integ_num(victim, "time_io_ns") > 50e6);
	/* its GIL time is its GIL futex waits (waits still going at the end aside) */
	assert_true(fabs(integ_num(victim, "time_gil_ns") - integ_num(victim, "gil_wait_ns")) <
		    0.05 * integ_num(victim, "time_gil_ns"));

	json_array_foreach(json_object_get(run, "findings"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "id")), "gil_convoy") &&
		    integ_num(json_object_get(f, "figures"), "tid") == integ_num(victim, "tid"))
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
		cmocka_unit_test_setup_teardown(test_io_beside_cpu, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
