/* run_check.h - check the types of the fields of run i of a results document. */
#ifndef GS_RUN_CHECK_H
#define GS_RUN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* 0, or -1 with one line in err naming the run and the field. */
int results_check_run(const json_t *run, size_t i, char *err, size_t errlen);

#endif
