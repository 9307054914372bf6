/*
 * FILE: include/flexos/x86.h
 * DESCRIPTION:
 *   Port I/O and the time-stamp counter, for code inside images (the
 *   runtime, where runtime/core/x86.h adds the privileged rest; the network
 *   drivers in libs/lwip/netif) and the benchmarks, hosted ones included
 *   (they use only the counter).  Port writes are compiler
 *   barriers, so that the memory a device reads during the write (a ring,
 *   the monitor's pvnet page) is written before it.  rdtsc_ordered waits
 *   for earlier instructions first (lfence), for timing.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_X86_H
#define FLEXOS_X86_H
#include <stdint.h>

#ifdef FLEXOS_PORT_SERVICE
/* Compartments of ring-3 images (flexos_add_image RING3 defines this):
 * ring 3 owns no port, so each access is a service call, which the core
 * allows on the ports of the caller's own device only
 * (runtime/core/device.c).  A call is a compiler barrier too. */
uint32_t flexos_port_in(uint16_t port, int size);
void flexos_port_out(uint16_t port, int size, uint32_t value);
static inline void outb(uint16_t port, uint8_t v) { flexos_port_out(port, 1, v); }
static inline void outw(uint16_t port, uint16_t v) { flexos_port_out(port, 2, v); }
static inline void outl(uint16_t port, uint32_t v) { flexos_port_out(port, 4, v); }
static inline uint8_t inb(uint16_t port) { return (uint8_t)flexos_port_in(port, 1); }
static inline uint16_t inw(uint16_t port) { return (uint16_t)flexos_port_in(port, 2); }
static inline uint32_t inl(uint16_t port) { return flexos_port_in(port, 4); }
#else
static inline void outb(uint16_t port, uint8_t v) {
  __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void outw(uint16_t port, uint16_t v) {
  __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline void outl(uint16_t port, uint32_t v) {
  __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}
static inline uint16_t inw(uint16_t port) {
  uint16_t v;
  __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}
static inline uint32_t inl(uint16_t port) {
  uint32_t v;
  __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
  return v;
}
#endif
static inline uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t rdtsc_ordered(void) {
  uint32_t lo, hi;
  __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
/* A timed region's two ends: nothing before the start or after the end
 * leaks into it (lfence on both sides of rdtsc; rdtscp waits for the
 * region's instructions, the lfence keeps later ones out). */
static inline uint64_t tsc_begin(void) {
  uint32_t lo, hi;
  __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
  return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t tsc_end(void) {
  uint32_t lo, hi, aux;
  __asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
  return ((uint64_t)hi << 32) | lo;
}
#endif
