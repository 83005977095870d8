/*
 * record.c - `gilscope record`: trace a command (or a running process) until it
 * ends, -d elapses or Ctrl-C, then print a summary and write the results.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "derive.h"
#include "fsout.h"
#include "futex_namer.h"
#include "outputs.h"
#include "proctree.h"
#include "py_watch.h"
#include "record_args.h"
#include "record_table.h"
#include "results.h"
#include "run_build.h"
#include "sysstr.h"
#include "timeline.h"
#include "tracer.h"

static volatile sig_atomic_t interrupted;  /* the last INT or TERM */
static volatile sig_atomic_t n_interrupts; /* how many */
static volatile sig_atomic_t sent_to_us; /* by kill(), not by the terminal */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	interrupted = sig;
	n_interrupts++;
	/* Ctrl-C on a terminal reaches the whole foreground group (the command
	 * too, SI_KERNEL); a signal sent to gilscope alone is passed on. */
	if (si->si_code == SI_USER || si->si_code == SI_QUEUE)
		sent_to_us = 1;
}

/* Is cmd runnable, the way execvp will look for it? 0, or the errno a shell
 * would report: ENOENT (not found), EACCES or EISDIR (found, not runnable). */
static int command_check(const char *cmd)
{
	const char *path = getenv("PATH");
	char buf[4096];
	struct stat st;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) < 0)
			return errno;
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		return access(cmd, X_OK) < 0 ? errno : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", cmd);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	return ENOENT;
}

/* The shell's exit status for a command that could not be run, and one line. */
static int cannot_run(const char *cmd, int e, bool found)
{
	if (e == ENOENT && !found)
		fprintf(stderr, "gilscope record: %s: command not found\n", cmd);
	else if (e == ENOENT) /* the file is there: its #! interpreter is not */
		fprintf(stderr, "gilscope record: cannot run %s: %s (is its #! interpreter missing?)\n",
			cmd, strerror(e));
	else
		fprintf(stderr, "gilscope record: cannot run %s: %s\n", cmd, strerror(e));
	return e == ENOENT ? 127 : 126; /* as bash: only "not found" is 127 */
}

/*
 * Fork the command stopped before exec: it waits for one byte on `go` so that
 * it is traced from its first instruction. Exec failures come back on a
 * close-on-exec pipe as an errno.
 */
