/*
 * test_attach - `gilscope record -p PID` on a multi-threaded target with
 * child processes, threads and a process exiting mid-window, and a past
 * before the attach that must not count. The truth is the kernel's: each
 * thread's /proc/PID/task/TID/{status,schedstat} before the attach and after
 * the window, and for what exited mid-window its own final getrusage (a
 * thread) or its parent's wait4 (a process), written to a shared file by
 * tests/progs/attach_tree.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "integ.h"
#include "truth.h"

/* Must match tests/progs/attach_tree.c. */
struct exit_rec {
	int tid, tgid;
	long nvcsw, nivcsw;
	long oncpu_us;
};

struct shared {
	_Atomic int go, done, parked;
	_Atomic int nrec;
	struct exit_rec rec[256];
};

#define MAX_BASE 64

struct base {
	pid_t tgid, tid;
	struct task_truth k;
};

static struct base bases[MAX_BASE];
static int nbases;

static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %d", &ppid);
	fclose(f);
	return ppid;
}

/* Call fn(tgid, tid) for every thread of root and its children. */
static void each_thread(pid_t root, void (*fn)(pid_t, pid_t, void *), void *arg)
{
	pid_t procs[32];
	int n = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	procs[n++] = root;
	while (d && (e = readdir(d))) {
		pid_t p = atoi(e->d_name);

		if (p > 0 && ppid_of(p) == root && n < 32)
			procs[n++] = p;
	}
	if (d)
		closedir(d);
	for (int i = 0; i < n; i++) {
		char path[64];
		DIR *t;

		snprintf(path, sizeof(path), "/proc/%d/task", (int)procs[i]);
		t = opendir(path);
		while (t && (e = readdir(t)))
			if (atoi(e->d_name) > 0)
				fn(procs[i], atoi(e->d_name), arg);
		if (t)
			closedir(t);
	}
}

static void count_asleep(pid_t tgid, pid_t tid, void *arg)
{
	int *n = arg;

	n[0]++;
	n[1] += truth_state(tid) == 'S';
}

static void kill_child(pid_t tgid, pid_t tid, void *arg)
{
	if (tgid != *(pid_t *)arg && tid == tgid)
		kill(tgid, SIGKILL);
}

static void take_base(pid_t tgid, pid_t tid, void *arg)
{
	assert_true(nbases < MAX_BASE);
	bases[nbases].tgid = tgid;
	bases[nbases].tid = tid;
	assert_true(truth_task(tgid, tid, &bases[nbases].k));
	nbases++;
}

static const struct task_truth *base_of(pid_t tid)
{
	static const struct task_truth zero;

	for (int i = 0; i < nbases; i++)
		if (bases[i].tid == tid)
			return &bases[i].k;
	return &zero; /* born after the attach */
}

struct totals {
	double vol, invol, oncpu_ns;
	int threads;
};

static void add_live(pid_t tgid, pid_t tid, void *arg)
{
	struct totals *t = arg;
	const struct task_truth *b = base_of(tid);
	struct task_truth k;

	assert_true(truth_task(tgid, tid, &k));
	t->vol += (double)(k.nvcsw - b->nvcsw);
	t->invol += (double)(k.nivcsw - b->nivcsw);
	t->oncpu_ns += (double)(k.runtime_ns - b->runtime_ns);
	t->threads++;
}

/* Threads of an early process that exited: their bases are gone with it. */
static void base_of_process(pid_t tgid, struct task_truth *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < nbases; i++) {
		if (bases[i].tgid != tgid)
			continue;
		sum->nvcsw += bases[i].k.nvcsw;
		sum->nivcsw += bases[i].k.nivcsw;
		sum->runtime_ns += bases[i].k.runtime_ns;
	}
}

static char file[] = "/tmp/gs-attach-XXXXXX";
static pid_t live_target; /* the target while it is not reaped */

static void kill_child(pid_t tgid, pid_t tid, void *arg);
static void each_thread(pid_t root, void (*fn)(pid_t, pid_t, void *), void *arg);

