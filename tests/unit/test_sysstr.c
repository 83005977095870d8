/* test_sysstr - byte strings from the system into JSON text, losslessly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sysstr.h"

static void check(const char *bytes, const char *want)
{
	char *text = sysstr_escape(bytes), *back;
	json_t *j = json_sysstr(bytes);

	assert_string_equal(text, want);
	assert_non_null(j); /* jansson takes it: valid UTF-8 */
	assert_string_equal(json_string_value(j), want);
	back = sysstr_unescape(text);
	assert_string_equal(back, bytes);
	free(text);
	free(back);
	json_decref(j);
}

static void test_escapes(void **state)
{
	check("plain", "plain");
	check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	check("\xff", "\\xff");
	check("a\\xff", "a\\\\xff");        /* the text \xff, not the byte */
	check("back\\slash", "back\\\\slash");
	check("x\xc3", "x\\xc3");           /* a character cut short */
	check("\xc0\xaf", "\\xc0\\xaf");    /* overlong '/' */
	check("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
	check("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
	check("", "");
}

/* Every byte string round-trips, whatever it holds. */
static void test_random_bytes_round_trip(void **state)
{
	char bytes[64];

	srand(11);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)rand() % (sizeof(bytes) - 1);
		char *text, *back;
		json_t *j;

		for (size_t i = 0; i < n; i++)
			bytes[i] = (char)(rand() % 255 + 1);
		bytes[n] = 0;
		text = sysstr_escape(bytes);
		j = json_string(text);
		assert_non_null(j);
		back = sysstr_unescape(text);
		assert_string_equal(back, bytes);
		json_decref(j);
		free(text);
		free(back);
	}
}

static void test_cut_keeps_characters_whole(void **state)
{
	assert_int_equal(utf8_cut("ab\xc3\xa9", 3), 2);  /* not inside é */
	assert_int_equal(utf8_cut("ab\xc3\xa9", 4), 4);
	assert_int_equal(utf8_cut("\xe2\x82\xac\xe2\x82\xac", 5), 3);
	assert_int_equal(utf8_cut("a\xff\xff", 2), 2);    /* invalid bytes count one each */
	assert_int_equal(utf8_cut("short", 100), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_random_bytes_round_trip),
		cmocka_unit_test(test_cut_keeps_characters_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