static pid_t start_command(char **cmd, int *go_fd, int *err_fd)
{
	int go[2], er[2];
	pid_t pid, parent = getpid();

	if (pipe2(go, O_CLOEXEC) || pipe2(er, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char b;
		int e;

		close(go[1]);
		close(er[0]);
		signal(SIGINT, SIG_DFL);
		/* a SIGKILLed gilscope takes the command with it, never orphans it;
		 * if gilscope died before the prctl, the parent is already another */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (read(go[0], &b, 1) != 1)
			_exit(127); /* the tracer gave up */
		execvp(cmd[0], cmd);
		e = errno;
		if (write(er[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(e == ENOENT ? 127 : 126);
	}
	close(go[0]);
	close(er[1]);
	*go_fd = go[1];
	*err_fd = er[0];
	return pid;
}

/*
 * Ctrl-C, as perf and strace users expect: the first is the command's (the
 * terminal sent it to the whole group; one sent to gilscope alone is passed
 * on); a second sends SIGTERM, a third SIGKILL to the command and everything
 * it started. Returns how many interrupts are now handled.
 */
static int escalate(const char *cmd, pid_t child, int n, int handled, uint64_t *t_first)
{
	if (handled == 0) {
		*t_first = clock_mono_ns();
		if (sent_to_us)
			kill(child, interrupted);
		if (n == 1)
			return 1;
	}
	if (n == 2 || handled == 1) {
		fprintf(stderr, "gilscope: interrupted again: SIGTERM to %s and everything it "
			"started (once more: SIGKILL)\n", cmd);
		kill(child, SIGTERM);
		proc_signal_descendants(getpid(), SIGTERM);
		if (n == 2)
			return 2;
	}
	fprintf(stderr, "gilscope: interrupted a third time: SIGKILL to %s and everything it "
		"started\n", cmd);
	kill(child, SIGKILL);
	proc_signal_descendants(getpid(), SIGKILL);
	return n;
}

static void label_of(const struct record_opts *o, char *buf, size_t len)
{
	char full[4096];
	size_t used;

	if (o->pid) {
		snprintf(buf, len, "record: pid %d", (int)o->pid);
		return;
	}
	used = (size_t)snprintf(full, sizeof(full), "record:");
	for (int i = 0; i < o->cmdc && used + 1 < sizeof(full); i++)
		used += (size_t)snprintf(full + used, sizeof(full) - used, " %s", o->cmd[i]);
	/* a long command is cut, but never inside a UTF-8 character */
	snprintf(buf, len, "%.*s", (int)utf8_cut(full, len - 1), full);
}

/* Every file is tried; each one that cannot be written says why. */
static int write_outputs(const struct record_opts *o, const char *dir, json_t *doc,
			 const struct trace_data *d, const json_t *run, FILE *spool)
{
	char err[1024];
	int rc = 0;

	if (outputs_write_all(doc, dir, o->formats, err, sizeof(err))) {
		fprintf(stderr, "gilscope record: %s\n", err);
		rc = -1;
	}
	if (o->timeline && outputs_write_timeline(dir, "trace.json", d, run, spool, err, sizeof(err))) {
		fprintf(stderr, "gilscope record: %s\n", err);
		rc = -1;
	}
	return rc;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o;
	struct tracer_opts to = { 0 };
	struct trace_data d;
	struct tracer *t = NULL;
	char err[512], label[512];
	const char *dir;
	int status = 0, go_fd = -1, err_fd = -1, pidfd = -1, rc = 1, exec_errno = 0;
	pid_t child = 0;
	bool reaped = false;
	uint64_t t0 = 0, t_int = 0;
	double wall;
	json_t *doc = NULL, *run;
	struct rusage children = { 0 };
	struct py_watch *pw = NULL;
	struct futex_namer *fn = NULL;
	FILE *spool = NULL;
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	switch (record_parse_args(argc, argv, &o, err, sizeof(err))) {
	case ARGS_HELP:
		fputs(record_usage, stdout);
		return 0;
	case ARGS_ERROR:
		fprintf(stderr, "gilscope record: %s\n", err);
		return 2;
	}
	if (!o.pid && (exec_errno = command_check(o.cmd[0])))
		return cannot_run(o.cmd[0], exec_errno, exec_errno != ENOENT);
	if (o.pid && proc_is_self_or_ancestor(o.pid)) {
		fprintf(stderr, "gilscope record: pid %d is gilscope itself or one of its parents: "
			"it would trace itself (attach from another shell)\n", (int)o.pid);
		return 2;
	}
	if (o.pid) {
		pidfd = (int)syscall(SYS_pidfd_open, o.pid, 0);
		if (pidfd < 0) {
			fprintf(stderr, "gilscope record: no process %d to attach to (%s)\n", (int)o.pid,
				strerror(errno));
			return 1;
		}
	}
	dir = o.outdir ? o.outdir : out_default_dir();
	/* the directory itself is made when the results are written */
	if (out_dir_check(dir, err, sizeof(err))) {
		fprintf(stderr, "gilscope record: %s\n", err);
		goto out;
	}

	/* from here on, Ctrl-C is ours to handle: loading the programs can take a
	 * while (seconds under emulation), and a signal then must not kill gilscope */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	to.timeline = o.timeline;
	to.sample_ms = o.interval_ms;
	to.bpf_stats = o.bpf_stats;
	t = tracer_open(&to, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "gilscope record: %s\n", err);
		goto out;
	}
	/* --timeline: events stream to a nameless spool file, not to memory */
	if (o.timeline) {
		if (!(spool = timeline_spool_new())) {
			fprintf(stderr, "gilscope record: cannot make a temporary file for the "
				"timeline: %s\n", strerror(errno));
			goto out;
		}
		tracer_on_event(t, timeline_spool_event, spool);
	}

	/* orphaned grandchildren come back to us, so RUSAGE_CHILDREN covers the tree */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	if (o.pid) {
		int e;

		/* attached: the threads' on-CPU time counts from here (their
		 * runtime is read as they are added), so the wall clock does too */
		t0 = clock_mono_ns();
		e = tracer_follow_running(t, o.pid);

		if (e) {
			fprintf(stderr, "gilscope record: cannot follow process %d: %s\n", (int)o.pid,
				strerror(-e));
			goto out;
		}
	} else {
		child = start_command(o.cmd, &go_fd, &err_fd);
		if (child < 0 || tracer_follow_new(t, child)) {
			fprintf(stderr, "gilscope record: cannot start %s: %s\n", o.cmd[0], strerror(errno));
			goto out;
		}
	}
	tracer_start(t);
	/* CPython in the traced tree: its GIL found and registered (user/python) */
	pw = py_watch_new(t, o.pid ? o.pid : child, !o.pid, o.interval_ms);
	py_watch_poll(pw);
	/* the tree's memory maps, to name its futex words at the end (not read
	 * before the command's exec: they would be gilscope's) */
	fn = futex_namer_new(o.pid ? o.pid : child, !o.pid, o.interval_ms);
	if (!o.pid) /* a command's clock starts as it is let go */
		t0 = clock_mono_ns();
	if (child && write(go_fd, "g", 1) != 1) {
		fprintf(stderr, "gilscope record: cannot start %s\n", o.cmd[0]);
		goto out;
	}
	if (!o.quiet && o.pid)
		fprintf(stderr, "gilscope: recording pid %d%s... Ctrl-C to stop\n", (int)o.pid,
			o.duration_s ? " for the given duration" : "");

	for (int handled = 0, hinted = 0, expired = 0;;) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		bool done;

		if (child) {
			done = waitpid(child, &status, WNOHANG) == child;
			if (done)
				reaped = true;
			else
				usleep(o.interval_ms * 1000 / 4);
		} else {
			done = poll(&pfd, 1, (int)o.interval_ms / 4) > 0;
		}
		tracer_sample(t);
		py_watch_poll(pw);
		futex_namer_poll(fn);
		if (done)
			break;
		if (!child && (interrupted || (o.duration_s && clock_elapsed_s(t0) >= o.duration_s)))
			break;
		/* with a command, stop it and record until it has ended */
		if (child && n_interrupts > handled)
			handled = escalate(o.cmd[0], child, n_interrupts, handled, &t_int);
		if (child && handled == 1 && !hinted && !o.quiet && clock_elapsed_s(t_int) > 1) {
			fprintf(stderr, "gilscope: waiting for %s to end; Ctrl-C again sends SIGTERM, "
				"a third time SIGKILL\n", o.cmd[0]);
			hinted = 1;
		}
		if (child && o.duration_s && !expired && clock_elapsed_s(t0) >= o.duration_s) {
			kill(child, SIGTERM);
			expired = 1;
		}
	}
	py_watch_finish(pw);
	futex_namer_finish(fn);
	wall = clock_elapsed_s(t0);
	if (child && read(err_fd, &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		rc = cannot_run(o.cmd[0], exec_errno, true);
		goto out;
	}
	if (tracer_collect(t, &d)) {
		fprintf(stderr, "gilscope record: cannot read the tracer's maps\n");
		goto out;
	}
	/* attached threads still running were read just now: their window ends here */
	if (o.pid)
		wall = clock_elapsed_s(t0);

	doc = results_new(argc + 1, argv - 1);
	label_of(&o, label, sizeof(label));
	if (child) {
		getrusage(RUSAGE_CHILDREN, &children);
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (WIFSIGNALED(status) && (interrupted || !o.quiet))
			fprintf(stderr, "gilscope: %s was ended by SIG%s; exit status %d\n", o.cmd[0],
				sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?", rc);
	} else {
		rc = 0;
	}
	run = results_append_run(doc, run_build_record(label,
		&(struct run_trace){ .data = &d, .wall_s = wall, .trace_wall_s = wall },
		&(struct record_run){ .cmd = child ? o.cmd : NULL, .cmdc = o.cmdc, .exit_status = rc,
				      .children = &children, .pid = o.pid,
				      .interrupted = interrupted != 0 }));
	py_watch_results(pw, run);
	futex_namer_apply(fn, run);
	results_derive(doc);
	if (!o.quiet)
		record_table_print(stdout, run);
	if (write_outputs(&o, dir, doc, &d, run, spool)) {
		/* a write failure wins over the command's own status (see --help) */
		if (rc)
			fprintf(stderr, "gilscope record: exit status 1, not %s's %d: the results "
				"were not all written\n", o.cmd[0] ? o.cmd[0] : "the command", rc);
		rc = 1;
	} else if (!o.quiet) {
		printf("\n  results: %s/\n", dir);
	}
	trace_data_free(&d);
	goto out;

out:
	if (go_fd >= 0)
		close(go_fd); /* a child still waiting for it exits now */
	if (child > 0 && !reaped)
		waitpid(child, NULL, 0);
	if (err_fd >= 0)
		close(err_fd);
	if (pidfd >= 0)
		close(pidfd);
	json_decref(doc);
	py_watch_free(pw);
	futex_namer_free(fn);
	tracer_close(t);
	if (spool)
		fclose(spool);
	return rc;
}
