/*
 * test_record_cli - `gilscope record` as a user runs it: exit statuses, the
 * files it writes (or, on error, does not write), Ctrl-C, attaching by pid,
 * and the summary's figures against the kernel's rusage of the same run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <jansson.h>
#include "cli.h"

static size_t files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static json_t *load_results(const char *dir)
{
	char path[256];
	json_error_t je;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	doc = json_load_file(path, 0, &je);
	if (!doc)
		fail_msg("%s: %s", path, je.text);
	return doc;
}

static json_t *first_run(json_t *doc)
{
	return json_array_get(json_object_get(doc, "runs"), 0);
}

/* A missing metric fails the test (integ.h), it never reads as a number. */
#define metric(run, name) integ_metric(run, name)

static void test_exit_status_and_files(void **state)
{
	char dir[128];
	static const char *names[] = { "oncpu_ns", "cores_used", "voluntary_switches",
		"involuntary_switches", "migrations", "futex_waits", "futex_wait_ns",
		"runq_p50_ns", "runq_p99_ns", "runq_max_ns", "iouring_submits",
		"iouring_completes", "iouring_punts", "lost_events" };
	json_t *doc, *run, *env;

	snprintf(dir, sizeof(dir), "%s/out", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json,csv", "-o", dir,
					 "--", "sh", "-c", "exit 3", NULL }), 3);
	doc = load_results(dir);
	run = first_run(doc);
	env = json_object_get(doc, "env");
	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), 1);
	assert_non_null(json_string_value(json_object_get(env, "kernel")));
	assert_non_null(json_string_value(json_object_get(env, "cpu_model")));
	assert_true(json_integer_value(json_object_get(env, "online_cpus")) >= 1);
	assert_int_equal(json_integer_value(json_object_get(run, "exit_status")), 3);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		metric(run, names[i]);
	assert_true(json_array_size(json_object_get(run, "threads")) >= 1);
	assert_true(json_is_array(json_object_get(run, "per_cpu")));
	assert_int_equal(metric(run, "lost_events"), 0);
	/* this kernel has BTF: the tp_btf programs ran, and the results say so */
	if (!json_is_false(integ_obj(integ_obj(run, "tracer"), "raw_tp")))
		fail_msg("tracer.raw_tp is not false on a kernel with BTF");
	assert_int_equal(json_array_size(integ_obj(integ_obj(run, "tracer"), "missing_tracepoints")), 0);
	json_decref(doc);
	snprintf(dir, sizeof(dir), "%s/out/summary.csv", tmp);
	assert_int_equal(access(dir, R_OK), 0);
}

static void test_agrees_with_kernel_rusage(void **state)
{
	char dir[128];
	json_t *doc, *run, *ru;

	snprintf(dir, sizeof(dir), "%s/storm", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--",
					 (char *)integ_prog("pingpong"), "30000", NULL }), 0);
	doc = load_results(dir);
	run = first_run(doc);
	ru = json_object_get(run, "rusage");
	assert_within(metric(run, "voluntary_switches"),
		      integ_num(ru, "voluntary_switches"), 0.01);
	assert_within(metric(run, "oncpu_ns"), integ_num(ru, "oncpu_ns"), 0.03);
	assert_true(metric(run, "futex_waits") >= 30000);
	json_decref(doc);
}

static void test_command_not_found(void **state)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/none", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-o", dir, "--",
					 "no-such-command-gilscope", NULL }), 127);
	assert_true(cli_says("command not found"));
	assert_int_equal(access(dir, F_OK), -1);
}

static void test_bad_flags(void **state)
{
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "--frobnicate", "--", "true", NULL }), 2);
	assert_true(cli_says("unknown option"));
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-i", "abc", "--", "true", NULL }), 2);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", NULL }), 2);
	assert_true(cli_says("nothing to record"));
	assert_int_equal(cli_run((char *[]){ "gilscope", "frob", NULL }), 2);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "--help", NULL }), 0);
	assert_true(cli_says("-p PID"));
}

