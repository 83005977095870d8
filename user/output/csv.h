/* csv.h - the tidy CSV form of a results document (summary.csv). */
#ifndef GS_CSV_H
#define GS_CSV_H

#include <stdio.h>
#include <jansson.h>

/* One row per (run, model, workload, workers, metric): value and unit.
 * Every field is quoted as RFC 4180 asks, so it loads as is in pandas/DuckDB. */
int csv_write_results(FILE *f, const json_t *doc);
/* Write one field, quoted when it needs to be (comma, quote, CR, LF). */
void csv_field(FILE *f, const char *s);

#endif
