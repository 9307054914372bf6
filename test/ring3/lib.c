/*
 * FILE: test/ring3/lib.c
 * DESCRIPTION:
 *   The library of the ring-3 test, in a compartment of its own: reports
 *   its ring, allocates from its heap, and on request attacks the core
 *   (runtime/core/trap.c and service.c must catch each one, exit 5):
 *     cr4 wrmsr lidt lgdt cli hlt out   privileged instructions
 *     write-core read-core              a core address (a page table, the
 *                                       thread table), given by the test
 *     iret                              an iretq to ring 0 with a forged frame
 *     int-timer                         raising the timer's vector (0x20)
 *     jump-core                         a jump to a core address
 *     service-pointer                   console_write of the address
 *     thread-core                       a thread that would start at the
 *                                       address
 *     bad-service                       a service number out of range
 *     port-service                      QEMU's exit port through the port
 *                                       service (no device of its own)
 *     pci-bar                           moving a PCI device's BAR 0 through
 *                                       the configuration service
 *     pci-host-bridge                   configuring the host bridge (00:00.0)
 *     gs-null                           a null GS selector while timer
 *                                       interrupts come (only this
 *                                       compartment may suffer: exit 3)
 *     tick-hook                         setting the tick hook (the default
 *                                       compartment's alone)
 *     tick-return                       the end of a tick upcall that
 *                                       never began
 *     exit-success                      ending the image with status 0
 *                                       (the default compartment's)
 *     exit-256                          a status that truncates to 0
 * License: MIT (see LICENSE)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flexos/runtime.h>
#include <flexos/service.h>
#include <flexos/x86.h>

#include "lib.h"

static char secret[64] = "the library's secret";

unsigned lib_ring(void) {
  uint16_t cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  return cs & 3;
}

int lib_heap_check(void) {
  char *p = malloc(1000);
  if (!p)
    return 1;
  memset(p, 'x', 1000);
  int bad = p[999] != 'x';
  free(p);
  return bad;
}

uintptr_t lib_secret_address(void) { return (uintptr_t)secret; }

static void forged_iret(void) {
  /* ss, rsp, rflags, cs (ring 0), rip: an iretq that would land in ring 0 */
  uint64_t frame[5] = {(uint64_t)lib_ring, 0x08, 0x2, (uint64_t)&frame[4], 0x10};
  __asm__ volatile("mov %0, %%rsp\n iretq" : : "r"(frame) : "memory");
}

int lib_attack(const char *name, uintptr_t addr) {
  printf("lib: attack %s 0x%lx\n", name, (unsigned long)addr);
  if (!strcmp(name, "cr4")) {
    __asm__ volatile("mov %0, %%cr4" : : "r"(0ul));
  } else if (!strcmp(name, "wrmsr")) {
    __asm__ volatile("wrmsr" : : "c"(0xc0000080u), "a"(0u), "d"(0u));
  } else if (!strcmp(name, "lidt")) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = {0, 0};
    __asm__ volatile("lidt %0" : : "m"(d));
  } else if (!strcmp(name, "lgdt")) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = {0, 0};
    __asm__ volatile("lgdt %0" : : "m"(d));
  } else if (!strcmp(name, "cli")) {
    __asm__ volatile("cli");
  } else if (!strcmp(name, "hlt")) {
    __asm__ volatile("hlt");
  } else if (!strcmp(name, "out")) {
    /* QEMU's exit port: an image that could write it would pick its own
     * exit status */
    __asm__ volatile("outl %0, %1" : : "a"(0u), "Nd"((uint16_t)0xf4));
  } else if (!strcmp(name, "write-core")) {
    *(volatile uint64_t *)addr = 0;
  } else if (!strcmp(name, "read-core")) {
    printf("lib: read 0x%lx\n", (unsigned long)*(volatile uint64_t *)addr);
  } else if (!strcmp(name, "int-timer")) {
    __asm__ volatile("int $0x20");
  } else if (!strcmp(name, "iret")) {
    forged_iret();
  } else if (!strcmp(name, "jump-core")) {
    ((void (*)(void))addr)();
  } else if (!strcmp(name, "service-pointer")) {
    flexos_console_write((const char *)addr, 16);
  } else if (!strcmp(name, "thread-core")) {
    flexos_thread_create((void (*)(void *))addr, 0);
    flexos_thread_yield();
  } else if (!strcmp(name, "bad-service")) {
    uint64_t rax = 999;
    __asm__ volatile("syscall" : "+a"(rax) : : "rcx", "r11", "rdi", "rsi",
                     "rdx", "r8", "r9", "r10", "memory");
  } else if (!strcmp(name, "port-service")) {
    outl(0xf4, 0); /* <flexos/x86.h>: the port service in ring-3 images */
  } else if (!strcmp(name, "pci-bar")) {
    outl(0xcf8, 0x80000000u | (3u << 11) | 0x10); /* 00:03.0, BAR 0 */
    outl(0xcfc, 0x1000);
  } else if (!strcmp(name, "gs-null")) {
    /* A null GS selector clears GS.base (Intel); the core must not follow
     * it when an interrupt comes, and the image must stop, not hang. */
    __asm__ volatile("mov %0, %%gs" : : "r"(0) : "memory");
    uint64_t until = flexos_ticks() + 20; /* timer interrupts meanwhile */
    while (flexos_ticks() < until)
      ;
    printf("lib: 20 ticks with a null GS\n");
    return 0;
  } else if (!strcmp(name, "tick-hook")) {
    /* straight to the service: flexos_set_tick_hook keeps its stack in
     * the default compartment's memory, which faults here first */
    uint64_t rax = FLEXOS_SVC_TICK_HOOK;
    register uint64_t rdi __asm__("rdi") = (uint64_t)lib_ring;
    register uint64_t rsi __asm__("rsi") = (uint64_t)lib_ring;
    register uint64_t rdx __asm__("rdx") = (uint64_t)malloc(16384);
    register uint64_t r10 __asm__("r10") = 16384;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10)
                     :
                     : "rcx", "r8", "r9", "r11", "memory");
    flexos_thread_yield();
  } else if (!strcmp(name, "tick-return")) {
    uint64_t rax = FLEXOS_SVC_TICK_RETURN;
    __asm__ volatile("syscall" : "+a"(rax) : : "rcx", "r11", "rdi", "rsi",
                     "rdx", "r8", "r9", "r10", "memory");
  } else if (!strcmp(name, "exit-success")) {
    flexos_exit(0); /* the image would end as if main had succeeded */
  } else if (!strcmp(name, "exit-256")) {
    /* 256 is 0 in a process's 8-bit status (and 128 in QEMU's 7 bits) */
    flexos_service_call(FLEXOS_SVC_EXIT, 256, 0, 0, 0);
  } else if (!strcmp(name, "pci-host-bridge")) {
    outl(0xcf8, 0x80000000u | 0x58); /* 00:00.0, the i440FX's PAM registers */
    outl(0xcfc, 0);
  } else {
    printf("lib: no attack %s\n", name);
    return 1;
  }
  printf("lib: attack %s was not stopped\n", name);
  return 1;
}
