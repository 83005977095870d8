/*
 * model_async_block.c - the io-block workload (claim C15): ONE thread runs an
 * event loop over many tasks, each a connection to the I/O peer doing the io
 * workload's units; one of the tasks (task 0) also makes a blocking call
 * (sleeps WORK_BLOCK_US) after each of its requests, as time.sleep() inside
 * a coroutine does. While it sleeps nothing else on the loop runs. The
 * latency reported is the OTHER tasks' (send -> answer -> file read), to be
 * held against the async model's io latency without the blocking call.
 *
 * A poll() loop rather than io_uring: the stall is the loop's thread
 * sleeping, whatever the loop waits with.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hist.h"
#include "models.h"
#include "work.h"

struct btask {
	int sock;
	uint64_t unit;   /* the unit in flight */
	uint64_t t0;     /* when it was sent */
	bool busy;
};

static void block_call(void)
{
	struct timespec ts = { 0, WORK_BLOCK_US * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void close_all(struct btask *t, unsigned n, int data)
{
	for (unsigned i = 0; i < n; i++)
		if (t[i].sock >= 0)
			close(t[i].sock);
	if (data >= 0)
		close(data);
	free(t);
}

int model_async_block(const struct wl_spec *s, struct wl_result *out)
{
	unsigned n = wl_concurrency(s);
	struct btask *t = calloc(n, sizeof(*t));
	struct pollfd *pf = calloc(n, sizeof(*pf));
	uint64_t next = 0, done = 0, rss0, c0, t0;
	int data = -1;

	if (!t || !pf) {
		free(t);
		free(pf);
		snprintf(out->error, sizeof(out->error), "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		t[i].sock = -1;
	rss0 = wl_rss_bytes(getpid());
	c0 = gil_now_ns();
	for (unsigned i = 0; i < n; i++)
		if ((t[i].sock = work_connect(s->peer_port)) < 0)
			break;
	if (s->data_file)
		data = open(s->data_file, O_RDONLY | O_CLOEXEC);
	if (t[n - 1].sock < 0 || (s->data_file && data < 0)) {
		snprintf(out->error, sizeof(out->error), "cannot reach the I/O peer or the data file");
		close_all(t, n, data);
		free(pf);
		return -1;
	}
	out->startup_ns_per_worker = (gil_now_ns() - c0) / n;
	out->rss_bytes_per_worker = (wl_rss_bytes(getpid()) - rss0) / n;
	t0 = gil_now_ns();
	while (done < s->io_units && !out->error[0]) {
		unsigned npf = 0;

		/* every idle task sends its next request */
		for (unsigned i = 0; i < n; i++) {
			if (!t[i].busy && next < s->io_units) {
				t[i].unit = next++;
				t[i].t0 = gil_now_ns();
				if (work_send(t[i].sock, t[i].unit)) {
					snprintf(out->error, sizeof(out->error), "I/O unit %llu failed",
						 (unsigned long long)t[i].unit);
					break;
				}
				t[i].busy = true;
			}
			if (t[i].busy)
				pf[npf++] = (struct pollfd){ .fd = t[i].sock, .events = POLLIN };
		}
		if (out->error[0] || !npf || poll(pf, npf, 1000) <= 0)
			break;
		for (unsigned i = 0, p = 0; i < n; i++) {
			if (!t[i].busy)
				continue;
			if (!(pf[p++].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (work_recv(t[i].sock, t[i].unit) || (data >= 0 && work_read(data, t[i].unit))) {
				snprintf(out->error, sizeof(out->error), "I/O unit %llu failed",
					 (unsigned long long)t[i].unit);
				break;
			}
			t[i].busy = false;
			done++;
			if (i == 0)
				block_call(); /* the blocking call: the whole loop stops */
			else
				hist_add_value(&out->io_latency, gil_now_ns() - t[i].t0);
		}
	}
	out->wall_s = (double)(gil_now_ns() - t0) / 1e9;
	out->io_units = done;
	if (!out->error[0] && done < s->io_units)
		snprintf(out->error, sizeof(out->error), "the peer stopped answering");
	close_all(t, n, data);
	free(pf);
	return out->error[0] ? -1 : 0;
}
