/* proctree.h - process ancestry from /proc: who is below whom, and signalling
 * a whole traced tree at once. */
#ifndef GS_PROCTREE_H
#define GS_PROCTREE_H

#include <stdbool.h>
#include <sys/types.h>

/* The parent of pid (0 when it is gone); *zombie is set when it has ended. */
pid_t proc_parent(pid_t pid, bool *zombie);
/* Is pid this process or one of its ancestors? */
bool proc_is_self_or_ancestor(pid_t pid);
/* Send sig to every live process below root (not root itself), repeating
 * the scan until no new one turns up. Returns how many were signalled. */
int proc_signal_descendants(pid_t root, int sig);

#endif
