/* py_target.c - recognise CPython in a process (see py_target.h). */
#include "py_target.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "py_elf.h"
#include "py_layout.h"

bool py_mem_read(pid_t tgid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	char path[64];
	ssize_t n;
	int fd;

	if (process_vm_readv(tgid, &local, 1, &remote, 1, 0) == (ssize_t)len)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len;
}

bool py_version_from_name(const char *name, int *major, int *minor)
{
	const char *b = strrchr(name, '/');
	int ma, mi, used = 0;

	b = b ? b + 1 : name;
	if (!strncmp(b, "lib", 3))
		b += 3;
	if (!strncmp(b, "python", 6))
		b += 6;
	if (sscanf(b, "%d.%d%n", &ma, &mi, &used) != 2 || ma < 2 || ma > 3 || mi < 0 || mi > 99)
		return false;
	/* "3.10" must not be read as 3.1 and something */
	if (b[used] && b[used] != '.' && b[used] != 'm' && b[used] != 'd' && b[used] != 't' &&
	    b[used] != '-' && b[used] != '_')
		return false;
	*major = ma;
	*minor = mi;
	return true;
}

/* A mapped file worth a look: the executable, or a libpython*. */
struct mapping {
	uint64_t start, end, offset;
	char path[PATH_MAX];
};

static bool is_libpython(const char *path)
{
	const char *b = strrchr(path, '/');

	return !strncmp(b ? b + 1 : path, "libpython", 9);
}

/* The offset-0 mapping of each candidate file (the executable first). */
static size_t candidates(pid_t tgid, const char *exe, struct mapping *out, size_t max)
{
	char path[64], line[PATH_MAX + 128];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tgid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		struct mapping m;
		int pos = 0;
		char *p;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*u %n", &m.start, &m.end,
			   &m.offset, &pos) < 3 || !pos || m.offset != 0)
			continue;
		p = line + pos;
		p[strcspn(p, "\n")] = 0;
		if (*p != '/')
			continue;
		snprintf(m.path, sizeof(m.path), "%s", p);
		if (strcmp(m.path, exe) && !is_libpython(m.path))
			continue;
		/* the executable goes first */
		if (!strcmp(m.path, exe) && n) {
			out[n] = out[0];
			out[0] = m;
		} else {
			out[n] = m;
		}
		n++;
	}
	fclose(f);
	return n;
}

static void version_of(struct py_elf *e, struct py_target *t, char *why, size_t whylen)
{
	uint64_t addr;
	uint32_t hex;
	int ma = 0, mi = 0;
	char s[32];

	/* 3.11+: the version the library was built as, in its own read-only data */
	if (py_elf_symbol(e, "Py_Version", &addr, NULL) && py_elf_read(e, addr, &hex, sizeof(hex)) &&
	    (hex >> 24) == 3) {
		py_version_hex_str(hex, t->version, sizeof(t->version));
		t->major = 3;
		t->minor = (int)((hex >> 16) & 0xff);
		return;
	}
	if (!py_version_from_name(py_elf_soname(e), &ma, &mi) &&
	    !py_version_from_name(t->file, &ma, &mi) && !py_version_from_name(t->executable, &ma, &mi)) {
		snprintf(why, whylen, "no Py_Version symbol, and neither the soname nor the file name "
			 "tells the version");
		return;
	}
	t->major = ma;
	t->minor = mi;
	if (py_elf_find_version_string(e, ma, mi, s, sizeof(s)))
		snprintf(t->version, sizeof(t->version), "%s", s);
	else
		snprintf(t->version, sizeof(t->version), "%d.%d", ma, mi);
}

/* Open a mapped file as the process sees it (its own mount namespace, even
 * when deleted or replaced since), else by path. */
static struct py_elf *open_mapped(pid_t tgid, const struct mapping *m)
{
	char path[128], err[256];
	struct py_elf *e;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)tgid, m->start,
		 m->end);
	e = py_elf_open(path, err, sizeof(err));
	return e ? e : py_elf_open(m->path, err, sizeof(err));
}

enum py_recognise py_target_recognise(pid_t tgid, struct py_target *t, char *why, size_t whylen)
{
	struct mapping maps[8];
	char link[64];
	ssize_t n;
	size_t nm;

	memset(t, 0, sizeof(*t));
	t->tgid = tgid;
	why[0] = 0;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)tgid);
	n = readlink(link, t->executable, sizeof(t->executable) - 1);
	if (n <= 0)
		return PY_GONE;
	t->executable[n] = 0;
	nm = candidates(tgid, t->executable, maps, 8);
	for (size_t i = 0; i < nm; i++) {
		struct py_elf *e = open_mapped(tgid, &maps[i]);
		uint64_t v, sz;
		bool v3;

		if (!e)
			continue;
		v3 = py_elf_symbol(e, "_PyRuntime", &v, &sz);
		/* 2.7 has no runtime state; its C API and thread-state pointer say CPython */
		if (!v3 && !(py_elf_symbol(e, "Py_Initialize", NULL, NULL) &&
			     py_elf_symbol(e, "_PyThreadState_Current", NULL, NULL))) {
			py_elf_close(e);
			continue;
		}
		snprintf(t->file, sizeof(t->file), "%s", maps[i].path);
		t->bias = py_elf_is_dyn(e) ? maps[i].start - py_elf_min_vaddr(e) : 0;
		if (v3) {
			t->runtime = t->bias + v;
			t->runtime_size = sz;
		} else if (py_elf_symbol(e, "interpreter_lock", &v, NULL)) {
			t->old_lock = t->bias + v;
		}
		t->gil_symbols = py_elf_has_symtab(e) && py_elf_symbol(e, "take_gil", NULL, NULL) &&
				 py_elf_symbol(e, "drop_gil", NULL, NULL);
		version_of(e, t, why, whylen);
		py_elf_close(e);
		return PY_IS_PYTHON;
	}
	return PY_NOT_PYTHON;
}
