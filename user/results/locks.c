/* locks.c - the lock table and thread labels of a run (see locks.h). */
#include "locks.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lock_kind { KIND_GIL, KIND_LOCK, KIND_JOIN };
static const char *const kind_names[] = { "gil", "lock", "join" };

static json_int_t ival(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The thread whose clear_child_tid is uaddr in tgid, or 0. */
static json_int_t join_tid(const json_t *run, json_int_t tgid, uint64_t uaddr)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(run, "threads"), i, t)
		if (ival(t, "tgid") == tgid && ival(t, "clear_child_tid") &&
		    (uint64_t)ival(t, "clear_child_tid") == uaddr)
			return ival(t, "tid");
	return 0;
}

static enum lock_kind kind_of(const json_t *run, const json_t *fx, char *name, size_t len)
{
	const char *given = json_string_value(json_object_get(fx, "name"));
	const char *addr = json_string_value(json_object_get(fx, "uaddr"));
	uint64_t uaddr = addr ? strtoull(addr, NULL, 16) : 0;
	json_int_t tid;

	if (json_is_true(json_object_get(fx, "gil")) || (given && !strcmp(given, "GIL"))) {
		snprintf(name, len, "GIL");
		return KIND_GIL;
	}
	tid = join_tid(run, ival(fx, "tgid"), uaddr);
	if (tid || (given && !strncmp(given, "join ", 5))) {
		if (given)
			snprintf(name, len, "%s", given);
		else
			snprintf(name, len, "join %" JSON_INTEGER_FORMAT, tid);
		return KIND_JOIN;
	}
	snprintf(name, len, "%s", given ? given : "");
	return KIND_LOCK;
}

static json_t *find_gil_row(json_t *rows, json_int_t tgid)
{
	json_t *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (ival(r, "tgid") == tgid && !strcmp(json_string_value(json_object_get(r, "kind")), "gil"))
			return r;
	return NULL;
}

static void add_to(json_t *row, const char *key, json_int_t v)
{
	json_object_set_new(row, key, json_integer(ival(row, key) + v));
}

/* GIL, locks waited on more than once (contention), single waits (a thread
 * waiting once for the whole run is waiting for an event, e.g. a join
 * through a lock of its own), joins. */
static int rank(const json_t *r)
{
	const char *k = json_string_value(json_object_get(r, "kind"));

	if (!strcmp(k, "gil"))
		return 0;
	if (!strcmp(k, "lock"))
		return ival(r, "waits") > 1 ? 1 : 2;
	return 3;
}

static int by_kind_then_wait(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t wx = ival(x, "wait_ns"), wy = ival(y, "wait_ns");

	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	return wx < wy ? 1 : wx > wy ? -1 : 0;
}

void locks_build(json_t *run)
{
	json_t *rows = json_array(), *fx, *sorted = json_array();
	json_t **v;
	size_t i, n;

	json_array_foreach(json_object_get(run, "futexes"), i, fx) {
		char name[160];
		enum lock_kind k = kind_of(run, fx, name, sizeof(name));
		json_t *row = k == KIND_GIL ? find_gil_row(rows, ival(fx, "tgid")) : NULL;

		if (row) {
			json_array_append(json_object_get(row, "words"), json_object_get(fx, "uaddr"));
			add_to(row, "waits", ival(fx, "waits"));
			add_to(row, "wait_ns", ival(fx, "wait_ns"));
			add_to(row, "wakes", ival(fx, "wakes"));
			if (ival(fx, "max_wait_ns") > ival(row, "max_wait_ns"))
				json_object_set(row, "max_wait_ns", json_object_get(fx, "max_wait_ns"));
			continue;
		}
		row = json_pack("{sI ss ss s[O] sI sI sI sI}", "tgid", ival(fx, "tgid"),
				"kind", kind_names[k], "name", name, "words", json_object_get(fx, "uaddr"),
				"waits", ival(fx, "waits"), "wait_ns", ival(fx, "wait_ns"),
				"max_wait_ns", ival(fx, "max_wait_ns"), "wakes", ival(fx, "wakes"));
		if (!name[0]) /* no name: the address is all there is */
			json_object_set_new(row, "name", json_null());
		json_array_append_new(rows, row);
	}
	n = json_array_size(rows);
	v = calloc(n ? n : 1, sizeof(*v));
	if (v) {
		json_array_foreach(rows, i, fx)
			v[i] = fx;
		qsort(v, n, sizeof(*v), by_kind_then_wait);
		for (i = 0; i < n; i++)
			json_array_append(sorted, v[i]);
		free(v);
	}
	json_decref(rows);
	json_object_set_new(run, "locks", sorted);
}

static bool is_python(const json_t *run, json_int_t tgid)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(run, "python"), i, p)
		if (ival(p, "tgid") == tgid)
			return true;
	return false;
}

void thread_labels_build(json_t *run)
{
	json_t *threads = json_object_get(run, "threads"), *t, *u;
	size_t i, j;

	json_array_foreach(threads, i, t) {
		const char *comm = json_string_value(json_object_get(t, "comm"));
		bool shared = false, main = ival(t, "tid") == ival(t, "tgid");
		char label[96];

		if (!comm)
			continue;
		json_array_foreach(threads, j, u)
			if (j != i && json_is_string(json_object_get(u, "comm")) &&
			    !strcmp(comm, json_string_value(json_object_get(u, "comm"))))
				shared = true;
		if (!shared) {
			snprintf(label, sizeof(label), "%s", comm);
		} else {
			snprintf(label, sizeof(label), "%s %" JSON_INTEGER_FORMAT "%s", comm, ival(t, "tid"),
				 main && is_python(run, ival(t, "tgid")) ? " main" : "");
		}
		json_object_set_new(t, "label", json_string(label));
	}
}
