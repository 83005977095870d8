/* sysstr.c - lossless JSON text of byte strings from the system (see sysstr.h). */
#include "sysstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 character at s (1..4), or 0 if s does not start
 * one: overlong forms, surrogates and code points past U+10FFFF are invalid,
 * as they are to jansson. */
static size_t utf8_char_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

char *sysstr_escape(const char *bytes)
{
	const unsigned char *s = (const unsigned char *)(bytes ? bytes : "");
	char *out = malloc(strlen((const char *)s) * 4 + 1), *o = out;

	if (!out)
		return NULL;
	while (*s) {
		size_t n = utf8_char_len(s);

		if (n == 0) {
			static const char hex[] = "0123456789abcdef";

			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[*s >> 4];
			*o++ = hex[*s & 15];
			s++;
		} else if (*s == '\\') {
			*o++ = '\\';
			*o++ = '\\';
			s++;
		} else {
			memcpy(o, s, n);
			o += n;
			s += n;
		}
	}
	*o = 0;
	return out;
}

json_t *json_sysstr(const char *bytes)
{
	char *text = sysstr_escape(bytes);
	json_t *j = text ? json_string(text) : NULL;

	free(text);
	return j;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *sysstr_unescape(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	if (!out)
		return NULL;
	while (*text) {
		if (text[0] == '\\' && text[1] == '\\') {
			*o++ = '\\';
			text += 2;
		} else if (text[0] == '\\' && text[1] == 'x' && hexval(text[2]) >= 0 &&
			   hexval(text[3]) >= 0) {
			*o++ = (char)(hexval(text[2]) << 4 | hexval(text[3]));
			text += 4;
		} else {
			*o++ = *text++;
		}
	}
	*o = 0;
	return out;
}

size_t utf8_cut(const char *s, size_t max)
{
	size_t pos = 0, len = strlen(s);

	while (pos < len) {
		size_t n = utf8_char_len((const unsigned char *)s + pos);

		if (n == 0)
			n = 1;
		if (pos + n > max)
			break;
		pos += n;
	}
	return pos;
}