static void test_unwritable_output(void **state)
{
	char file[128], dir[160];
	FILE *f;

	snprintf(file, sizeof(file), "%s/file", tmp);
	f = fopen(file, "w");
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/sub", file);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-o", dir, "--", "true", NULL }), 1);
	assert_true(cli_says("output directory"));
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-o", "/proc/gilscope-test", "--",
					 "true", NULL }), 1);
}

static void test_pid_gone(void **state)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	{
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", (int)p);
		assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-p", pid, NULL }), 1);
	}
	assert_true(cli_says("no process"));
}

static void test_not_root(void **state)
{
	char dir[128];
	int st;

	snprintf(dir, sizeof(dir), "%s/nr", tmp);
	chmod(tmp, 0777);
	waitpid(cli_spawn_as((char *[]){ "gilscope", "record", "-o", dir, "--", "true", NULL }, 65534), &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	assert_true(cli_says("root"));
	assert_int_equal(access(dir, F_OK), -1);
}

/* Ctrl-C mid-run: the command stops and the results of what was seen are written. */
static void test_interrupt_writes_results(void **state)
{
	char dir[128];
	json_t *doc, *run;
	int st;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/int", tmp);
	pid = cli_spawn_as((char *[]){ "gilscope", "record", "-q", "-o", dir, "--",
				(char *)integ_prog("spinner"), "20", NULL }, 0);
	/* interrupted once the spinner has run 0.6 s by the kernel's count (on
	 * a loaded machine a second of wall time may give it less) */
	{
		char path[64];
		double ran = 0;
		int child = 0;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
		for (int i = 0; i < 1500 && ran < 6e8; i++) {
			usleep(10000);
			if (!child && (f = fopen(path, "r"))) {
				if (fscanf(f, "%d", &child) != 1)
					child = 0;
				fclose(f);
			}
			if (child) {
				char sp[64];

				snprintf(sp, sizeof(sp), "/proc/%d/schedstat", child);
				if ((f = fopen(sp, "r"))) {
					if (fscanf(f, "%lf", &ran) != 1)
						ran = 0;
					fclose(f);
				}
			}
		}
	}
	kill(pid, SIGINT);
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 128 + SIGINT);
	doc = load_results(dir);
	run = first_run(doc);
	assert_true(json_is_true(json_object_get(run, "interrupted")));
	assert_true(metric(run, "oncpu_ns") > 5e8);
	assert_true(integ_num(run, "wall_s") < 10);
	json_decref(doc);
}

/* se.sum_exec_runtime of a process's main thread, ns. */
static double runtime_ns(pid_t pid)
{
	char path[64];
	double v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lf", &v) != 1)
		fail_msg("cannot read %s", path);
	fclose(f);
	return v;
}

/*
 * Attached to a spinning process for 1 s: its on-CPU time is what the kernel
 * counted over the window, not its past. The test's outer window (around the
 * whole gilscope command) contains gilscope's; the spinner can have run at
 * most one core's worth of the difference. How much CPU it gets depends on
 * the machine's load, so it is the kernel's figure, not 1 core, that is the
 * truth.
 */
#define TICK_NS 10e6

