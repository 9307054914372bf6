/*
 * FILE: include/flexos/symtab.h
 * DESCRIPTION:
 *   The symbol and line table an image carries for its fault reports,
 *   written at build time by tools/flexos-symtab.c (from the linked
 *   image's symbols and DWARF line table) into section .flexos_symtab,
 *   which the linker script places last, so that adding it moves nothing
 *   (tools/flexos-link-scan.sh links twice and checks that).  Plain
 *   numbers, no relocations: offsets are from the table's start.
 *   The lookups below serve the image's fault handler
 *   (runtime/core/symbolize.c) and the vm-ept monitor (tools/vmm); they check
 *   every count and offset against the table's size, so a damaged table
 *   gives "?" rather than a wild read.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_SYMTAB_H
#define FLEXOS_SYMTAB_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FLEXOS_SYMTAB_MAGIC "FXSYMTB1"

struct flexos_symtab_header {
  char magic[8];
  uint32_t nfuncs, nlines, nfiles, strings_size;
  /* then: funcs[nfuncs], lines[nlines], files[nfiles] (u32 string
   * offsets, padded to 8 bytes), strings */
};

struct flexos_symtab_func { /* sorted by addr */
  uint64_t addr;
  uint32_t size; /* 0: unknown (up to the next function) */
  uint32_t name; /* offset in strings */
};

struct flexos_symtab_line { /* sorted by addr; line 0: no line (a gap) */
  uint64_t addr;
  uint32_t line;
  uint32_t file; /* index in files */
};

struct flexos_symtab {
  const struct flexos_symtab_func *funcs;
  const struct flexos_symtab_line *lines;
  const uint32_t *files;
  const char *strings;
  uint32_t nfuncs, nlines, nfiles, strings_size;
};

/* 1 and *t when [p, p+size) holds a whole table, else 0. */
static inline int flexos_symtab_open(struct flexos_symtab *t, const void *p,
                                     size_t size) {
  const struct flexos_symtab_header *h = p;
  if (!p || size < sizeof *h || memcmp(h->magic, FLEXOS_SYMTAB_MAGIC, 8))
    return 0;
  uint64_t need = sizeof *h + (uint64_t)h->nfuncs * sizeof(struct flexos_symtab_func) +
                  (uint64_t)h->nlines * sizeof(struct flexos_symtab_line);
  uint64_t files_bytes = (uint64_t)h->nfiles * 4;
  uint64_t strings_at = need + ((files_bytes + 7) & ~(uint64_t)7);
  if (strings_at + h->strings_size > size)
    return 0;
  const char *base = p;
  t->funcs = (const void *)(base + sizeof *h);
  t->lines = (const void *)(t->funcs + h->nfuncs);
  t->files = (const void *)(t->lines + h->nlines);
  t->strings = base + strings_at;
  t->nfuncs = h->nfuncs;
  t->nlines = h->nlines;
  t->nfiles = h->nfiles;
  t->strings_size = h->strings_size;
  return 1;
}

/* The string at off, or "?" when it is not inside the pool. */
static inline const char *flexos_symtab_string(const struct flexos_symtab *t,
                                               uint32_t off) {
  if (off >= t->strings_size ||
      !memchr(t->strings + off, 0, t->strings_size - off))
    return "?";
  return t->strings + off;
}

/* Index of the last entry (16 bytes, addr first) with addr <= pc, or -1. */
static inline long flexos_symtab_find(const void *entries, uint32_t n,
                                      uint64_t pc) {
  const char *e = entries;
  long lo = 0, hi = (long)n - 1, found = -1;
  while (lo <= hi) {
    long mid = lo + (hi - lo) / 2;
    uint64_t addr;
    memcpy(&addr, e + 16 * mid, sizeof addr);
    if (addr <= pc) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/* The function holding pc (its name) and pc's offset in it, or NULL. */
static inline const char *flexos_symtab_function(const struct flexos_symtab *t,
                                                 uint64_t pc, uint64_t *offset) {
  long f = flexos_symtab_find(t->funcs, t->nfuncs, pc);
  if (f < 0 || (t->funcs[f].size && pc >= t->funcs[f].addr + t->funcs[f].size))
    return 0;
  *offset = pc - t->funcs[f].addr;
  return flexos_symtab_string(t, t->funcs[f].name);
}

/* "name+0xoff at file:line", or as much of it as the table knows. */
static inline void flexos_symtab_describe(const struct flexos_symtab *t,
                                          uint64_t pc, char *buf, size_t n) {
  uint64_t offset = 0;
  const char *name = flexos_symtab_function(t, pc, &offset);
  long l = flexos_symtab_find(t->lines, t->nlines, pc);
  if (l >= 0 && t->lines[l].line && t->lines[l].file < t->nfiles)
    snprintf(buf, n, "%s+0x%lx at %s:%u", name ? name : "?",
             (unsigned long)offset,
             flexos_symtab_string(t, t->files[t->lines[l].file]),
             t->lines[l].line);
  else
    snprintf(buf, n, "%s+0x%lx", name ? name : "?", (unsigned long)offset);
}
#endif
