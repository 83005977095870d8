/* py_elf.c - read-only ELF view of an interpreter file (see py_elf.h). */
#include "py_elf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct py_elf {
	int fd;
	Elf *elf;
	Elf_Scn *dynsym, *symtab;
	uint64_t min_vaddr;
	bool dyn;
	char soname[128];
};

static void find_sections(struct py_elf *e)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM)
			e->dynsym = scn;
		else if (sh.sh_type == SHT_SYMTAB)
			e->symtab = scn;
		else if (sh.sh_type == SHT_DYNAMIC) {
			Elf_Data *d = elf_getdata(scn, NULL);

			for (size_t i = 0; d && i < sh.sh_size / (sh.sh_entsize ? sh.sh_entsize : 16); i++) {
				GElf_Dyn dyn;
				const char *s;

				if (!gelf_getdyn(d, (int)i, &dyn))
					break;
				if (dyn.d_tag == DT_SONAME &&
				    (s = elf_strptr(e->elf, sh.sh_link, dyn.d_un.d_val)))
					snprintf(e->soname, sizeof(e->soname), "%s", s);
			}
		}
	}
}

struct py_elf *py_elf_open(const char *path, char *err, size_t errlen)
{
	struct py_elf *e = calloc(1, sizeof(*e));
	GElf_Ehdr eh;
	size_t nph;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	elf_version(EV_CURRENT);
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		free(e);
		return NULL;
	}
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || gelf_getclass(e->elf) != ELFCLASS64 ||
	    !gelf_getehdr(e->elf, &eh) || elf_getphdrnum(e->elf, &nph)) {
		snprintf(err, errlen, "%s is not a 64-bit ELF file", path);
		py_elf_close(e);
		return NULL;
	}
	e->dyn = eh.e_type == ET_DYN;
	e->min_vaddr = UINT64_MAX;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e->elf, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_vaddr < e->min_vaddr)
			e->min_vaddr = ph.p_vaddr & ~(uint64_t)0xfff;
	}
	if (e->min_vaddr == UINT64_MAX)
		e->min_vaddr = 0;
	find_sections(e);
	return e;
}

void py_elf_close(struct py_elf *e)
{
	if (!e)
		return;
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

/* Walk one symbol table; fn returns true to stop. */
static bool walk(struct py_elf *e, Elf_Scn *scn,
		 bool (*fn)(const char *name, const GElf_Sym *s, void *arg), void *arg)
{
	GElf_Shdr sh;
	Elf_Data *d;

	if (!scn || !gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
		return false;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(e->elf, sh.sh_link, s.st_name);
		if (name && fn(name, &s, arg))
			return true;
	}
	return false;
}

struct by_name {
	const char *name;
	GElf_Sym sym;
};

static bool match_name(const char *name, const GElf_Sym *s, void *arg)
{
	struct by_name *b = arg;

	if (strcmp(name, b->name))
		return false;
	b->sym = *s;
	return true;
}

bool py_elf_symbol(struct py_elf *e, const char *name, uint64_t *value, uint64_t *size)
{
	struct by_name b = { .name = name };

	if (!walk(e, e->dynsym, match_name, &b) && !walk(e, e->symtab, match_name, &b))
		return false;
	if (value)
		*value = b.sym.st_value;
	if (size)
		*size = b.sym.st_size;
	return true;
}

bool py_elf_has_symtab(const struct py_elf *e)
{
	return e->symtab != NULL;
}

bool py_elf_read(struct py_elf *e, uint64_t vaddr, void *buf, size_t len)
{
	size_t nph;

	if (elf_getphdrnum(e->elf, &nph))
		return false;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		uint64_t off;

		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		/* only bytes the file holds: [p_vaddr, p_vaddr + p_filesz) */
		if (vaddr < ph.p_vaddr || vaddr + len > ph.p_vaddr + ph.p_filesz)
			continue;
		off = ph.p_offset + (vaddr - ph.p_vaddr);
		return pread(e->fd, buf, len, (off_t)off) == (ssize_t)len;
	}
	return false;
}

uint64_t py_elf_min_vaddr(const struct py_elf *e)
{
	return e->min_vaddr;
}

bool py_elf_is_dyn(const struct py_elf *e)
{
	return e->dyn;
}

const char *py_elf_soname(const struct py_elf *e)
{
	return e->soname;
}

struct by_addr {
	uint64_t vaddr;
	GElf_Sym sym;
	char name[128];
	bool found;
};

static bool match_addr(const char *name, const GElf_Sym *s, void *arg)
{
	struct by_addr *b = arg;
	int type = GELF_ST_TYPE(s->st_info);

	if (type != STT_OBJECT && type != STT_TLS && type != STT_NOTYPE && type != STT_FUNC)
		return false;
	if (b->vaddr < s->st_value || b->vaddr >= s->st_value + (s->st_size ? s->st_size : 1))
		return false;
	b->sym = *s;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->found = true;
	return true;
}

bool py_elf_symbol_at(struct py_elf *e, uint64_t vaddr, char *name, size_t namelen,
		      uint64_t *offset)
{
	struct by_addr b = { .vaddr = vaddr };

	if (!walk(e, e->symtab, match_addr, &b) && !walk(e, e->dynsym, match_addr, &b))
		return false;
	snprintf(name, namelen, "%s", b.name);
	*offset = vaddr - b.sym.st_value;
	return true;
}

/* "M.m.p" with an optional suffix (a1, b2, rc1, +): the shape of PY_VERSION. */
static bool version_shaped(const char *s, size_t n, int *major, int *minor)
{
	int ma, mi, pa, used = 0;

	if (n < 5 || n > 16 || sscanf(s, "%d.%d.%d%n", &ma, &mi, &pa, &used) != 3)
		return false;
	if (!isdigit((unsigned char)s[0]) || ma < 2 || ma > 3 || mi > 40 || pa > 99)
		return false;
	for (size_t i = (size_t)used; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+')
			return false;
	if ((size_t)used < n && !strchr("abr+", s[used]))
		return false;
	*major = ma;
	*minor = mi;
	return true;
}

bool py_elf_find_version_string(struct py_elf *e, int want_major, int want_minor, char *out,
				size_t outlen)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(name = elf_strptr(e->elf, shstrndx, sh.sh_name)) || strcmp(name, ".rodata") ||
		    !(d = elf_getdata(scn, NULL)) || !d->d_buf)
			continue;
		for (size_t i = 0; i < d->d_size; i++) {
			const char *s = (const char *)d->d_buf + i;
			size_t n = strnlen(s, d->d_size - i);
			int ma, mi;

			size_t k = n;

			/* the linker may have merged PY_VERSION into the tail of a
			 * longer string ("Python-3.8.18"): look at the last word */
			while (k > 0 && (isalnum((unsigned char)s[k - 1]) || s[k - 1] == '.' ||
					 s[k - 1] == '+'))
				k--;
			if (n < d->d_size - i && version_shaped(s + k, n - k, &ma, &mi) &&
			    (!want_major || (ma == want_major && mi == want_minor))) {
				snprintf(out, outlen, "%s", s + k);
				return true;
			}
			i += n;
		}
	}
	return false;
}
