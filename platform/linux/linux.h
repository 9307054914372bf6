/*
 * FILE: platform/linux/linux.h
 * DESCRIPTION:
 *   Internal interface of the hosted (Linux process) runtime: the
 *   compartment table built at start-up, per-thread setup, the heaps and
 *   the fault reporter.  docs/hosted.md describes the platform.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LINUX_H
#define FLEXOS_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include <flexos/abi.h>
#include <flexos/runtime.h>

#define HOSTED_STACK_BYTES (256ul << 10)   /* each compartment stack */
#define HOSTED_SHARED_STACK_BYTES (64ul << 10)
#define HOSTED_ARENA_BYTES (16ul << 30)    /* address space per heap */

/* Set once by hosted_start() before main, read-only afterwards. */
struct hosted {
  int pku;                 /* 1: keys allocated and applied */
  uint32_t ncomp, def;     /* compartments, default index */
  uint32_t pkru[FLEXOS_MAX_COMPARTMENTS]; /* FLEXOS_PKRU(i, i == def) */
};
extern struct hosted hosted;

/* The compartment whose code runs now: from PKRU (the one non-default
 * key that is accessible), the default one without keys. */
int hosted_current(void);
uint32_t hosted_rdpkru(void);

/* bytes of fresh read-write memory (plus a PROT_NONE guard page below
 * when guard is set), tagged with key unless key < 0; NULL on failure.
 * hosted_key tags [p, p + bytes) with key, keeping read-write. */
void *hosted_map(size_t bytes, int key, int guard);
int hosted_key(void *p, size_t bytes, int key);

/* Per-thread state: TCB (%gs), gate slots and stacks, shared stack. */
int hosted_thread_setup(void);
void hosted_thread_teardown(void);
/* Which compartment's stack (of any thread) holds addr, or -1. */
int hosted_stack_owner(uintptr_t addr, uint64_t *thread_id);

/* Heaps: one arena per compartment plus the shared one (index
 * FLEXOS_MAX_COMPARTMENTS). */
#define HOSTED_SHARED_ARENA FLEXOS_MAX_COMPARTMENTS
int hosted_heap_init(void);
/* Which arena holds addr: a compartment index, HOSTED_SHARED_ARENA or -1. */
int hosted_heap_owner(uintptr_t addr);

/* Fault reports (fault.c, fault_entry.S). */
int hosted_fault_init(void);
int hosted_fault_thread_init(void);
void hosted_fault_thread_fini(void);
__attribute__((noreturn, format(printf, 1, 2))) void hosted_die(const char *fmt, ...);

/* Each compartment's code: [start, end) of .text.flexos.<name>
 * (generated with the linker script). */
extern const uintptr_t flexos_hosted_text[FLEXOS_MAX_COMPARTMENTS][2];

/* Name of the symbol at addr in this executable (its .symtab), or NULL;
 * *off: offset into it. */
const char *hosted_symbol(uintptr_t addr, uintptr_t *off);

#endif /* FLEXOS_LINUX_H */
