/* futex_namer.c - keep the traced tree's memory maps, name its futex words
 * (see futex_namer.h). The maps are read at every poll (a quarter of the
 * sampling interval) while the tree is small, so that a short-lived process
 * is seen; a bigger tree once per interval. */
#include "futex_namer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "futex_names.h"
#include "py_tree.h"
#include "sysstr.h"

#define MAX_PROCS 64           /* maps kept for this many processes */
#define MAX_MAPS_TEXT (4 << 20) /* and this much of each one's maps */
#define MAX_MAPS 8192

struct proc_maps {
	pid_t tgid;
	char *text;
};

struct futex_namer {
	pid_t root;
	bool subreaper;
	uint64_t interval_ns, last_ns;
	struct proc_maps procs[MAX_PROCS];
	size_t nprocs;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct futex_namer *futex_namer_new(pid_t root, bool subreaper, unsigned interval_ms)
{
	struct futex_namer *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->root = root;
	n->subreaper = subreaper;
	n->interval_ns = (uint64_t)(interval_ms ? interval_ms : 100) * 1000000ull;
	return n;
}

/* The whole of /proc/PID/maps, or NULL. */
static char *read_maps(pid_t pid)
{
	char path[64], *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			if (cap >= MAX_MAPS_TEXT)
				break;
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (!buf || !len) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

static struct proc_maps *slot(struct futex_namer *n, pid_t tgid)
{
	for (size_t i = 0; i < n->nprocs; i++)
		if (n->procs[i].tgid == tgid)
			return &n->procs[i];
	if (n->nprocs == MAX_PROCS)
		return NULL;
	n->procs[n->nprocs].tgid = tgid;
	return &n->procs[n->nprocs++];
}

static void read_all(struct futex_namer *n)
{
	pid_t tree[MAX_PROCS];
	size_t count;

	if (n->subreaper) /* gilscope's children: the command and adopted orphans */
		count = py_tree_list(getpid(), 0, tree, MAX_PROCS);
	else
		count = py_tree_list(n->root, 1, tree, MAX_PROCS);
	for (size_t i = 0; i < count; i++) {
		struct proc_maps *p = slot(n, tree[i]);
		char *text = p ? read_maps(tree[i]) : NULL;

		if (!text) /* gone: its last maps stay */
			continue;
		free(p->text);
		p->text = text;
	}
}

void futex_namer_poll(struct futex_namer *n)
{
	uint64_t now = now_ns();

	if (!n || (n->nprocs >= MAX_PROCS / 2 && now - n->last_ns < n->interval_ns))
		return;
	n->last_ns = now;
	read_all(n);
}

void futex_namer_finish(struct futex_namer *n)
{
	if (n)
		read_all(n);
}

static const char *maps_of(const struct futex_namer *n, json_int_t tgid)
{
	for (size_t i = 0; i < n->nprocs; i++)
		if (n->procs[i].tgid == tgid)
			return n->procs[i].text;
	return NULL;
}

/* The GIL words of process tgid, from python[].gil.words. */
static size_t gil_ranges(const json_t *run, json_int_t tgid, struct fn_range *out, size_t max)
{
	json_t *p;
	size_t i, k = 0;

	json_array_foreach(json_object_get(run, "python"), i, p) {
		json_t *g = json_object_get(p, "gil"), *w = json_object_get(g, "words");
		const char *start = json_string_value(json_object_get(w, "start"));

		if (k == max || json_integer_value(json_object_get(p, "tgid")) != tgid ||
		    !json_is_true(json_object_get(g, "found")) || !start)
			continue;
		out[k].start = strtoull(start, NULL, 16);
		out[k++].len = (uint64_t)json_integer_value(json_object_get(w, "len"));
	}
	return k;
}

static size_t joins_of(const json_t *run, json_int_t tgid, struct fn_join *out, size_t max)
{
	json_t *t;
	size_t i, k = 0;

	json_array_foreach(json_object_get(run, "threads"), i, t) {
		if (k == max || json_integer_value(json_object_get(t, "tgid")) != tgid)
			continue;
		out[k].tid = (uint32_t)json_integer_value(json_object_get(t, "tid"));
		out[k++].clear_child_tid = (uint64_t)json_integer_value(json_object_get(t, "clear_child_tid"));
	}
	return k;
}

void futex_namer_apply(const struct futex_namer *n, json_t *run)
{
	struct fn_map *maps = n ? calloc(MAX_MAPS, sizeof(*maps)) : NULL;
	struct fn_join *joins = calloc(4096, sizeof(*joins));
	json_t *fx;
	size_t i;

	if (!maps || !joins)
		goto out;
	json_array_foreach(json_object_get(run, "futexes"), i, fx) {
		json_int_t tgid = json_integer_value(json_object_get(fx, "tgid"));
		const char *addr = json_string_value(json_object_get(fx, "uaddr"));
		struct fn_range gil[8];
		struct fn_ctx c = {
			.maps = maps, .nmaps = futex_names_parse_maps(maps_of(n, tgid), maps, MAX_MAPS),
			.gil = gil, .ngil = gil_ranges(run, tgid, gil, 8),
			.joins = joins, .njoins = joins_of(run, tgid, joins, 4096),
			.resolve = futex_names_resolve_elf,
		};
		char name[256];

		if (addr && futex_word_name(&c, strtoull(addr, NULL, 16), name, sizeof(name)))
			json_object_set_new(fx, "name", json_sysstr(name)); /* file and symbol names are bytes */
	}
out:
	free(maps);
	free(joins);
}

void futex_namer_free(struct futex_namer *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nprocs; i++)
		free(n->procs[i].text);
	free(n);
}
