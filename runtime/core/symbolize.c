/*
 * FILE: runtime/core/symbolize.c
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

/* The image's table, or 0 (an image linked without --symtab). */
static int table(struct flexos_symtab *t) {
  return flexos_symtab_open(t, __flexos_symtab_start,
                            (size_t)(__flexos_symtab_end - __flexos_symtab_start));
}

static void describe(uint64_t pc, char *buf, size_t n) {
  struct flexos_symtab t;
  if (table(&t))
    flexos_symtab_describe(&t, pc, buf, n);
  else
    snprintf(buf, n, "0x%lx (the image has no symbol table)", pc);
}

/* An MPK gate's callee runs with rbp cleared (gates/pku_gate.inc), so its
 * frame chain ends in the gate.  The gate __flexos_pku_gate.SRC.DST.FN
 * left the caller's stack pointer in SRC's gate slot, above the
 * callee-saved registers it pushed there: the caller's rbp is 40 bytes
 * up, its return address 56.  Returns 1 and both, or 0. */
static int through_gate(uint64_t ret, uint64_t *rbp, uint64_t *caller_ret,
                        const char **gate) {
  struct flexos_symtab t;
  uint64_t offset;
  const char *name = table(&t) ? flexos_symtab_function(&t, ret, &offset) : 0;
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
