/* futex_names.h - a name for a futex word a user can read (pure but for the
 * ELF lookups of futex_names_resolve_elf; tests/unit/test_futex_names.c).
 *
 *   "GIL"            a word of a registered GIL range (one row: its words together)
 *   "join TID"       the clear_child_tid word of thread TID: a pthread_join on it
 *   "SYM+0xOFF"      a word in a mapped file's data (or its .bss) with a symbol
 *   "FILE+0xOFF"     the same without a symbol (FILE is the file's base name)
 *   "[heap]", "[stack]", "[stack:TID]"   as /proc/PID/maps names them
 * Anything else (anonymous memory, e.g. another thread's stack) has no name.
 */
#ifndef GS_FUTEX_NAMES_H
#define GS_FUTEX_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fn_map {
	uint64_t start, end, offset;
	char path[256]; /* "" for anonymous memory */
};

struct fn_range {
	uint64_t start, len;
};

struct fn_join {
	uint32_t tid;
	uint64_t clear_child_tid; /* set_tid_address / CLONE_CHILD_CLEARTID word */
};

/* Symbol lookup: rel is the word's address minus the start of the file's
 * offset-0 mapping. Writes the symbol's name and the offset into it. */
typedef bool (*fn_resolve_fn)(void *arg, const char *path, uint64_t rel, char *sym,
			      size_t symlen, uint64_t *off);

struct fn_ctx {
	const struct fn_map *maps; /* in address order, as /proc/PID/maps lists them */
	size_t nmaps;
	const struct fn_range *gil;
	size_t ngil;
	const struct fn_join *joins;
	size_t njoins;
	fn_resolve_fn resolve; /* NULL: no symbols */
	void *resolve_arg;
};

/* Parse /proc/PID/maps text into at most max entries; returns how many. */
size_t futex_names_parse_maps(const char *text, struct fn_map *out, size_t max);
/* Is uaddr the clear_child_tid word of one of the joins? Its tid, else 0. */
uint32_t futex_names_join_tid(const struct fn_join *joins, size_t n, uint64_t uaddr);
/* Name uaddr into out; false (out = "") when it has no name. */
bool futex_word_name(const struct fn_ctx *c, uint64_t uaddr, char *out, size_t outlen);
/* The resolver for real files: path's ELF symbols (arg unused). */
bool futex_names_resolve_elf(void *arg, const char *path, uint64_t rel, char *sym, size_t symlen,
			     uint64_t *off);

#endif