/* Whatever the test's outcome: no process and no file left behind. */
static int cleanup(void **state)
{
	char cmd[128];

	if (live_target > 0) {
		each_thread(live_target, kill_child, &live_target);
		kill(live_target, SIGKILL);
		waitpid(live_target, NULL, 0);
		live_target = 0;
	}

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.out", file, file);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_attach_to_a_busy_tree(void **state)
{
	char dir[64], pidstr[16], line[512];
	int fd = mkstemp(file), errp[2], st;
	struct shared *sh;
	struct totals truth = { 0 };
	pid_t target, gs;
	json_t *doc, *run;
	json_error_t je;
	bool recording = false;
	FILE *gs_err;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, sizeof(struct shared)), 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(sh != MAP_FAILED);
	close(fd);
	target = fork();
	if (target == 0) {
		execl(integ_prog("attach_tree"), "attach_tree", file, (char *)NULL);
		_exit(127);
	}
	live_target = target;
	/* everything parked: main, E1, E2, C1 and its two threads, C2 */
	for (int i = 0; i < 5000; i++) {
		int n[2] = { 0, 0 };

		each_thread(target, count_asleep, n);
		if (n[0] == 7 && n[1] == 7)
			break;
		usleep(2000);
	}
	each_thread(target, take_base, NULL);
	printf("    before the attach: %d threads in the tree\n", nbases);
	assert_int_equal(nbases, 3 + 3 + 1);

	snprintf(dir, sizeof(dir), "%s.out", file);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)target);
	assert_int_equal(pipe(errp), 0);
	gs = fork();
	if (gs == 0) {
		dup2(errp[1], 2);
		close(errp[0]);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execl(integ_gilscope(), "gilscope", "record", "-f", "json", "-o", dir, "-p", pidstr,
		      "-d", "3", (char *)NULL);
		_exit(127);
	}
	close(errp[1]);
	gs_err = fdopen(errp[0], "r");
	while (fgets(line, sizeof(line), gs_err)) {
		if (strstr(line, "recording pid")) {
			recording = true;
			break;
		}
		printf("    gilscope: %s", line);
	}
	assert_true(recording);
	/* go: the tree works, threads and a process exit, then it parks */
	atomic_store(&sh->go, 1);
	syscall(SYS_futex, &sh->go, FUTEX_WAKE, 1 << 30, NULL, NULL, 0);
	for (int i = 0; i < 3000 && !(atomic_load(&sh->done) && atomic_load(&sh->parked) >= 5); i++)
		usleep(1000);
	if (waitpid(gs, &st, WNOHANG) != 0)
		fail_msg("gilscope ended before the tree was done: the window missed some of it");
	assert_true(atomic_load(&sh->done));
	while (fgets(line, sizeof(line), gs_err))
		;
	fclose(gs_err);
	waitpid(gs, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	/* the truth: survivors from /proc, leavers from their own records */
	each_thread(target, add_live, &truth);
	for (int i = 0; i < atomic_load(&sh->nrec); i++) {
		const struct exit_rec *r = &sh->rec[i];
		struct task_truth b;

		if (r->tid == r->tgid) /* a process, reaped: all its threads */
			base_of_process(r->tgid, &b);
		else
			b = *base_of(r->tid);
		truth.vol += (double)(r->nvcsw - b.nvcsw);
		truth.invol += (double)(r->nivcsw - b.nivcsw);
		truth.oncpu_ns += (double)r->oncpu_us * 1e3 - (double)b.runtime_ns;
	}
	/* the parked child C1 first (while it is still the target's child), then the target */
	each_thread(target, kill_child, &target);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	live_target = 0;

	snprintf(line, sizeof(line), "%s/results.json", dir);
	doc = json_load_file(line, 0, &je);
	if (!doc)
		fail_msg("%s: %s", line, je.text);
	run = json_array_get(integ_obj(doc, "runs"), 0);
	printf("    records: %d exits; gilscope: %.0f threads in %.0f processes\n",
	       atomic_load(&sh->nrec), integ_metric(run, "threads"), integ_metric(run, "processes"));
	/* main, E1, E2, L1-3; C1 + 2; C2; C3 + 2 */
	assert_int_equal(integ_metric(run, "processes"), 4);
	assert_int_equal(integ_metric(run, "threads"), 6 + 3 + 1 + 3);
	assert_within(integ_metric(run, "voluntary_switches"), truth.vol, 0.01);
	assert_within(integ_metric(run, "involuntary_switches"), truth.invol,
		      0.02 + 5.0 / (truth.invol + 1));
	/* the 200 ms the target burned before the attach are not counted */
	assert_within(integ_metric(run, "oncpu_ns"), truth.oncpu_ns, 0.03);
	assert_int_equal(integ_metric(run, "lost_events"), 0);
	json_decref(doc);
	munmap(sh, sizeof(*sh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_attach_to_a_busy_tree, cleanup),
	};

	integ_require_bpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
