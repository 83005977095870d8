/*
 * run_check.c - the types inside one run of a loaded results document. A
 * document from another tool (or edited by hand) with metrics as strings or
 * threads that are not an array is refused with one line, never read as 0.
 */
#include "run_check.h"

#include <stdio.h>

/* field: key, the type it must have when present (absent is always fine) */
static const struct {
	const char *key;
	json_type type;
} run_fields[] = {
	{ "kind", JSON_STRING }, { "model", JSON_STRING }, { "workload", JSON_STRING },
	{ "error", JSON_STRING }, { "workers", JSON_INTEGER }, { "repeat", JSON_INTEGER },
	{ "exit_status", JSON_INTEGER }, { "pid", JSON_INTEGER },
	{ "threads", JSON_ARRAY }, { "per_cpu", JSON_ARRAY }, { "futexes", JSON_ARRAY },
	{ "command", JSON_ARRAY }, { "gil_ranges", JSON_ARRAY },
	{ "cpu_timeline", JSON_OBJECT }, { "histograms", JSON_OBJECT }, { "tracer", JSON_OBJECT },
	{ "rusage", JSON_OBJECT }, { "gil", JSON_OBJECT },
};

static const char *type_name(json_type t)
{
	switch (t) {
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_ARRAY: return "an array";
	case JSON_OBJECT: return "an object";
	default: return "of another type";
	}
}

int results_check_run(const json_t *run, size_t i, char *err, size_t errlen)
{
	const char *name;
	json_t *v, *ok = json_object_get(run, "ok");
	size_t j;

	json_object_foreach(json_object_get(run, "metrics"), name, v) {
		/* a figure that was not measured is null, never a string or 0 */
		if (!json_is_number(v) && !json_is_null(v)) {
			snprintf(err, errlen, "run %zu of the results document is malformed "
				 "(metric %.64s is not a number)", i, name);
			return -1;
		}
	}
	for (size_t k = 0; k < sizeof(run_fields) / sizeof(run_fields[0]); k++) {
		v = json_object_get(run, run_fields[k].key);
		if (v && json_typeof(v) != run_fields[k].type) {
			snprintf(err, errlen, "run %zu of the results document is malformed "
				 "(%s is not %s)", i, run_fields[k].key, type_name(run_fields[k].type));
			return -1;
		}
	}
	if (ok && !json_is_boolean(ok)) {
		snprintf(err, errlen, "run %zu of the results document is malformed (ok is not "
			 "a boolean)", i);
		return -1;
	}
	json_array_foreach(json_object_get(run, "threads"), j, v) {
		if (!json_is_object(v) || !json_is_integer(json_object_get(v, "tid"))) {
			snprintf(err, errlen, "run %zu of the results document is malformed "
				 "(thread %zu is not an object with a tid)", i, j);
			return -1;
		}
	}
	json_array_foreach(json_object_get(run, "per_cpu"), j, v) {
		if (!json_is_number(v)) {
			snprintf(err, errlen, "run %zu of the results document is malformed "
				 "(per_cpu holds a non-number)", i);
			return -1;
		}
	}
	return 0;
}
