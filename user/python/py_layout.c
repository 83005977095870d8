/* py_layout.c - CPython's GIL per version, and the checks that a block of a
 * live interpreter's memory is one (see py_layout.h). */
#include "py_layout.h"

#include <stdio.h>
#include <string.h>

/*
 * Offsets on LP64 Linux. 3.8: the runtime state still carries the exit-function
 * array and the GC state before ceval; 3.9 moved them into the interpreter;
 * 3.11 has 8 more bytes before it. 3.12 gave each
 * interpreter its GIL; 3.13 moved ceval to the start of PyInterpreterState.
 */
static const struct py_layout layouts[] = {
	{ 2, 7, PY_GIL_OLD_LOCK, 0, 0, 0 },
	{ 3, 8, PY_GIL_IN_RUNTIME, 0x480, 0, 0 },
	{ 3, 9, PY_GIL_IN_RUNTIME, 0x160, 0, 0 },
	{ 3, 10, PY_GIL_IN_RUNTIME, 0x160, 0, 0 },
	{ 3, 11, PY_GIL_IN_RUNTIME, 0x168, 0, 0 },
	{ 3, 12, PY_GIL_VIA_INTERP, 0, 0x30, 0x180 },
	{ 3, 13, PY_GIL_VIA_INTERP, 0, 0x280, 0x10 },
};

const struct py_layout *py_layout_for(int major, int minor)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].major == major && layouts[i].minor == minor)
			return &layouts[i];
	return NULL;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A user-space pointer of x86-64/arm64 (47/48-bit address space), aligned. */
static bool user_pointer(uint64_t p)
{
	return p >= 0x10000 && p < (1ull << 48) && !(p & 7);
}

/*
 * glibc's pthread_mutex_t on LP64: int lock, unsigned count, int owner,
 * unsigned nusers, int kind, short spins, short elision, list {prev, next}.
 * CPython creates its mutexes with default attributes: kind 0, not recursive,
 * never on a robust list.
 */
bool py_glibc_mutex_plausible(const uint8_t *m)
{
	uint32_t lock = u32(m), count = u32(m + 4), owner = u32(m + 8), nusers = u32(m + 12);
	uint32_t kind = u32(m + 16);

	return lock <= 2 && count == 0 && owner < (1u << 22) /* PID_MAX_LIMIT */ &&
	       nusers < (1u << 16) && kind == 0 && u64(m + 24) == 0 && u64(m + 32) == 0;
}

/*
 * glibc >= 2.25's pthread_cond_t: u64 wseq, u64 g1_start, u32 g_refs[2],
 * u32 g_size[2], u32 g1_orig_size, u32 wrefs, u32 g_signals[2]. The counts of
 * waiters (g_refs: two per waiter, wrefs >> 3) stay small for a lock a handful
 * of threads wait on; a pointer or text here would not. g_size may wrap below
 * zero when timed waits give up, so it says nothing.
 */
bool py_glibc_cond_plausible(const uint8_t *c)
{
	return u32(c + 16) < (1u << 24) && u32(c + 20) < (1u << 24) &&
	       (u32(c + 36) >> 3) < (1u << 20) && u64(c + 8) <= u64(c) + (1ull << 32);
}

enum py_check py_gil_check(const uint8_t *img, struct py_gil_state *st, char *why, size_t whylen)
{
	st->interval_us = u64(img + PY_GIL_INTERVAL);
	st->last_holder = u64(img + PY_GIL_LAST_HOLDER);
	memcpy(&st->locked, img + PY_GIL_LOCKED, sizeof(st->locked));
	st->switch_number = u64(img + PY_GIL_SWITCH_NUMBER);

	/* created GILs are locked 0/1; -1 until create_gil() ran, and all zero
	 * before the runtime is initialised at all */
	if ((st->locked == -1 || (!st->locked && !st->interval_us)) && !st->last_holder &&
	    !st->switch_number) {
		snprintf(why, whylen, "the GIL is not created yet");
		return PY_CHECK_NOT_YET;
	}
	if (st->locked != 0 && st->locked != 1) {
		snprintf(why, whylen, "locked is %d, not 0 or 1", st->locked);
		return PY_CHECK_BAD;
	}
	/* sys.setswitchinterval() takes any positive float; below 1 us is 1 */
	if (st->interval_us == 0 || st->interval_us > 100000000ull) {
		snprintf(why, whylen, "interval is %llu us, not a switch interval",
			 (unsigned long long)st->interval_us);
		return PY_CHECK_BAD;
	}
	/* the main thread takes the GIL at start-up: it has a holder from then on */
	if (!st->last_holder) {
		snprintf(why, whylen, "no thread has held the GIL yet");
		return PY_CHECK_NOT_YET;
	}
	if (!user_pointer(st->last_holder)) {
		snprintf(why, whylen, "last_holder 0x%llx is not a thread state pointer",
			 (unsigned long long)st->last_holder);
		return PY_CHECK_BAD;
	}
	if (st->switch_number == 0 || st->switch_number > (1ull << 40)) {
		snprintf(why, whylen, "switch_number %llu is not a count of hand-offs",
			 (unsigned long long)st->switch_number);
		return PY_CHECK_BAD;
	}
	if (!py_glibc_mutex_plausible(img + PY_GIL_MUTEX) ||
	    !py_glibc_mutex_plausible(img + PY_GIL_SWITCH_MUTEX)) {
		snprintf(why, whylen, "its mutexes do not look like glibc's");
		return PY_CHECK_BAD;
	}
	if (!py_glibc_cond_plausible(img + PY_GIL_COND) ||
	    !py_glibc_cond_plausible(img + PY_GIL_SWITCH_COND)) {
		snprintf(why, whylen, "its condition variables do not look like glibc's");
		return PY_CHECK_BAD;
	}
	return PY_CHECK_OK;
}

/*
 * 3.13's _Py_DebugOffsets: char cookie[8] "xdebugpy", u64 version, u64
 * free_threaded, runtime_state {size, finalizing, interpreters_head},
 * interpreter_state {size, id, next, threads_head, gc, imports_modules, sysdict,
 * builtins, ceval_gil, gil_runtime_state, ...}. Later versions grow the struct,
 * so only 3.13 is read this way.
 */
bool py_debug_offsets_parse(const uint8_t *img, struct py_debug_offsets *o)
{
	uint64_t rt_size, interp_size;

	if (memcmp(img, "xdebugpy", 8))
		return false;
	o->version = u64(img + 8);
	if ((o->version >> 16) != 0x030d)
		return false;
	o->free_threaded = u64(img + 16) != 0;
	rt_size = u64(img + 24);
	o->interpreters_head = u64(img + 40);
	interp_size = u64(img + 48);
	o->interp_next = u64(img + 64);
	o->interp_gil_ptr = u64(img + 112);
	return rt_size && o->interpreters_head + 8 <= rt_size && interp_size &&
	       o->interp_next + 8 <= interp_size && o->interp_gil_ptr + 8 <= interp_size;
}

void py_version_hex_str(uint32_t hex, char *out, size_t outlen)
{
	unsigned major = hex >> 24, minor = (hex >> 16) & 0xff, micro = (hex >> 8) & 0xff;
	unsigned level = (hex >> 4) & 0xf, serial = hex & 0xf;
	const char *tag = level == 0xa ? "a" : level == 0xb ? "b" : level == 0xc ? "rc" : "";

	if (level == 0xf)
		snprintf(out, outlen, "%u.%u.%u", major, minor, micro);
	else
		snprintf(out, outlen, "%u.%u.%u%s%u", major, minor, micro, tag, serial);
}
