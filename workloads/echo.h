/*
 * echo.h - the peer inside the worker's process: an echo server on threads
 * of the runner, each answer taken under the process's GIL as an echo thread
 * of a Python program would (the in-process variant of the convoy: the reply
 * waits for the same GIL the requester does).
 */
#ifndef GS_ECHO_H
#define GS_ECHO_H

#include <pthread.h>
#include <stdatomic.h>
#include "gil.h"

struct echo {
	int lfd;
	unsigned port;
	struct gil *gil; /* NULL: no GIL (a process of its own, or free-threaded) */
	pthread_t acceptor;
	atomic_int live; /* connection threads still running */
};

/* Listen on 127.0.0.1 and serve every connection on a thread; 0 or -1. */
int echo_start(struct echo *e, struct gil *gil);
/* Stop accepting and wait (up to 5 s) for the connection threads, which end
 * when their client closes: call once every client has closed. */
void echo_stop(struct echo *e);

#endif