static void test_attach_by_pid_with_duration(void **state)
{
	char dir[128], pidstr[16];
	json_t *doc, *run;
	double rt0, rt1, t0, outer, wall, on;
	pid_t sp = fork();

	if (sp == 0) {
		execl(integ_prog("spinner"), "spinner", "5", (char *)NULL);
		_exit(127);
	}
	snprintf(pidstr, sizeof(pidstr), "%d", (int)sp);
	snprintf(dir, sizeof(dir), "%s/attach", tmp);
	usleep(300000); /* a past of its own, not to be counted */
	t0 = integ_now();
	rt0 = runtime_ns(sp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-o", dir, "-p", pidstr,
					 "-d", "1", NULL }), 0);
	rt1 = runtime_ns(sp);
	outer = integ_now() - t0;
	assert_int_equal(kill(sp, 0), 0); /* recording does not stop the process */
	kill(sp, SIGKILL);
	waitpid(sp, NULL, 0);
	doc = load_results(dir);
	run = first_run(doc);
	wall = integ_num(run, "wall_s");
	on = metric(run, "oncpu_ns");
	printf("    attached for %.2f s (outer %.2f s): on CPU %.3f s, kernel %.3f s in the outer "
	       "window; cores_used %.3f\n", wall, outer, on / 1e9, (rt1 - rt0) / 1e9,
	       metric(run, "cores_used"));
	/* a running thread's se.sum_exec_runtime, as /proc and the tracer read
	 * it, lags by up to one scheduler tick (10 ms at HZ=100, the coarsest):
	 * the one tolerance; the 300 ms of its past would be far outside it */
	assert_true(wall >= 1.0 && wall < outer);
	assert_true(on <= rt1 - rt0 + TICK_NS);
	assert_true(on >= rt1 - rt0 - (outer - wall) * 1e9 - TICK_NS);
	assert_true(fabs(metric(run, "cores_used") - on / (wall * 1e9)) < 1e-3);
	assert_true(metric(run, "cores_used") <= 1.0 + TICK_NS / (wall * 1e9)); /* one thread */
	json_decref(doc);
}

/* Split one CSV line (RFC 4180 quoting, CRLF) into at most n fields in place. */
static int csv_split(char *line, char **f, int n)
{
	int k = 0;
	char *w = line, *r = line;

	line[strcspn(line, "\r\n")] = 0;
	while (k < n) {
		bool q = *r == '"';

		f[k++] = w;
		r += q;
		while (*r && (q || *r != ',')) {
			if (q && *r == '"') {
				if (r[1] != '"') {
					q = false;
					r++;
					continue;
				}
				r++;
			}
			*w++ = *r++;
		}
		if (*r != ',') {
			*w = 0;
			break;
		}
		*w++ = 0;
		r++;
	}
	return k;
}

/* The row of compare.csv for metric and source: value, ratio, significant. */
static bool compare_row(const char *csv, const char *metric_name, const char *source, double *value,
			char *ratio, size_t rlen, bool *significant)
{
	char line[2048], *f[9];
	FILE *fp = fopen(csv, "r");
	bool found = false;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (csv_split(line, f, 9) != 9 || strcmp(f[1], metric_name) || strcmp(f[3], source))
			continue;
		assert_false(found); /* one row per cell, metric and source */
		found = true;
		*value = atof(f[4]);
		snprintf(ratio, rlen, "%s", f[7]);
		*significant = !strcmp(f[8], "true");
		assert_true(*significant || !strcmp(f[8], "false"));
	}
	fclose(fp);
	return found;
}

/* The same command recorded twice, the second doing three times the work:
 * compare marks the increase (and, the other way round, the decrease) with
 * the figures of each file. */
