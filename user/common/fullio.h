/* fullio.h - whole-buffer reads and writes on pipes and sockets. */
#ifndef GS_FULLIO_H
#define GS_FULLIO_H

#include <stddef.h>

/* Write all len bytes, retrying short writes and EINTR: 0, or -1 (errno set;
 * EPIPE-like end when the peer is gone). */
int write_full(int fd, const void *buf, size_t len);
/* Read exactly len bytes: 0, or -1 on an error or end of file before len. */
int read_full(int fd, void *buf, size_t len);

#endif
