/* py_gil.h - find the GIL of a recognised CPython in its live memory: apply the
 * version's layout, check what is there, fall back to a bounded search near
 * it when the table's offset does not check out. */
#ifndef GS_PY_GIL_H
#define GS_PY_GIL_H

#include "py_layout.h"
#include "py_target.h"

struct py_gil {
	bool old_lock;      /* 2.7: a lock, no switch counter */
	char how[32];       /* "layout", "debug_offsets", "scan", "lock"; "+symbols" when
			     * take_gil/drop_gil confirm the build has this GIL */
	uint64_t address;   /* of struct _gil_runtime_state (or of 2.7's lock) */
	uint64_t words;     /* futex words: [words, words + words_len) */
	uint64_t words_len;
	struct py_gil_state state; /* as read when found */
};

/* PY_CHECK_OK: g filled. PY_CHECK_NOT_YET: try again later (the interpreter is
 * starting). PY_CHECK_BAD: the layout does not fit; why says how. */
enum py_check py_gil_find(const struct py_target *t, struct py_gil *g, char *why, size_t whylen);
/* Re-read a found GIL's state (3.x): false when the process is gone or the
 * memory no longer is a GIL state. */
bool py_gil_read(const struct py_target *t, const struct py_gil *g, struct py_gil_state *st);

#endif
