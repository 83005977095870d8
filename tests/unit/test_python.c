/*
 * test_python - CPython discovery: the per-version GIL layout table, the checks
 * that memory is a GIL state (images with planted faults), 3.13's debug
 * offsets, version names, ELF symbol lookup, and the whole path from /proc to
 * the GIL on this very process with a stand-in libpython3.11.so loaded
 * (build/progs/libpython3.11.so, from tests/fixtures/fake_libpython.c).
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "py_elf.h"
#include "py_gil.h"
#include "py_layout.h"
#include "py_target.h"

static uint64_t holder_storage[4];

static const char *fixture(void)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/libpython3.11.so",
		 getenv("PROGS") ? getenv("PROGS") : "build/progs");
	return buf;
}

/* A GIL state as a running 3.x with two threads can show it. */
static void good_gil(uint8_t *img)
{
	uint64_t interval = 5000, holder = 0x7f00deadbee0, sw = 1234;
	int32_t locked = 1;
	uint32_t mutex_locked = 2, owner = 4242, wrefs = 2 << 3, refs = 2;

	memset(img, 0, PY_GIL_SIZE);
	memcpy(img + PY_GIL_INTERVAL, &interval, 8);
	memcpy(img + PY_GIL_LAST_HOLDER, &holder, 8);
	memcpy(img + PY_GIL_LOCKED, &locked, 4);
	memcpy(img + PY_GIL_SWITCH_NUMBER, &sw, 8);
	memcpy(img + PY_GIL_MUTEX, &mutex_locked, 4);
	memcpy(img + PY_GIL_MUTEX + 8, &owner, 4);
	memcpy(img + PY_GIL_COND + 16, &refs, 4);
	memcpy(img + PY_GIL_COND + 36, &wrefs, 4);
	/* a timed-out waiter leaves a group size of -1 behind */
	memset(img + PY_GIL_COND + 28, 0xff, 4);
}

static void test_layout_table(void **state)
{
	const struct py_layout *l;

	l = py_layout_for(3, 11);
	assert_non_null(l);
	assert_int_equal(l->path, PY_GIL_IN_RUNTIME);
	assert_int_equal(l->runtime_gil, 0x168);
	assert_int_equal(py_layout_for(3, 8)->runtime_gil, 0x480);
	assert_int_equal(py_layout_for(3, 9)->runtime_gil, 0x160);
	assert_int_equal(py_layout_for(3, 10)->runtime_gil, 0x160);
	l = py_layout_for(3, 12);
	assert_int_equal(l->path, PY_GIL_VIA_INTERP);
	assert_int_equal(l->runtime_main, 0x30);
	assert_int_equal(l->interp_gil_ptr, 0x180);
	assert_int_equal(py_layout_for(3, 13)->interp_gil_ptr, 0x10);
	assert_int_equal(py_layout_for(2, 7)->path, PY_GIL_OLD_LOCK);
	assert_null(py_layout_for(3, 7));
	assert_null(py_layout_for(3, 14));
	/* the GIL state's fields, as pycore_gil.h lays them out on LP64 */
	assert_int_equal(PY_GIL_COND, 32);
	assert_int_equal(PY_GIL_MUTEX, PY_GIL_COND + 48);
	assert_int_equal(PY_GIL_SWITCH_COND, PY_GIL_MUTEX + 40);
	assert_int_equal(PY_GIL_SWITCH_MUTEX, PY_GIL_SWITCH_COND + 48);
	assert_int_equal(PY_GIL_SIZE, PY_GIL_SWITCH_MUTEX + 40);
}

