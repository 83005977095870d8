/* py_tree.h - the processes of a tree, read from /proc (task/TID/children, or
 * every process's parent when the kernel lacks that file). */
#ifndef GS_PY_TREE_H
#define GS_PY_TREE_H

#include <stddef.h>
#include <sys/types.h>

/* Fill out with root (when include_root) and its descendants, at most max;
 * returns how many. */
size_t py_tree_list(pid_t root, int include_root, pid_t *out, size_t max);

#endif
