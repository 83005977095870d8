/* run_table.h - the terminal comparison table of `gilscope run`. */
#ifndef GS_RUN_TABLE_H
#define GS_RUN_TABLE_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

/* One row per model x workload of summary[] (medians). */
void run_table_print(FILE *f, const json_t *doc);
/* Every column is a metric of the registry (for the unit test). */
bool run_table_metrics_known(void);

#endif
