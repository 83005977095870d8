/* py_elf.h - what gilscope needs from an interpreter's ELF file: symbol
 * values (dynamic and, when present, the full symbol table), bytes stored in
 * the file at a virtual address, the lowest load address and the soname.
 * libelf does the parsing; this is a thin, read-only view of one file. */
#ifndef GS_PY_ELF_H
#define GS_PY_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct py_elf;

/* NULL when path is not a readable 64-bit ELF file (err says why). */
struct py_elf *py_elf_open(const char *path, char *err, size_t errlen);
void py_elf_close(struct py_elf *e);

/* Look a symbol up by name in .dynsym, then .symtab. Returns true and its
 * st_value (a virtual address of the file) and st_size when defined. */
bool py_elf_symbol(struct py_elf *e, const char *name, uint64_t *value, uint64_t *size);
/* Only in .symtab (the local, non-exported symbols of unstripped builds). */
bool py_elf_has_symtab(const struct py_elf *e);
/* Copy len bytes that the file stores at virtual address vaddr (initialised
 * data or read-only data, not .bss). False when vaddr is not file-backed. */
bool py_elf_read(struct py_elf *e, uint64_t vaddr, void *buf, size_t len);
/* Lowest PT_LOAD p_vaddr, page-aligned down: the load bias of a mapped copy is
 * (address of its offset-0 mapping) - this. */
uint64_t py_elf_min_vaddr(const struct py_elf *e);
/* ET_DYN (position-independent) or ET_EXEC. */
bool py_elf_is_dyn(const struct py_elf *e);
/* DT_SONAME, or "" */
const char *py_elf_soname(const struct py_elf *e);
/* The symbol (of .symtab or .dynsym) whose [value, value+size) holds vaddr:
 * its name and the offset into it. False when none does. */
bool py_elf_symbol_at(struct py_elf *e, uint64_t vaddr, char *name, size_t namelen,
		      uint64_t *offset);
/* Find NUL-terminated strings in the read-only data that look like a CPython
 * release ("3.11.2", "2.7.18+", "3.13.0rc1"): the first whose major.minor is
 * want_major.want_minor (or any, when want_major is 0) goes to out. */
bool py_elf_find_version_string(struct py_elf *e, int want_major, int want_minor, char *out,
				size_t outlen);

#endif
