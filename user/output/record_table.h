/* record_table.h - the perf-stat-like terminal table of a recorded run. */
#ifndef GS_RECORD_TABLE_H
#define GS_RECORD_TABLE_H

#include <stdio.h>
#include <jansson.h>

/* Print the run (an element of runs[]) to f. Strings from the system are
 * printed with non-printable bytes replaced, so a command name cannot drive
 * the terminal. */
void record_table_print(FILE *f, const json_t *run);

#endif
