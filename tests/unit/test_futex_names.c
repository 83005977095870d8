/*
 * test_futex_names - names of futex words: the GIL, a join on a thread's
 * clear_child_tid word, a symbol in a mapped file's data or .bss, [heap],
 * [stack] and [stack:TID]; anonymous memory stays unnamed. Also the real ELF
 * resolver on the stand-in libpython (build/progs/libpython3.11.so).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "futex_names.h"

static const char maps_text[] =
	"00400000-00420000 r--p 00000000 fe:01 100 /usr/bin/python3.11\n"
	"00420000-006d2000 r-xp 00020000 fe:01 100 /usr/bin/python3.11\n"
	"00945000-00a84000 rw-p 00545000 fe:01 100 /usr/bin/python3.11\n"
	"00a84000-00acb000 rw-p 00000000 00:00 0 \n"
	"01e3d000-01f5e000 rw-p 00000000 00:00 0                                  [heap]\n"
	"7f0000000000-7f0000800000 rw-p 00000000 00:00 0 \n"
	"7f1000000000-7f1000002000 r--p 00000000 fe:01 200 /usr/lib/libfoo.so.1\n"
	"7f1000002000-7f1000004000 rw-p 00002000 fe:01 200 /usr/lib/libfoo.so.1\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"7ffd10000000-7ffd10001000 rw-p 00000000 00:00 0                          [stack:4321]\n"
	"7ffd20000000-7ffd20002000 r-xp 00000000 00:00 0                          [vdso]\n";

/* A resolver with one symbol per file, planted at known offsets. */
static bool fake_resolve(void *arg, const char *path, uint64_t rel, char *sym, size_t symlen,
			 uint64_t *off)
{
	if (strstr(path, "python3.11") && rel >= 0x65b740 && rel < 0x65b740 + 0x28b00) {
		snprintf(sym, symlen, "_PyRuntime");
		*off = rel - 0x65b740;
		return true;
	}
	return false;
}

static void test_names(void **state)
{
	struct fn_map maps[16];
	struct fn_range gil = { 0xa5b8c8, 176 };
	struct fn_join joins[] = { { 812, 0x7f00007ff9d0 }, { 813, 0 } };
	struct fn_ctx c = { .gil = &gil, .ngil = 1, .joins = joins, .njoins = 2,
			    .resolve = fake_resolve };
	char out[128];

	c.maps = maps;
	c.nmaps = futex_names_parse_maps(maps_text, maps, 16);
	assert_int_equal(c.nmaps, 11);
	assert_string_equal(maps[3].path, "");
	assert_string_equal(maps[4].path, "[heap]");

	/* the GIL's words, mutex and condition variables alike: one name */
	assert_true(futex_word_name(&c, 0xa5b8f0, out, sizeof(out)));
	assert_string_equal(out, "GIL");
	assert_true(futex_word_name(&c, 0xa5b8f8, out, sizeof(out)));
	assert_string_equal(out, "GIL");
	/* just past the GIL: the runtime state, by symbol and offset */
	assert_true(futex_word_name(&c, 0xa5b8c8 + 176, out, sizeof(out)));
	assert_string_equal(out, "_PyRuntime+0x238");
	/* in the .bss past the file's last page */
	assert_true(futex_word_name(&c, 0xa84100, out, sizeof(out)));
	assert_string_equal(out, "_PyRuntime+0x289c0");
	/* a file's data without a symbol: file and offset */
	assert_true(futex_word_name(&c, 0x7f1000002010, out, sizeof(out)));
	assert_string_equal(out, "libfoo.so.1+0x2010");
	assert_true(futex_word_name(&c, 0x1e3d040, out, sizeof(out)));
	assert_string_equal(out, "[heap]");
	assert_true(futex_word_name(&c, 0x7ffd00000100, out, sizeof(out)));
	assert_string_equal(out, "[stack]");
	assert_true(futex_word_name(&c, 0x7ffd10000100, out, sizeof(out)));
	assert_string_equal(out, "[stack:4321]");
	/* a thread's clear_child_tid word (in an anonymous thread stack) */
	assert_true(futex_word_name(&c, 0x7f00007ff9d0, out, sizeof(out)));
	assert_string_equal(out, "join 812");
	/* anonymous memory, [vdso], unmapped: no name */
	assert_false(futex_word_name(&c, 0x7f00007ff9d4, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(futex_word_name(&c, 0x7ffd20000010, out, sizeof(out)));
	assert_false(futex_word_name(&c, 0x10, out, sizeof(out)));
	/* a tid whose word is unknown (0) matches nothing */
	assert_int_equal(futex_names_join_tid(joins, 2, 0), 0);
}

static void test_resolve_elf(void **state)
{
	char path[512], sym[64];
	uint64_t off;

	snprintf(path, sizeof(path), "%s/libpython3.11.so",
		 getenv("PROGS") ? getenv("PROGS") : "build/progs");
	/* _PyRuntime of the stand-in is at 0x4020 (the file starts at 0) */
	if (!futex_names_resolve_elf(NULL, path, 0x4020 + 0x188, sym, sizeof(sym), &off))
		fail_msg("no symbol found in %s", path);
	assert_string_equal(sym, "_PyRuntime");
	assert_int_equal(off, 0x188);
	assert_false(futex_names_resolve_elf(NULL, "/no/such/file", 0, sym, sizeof(sym), &off));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_resolve_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
