/* py_layout.h - where CPython keeps its GIL, per version, and how to tell
 * that a block of memory really is a GIL state (pure; tests/unit/test_python.c).
 *
 * 3.8-3.11 keep `struct _gil_runtime_state` inside _PyRuntime (runtime->ceval.gil).
 * 3.12 moved it to the interpreter: runtime->interpreters.main->ceval.gil is a
 * pointer to it. 3.13 also publishes the offsets it needs in _Py_DebugOffsets
 * at the start of _PyRuntime, which gilscope prefers over its own table.
 * The GIL state itself has kept one shape from 3.8 to 3.13 (LP64, glibc):
 * interval, last_holder, locked, switch_number, cond, mutex, switch_cond,
 * switch_mutex. Offsets learnt from each version's Include/internal headers
 * and checked against builds with debug information.
 */
#ifndef GS_PY_LAYOUT_H
#define GS_PY_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum py_gil_path {
	PY_GIL_IN_RUNTIME,    /* at _PyRuntime + runtime_gil */
	PY_GIL_VIA_INTERP,    /* *(*(_PyRuntime + runtime_main) + interp_gil_ptr) */
	PY_GIL_OLD_LOCK,      /* 2.7: a PyThread_type_lock (sem_t *) in interpreter_lock */
};

struct py_layout {
	int major, minor;
	enum py_gil_path path;
	uint64_t runtime_gil;    /* PY_GIL_IN_RUNTIME */
	uint64_t runtime_main;   /* PY_GIL_VIA_INTERP: &runtime->interpreters.main */
	uint64_t interp_gil_ptr; /* PY_GIL_VIA_INTERP: &interp->ceval.gil */
};

/* Fields of struct _gil_runtime_state (3.8-3.13) and glibc's words in it. */
#define PY_GIL_INTERVAL 0
#define PY_GIL_LAST_HOLDER 8
#define PY_GIL_LOCKED 16
#define PY_GIL_SWITCH_NUMBER 24
#define PY_GIL_COND 32          /* pthread_cond_t, 48 bytes */
#define PY_GIL_MUTEX 80         /* pthread_mutex_t, 40 bytes */
#define PY_GIL_SWITCH_COND 120
#define PY_GIL_SWITCH_MUTEX 168
#define PY_GIL_SIZE 208
/* 2.7's lock: glibc's sem_t (32 bytes), the futex word at its start */
#define PY_OLD_LOCK_SIZE 32

/* NULL when gilscope has no layout for this version. */
const struct py_layout *py_layout_for(int major, int minor);

/* What a checked GIL state says. */
struct py_gil_state {
	uint64_t interval_us;
	uint64_t last_holder;
	int32_t locked;
	uint64_t switch_number;
};

enum py_check {
	PY_CHECK_OK = 0,
	PY_CHECK_NOT_YET, /* plausibly a GIL that is not created yet: try again later */
	PY_CHECK_BAD,     /* not a GIL state */
};

/* Check PY_GIL_SIZE bytes read from a live interpreter; fill st. On failure
 * why says which field did not fit. */
enum py_check py_gil_check(const uint8_t *img, struct py_gil_state *st, char *why, size_t whylen);
/* glibc's pthread_mutex_t / pthread_cond_t (LP64) as a default-initialised
 * mutex / condition variable in use can look. */
bool py_glibc_mutex_plausible(const uint8_t *m);
bool py_glibc_cond_plausible(const uint8_t *c);

/* 3.13+: _Py_DebugOffsets at the start of _PyRuntime. */
struct py_debug_offsets {
	uint64_t version;         /* PY_VERSION_HEX */
	bool free_threaded;
	uint64_t interpreters_head; /* runtime offset of interpreters.head */
	uint64_t interp_next;       /* interp offset of next */
	uint64_t interp_gil_ptr;    /* interp offset of ceval.gil */
};
#define PY_DEBUG_OFFSETS_SIZE 152
/* Parse the first PY_DEBUG_OFFSETS_SIZE bytes of a 3.13+ _PyRuntime: false
 * when the cookie is not there or an offset is absurd. */
bool py_debug_offsets_parse(const uint8_t *img, struct py_debug_offsets *o);

/* "3.11.2" from PY_VERSION_HEX (0x030b02f0); "3.13.0rc1" for releases to come. */
void py_version_hex_str(uint32_t hex, char *out, size_t outlen);

#endif
