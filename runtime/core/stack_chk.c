/*
 * FILE: runtime/core/stack_chk.c
 * DESCRIPTION:
 *   What code of a compartment hardened with `stack-protector`
 *   (docs/config.md) needs: the canary, a global (images compile with
 *   -mstack-protector-guard=global: there is no %fs TLS), and the
 *   function its epilogues call when a canary was overwritten.  The
 *   canary lives in read-only-after-boot common memory, so every
 *   compartment can read it and none can change it.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "x86.h"

SECTION_ROINIT uintptr_t __stack_chk_guard;

/* Before any hardened code runs (main and everything after it). */
void stack_chk_init(void) {
  uint64_t t = rdtsc();
  /* splitmix64 of the boot TSC; a zero low byte stops string overflows */
  t += 0x9e3779b97f4a7c15ull;
  t = (t ^ (t >> 30)) * 0xbf58476d1ce4e5b9ull;
  t = (t ^ (t >> 27)) * 0x94d049bb133111ebull;
  __stack_chk_guard = (t ^ (t >> 31)) & ~0xffull;
}

void __stack_chk_fail(void) {
  flexos_panic("stack smashing detected in compartment %s",
               flexos_compartment_name(flexos_current_compartment()));
}
