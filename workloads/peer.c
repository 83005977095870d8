/* peer.c - the loopback I/O peer (see peer.h): a thread per connection. */
#include "peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "work.h"

struct conn {
	int fd;
	unsigned latency_us;
};

static void *serve(void *arg)
{
	struct conn c = *(struct conn *)arg;
	struct timespec nap = { c.latency_us / 1000000, (long)(c.latency_us % 1000000) * 1000 };
	char msg[WORK_MSG_SIZE];

	free(arg);
	for (;;) {
		size_t got = 0;

		while (got < sizeof(msg)) {
			ssize_t r = read(c.fd, msg + got, sizeof(msg) - got);

			if (r <= 0)
				goto done;
			got += (size_t)r;
		}
		if (c.latency_us) /* the service latency; none: answer at once */
			nanosleep(&nap, NULL);
		if (write(c.fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			break;
	}
done:
	close(c.fd);
	return NULL;
}

static void run(int lfd, unsigned latency_us, pid_t parent)
{
	pthread_attr_t a;

	prctl(PR_SET_NAME, "gilscope-peer");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* gilscope died before the prctl */
		_exit(0);
	/* a helper of gilscope: the terminal's Ctrl-C is for gilscope to handle */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 * 1024);
	for (;;) {
		int one = 1, fd = accept(lfd, NULL, NULL);
		struct conn *c;
		pthread_t t;

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->latency_us = latency_us;
		if (pthread_create(&t, &a, serve, c)) {
			close(fd);
			free(c);
		}
	}
}

int peer_start(struct peer *p, unsigned latency_us)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	pid_t parent;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(p, 0, sizeof(*p));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 512) ||
	    getsockname(lfd, (struct sockaddr *)&a, &len)) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	p->port = ntohs(a.sin_port);
	parent = getpid();
	p->pid = fork();
	if (p->pid < 0) {
		close(lfd);
		return -1;
	}
	if (p->pid == 0) {
		run(lfd, latency_us, parent);
		_exit(0);
	}
	close(lfd);
	return 0;
}

void peer_stop(struct peer *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
}
