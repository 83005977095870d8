/* py_gil.c - find a CPython's GIL in its live memory (see py_gil.h). */
#include "py_gil.h"

#include <stdio.h>
#include <string.h>

#define SCAN_BYTES 16384 /* how far from the expected place a search looks */

/* Read and check a GIL state at addr; its holder must be readable memory. */
static enum py_check check_at(pid_t tgid, uint64_t addr, struct py_gil_state *st, char *why,
			      size_t whylen)
{
	uint8_t img[PY_GIL_SIZE];
	uint64_t probe;
	enum py_check c;

	if (!py_mem_read(tgid, addr, img, sizeof(img))) {
		snprintf(why, whylen, "cannot read 0x%llx", (unsigned long long)addr);
		return PY_CHECK_BAD;
	}
	c = py_gil_check(img, st, why, whylen);
	if (c == PY_CHECK_OK && !py_mem_read(tgid, st->last_holder, &probe, sizeof(probe))) {
		snprintf(why, whylen, "last_holder 0x%llx is not mapped",
			 (unsigned long long)st->last_holder);
		return PY_CHECK_BAD;
	}
	return c;
}

static void set_found(struct py_gil *g, const char *how, uint64_t addr, const struct py_target *t)
{
	snprintf(g->how, sizeof(g->how), "%s%s", how, t->gil_symbols ? "+symbols" : "");
	g->address = addr;
	/* the mutex and condition variables: glibc waits on more than one word */
	g->words = addr + PY_GIL_COND;
	g->words_len = PY_GIL_SIZE - PY_GIL_COND;
}

/* Search [base, base+len) for the one place a GIL state checks out. */
static bool scan_inline(pid_t tgid, uint64_t base, uint64_t len, uint64_t *found,
			struct py_gil_state *st)
{
	static uint8_t buf[SCAN_BYTES + PY_GIL_SIZE];
	char why[128];
	unsigned hits = 0;

	if (len > SCAN_BYTES)
		len = SCAN_BYTES;
	if (!py_mem_read(tgid, base, buf, len + PY_GIL_SIZE) && !py_mem_read(tgid, base, buf, len))
		return false;
	for (uint64_t off = 0; off + PY_GIL_SIZE <= len; off += 8) {
		struct py_gil_state s;

		if (py_gil_check(buf + off, &s, why, sizeof(why)) == PY_CHECK_OK &&
		    check_at(tgid, base + off, &s, why, sizeof(why)) == PY_CHECK_OK) {
			*found = base + off;
			*st = s;
			hits++;
		}
	}
	return hits == 1; /* two candidates: no way to tell which */
}

/* Search the pointers in [base, base+len) for one to a GIL state. */
static bool scan_pointers(pid_t tgid, uint64_t base, uint64_t len, uint64_t *found,
			  struct py_gil_state *st)
{
	static uint64_t ptrs[SCAN_BYTES / 8];
	char why[128];
	unsigned hits = 0;

	if (len > SCAN_BYTES)
		len = SCAN_BYTES;
	if (!py_mem_read(tgid, base, ptrs, len))
		return false;
	for (size_t i = 0; i < len / 8; i++) {
		struct py_gil_state s;

		if (ptrs[i] < 0x10000 || ptrs[i] >= (1ull << 48) || (ptrs[i] & 7))
			continue;
		if (check_at(tgid, ptrs[i], &s, why, sizeof(why)) == PY_CHECK_OK) {
			if (hits && *found == ptrs[i])
				continue;
			*found = ptrs[i];
			*st = s;
			hits++;
		}
	}
	return hits == 1;
}

static enum py_check find_in_runtime(const struct py_target *t, const struct py_layout *l,
				     struct py_gil *g, char *why, size_t whylen)
{
	uint64_t addr = t->runtime + l->runtime_gil;
	enum py_check c = check_at(t->tgid, addr, &g->state, why, whylen);

	if (c == PY_CHECK_OK) {
		set_found(g, "layout", addr, t);
		return c;
	}
	/* not initialised there yet, or moved by a patch release: look around */
	if (scan_inline(t->tgid, t->runtime, t->runtime_size ? t->runtime_size : SCAN_BYTES, &addr,
			&g->state)) {
		set_found(g, "scan", addr, t);
		return PY_CHECK_OK;
	}
	return c;
}

/* 3.12+: the main interpreter, then its ceval.gil pointer. */
static enum py_check find_via_interp(const struct py_target *t, const struct py_layout *l,
				     struct py_gil *g, char *why, size_t whylen)
{
	uint8_t dbg[PY_DEBUG_OFFSETS_SIZE];
	struct py_debug_offsets o;
	uint64_t interp = 0, gil = 0, main_off = l->runtime_main, gil_off = l->interp_gil_ptr;
	const char *how = "layout";
	enum py_check c;

