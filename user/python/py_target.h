/* py_target.h - is a process CPython, which one, and where is its _PyRuntime?
 * Looks at /proc/PID/exe and the libpython*.so files in /proc/PID/maps, reads
 * their ELF symbols and tells the version from Py_Version (3.11+), else the
 * soname or file name, confirmed by the release string the file carries. */
#ifndef GS_PY_TARGET_H
#define GS_PY_TARGET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct py_target {
	pid_t tgid;
	char executable[PATH_MAX]; /* what /proc/PID/exe names */
	char file[PATH_MAX];       /* the ELF file with the interpreter (exe or libpython) */
	char version[32];          /* "3.11.2", or "3.9" when only the name tells */
	int major, minor;
	uint64_t bias;             /* load bias of file in the process */
	uint64_t runtime;          /* address of _PyRuntime (3.x) */
	uint64_t runtime_size;     /* its st_size */
	uint64_t old_lock;         /* 2.7: address of interpreter_lock, 0 if not known */
	bool gil_symbols;          /* take_gil and drop_gil are in its symbol table */
};

enum py_recognise {
	PY_NOT_PYTHON = 0,
	PY_IS_PYTHON = 1,  /* t filled; t->version empty when it could not be told */
	PY_GONE = -1,      /* the process went away (or cannot be read) */
};

/* why: when PY_IS_PYTHON but the version is unknown, the reason. */
enum py_recognise py_target_recognise(pid_t tgid, struct py_target *t, char *why, size_t whylen);
/* Parse "3.8" / "libpython3.10.so.1.0" / "python3.12" / "libpython2.7.so": the
 * major.minor a file name states; false when it states none. Pure. */
bool py_version_from_name(const char *name, int *major, int *minor);

/* Read len bytes of tgid's memory at addr (process_vm_readv, /proc/PID/mem as
 * a fallback). */
bool py_mem_read(pid_t tgid, uint64_t addr, void *buf, size_t len);

#endif
