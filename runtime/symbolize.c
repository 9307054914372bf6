/*
 * FILE: runtime/symbolize.c
 * DESCRIPTION:
 *   Names code addresses in fault reports: the function and source line of
 *   the faulting instruction and of the two callers above it, from the
 *   symbol and line table the build put into the image
 *   (include/flexos/symtab.h, tools/flexos-symtab.c).  Callers come from
 *   the frame-pointer chain (images are compiled with
 *   -fno-omit-frame-pointer); frames on a compartment's stack are read
 *   with paging_peek, whatever their key.  A function without a frame of
 *   its own (musl's assembly memcpy) hides its caller.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <string.h>

#include <flexos/symtab.h>

#include "kernel.h"

extern const char __flexos_symtab_start[], __flexos_symtab_end[];

static const struct flexos_symtab_header *table(void) {
  const struct flexos_symtab_header *h = (const void *)__flexos_symtab_start;
  if ((size_t)(__flexos_symtab_end - __flexos_symtab_start) < sizeof *h ||
      memcmp(h->magic, FLEXOS_SYMTAB_MAGIC, 8))
    return 0;
  return h;
}

static const struct flexos_symtab_func *funcs(const struct flexos_symtab_header *h) {
  return (const void *)(h + 1);
}

static const struct flexos_symtab_line *lines(const struct flexos_symtab_header *h) {
  return (const void *)(funcs(h) + h->nfuncs);
}

static const uint32_t *files(const struct flexos_symtab_header *h) {
  return (const void *)(lines(h) + h->nlines);
}

static const char *strings(const struct flexos_symtab_header *h) {
  uintptr_t p = (uintptr_t)(files(h) + h->nfiles);
  return (const char *)((p + 7) & ~(uintptr_t)7);
}

/* The last entry of a table sorted by addr whose addr <= pc, or -1. */
#define FIND_LAST_AT_OR_BELOW(array, count, pc)                              \
  ({                                                                          \
    long lo = 0, hi = (long)(count)-1, found = -1;                            \
    while (lo <= hi) {                                                        \
      long mid = (lo + hi) / 2;                                               \
      if ((array)[mid].addr <= (pc)) {                                        \
        found = mid;                                                          \
        lo = mid + 1;                                                         \
      } else {                                                                \
        hi = mid - 1;                                                         \
      }                                                                       \
    }                                                                         \
    found;                                                                    \
  })

/* The function holding pc and pc's offset in it, or NULL. */
static const char *function_of(const struct flexos_symtab_header *h,
                               uint64_t pc, uint64_t *offset) {
  long f = FIND_LAST_AT_OR_BELOW(funcs(h), h->nfuncs, pc);
  if (f < 0 || (funcs(h)[f].size && pc >= funcs(h)[f].addr + funcs(h)[f].size))
    return 0;
  *offset = pc - funcs(h)[f].addr;
  return strings(h) + funcs(h)[f].name;
}

/* "name+off at file:line" (or what of it is known) for pc. */
static void describe(uint64_t pc, char *buf, size_t n) {
  const struct flexos_symtab_header *h = table();
  if (!h) {
    snprintf(buf, n, "0x%lx (the image has no symbol table)", pc);
    return;
  }
  uint64_t offset = 0;
  const char *name = function_of(h, pc, &offset);
  long l = FIND_LAST_AT_OR_BELOW(lines(h), h->nlines, pc);
  if (l >= 0 && lines(h)[l].line)
    snprintf(buf, n, "%s+0x%lx at %s:%u", name ? name : "?", offset,
             strings(h) + files(h)[lines(h)[l].file], lines(h)[l].line);
  else
    snprintf(buf, n, "%s+0x%lx", name ? name : "?", offset);
}

/* An MPK gate's callee runs with rbp cleared (gates/pku_gate.inc), so its
 * frame chain ends in the gate.  The gate __flexos_pku_gate.SRC.DST.FN
 * left the caller's stack pointer in SRC's gate slot, above the
 * callee-saved registers it pushed there: the caller's rbp is 40 bytes
 * up, its return address 56.  Returns 1 and both, or 0. */
static int through_gate(uint64_t ret, uint64_t *rbp, uint64_t *caller_ret,
                        const char **gate) {
  const struct flexos_symtab_header *h = table();
  uint64_t offset;
  const char *name = h ? function_of(h, ret, &offset) : 0;
  static const char prefix[] = "__flexos_pku_gate.";
  if (!name || strncmp(name, prefix, sizeof prefix - 1))
    return 0;
  const char *src = name + sizeof prefix - 1;
  size_t len = strcspn(src, ".");
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++) {
    const char *c = flexos_image_config.comp[i].name;
    if (strlen(c) != len || strncmp(c, src, len))
      continue;
    uint64_t slot, saved;
    __asm__ volatile("movq %%gs:%c1(,%2,8), %0"
                     : "=r"(slot)
                     : "i"(FLEXOS_TCB_GATE_SLOT), "r"((uint64_t)i));
    if (!slot || !paging_peek(slot, &saved) || !paging_peek(saved + 40, rbp) ||
        !paging_peek(saved + 56, caller_ret))
      return 0;
    *gate = name;
    return 1;
  }
  return 0;
}

void symbolize_report(uint64_t rip, uint64_t rbp) {
  char where[192];
  describe(rip, where, sizeof where);
  console_printf("FAULT: in %s (0x%lx)\n", where, rip);
  for (int depth = 0; depth < 2; depth++) {
    uint64_t next, ret, gate_rbp, gate_ret;
    const char *gate;
    if (!rbp || !paging_peek(rbp, &next) || !paging_peek(rbp + 8, &ret) || !ret) {
      console_printf("FAULT: called from ? (no frame pointer chain further)\n");
      return;
    }
    if (through_gate(ret, &gate_rbp, &gate_ret, &gate)) {
      describe(gate_ret - 1, where, sizeof where);
      console_printf("FAULT: called from %s (0x%lx) through %s\n", where,
                     gate_ret, gate);
      rbp = gate_rbp;
      continue;
    }
    describe(ret - 1, where, sizeof where); /* the call, not what follows */
    console_printf("FAULT: called from %s (0x%lx)\n", where, ret);
    rbp = next;
  }
}