	if (py_mem_read(t->tgid, t->runtime, dbg, sizeof(dbg)) && py_debug_offsets_parse(dbg, &o)) {
		if (o.free_threaded) {
			snprintf(why, whylen, "a free-threaded build: its GIL is not this layout");
			return PY_CHECK_BAD;
		}
		/* interpreters are pushed on the list's head: the main one is last */
		if (!py_mem_read(t->tgid, t->runtime + o.interpreters_head, &interp, 8))
			return PY_CHECK_BAD;
		for (int i = 0; interp && i < 256; i++) {
			uint64_t next = 0;

			if (!py_mem_read(t->tgid, interp + o.interp_next, &next, 8) || !next)
				break;
			interp = next;
		}
		gil_off = o.interp_gil_ptr;
		how = "debug_offsets";
	} else if (!py_mem_read(t->tgid, t->runtime + main_off, &interp, 8)) {
		snprintf(why, whylen, "cannot read _PyRuntime");
		return PY_CHECK_BAD;
	}
	if (!interp) {
		snprintf(why, whylen, "no main interpreter yet");
		return PY_CHECK_NOT_YET;
	}
	if (!py_mem_read(t->tgid, interp + gil_off, &gil, 8)) {
		snprintf(why, whylen, "cannot read the interpreter state at 0x%llx",
			 (unsigned long long)interp);
		return PY_CHECK_BAD;
	}
	if (!gil) {
		snprintf(why, whylen, "the interpreter has no GIL yet");
		return PY_CHECK_NOT_YET;
	}
	c = check_at(t->tgid, gil, &g->state, why, whylen);
	if (c == PY_CHECK_OK) {
		set_found(g, how, gil, t);
		return c;
	}
	if (c == PY_CHECK_BAD && scan_pointers(t->tgid, interp, SCAN_BYTES, &gil, &g->state)) {
		set_found(g, "scan", gil, t);
		return PY_CHECK_OK;
	}
	return c;
}

/*
 * 2.7: interpreter_lock points to a PyThread_type_lock, on Linux a malloc'd
 * glibc sem_t (u64 value | waiters << 32, int private, int pad); it is created
 * when the program starts its first thread.
 */
static enum py_check find_old_lock(const struct py_target *t, struct py_gil *g, char *why,
				   size_t whylen)
{
	uint64_t lock = 0, sem[2];
	uint32_t priv;

	if (!t->old_lock) {
		snprintf(why, whylen, "2.7's interpreter_lock is a local symbol, and this build has no "
			 "symbol table");
		return PY_CHECK_BAD;
	}
	if (!py_mem_read(t->tgid, t->old_lock, &lock, 8))
		return PY_CHECK_BAD;
	if (!lock) {
		snprintf(why, whylen, "no thread started yet (2.7 creates its GIL with the first one)");
		return PY_CHECK_NOT_YET;
	}
	if (!py_mem_read(t->tgid, lock, sem, sizeof(sem))) {
		snprintf(why, whylen, "cannot read the lock at 0x%llx", (unsigned long long)lock);
		return PY_CHECK_BAD;
	}
	priv = (uint32_t)sem[1];
	if ((sem[0] & 0xffffffffu) > 1 || (sem[0] >> 32) > (1u << 16) || (priv != 0 && priv != 128)) {
		snprintf(why, whylen, "interpreter_lock does not point to a glibc semaphore");
		return PY_CHECK_BAD;
	}
	g->old_lock = true;
	snprintf(g->how, sizeof(g->how), "lock");
	g->address = g->words = lock;
	g->words_len = PY_OLD_LOCK_SIZE;
	return PY_CHECK_OK;
}

enum py_check py_gil_find(const struct py_target *t, struct py_gil *g, char *why, size_t whylen)
{
	const struct py_layout *l = py_layout_for(t->major, t->minor);

	memset(g, 0, sizeof(*g));
	why[0] = 0;
	if (!t->version[0])
		return PY_CHECK_BAD; /* why was said when recognising it */
	if (!l) {
		snprintf(why, whylen, "no GIL layout for CPython %s (gilscope knows 2.7, 3.8-3.13)",
			 t->version);
		return PY_CHECK_BAD;
	}
	switch (l->path) {
	case PY_GIL_IN_RUNTIME:
		return find_in_runtime(t, l, g, why, whylen);
	case PY_GIL_VIA_INTERP:
		return find_via_interp(t, l, g, why, whylen);
	case PY_GIL_OLD_LOCK:
		return find_old_lock(t, g, why, whylen);
	}
	return PY_CHECK_BAD;
}

bool py_gil_read(const struct py_target *t, const struct py_gil *g, struct py_gil_state *st)
{
	uint8_t img[PY_GIL_SIZE];
	char why[128];

	if (g->old_lock || !py_mem_read(t->tgid, g->address, img, sizeof(img)))
		return false;
	return py_gil_check(img, st, why, sizeof(why)) == PY_CHECK_OK;
}
