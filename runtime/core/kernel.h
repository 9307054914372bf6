/*
 * FILE: runtime/core/kernel.h
 * DESCRIPTION:
 *   Internal interfaces between the runtime's generic subsystems (one
 *   file each: console, exit, gdt, idt, trap, irq, timer, paging,
 *   page_alloc, heap, thread, schedule, ctx, stack_chk, untrusted, record,
 *   main).
 *   What differs per mechanism is behind runtime/core/mechanism.h (the tables
 *   are listed in mechanism.c), and no generic file names a mechanism.  Code outside runtime/ uses
 *   include/flexos/runtime.h.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_KERNEL_H
#define FLEXOS_RUNTIME_KERNEL_H

#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ul
#define PAGE_ROUND_UP(x) (((uintptr_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(x) ((uintptr_t)(x) & ~(PAGE_SIZE - 1))

/* Placement of runtime objects whose protection differs from the default
 * compartment's (see the generated linker script and paging.c). */
#define SECTION_COMMON __attribute__((section(".flexos_common")))  /* key 0 */
#define SECTION_ROINIT __attribute__((section(".flexos_roinit")))  /* key 0, RO after boot */
#define SECTION_KPRIV_RO __attribute__((section(".flexos_kpriv_ro")))
#define SECTION_KPRIV_RW __attribute__((section(".flexos_kpriv_rw")))

/* console.c */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_vprintf(const char *fmt, __builtin_va_list ap);

/* gdt.c, idt.c */
void gdt_init(void);
void idt_init(void);