static void test_gil_check(void **state)
{
	uint8_t img[PY_GIL_SIZE];
	struct py_gil_state st;
	char why[128];
	int32_t v32;
	uint64_t v64;

	good_gil(img);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_OK);
	assert_int_equal(st.interval_us, 5000);
	assert_int_equal(st.switch_number, 1234);
	assert_int_equal(st.locked, 1);

	good_gil(img); /* not created yet: locked -1, nothing else */
	memset(img, 0, PY_GIL_SIZE);
	v32 = -1;
	memcpy(img + PY_GIL_LOCKED, &v32, 4);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_NOT_YET);

	memset(img, 0, PY_GIL_SIZE); /* the runtime is not initialised yet */
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_NOT_YET);

	good_gil(img);
	v32 = 7;
	memcpy(img + PY_GIL_LOCKED, &v32, 4);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);
	assert_non_null(strstr(why, "locked"));

	good_gil(img);
	v64 = 0;
	memcpy(img + PY_GIL_INTERVAL, &v64, 8);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);
	assert_non_null(strstr(why, "interval"));

	good_gil(img);
	v64 = 0x7f00deadbee3; /* not aligned */
	memcpy(img + PY_GIL_LAST_HOLDER, &v64, 8);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);

	good_gil(img);
	v64 = 0;
	memcpy(img + PY_GIL_SWITCH_NUMBER, &v64, 8);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);

	good_gil(img);
	v32 = 1; /* PTHREAD_MUTEX_RECURSIVE: not CPython's mutex */
	memcpy(img + PY_GIL_MUTEX + 16, &v32, 4);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);
	assert_non_null(strstr(why, "mutex"));

	good_gil(img);
	v64 = 0x7f00deadbee0; /* a pointer where the switch mutex's list is empty */
	memcpy(img + PY_GIL_SWITCH_MUTEX + 24, &v64, 8);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);

	good_gil(img);
	memcpy(img + PY_GIL_SWITCH_COND, "python3.11 text!this is no cond", 32);
	assert_int_equal(py_gil_check(img, &st, why, sizeof(why)), PY_CHECK_BAD);
	assert_non_null(strstr(why, "condition"));
}

static void test_debug_offsets(void **state)
{
	uint8_t img[PY_DEBUG_OFFSETS_SIZE] = { 0 };
	uint64_t v;
	struct py_debug_offsets o;

	memcpy(img, "xdebugpy", 8);
	v = 0x030d00f0;
	memcpy(img + 8, &v, 8);
	v = 0x2000; memcpy(img + 24, &v, 8);  /* runtime size */
	v = 0x278; memcpy(img + 40, &v, 8);   /* interpreters.head */
	v = 0x15000; memcpy(img + 48, &v, 8); /* interpreter size */
	v = 0x80; memcpy(img + 64, &v, 8);    /* next */
	v = 0x10; memcpy(img + 112, &v, 8);   /* ceval.gil */
	assert_true(py_debug_offsets_parse(img, &o));
	assert_int_equal(o.interpreters_head, 0x278);
	assert_int_equal(o.interp_next, 0x80);
	assert_int_equal(o.interp_gil_ptr, 0x10);
	assert_false(o.free_threaded);
	v = 0x030e00f0; /* 3.14 grew the struct: not read this way */
	memcpy(img + 8, &v, 8);
	assert_false(py_debug_offsets_parse(img, &o));
	v = 0x030d00f0;
	memcpy(img + 8, &v, 8);
	v = 0x20000; /* ceval.gil beyond the interpreter */
	memcpy(img + 112, &v, 8);
	assert_false(py_debug_offsets_parse(img, &o));
	img[0] = 'X';
	assert_false(py_debug_offsets_parse(img, &o));
}

static void test_versions(void **state)
{
	char s[32];
	int ma, mi;

	py_version_hex_str(0x030b02f0, s, sizeof(s));
	assert_string_equal(s, "3.11.2");
	py_version_hex_str(0x030d00c1, s, sizeof(s));
	assert_string_equal(s, "3.13.0rc1");
	assert_true(py_version_from_name("libpython3.10.so.1.0", &ma, &mi));
	assert_int_equal(ma, 3);
	assert_int_equal(mi, 10);
	assert_true(py_version_from_name("/usr/bin/python3.11", &ma, &mi));
	assert_int_equal(mi, 11);
	assert_true(py_version_from_name("libpython3.7m.so.1.0", &ma, &mi));
	assert_int_equal(mi, 7);
	assert_true(py_version_from_name("/root/.pyenv/versions/2.7.18/lib/libpython2.7.so", &ma, &mi));
	assert_int_equal(ma, 2);
	assert_false(py_version_from_name("/usr/bin/python3", &ma, &mi));
	assert_false(py_version_from_name("/bin/sh", &ma, &mi));
	assert_false(py_version_from_name("libpython3.1x.so", &ma, &mi));
}

static void test_elf_symbols(void **state)
{
	char err[256], name[64];
	struct py_elf *e = py_elf_open(fixture(), err, sizeof(err));
	uint64_t v, sz, off;
	unsigned long ver = 0;

	if (!e)
		fail_msg("%s", err);
	assert_true(py_elf_symbol(e, "_PyRuntime", &v, &sz));
	assert_int_equal(sz, 0x168 + 208 + 512);
	assert_true(py_elf_symbol(e, "Py_Version", &v, NULL));
	assert_true(py_elf_read(e, v, &ver, sizeof(ver)));
	assert_int_equal(ver, 0x030b04f0);
	assert_false(py_elf_symbol(e, "take_gil", NULL, NULL));
	assert_false(py_elf_symbol(e, "no_such_symbol", NULL, NULL));
	assert_true(py_elf_is_dyn(e));
	assert_string_equal(py_elf_soname(e), "libpython3.11.so.1.0");
	assert_true(py_elf_symbol(e, "_PyRuntime", &v, NULL));
	assert_true(py_elf_symbol_at(e, v + 0x188, name, sizeof(name), &off));
	assert_string_equal(name, "_PyRuntime");
	assert_int_equal(off, 0x188);
	py_elf_close(e);
	assert_null(py_elf_open("/proc/self/status", err, sizeof(err)));
	assert_null(py_elf_open("/no/such/file", err, sizeof(err)));
	assert_non_null(strstr(err, "/no/such/file"));
}

