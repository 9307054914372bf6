/*
 * FILE: runtime/core/x86.h
 * DESCRIPTION:
 *   Inline wrappers for the x86-64 instructions the runtime needs:
 *   control registers, MSRs, CPUID, RDPKRU, interrupts, and (from
 *   <flexos/x86.h>) port I/O and RDTSC.  WRPKRU is deliberately absent:
 *   it lives only in gates/ (tools/flexos-scan).
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_X86_H
#define FLEXOS_RUNTIME_X86_H
#include <flexos/x86.h>
#include <stdint.h>

static inline uint64_t read_cr2(void) {
  uint64_t v;
  __asm__ volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}
static inline uint64_t read_cr4(void) {
  uint64_t v;
  __asm__ volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}
static inline void write_cr4(uint64_t v) {
  __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
static inline void write_cr3(uint64_t v) {
  __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void invlpg(uintptr_t va) {
  __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
  __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                   "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  __asm__ volatile("cpuid"
                   : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                   : "a"(leaf), "c"(sub));
}
/* RDPKRU: ecx must be 0; returns PKRU in eax, zeroes edx. */
static inline uint32_t rdpkru(void) {
  uint32_t eax, edx;
  __asm__ volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
  return eax;
}
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
#endif
