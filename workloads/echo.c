/* echo.c - the in-process echo peer (see echo.h). */
#include "echo.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "work.h"

/* GIL worker numbers of echo threads: apart from the model's workers */
#define ECHO_WORKER_BASE 100000

struct conn {
	int fd;
	int worker;
	struct gil *gil;
	atomic_int *live;
};

static int full(int fd, char *buf, size_t n, bool out)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = out ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);

		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* The interpreter's work on a request, under the GIL. */
static void interp(struct conn *c)
{
	uint64_t s = 1;

	for (int t = 0; t < WORK_IO_STEP_TICKS; t++) {
		s = work_tick(s);
		if (c->gil)
			gil_tick(c->gil, c->worker);
	}
	__asm__ volatile("" : : "r"(s));
}

static void *serve(void *arg)
{
	struct conn c = *(struct conn *)arg;
	char msg[WORK_MSG_SIZE];
	int e = 0;

	free(arg);
	if (c.gil)
		gil_acquire(c.gil, c.worker);
	while (!e) {
		if (c.gil)
			gil_release(c.gil, c.worker);
		e = full(c.fd, msg, sizeof(msg), false);
		if (c.gil)
			gil_acquire(c.gil, c.worker);
		if (e)
			break;
		interp(&c);
		if (c.gil)
			gil_release(c.gil, c.worker);
		e = full(c.fd, msg, sizeof(msg), true);
		if (c.gil)
			gil_acquire(c.gil, c.worker);
	}
	if (c.gil)
		gil_release(c.gil, c.worker);
	close(c.fd);
	atomic_fetch_sub(c.live, 1);
	return NULL;
}

static void *acceptor(void *arg)
{
	struct echo *e = arg;
	pthread_attr_t a;
	int n = 0;

	pthread_setname_np(pthread_self(), "echo-accept");
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int one = 1, fd = accept(e->lfd, NULL, NULL);
		struct conn *c;
		pthread_t t;

		if (fd < 0)
			break; /* echo_stop shut the socket down */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		*c = (struct conn){ fd, ECHO_WORKER_BASE + n++, e->gil, &e->live };
		atomic_fetch_add(&e->live, 1);
		if (pthread_create(&t, &a, serve, c)) {
			atomic_fetch_sub(&e->live, 1);
			close(fd);
			free(c);
		} else {
			pthread_setname_np(t, "echo");
		}
	}
	pthread_attr_destroy(&a);
	return NULL;
}

int echo_start(struct echo *e, struct gil *gil)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	memset(e, 0, sizeof(*e));
	e->gil = gil;
	e->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (e->lfd < 0 || bind(e->lfd, (struct sockaddr *)&a, sizeof(a)) || listen(e->lfd, 512) ||
	    getsockname(e->lfd, (struct sockaddr *)&a, &len) ||
	    pthread_create(&e->acceptor, NULL, acceptor, e)) {
		if (e->lfd >= 0)
			close(e->lfd);
		return -1;
	}
	e->port = ntohs(a.sin_port);
	return 0;
}

void echo_stop(struct echo *e)
{
	shutdown(e->lfd, SHUT_RDWR); /* wakes accept() */
	pthread_join(e->acceptor, NULL);
	close(e->lfd);
	for (int i = 0; i < 5000 && atomic_load(&e->live) > 0; i++)
		usleep(1000);
}