/* The whole path on this process, with the stand-in libpython loaded. */
static void test_find_in_self(void **state)
{
	void *h = dlopen(fixture(), RTLD_NOW);
	struct py_target t;
	struct py_gil g;
	struct py_gil_state st;
	char why[256];
	uint8_t *rt, saved[PY_GIL_SIZE];
	uint64_t addr;
	int32_t bad = 7;

	if (!h)
		fail_msg("cannot load %s: %s", fixture(), dlerror());
	rt = dlsym(h, "_PyRuntime");
	assert_non_null(rt);
	/* last_holder must point to memory the process has: make it ours */
	addr = (uint64_t)(uintptr_t)holder_storage;
	memcpy(rt + 0x168 + PY_GIL_LAST_HOLDER, &addr, 8);

	assert_int_equal(py_target_recognise(getpid(), &t, why, sizeof(why)), PY_IS_PYTHON);
	assert_string_equal(t.version, "3.11.4");
	assert_int_equal(t.runtime, (uint64_t)(uintptr_t)rt);
	assert_false(t.gil_symbols);
	assert_int_equal(py_gil_find(&t, &g, why, sizeof(why)), PY_CHECK_OK);
	assert_string_equal(g.how, "layout");
	assert_int_equal(g.address, (uint64_t)(uintptr_t)rt + 0x168);
	assert_int_equal(g.words, g.address + PY_GIL_COND);
	assert_int_equal(g.words_len, PY_GIL_SIZE - PY_GIL_COND);
	assert_int_equal(g.state.switch_number, 42);
	assert_true(py_gil_read(&t, &g, &st));

	/* moved by a patch release: the table's offset fails, the search finds it */
	memcpy(saved, rt + 0x168, PY_GIL_SIZE);
	memset(rt + 0x168, 0, PY_GIL_SIZE);
	memcpy(rt + 0x168 + 0x28, saved, PY_GIL_SIZE);
	assert_int_equal(py_gil_find(&t, &g, why, sizeof(why)), PY_CHECK_OK);
	assert_string_equal(g.how, "scan");
	assert_int_equal(g.address, (uint64_t)(uintptr_t)rt + 0x168 + 0x28);

	/* zeros where the table says, nothing elsewhere: not initialised yet */
	memcpy(rt + 0x168 + 0x28 + PY_GIL_LOCKED, &bad, 4);
	assert_int_equal(py_gil_find(&t, &g, why, sizeof(why)), PY_CHECK_NOT_YET);
	/* nothing that checks out: not found, with the reason */
	memcpy(rt + 0x168, saved, PY_GIL_SIZE);
	memcpy(rt + 0x168 + PY_GIL_LOCKED, &bad, 4);
	assert_int_equal(py_gil_find(&t, &g, why, sizeof(why)), PY_CHECK_BAD);
	assert_non_null(strstr(why, "locked is 7"));

	/* a holder that is not mapped: refused */
	memset(rt + 0x168 + 0x28, 0, PY_GIL_SIZE);
	memcpy(rt + 0x168, saved, PY_GIL_SIZE);
	addr = 0x10000;
	memcpy(rt + 0x168 + PY_GIL_LAST_HOLDER, &addr, 8);
	assert_int_equal(py_gil_find(&t, &g, why, sizeof(why)), PY_CHECK_BAD);
	assert_non_null(strstr(why, "not mapped"));
	dlclose(h);
}

static void test_not_python(void **state)
{
	struct py_target t;
	char why[256];

	/* this test binary without the stand-in library: no CPython here */
	assert_int_equal(py_target_recognise(getpid(), &t, why, sizeof(why)),
			 PY_NOT_PYTHON);
	assert_int_equal(py_target_recognise(999999999, &t, why, sizeof(why)), PY_GONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_table),
		cmocka_unit_test(test_gil_check),
		cmocka_unit_test(test_debug_offsets),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_elf_symbols),
		cmocka_unit_test(test_not_python),
		cmocka_unit_test(test_find_in_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
