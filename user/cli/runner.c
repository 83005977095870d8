/* runner.c - the runner process and its pipe protocol (see runner.h). */
#include "runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fullio.h"

/* Messages up the runner's pipe: 'G' + range (the GIL exists), 'R' + result. */
struct up_gil {
	char tag;
	uint64_t start, len;
};

struct runner_io {
	int up, down;
};

/* In the runner: tell gilscope where the GIL is and wait until it is marked. */
static void gil_ready(void *arg, uint64_t start, uint64_t len)
{
	struct runner_io *io = arg;
	struct up_gil m = { 'G', start, len };
	char ack;

	if (write_full(io->up, &m, sizeof(m)) || read_full(io->down, &ack, 1))
		_exit(4);
}

static void runner(const struct wl_spec *spec, struct runner_io io)
{
	struct wl_hooks hooks = { gil_ready, &io };
	static struct wl_result r;
	char go, tag = 'R';

	char name[16];

	snprintf(name, sizeof(name), "%s", wl_model_name(spec->model));
	prctl(PR_SET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive gilscope */
	signal(SIGINT, SIG_IGN); /* gilscope decides when to stop */
	if (read_full(io.down, &go, 1))
		_exit(3);
	wl_run(spec, &hooks, &r);
	if (write_full(io.up, &tag, 1) || write_full(io.up, &r, sizeof(r)))
		_exit(5);
	_exit(r.ok ? 0 : 1);
}

int runner_spawn(struct runner *r, const struct wl_spec *spec)
{
	int up[2], down[2];

	if (pipe2(up, O_CLOEXEC))
		return -1;
	if (pipe2(down, O_CLOEXEC)) {
		close(up[0]);
		close(up[1]);
		return -1;
	}
	r->pid = fork();
	if (r->pid < 0) {
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		return -1;
	}
	if (r->pid == 0) {
		close(up[0]);
		close(down[1]);
		runner(spec, (struct runner_io){ .up = up[1], .down = down[0] });
	}
	close(up[1]);
	close(down[0]);
	r->up = up[0];
	r->down = down[1];
	return 0;
}

int runner_go(struct runner *r)
{
	return write_full(r->down, "g", 1);
}

int runner_ack(struct runner *r)
{
	return write_full(r->down, "a", 1);
}

struct runner_msg runner_poll(struct runner *r, int timeout_ms, struct wl_result *res)
{
	struct runner_msg msg = { RUNNER_NOTHING, 0, 0 };
	struct pollfd p = { .fd = r->up, .events = POLLIN };
	char tag;

	if (poll(&p, 1, timeout_ms) <= 0)
		return msg;
	msg.kind = RUNNER_GONE;
	if (read_full(r->up, &tag, 1))
		return msg; /* the runner died */
	if (tag == 'G') {
		struct up_gil m;

		if (read_full(r->up, (char *)&m + 1, sizeof(m) - 1))
			return msg;
		msg.kind = RUNNER_GIL;
		msg.gil_start = m.start;
		msg.gil_len = m.len;
	} else if (tag == 'R' && read_full(r->up, res, sizeof(*res)) == 0) {
		msg.kind = RUNNER_RESULT;
	}
	return msg;
}

int runner_reap(struct runner *r)
{
	int st = 0;

	waitpid(r->pid, &st, 0);
	close(r->up);
	close(r->down);
	return st;
}

void runner_kill(struct runner *r)
{
	kill(r->pid, SIGKILL);
}
