/* procfs.h - small readers of /proc (and /sys) files. */
#ifndef GS_PROCFS_H
#define GS_PROCFS_H

#include <stddef.h>
#include <stdint.h>

/* The value after "prefix...:" on the first line of path that starts with
 * prefix, blanks trimmed, into out: 0, or -1 (out = "") when there is none. */
int proc_read_field(const char *path, const char *prefix, char *out, size_t outlen);
/* The integer a file holds (/proc/sys/...), or dflt. */
int proc_read_int(const char *path, int dflt);
/* Sum of the "KEY: N kB" lines of path whose key is in keys (NULL-ended), in
 * bytes; 0 when the file cannot be read. */
uint64_t proc_sum_kb(const char *path, const char *const *keys);

#endif
