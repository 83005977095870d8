/* runner.h - the runner process of `gilscope run` and its pipe protocol.
 *
 * gilscope forks one runner per model x workload x repeat, traced from its
 * first instruction. Down the pipe: 'g' (start the work), 'a' (the GIL is
 * marked). Up the pipe: 'G' + {start, len} (the simulated GIL exists: mark it
 * before any worker runs), 'R' + struct wl_result (done).
 */
#ifndef GS_RUNNER_H
#define GS_RUNNER_H

#include <stdint.h>
#include <sys/types.h>
#include "models.h"

struct runner {
	pid_t pid;
	int up, down; /* gilscope's ends */
};

enum runner_msg_kind { RUNNER_NOTHING, RUNNER_GIL, RUNNER_RESULT, RUNNER_GONE };

struct runner_msg {
	enum runner_msg_kind kind;
	uint64_t gil_start, gil_len; /* RUNNER_GIL */
};

/* Fork a runner for spec, waiting for runner_go; 0 or -1 (errno). */
int runner_spawn(struct runner *r, const struct wl_spec *spec);
int runner_go(struct runner *r);
/* Wait up to timeout_ms for a message: RUNNER_NOTHING when none came,
 * RUNNER_GONE when the runner closed its pipe (died). A result goes to *res. */
struct runner_msg runner_poll(struct runner *r, int timeout_ms, struct wl_result *res);
/* The GIL is marked: let the runner go on. */
int runner_ack(struct runner *r);
/* Wait for the runner's end, close the pipes; its wait status. */
int runner_reap(struct runner *r);
/* End a runner at once (it cannot be traced as it should). */
void runner_kill(struct runner *r);

#endif