static void test_compare_two_records(void **state)
{
	char conf[128], a[128], b[128], out[128], csv[160], script[512], ratio[64];
	const char *srcs[2] = { a, b };
	double on[2], v;
	bool sig;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/seconds", tmp);
	/* tree 0 1 ROUNDS: one thread, a fixed amount of computing per round */
	snprintf(script, sizeof(script), "exec %s 0 1 $(cat %s)", integ_prog("tree"), conf);
	for (int i = 0; i < 2; i++) {
		json_t *doc;

		f = fopen(conf, "w");
		fputs(i ? "240" : "80", f);
		fclose(f);
		snprintf(i ? b : a, sizeof(a), "%s/rec%d", tmp, i);
		assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o",
						 (char *)srcs[i], "--", "sh", "-c", script, NULL }), 0);
		doc = load_results(srcs[i]);
		on[i] = metric(first_run(doc), "oncpu_ns");
		json_decref(doc);
		strcat(i ? b : a, "/results.json");
	}
	printf("    on CPU %.3f s, then %.3f s\n", on[0] / 1e9, on[1] / 1e9);
	snprintf(out, sizeof(out), "%s/cmp", tmp);
	snprintf(csv, sizeof(csv), "%s/compare.csv", out);
	assert_int_equal(cli_run((char *[]){ "gilscope", "compare", a, b, "-o", out, NULL }), 0);
	assert_true(compare_row(csv, "oncpu_ns", a, &v, ratio, sizeof(ratio), &sig));
	assert_true(fabs(v - on[0]) <= 1e-6 * on[0]);
	assert_string_equal(ratio, "1");
	assert_false(sig); /* the baseline against itself */
	assert_true(compare_row(csv, "oncpu_ns", b, &v, ratio, sizeof(ratio), &sig));
	assert_true(fabs(v - on[1]) <= 1e-6 * on[1]);
	assert_true(fabs(atof(ratio) - on[1] / on[0]) < 1e-4 * on[1] / on[0]);
	/* three times the work, more on-CPU time: how much more depends on the
	 * machine (the fixed cost of starting sh and the program is 20-60% of
	 * the first record's time under emulation); the ratio is exact above */
	assert_true(atof(ratio) > 1);
	assert_true(sig); /* one sample each: any difference is outside the spread */
	/* nothing lost either time: no ratio to a zero baseline, no difference */
	assert_true(compare_row(csv, "lost_events", b, &v, ratio, sizeof(ratio), &sig));
	assert_true(v == 0 && !ratio[0] && !sig);
	/* the other way round: a decrease, marked as well */
	assert_int_equal(cli_run((char *[]){ "gilscope", "compare", b, a, "-o", out, NULL }), 0);
	assert_true(compare_row(csv, "oncpu_ns", a, &v, ratio, sizeof(ratio), &sig));
	assert_true(fabs(atof(ratio) - on[0] / on[1]) < 1e-4);
	assert_true(atof(ratio) < 1);
	assert_true(sig);
}

/* --timeline: a Chrome trace with on-CPU slices and futex waits of the threads */
static void test_timeline_trace(void **state)
{
	char dir[128], path[160];
	json_error_t je;
	json_t *root, *e;
	size_t i, oncpu = 0, waits = 0, names = 0;

	snprintf(dir, sizeof(dir), "%s/tl", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-t", "-f", "json", "-o", dir, "--",
					(char *)integ_prog("pingpong"), "2000", NULL }), 0);
	snprintf(path, sizeof(path), "%s/trace.json", dir);
	root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("%s: %s", path, je.text);
	json_array_foreach(json_object_get(root, "traceEvents"), i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		oncpu += !strcmp(name, "on CPU");
		waits += !strcmp(name, "futex wait");
		names += !strcmp(name, "thread_name");
	}
	printf("    trace: %zu on-CPU slices, %zu futex waits, %zu track names\n", oncpu, waits, names);
	assert_true(oncpu >= 2000);  /* every round trip switches both threads */
	assert_true(waits >= 2000);
	assert_true(names >= 4);     /* two threads, two tracks each */
	assert_int_equal(integ_num(integ_obj(root, "otherData"), "lost_events"), 0);
	json_decref(root);
}

/* A symlink planted where a report goes is replaced, never written through. */
static void test_symlink_not_followed(void **state)
{
	char dir[128], victim[128], link[160], buf[32] = "";
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/sym", tmp);
	snprintf(victim, sizeof(victim), "%s/victim", tmp);
	snprintf(link, sizeof(link), "%s/results.json", dir);
	mkdir(dir, 0755);
	f = fopen(victim, "w");
	fputs("keep me", f);
	fclose(f);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--",
					 "true", NULL }), 0);
	f = fopen(victim, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "keep me");
	assert_true(files_in(dir) == 1);
}

