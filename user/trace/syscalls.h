/* syscalls.h - the system call classes the kernel side classifies waits by. */
#ifndef GS_SYSCALLS_H
#define GS_SYSCALLS_H

#include <linux/types.h>
#include "gilscope.h"

/* Fill cls[nr] with the GS_SYS_* of every system call number. */
void syscalls_classes(unsigned char cls[GS_MAX_SYSCALLS]);

#endif
