/* futex_names.c - name futex words (see futex_names.h). */
#include "futex_names.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "py_elf.h"

size_t futex_names_parse_maps(const char *text, struct fn_map *out, size_t max)
{
	size_t n = 0;

	while (text && *text && n < max) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		char line[512];
		int pos = 0;

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1),
			 text);
		text += len + (eol != NULL);
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*u %n", &out[n].start,
			   &out[n].end, &out[n].offset, &pos) < 3)
			continue;
		if (!pos) /* a line with nothing after the inode */
			pos = (int)strlen(line);
		snprintf(out[n].path, sizeof(out[n].path), "%s", line + pos);
		n++;
	}
	return n;
}

uint32_t futex_names_join_tid(const struct fn_join *joins, size_t n, uint64_t uaddr)
{
	for (size_t i = 0; i < n; i++)
		if (joins[i].clear_child_tid && joins[i].clear_child_tid == uaddr)
			return joins[i].tid;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* The file whose data (or the anonymous .bss right after it) holds maps[i]. */
static const struct fn_map *owner_file(const struct fn_ctx *c, size_t i)
{
	if (c->maps[i].path[0] == '/')
		return &c->maps[i];
	/* a .bss larger than the file's last page is an anonymous mapping that
	 * directly follows the file's last one */
	if (!c->maps[i].path[0] && i > 0 && c->maps[i - 1].path[0] == '/' &&
	    c->maps[i - 1].end == c->maps[i].start)
		return &c->maps[i - 1];
	return NULL;
}

/* Start of the file's offset-0 mapping (its load address). */
static bool file_base(const struct fn_ctx *c, const char *path, uint64_t *base)
{
	for (size_t i = 0; i < c->nmaps; i++)
		if (c->maps[i].offset == 0 && !strcmp(c->maps[i].path, path)) {
			*base = c->maps[i].start;
			return true;
		}
	return false;
}

bool futex_word_name(const struct fn_ctx *c, uint64_t uaddr, char *out, size_t outlen)
{
	uint32_t tid;

	out[0] = 0;
	for (size_t i = 0; i < c->ngil; i++)
		if (uaddr >= c->gil[i].start && uaddr < c->gil[i].start + c->gil[i].len) {
			snprintf(out, outlen, "GIL");
			return true;
		}
	tid = futex_names_join_tid(c->joins, c->njoins, uaddr);
	if (tid) {
		snprintf(out, outlen, "join %u", tid);
		return true;
	}
	for (size_t i = 0; i < c->nmaps; i++) {
		const struct fn_map *m = &c->maps[i], *f;
		uint64_t base, off;
		char sym[128];

		if (uaddr < m->start || uaddr >= m->end)
			continue;
		if (m->path[0] == '[') {
			/* [heap], [stack], [stack:TID]; not [vdso] and the like */
			if (!strcmp(m->path, "[heap]") || !strncmp(m->path, "[stack", 6))
				snprintf(out, outlen, "%s", m->path);
			return out[0] != 0;
		}
		f = owner_file(c, i);
		if (!f || !file_base(c, f->path, &base))
			return false;
		if (c->resolve && c->resolve(c->resolve_arg, f->path, uaddr - base, sym, sizeof(sym), &off))
			snprintf(out, outlen, off ? "%s+0x%" PRIx64 : "%s", sym, off);
		else
			snprintf(out, outlen, "%s+0x%" PRIx64, base_name(f->path), uaddr - base);
		return true;
	}
	return false;
}

bool futex_names_resolve_elf(void *arg, const char *path, uint64_t rel, char *sym, size_t symlen,
			     uint64_t *off)
{
	char err[256];
	struct py_elf *e = py_elf_open(path, err, sizeof(err));
	bool ok;

	(void)arg;
	if (!e)
		return false;
	ok = py_elf_symbol_at(e, rel + py_elf_min_vaddr(e), sym, symlen, off);
	py_elf_close(e);
	return ok;
}