/*
 * A real CPython (Debian's python3, installed by make deps; GILSCOPE_PYTHON
 * picks another) running two CPU-bound threads: the figures agree with the
 * kernel's rusage, and the kernel shows the GIL at work: about one core used
 * on a multi-core machine, and the waiters' futex word waits out the switch
 * interval (5 ms) before the holder is asked to drop it.
 */
static void test_real_cpython(void **state)
{
	const char *py = getenv("GILSCOPE_PYTHON") ? getenv("GILSCOPE_PYTHON") : "/usr/bin/python3";
	/* the tests run from the top of the source tree */
	const char *script = "tests/progs/gil_threads.py";
	char dir[128];
	json_t *doc, *run, *ru, *fx, *hot = NULL;
	double vol, ru_vol;
	size_t i;

	if (access(py, X_OK))
		fail_msg("%s not found: make deps installs Debian's python3", py);
	snprintf(dir, sizeof(dir), "%s/py", tmp);
	assert_int_equal(cli_run((char *[]){ "gilscope", "record", "-q", "-f", "json", "-o", dir, "--",
					 (char *)py, (char *)script, "2500000", NULL }), 0);
	assert_true(cli_says("result ok"));
	doc = load_results(dir);
	run = first_run(doc);
	ru = json_object_get(run, "rusage");
	/*
	 * Exact: the command is counted from its fork (its switches before it
	 * was followed are the kernel's own counts, read once it is off the
	 * CPU), and a thread's switches after it was released (its last, or a
	 * preemption on its way out), which rusage does not have, are not
	 * counted.
	 */
	vol = metric(run, "voluntary_switches");
	ru_vol = integ_num(ru, "voluntary_switches");
	printf("    switches %.0f/%.0f vs rusage %.0f/%.0f\n", vol,
	       metric(run, "involuntary_switches"), ru_vol, integ_num(ru, "involuntary_switches"));
	assert_int_equal((long long)vol, (long long)ru_vol);
	assert_int_equal((long long)metric(run, "involuntary_switches"),
			 (long long)integ_num(ru, "involuntary_switches"));
	assert_within(metric(run, "oncpu_ns"), integ_num(ru, "oncpu_ns"), 0.03);
	printf("    cores used %.2f, futex waits %.0f\n", metric(run, "cores_used"),
	       metric(run, "futex_waits"));
	if (integ_num(integ_obj(doc, "env"), "online_cpus") >= 2)
		assert_true(metric(run, "cores_used") < 1.3);
	else
		printf("    one online CPU: the one-core check says nothing here\n");
	/* the GIL's condition variable: waited on again and again, each wait
	 * lasting up to the switch interval (a join or a mutex does not) */
	json_array_foreach(json_object_get(run, "futexes"), i, fx) {
		if (integ_num(fx, "waits") >= 10 &&
		    (!hot || integ_num(fx, "max_wait_ns") > integ_num(hot, "max_wait_ns")))
			hot = fx;
	}
	if (!hot)
		fail_msg("no futex word waited on 10 times or more");
	printf("    GIL-like futex word %s: %lld waits, longest %.2f ms\n",
	       json_string_value(json_object_get(hot, "uaddr")),
	       (long long)integ_num(hot, "waits"), integ_num(hot, "max_wait_ns") / 1e6);
	assert_true(integ_num(hot, "max_wait_ns") >= 4e6);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exit_status_and_files, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_agrees_with_kernel_rusage, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_command_not_found, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_bad_flags, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_output, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_pid_gone, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_not_root, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_writes_results, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_attach_by_pid_with_duration, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_not_followed, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_timeline_trace, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_real_cpython, cli_setup, cli_teardown),
		cmocka_unit_test_setup_teardown(test_compare_two_records, cli_setup, cli_teardown),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
