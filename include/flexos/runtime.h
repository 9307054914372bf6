/*
 * FILE: include/flexos/runtime.h
 * DESCRIPTION:
 *   The kernel runtime's API for code linked into a flexos image: exit
 *   status, ticks, compartments, cooperative threads, the shared heap and
 *   the per-image configuration table that cmake/FlexosImage.cmake
 *   generates.  docs/runtime.md describes the image the API runs in.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_H
#define FLEXOS_RUNTIME_H


/* Exit codes the image reports through isa-debug-exit (QEMU exits with
 * status code*2+1; tools/run-image.sh maps that back to `code`). */
#define FLEXOS_EXIT_SUCCESS 0
#define FLEXOS_EXIT_FAILURE 1
#define FLEXOS_EXIT_PANIC 2
#define FLEXOS_EXIT_FAULT 3
/* A value from an untrusted compartment failed a check (a gate returned
 * a pointer outside shared memory, flexos_check_* failed). */
#define FLEXOS_EXIT_UNTRUSTED 4
/* Ring-3 images: a compartment ran a privileged instruction, touched the
 * core's memory, or passed the core a pointer it may not use. */
#define FLEXOS_EXIT_PRIVILEGE 5

#define FLEXOS_MECH_NONE 0
#define FLEXOS_MECH_PKU 1
#define FLEXOS_MECH_EPT 2

#ifndef __ASSEMBLER__ /* the constants above are for assembly too */
#include <stddef.h>
#include <stdint.h>

/* One compartment as the generated image configuration describes it.
 * The linker script brackets the compartment's read-only and read-write
 * data (page-aligned) with the four symbols whose addresses are here. */
struct flexos_compartment_desc {
  const char *name;
  uint32_t mechanism; /* FLEXOS_MECH_* */
  uint32_t is_default;
  uintptr_t ro_start, ro_end; /* .rodata.flexos.<name> */
  uintptr_t rw_start, rw_end; /* .data/.bss.flexos.<name> (+ runtime) */
  uint32_t polling;           /* vm-ept: served by spinning on a doorbell */
  uint32_t check_pointers;    /* vm-ept: pointer arguments must be shared */
};

struct flexos_image_config {
  uint32_t abi_version;    /* FLEXOS_ABI_VERSION; first, so a monitor of
                            * another version can still read it */
  const char *name;        /* image name */
  uint32_t ncompartments;  /* 1..FLEXOS_MAX_COMPARTMENTS */
  uint32_t default_index;  /* compartment that runs main and the kernel */
  uint32_t mechanism;      /* FLEXOS_MECH_*: the image's one mechanism */
  uint32_t heap_kb;        /* each compartment's heap; 0: 1 MiB */
  uint32_t shared_heap_kb; /* the shared heap (per VM under vm-ept); 0: 1 MiB */
  struct flexos_compartment_desc comp[14];
};

/* Generated per image (build/<image>_config.c). */
extern const struct flexos_image_config flexos_image_config;

/* Runtime services. */
__attribute__((noreturn)) void flexos_exit(int code);
__attribute__((noreturn)) void flexos_panic(const char *fmt, ...);
uint64_t flexos_ticks(void);         /* timer ticks since boot (100 Hz) */
/* hook(tick) runs on every timer tick in interrupt context, in the default
 * compartment, and may take gates; NULL removes it. Call from the default
 * compartment. */
void flexos_set_tick_hook(void (*hook)(uint64_t tick));
const char *flexos_cmdline(void);    /* kernel command line (-append) */
int flexos_pku_active(void);         /* protection keys enforced? */
int flexos_current_compartment(void);/* from PKRU; default under `none` */
const char *flexos_compartment_name(int index);
size_t flexos_pages_free(void);      /* unallocated 4 KiB pages */

/* Cooperative threads.  Every thread gets, at creation, one private stack
 * per compartment (plus its gate slot), a shared stack and an RPC slot.
 * Call these from the default compartment. */
struct flexos_thread;
struct flexos_thread *flexos_thread_create(void (*fn)(void *), void *arg);
void flexos_thread_yield(void);
void flexos_thread_join(struct flexos_thread *t);
uint64_t flexos_thread_id(void);
/* Parking: flexos_thread_park(deadline) blocks the calling thread until
 * flexos_thread_unpark(its id) gives it a token (one given earlier is
 * consumed at once) or, with deadline != 0, until flexos_ticks() reaches
 * deadline; returns 0 when unparked, -1 at the deadline.  Wake-ups may be
 * spurious: re-check the condition.  When no thread can run, the CPU
 * halts until the next interrupt.  unpark is also safe from tick hooks. */
int flexos_thread_park(uint64_t deadline);
void flexos_thread_unpark(uint64_t thread_id);

