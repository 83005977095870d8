/*
 * sysstr.h - strings from the system (command-line arguments, file names,
 * thread names, host names) are bytes, not always UTF-8, and JSON text must
 * be UTF-8. They enter a results document only through json_sysstr, which
 * keeps every byte (docs/results.md, "Text from the system"):
 *   - a backslash is written as two backslashes,
 *   - a byte that is not part of valid UTF-8 is written as \xNN (two
 *     lower-case hex digits),
 *   - everything else (valid UTF-8) is kept as it is.
 * sysstr_unescape gives the original bytes back.
 */
#ifndef GS_SYSSTR_H
#define GS_SYSSTR_H

#include <stddef.h>
#include <jansson.h>

/* The escaped text of bytes (malloc'd; NULL when out of memory). */
char *sysstr_escape(const char *bytes);
/* A JSON string of the escaped text (never NULL unless out of memory). */
json_t *json_sysstr(const char *bytes);
/* The original bytes of an escaped text (malloc'd, NUL-terminated). */
char *sysstr_unescape(const char *text);
/* Length of the longest prefix of s of at most max bytes that does not end
 * inside a valid UTF-8 character (invalid bytes count one each). */
size_t utf8_cut(const char *s, size_t max);

#endif
