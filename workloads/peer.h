/*
 * peer.h - the I/O peer: a process that answers each WORK_MSG_SIZE request on
 * loopback TCP with the same bytes after a set service latency, serving many
 * connections at once. gilscope starts it outside the traced tree, so its
 * figures are not the model's.
 */
#ifndef GS_PEER_H
#define GS_PEER_H

#include <sys/types.h>

struct peer {
	pid_t pid;
	unsigned port;
};

int peer_start(struct peer *p, unsigned latency_us);
void peer_stop(struct peer *p);

#endif