/* Mechanism for a scheduler library (libs/sched, docs/sched.md) that
 * keeps the policy in its own compartment and calls these through
 * flexos_gate(runtime, ...).  Threads are named by id (flexos_thread_id).
 * flexos_ctx_create: a ready thread that starts as entry(a, b) with
 * `compartment`'s PKRU on its stack there; the entry never returns but
 * ends with flexos_ctx_exit(next).  Returns the id, 0 when out of threads
 * or memory.  flexos_ctx_switch(next): run `next` now, the caller stays
 * ready.  A thread that an event made ready (an interrupt's unpark, a
 * deadline, the end of a joined thread) runs before `next`: returns 0
 * when `next` ran, 1 when such a thread did (`next` is still ready), -1
 * when `next` cannot run (unknown, not ready, 0) and the runtime's round
 * robin chose, which halts the CPU when nothing is ready.
 * flexos_ctx_block(next, alarm): the caller sleeps until
 * flexos_ctx_resume(its id) or tick `alarm` (0 = none) while `next` runs
 * as with flexos_ctx_switch, whose result it returns. */
uint64_t flexos_ctx_create(int compartment, void (*entry)(void *, void *),
                           void *a, void *b);
int flexos_ctx_switch(uint64_t next);
int flexos_ctx_block(uint64_t next, uint64_t alarm);
void flexos_ctx_resume(uint64_t id);
void flexos_ctx_exit(uint64_t next);
int flexos_thread_alive(uint64_t id);

/* Device interrupts (legacy PIC lines 1, 3..15): block the calling thread
 * until `line` fires, then leave it masked until the next call, so the
 * driver acknowledges its device in thread context.  Returns 1 when the
 * line fired, 0 when the deadline (a tick, 0 = none) passed first. */
int flexos_irq_wait(int line, uint64_t deadline);

/* vm-ept images (tools/flexos-vmm): one VM exit and entry, nothing else
 * (the floor a vm-ept gate is measured against); and how many gate
 * requests this VM's dispatcher refused. */
void flexos_ept_null_hypercall(void);
uint64_t flexos_ept_refused(void);
/* What every vm-ept gate calls with its thread's filled-in RPC slot
 * (docs/abi.md); declared for tests that forge requests. */
struct flexos_rpc_slot;
void __flexos_ept_call(struct flexos_rpc_slot *slot);

/* Shared heap (protection key 15): usable from every compartment.
 * flexos_calloc_shared and flexos_realloc_shared are what the build
 * turns calloc and realloc calls into at allocation sites named in a
 * shares file (docs/porting-record.md); realloc_shared also takes a block
 * of the caller's own heap, copies it into the shared heap and frees it.
 * free() and realloc() accept shared blocks too. */
void *flexos_malloc_shared(size_t size);
void *flexos_calloc_shared(size_t n, size_t size);
void *flexos_realloc_shared(void *ptr, size_t size);
void flexos_free_shared(void *ptr);

/* Checks on values from untrusted compartments (docs/untrusted-values.md),
 * callable from every compartment.  __flexos_check_gate_result is what
 * a lowered intel-pku or vm-ept gate calls with a non-NULL data pointer
 * its untrusted callee returned; `gate` reads "caller -> callee: fn". */
int __flexos_is_shared(const void *p, size_t len);
void __flexos_check_gate_result(const void *p, const char *gate);
__attribute__((noreturn)) void __flexos_untrusted_fault(const char *check,
                                                       const char *file,
                                                       int line,
                                                       unsigned long value,
                                                       unsigned long bound);

/* What the image libc's system call layer (runtime/libc/musl/src/flexos)
 * uses; callable from every compartment, touching only common memory and
 * the caller's own.  flexos_console_write: bytes to the serial console
 * (no state in memory).  flexos_boot_epoch: the RTC's time at boot, in
 * seconds since 1970 (UTC).  FLEXOS_MAX_THREADS: how many threads live at
 * once. */
#define FLEXOS_MAX_THREADS 160
void flexos_console_write(const char *s, size_t n);
/* Ring-3 images only: the cheapest service call, for benchmarks. */
void flexos_null_service(void);
uint64_t flexos_boot_epoch(void);

/* The read-only files packed into an image (flexos_add_image ... FILES):
 * generated per image in common read-only memory; absent (a weak symbol
 * that is 0) when the image packs none.  Each compartment's libc serves
 * them, and its own RAM files, through open/read/lseek/fstat
 * (docs/libc.md). */
struct flexos_packed_file {
  const char *path; /* canonical: "/dir/name" */
  const unsigned char *data;
  uint64_t size;
};
struct flexos_packed_files {
  uint64_t count;
  const struct flexos_packed_file *files;
};
extern const struct flexos_packed_files flexos_packed_files
    __attribute__((__weak__));

/* Called by plugin-compiled code when a thread's shared stack is full. */
__attribute__((noreturn)) void __flexos_shared_stack_overflow(void);

#endif /* !__ASSEMBLER__ */

#endif /* FLEXOS_RUNTIME_H */
