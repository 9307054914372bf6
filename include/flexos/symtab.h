/*
 * FILE: include/flexos/symtab.h
 * DESCRIPTION:
 *   The symbol and line table an image carries for its fault reports,
 *   written at build time by tools/flexos-symtab.c (from the linked
 *   image's symbols and DWARF line table) into section .flexos_symtab,
 *   which the linker script places last, so that adding it moves nothing
 *   (tools/flexos-link-scan.sh links twice and checks that).  Plain
 *   numbers, no relocations: offsets are from the table's start.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_SYMTAB_H
#define FLEXOS_SYMTAB_H
#include <stdint.h>

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
#endif