/* trap.c: the frame gates/interrupt_entry.S builds, lowest address first */
struct trapframe {
  uint64_t pkru; /* PKRU of the interrupted code (0 without PKU) */
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(offsetof(struct trapframe, pkru) == FLEXOS_TRAPFRAME_PKRU, "trapframe");
_Static_assert(offsetof(struct trapframe, vector) == FLEXOS_TRAPFRAME_VECTOR, "trapframe");
_Static_assert(offsetof(struct trapframe, rsp) == FLEXOS_TRAPFRAME_RSP, "trapframe");
_Static_assert(sizeof(struct trapframe) == FLEXOS_TRAPFRAME_SIZE, "trapframe");
void flexos_trap(struct trapframe *tf);

/* Protection keys enforced (set at boot by the intel-pku mechanism,
 * read-only after; the interrupt and service entries read it too). */
extern uint8_t flexos_pku_on;

/* What compartment code (runtime/user, services/) reads about the address
 * space it runs in, in common memory written at boot and read-only after
 * (mechanism.c): the compartment whose code runs here when no keys say
 * otherwise, and the ranges shared with other address spaces, [start,
 * end), when memory is not all one's (vm-ept: ept.c fills them). */
struct flexos_space {
  int home;
  uintptr_t shared[2][2];
};
extern struct flexos_space flexos_space;

/* Is [a, a+len) inside one of flexos_space's shared ranges? */
static inline int flexos_space_is_shared(uintptr_t a, size_t len) {
  uintptr_t last = a + (len ? len : 1) - 1;
  if (last < a)
    return 0;
  for (int i = 0; i < 2; i++)
    if (a >= flexos_space.shared[i][0] && last < flexos_space.shared[i][1])
      return 1;
  return 0;
}

/* service.c (ring-3 images): SYSCALL's MSRs */
void service_init(void);
/* device.c (ring-3 images): port I/O and lines a compartment's device owns */
const char *device_port_in(int comp, uint16_t port, int size, uint32_t *value);
const char *device_port_out(int comp, uint16_t port, int size, uint32_t v);
int device_owns_irq(int comp, int line);

/* tick_upcall.c (ring-3 images): the tick hook as an upcall to ring 3 */
void tick_upcall(struct trapframe *tf);
const char *tick_upcall_set(int caller, uint64_t entry, uint64_t hook,
                            uint64_t stack, uint64_t size);
int tick_upcall_return(void);

/* timer.c */
void timer_read_rtc(void); /* flexos_boot_epoch(); before paging_seal */
void timer_init(void);
void timer_tick(void);
uint64_t timer_ticks(void); /* the PIT's count */

/* irq.c: device lines of the legacy PIC (not the timer's) */
void irq_line(int line);

/* paging.c: 4 KiB identity map of RAM; every page has a protection key */
void paging_init(uintptr_t ram_end);
/* key PAGING_SUPERVISOR maps supervisor pages (the core's alone). */
#define PAGING_SUPERVISOR (-1)
void paging_map(uintptr_t va, size_t npages, int key, int writable);
/* The key under which the runtime fills fresh pages before keying them:
 * the default compartment's in ring-0 images, PAGING_SUPERVISOR in ring-3
 * images (the core runs with the caller's PKRU there). */
int paging_scratch_key(void);
/* Ring-3 images: may code with this PKRU touch va from ring 3 (a present
 * user page, writable for a write, whose key pkru opens)?  Is va the code
 * of a compartment (a present, executable user page)? */
int paging_user_may(uintptr_t va, int write, uint64_t pkru);
int paging_is_user_code(uintptr_t va);
void paging_unmap(uintptr_t va, size_t npages);
int paging_lookup(uintptr_t va, int *user, int *key); /* 0 if not mapped */
uintptr_t paging_mapped_end(void);
int paging_peek(uintptr_t va, uint64_t *value); /* any key; 0: unmapped */

/* symbolize.c: function and line of rip and two callers (fault reports) */
void symbolize_report(uint64_t rip, uint64_t rbp);
/* Every page of [va, va+len) mapped with the shared key?  Any compartment. */
int paging_is_shared(uintptr_t va, size_t len);
int paging_default_key(void);            /* the default compartment's key */
const char *paging_key_owner(int key);   /* who a key is, for fault reports */
void paging_seal(void); /* common read-only data becomes read-only */

/* page_alloc.c: contiguous runs of pages, keyed on allocation */
void page_alloc_init(uintptr_t start, uintptr_t end);
/* A second pool for shared-key pages, when shared memory is apart from the
 * rest (an address space per compartment); a pool already zero. */
void page_alloc_init_shared(uintptr_t start, uintptr_t end);
void page_alloc_pools_are_zero(void);
void *page_alloc(size_t npages, int key);
void *page_alloc_from(size_t npages, int pool_key, int key);
void page_free(void *p, size_t npages);

/* heap.c */
void heap_init(void);
int heap_owner(uintptr_t addr); /* the compartment whose heap holds addr, or -1 */

/* record.c: record mode, boot option flexos.record (docs/porting-record.md) */
void record_init(int on);                 /* at boot, before paging_seal */
int record_trap(struct trapframe *tf);    /* 1: a logged access, resume */
int record_stepping(uint64_t pkru);       /* the rights of a logged access? */
void record_report(void);                 /* flexos_exit: report on the console */
void record_stop(void);                   /* no report: printing it faulted */

/* thread.c */
void thread_boot_gs(void); /* GS.base -> an empty TCB until thread_init */
void thread_init(void);
int thread_stack_owner(uintptr_t addr); /* whose stack holds addr, or -1 */
__attribute__((noreturn)) void thread_run_main(int (*main_fn)(int, char **),
                                               int argc, char **argv);

/* thread.c: fibers, contexts the round robin never picks, which a
 * mechanism switches among itself (one per request it serves) */
struct flexos_thread;
struct flexos_thread *thread_fiber_create(void (*fn)(void *), void *arg);
struct flexos_thread *thread_fiber_self(void);
void thread_fiber_switch(struct flexos_thread *to);

/* stack_chk.c: the canary of compartments hardened with stack-protector */
void stack_chk_init(void);

/* main.c */
extern uintptr_t boot_ram_end;
#endif
