/*
 * syscalls.c - what each system call of this architecture is, for the time
 * breakdown: the kernel side reads sys_class[nr] of the call a thread sleeps
 * in (see gs_classify in bpf/gilscope.h). Numbers come from the C library's
 * <sys/syscall.h>, so the table is right for the architecture gilscope is
 * built for.
 */
#include "syscalls.h"

#include <string.h>
#include <sys/syscall.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449 /* the same number on every architecture */
#endif
#ifndef SYS_futex_wake
#define SYS_futex_wake 454
#endif
#ifndef SYS_futex_wait
#define SYS_futex_wait 455
#endif

static void set(unsigned char *cls, long nr, unsigned char c)
{
	if (nr >= 0 && nr < GS_MAX_SYSCALLS)
		cls[nr] = c;
}

void syscalls_classes(unsigned char cls[GS_MAX_SYSCALLS])
{
	static const long io[] = {
		SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64,
		SYS_preadv, SYS_pwritev, SYS_preadv2, SYS_pwritev2,
		SYS_recvfrom, SYS_sendto, SYS_recvmsg, SYS_sendmsg, SYS_recvmmsg, SYS_sendmmsg,
		SYS_accept, SYS_accept4, SYS_connect,
		SYS_ppoll, SYS_pselect6, SYS_epoll_pwait, SYS_io_uring_enter,
		SYS_io_getevents, SYS_io_pgetevents,
		SYS_sendfile, SYS_splice, SYS_tee, SYS_vmsplice, SYS_copy_file_range,
		SYS_fsync, SYS_fdatasync, SYS_sync_file_range,
#ifdef SYS_poll
		SYS_poll,
#endif
#ifdef SYS_select
		SYS_select,
#endif
#ifdef SYS_epoll_wait
		SYS_epoll_wait,
#endif
#ifdef SYS_epoll_pwait2
		SYS_epoll_pwait2,
#endif
	};
	static const long sleep[] = {
		SYS_nanosleep, SYS_clock_nanosleep,
#ifdef SYS_pause
		SYS_pause,
#endif
	};

	memset(cls, GS_SYS_OTHER, GS_MAX_SYSCALLS);
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++)
		set(cls, io[i], GS_SYS_IO);
	for (size_t i = 0; i < sizeof(sleep) / sizeof(sleep[0]); i++)
		set(cls, sleep[i], GS_SYS_SLEEP);
	set(cls, SYS_futex, GS_SYS_FUTEX);
	set(cls, SYS_futex_wait, GS_SYS_FUTEX_WAIT);
	set(cls, SYS_futex_waitv, GS_SYS_FUTEX_WAITV);
	set(cls, SYS_futex_wake, GS_SYS_FUTEX_WAKE);
}
