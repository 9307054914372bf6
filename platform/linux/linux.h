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

#include <flexos/abi.h>
#include <flexos/runtime.h>

/* struct hosted_tcb (below), as the assembly entries address it through
 * %gs (the GS base is its address; it lives in the thread's TLS): the
 * struct flexos_tcb of include/flexos/abi.h, then the hosted fields. */
#define HOSTED_TCB_SELF FLEXOS_TCB_SELF
#define HOSTED_TCB_SYSCALL_BLOCK FLEXOS_TCB_SYSCALL_BLOCK
#define HOSTED_TCB_SIGNAL_TOKEN (FLEXOS_TCB_SIZE + 0x00)
#define HOSTED_TCB_SIGNAL_STACK (FLEXOS_TCB_SIZE + 0x08)
#define HOSTED_TCB_SIGNAL_CTX (FLEXOS_TCB_SIZE + 0x10)
#define HOSTED_TCB_FS_DEFAULT (FLEXOS_TCB_SIZE + 0x18)
/* struct hosted_signal_ctx (signal.c) */
#define HOSTED_CTX_ARMED 0
#define HOSTED_CTX_SAVED_BLOCK 4
#define HOSTED_CTX_RESUME_FS 16

#ifndef __ASSEMBLER__
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include <flexos/abi.h>
#include <flexos/runtime.h>

/* The TCB of a thread: in its TLS, so that it lives exactly as long as
 * the thread (Linux reads syscall_block on every system call the thread
 * makes, up to its exit).  signal_token proves to the signal entry that
 * the kernel, not a jump, entered it; signal_stack and signal_ctx are the
 * thread's trusted signal stack and saved frame (signal.c). */
struct hosted_tcb {
  struct flexos_tcb tcb;
  uint64_t signal_token;
  uint64_t signal_stack;
  uint64_t signal_ctx;
  uint64_t fs_default; /* tcb.fs_base[default]: glibc's own TLS, or 0 */
};
extern __thread struct hosted_tcb hosted_tls_tcb;
_Static_assert(offsetof(struct hosted_tcb, tcb.syscall_block) == HOSTED_TCB_SYSCALL_BLOCK, "tcb");
_Static_assert(offsetof(struct hosted_tcb, signal_token) == HOSTED_TCB_SIGNAL_TOKEN, "tcb");
_Static_assert(offsetof(struct hosted_tcb, signal_stack) == HOSTED_TCB_SIGNAL_STACK, "tcb");
_Static_assert(offsetof(struct hosted_tcb, signal_ctx) == HOSTED_TCB_SIGNAL_CTX, "tcb");
_Static_assert(offsetof(struct hosted_tcb, fs_default) == HOSTED_TCB_FS_DEFAULT, "tcb");

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
/* hosted.pkru[hosted.def], for the signal entry's checked WRPKRU. */
extern uint32_t hosted_default_pkru;
/* 1 where Linux allows RDFSBASE/WRFSBASE (thread.c): compartments then run
 * on their own copies of the TLS. */
extern uint32_t hosted_fsgsbase;

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
/* Which compartment's stack (of any thread) holds addr, or -1;
 * HOSTED_SHARED_ARENA for a shared stack.  *lo, *hi: the stack's bounds. */
int hosted_stack_owner(uintptr_t addr, uint64_t *thread_id);
int hosted_stack_region(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);

/* Heaps: one arena per compartment plus the shared one (index
 * FLEXOS_MAX_COMPARTMENTS). */
#define HOSTED_SHARED_ARENA FLEXOS_MAX_COMPARTMENTS
int hosted_heap_init(void);
/* Which arena holds addr: a compartment index, HOSTED_SHARED_ARENA or -1. */
int hosted_heap_owner(uintptr_t addr);
int hosted_heap_region(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);

/* System calls (syscall.c): the seccomp filter and the sigreturn site,
 * once before any compartment runs; syscall user dispatch per thread
 * (selector: the TCB's syscall_block). */
int hosted_syscalls_init(void);
int hosted_syscalls_thread(void);
extern uintptr_t hosted_sigreturn_site;
extern uint64_t *hosted_sigreturn_secret;
const char *hosted_syscall_name(long nr);

/* Signals (signal.c, signal_entry.S): a per-thread trusted stack and
 * frame copy; NULL on failure.  hosted_signal_thread_fini frees them. */
int hosted_signal_thread_init(struct hosted_tcb *t);
void hosted_signal_thread_fini(struct hosted_tcb *t);
/* The thread's alternate signal stack (fault reports), for signal.c. */
void hosted_fault_altstack(void **sp, size_t *size);

/* Fault reports (fault.c, fault_entry.S). */
int hosted_fault_init(void);
int hosted_fault_thread_init(void);
void hosted_fault_thread_fini(void);
/* "flexos: <message>" on stderr, then exit with FLEXOS_EXIT_FAULT
 * (hosted_die) or `status` (FLEXOS_EXIT_FAULT or FLEXOS_EXIT_UNTRUSTED);
 * from any compartment. */
__attribute__((noreturn, format(printf, 1, 2))) void hosted_die(const char *fmt, ...);
/* Writes one formatted line (at most 600 bytes) to stderr with write(2):
 * safe in signal handlers and with any PKRU that can read key 0. */
__attribute__((format(printf, 1, 2))) void hosted_say(const char *fmt, ...);
__attribute__((noreturn, format(printf, 2, 3))) void hosted_die_status(int status,
                                                                    const char *fmt, ...);
/* Writes len bytes of msg (read with the caller's rights) to stderr and
 * ends the process with FLEXOS_EXIT_UNTRUSTED if status is that, else
 * FLEXOS_EXIT_FAULT, from any compartment. */
__attribute__((noreturn)) void __flexos_die_entry(const char *msg, size_t len, int status);

/* The report of a fault (fault.c): never returns. */
__attribute__((noreturn)) void hosted_fault_report(int sig, siginfo_t *si, ucontext_t *uc);

/* Record mode (record.c, docs/porting-record.md): FLEXOS_RECORD=FILE at
 * start-up logs and allows protection-key faults instead of ending the
 * program.  hosted_record_on is set once before main (key 0). */
extern int hosted_record_on;
void hosted_record_init(void);
void hosted_record_write(void);
/* The heap logs each allocation in record mode: p, its usable size, the
 * allocating call's return address and the allocator's frame. */
void hosted_record_alloc(void *p, size_t size, void *ra, void *fp);

/* Each compartment's code: [start, end) of .text.flexos.<name>
 * (generated with the linker script). */
extern const uintptr_t flexos_hosted_text[FLEXOS_MAX_COMPARTMENTS][2];

/* Name of the symbol at addr in this executable (its .symtab), or NULL;
 * *off: offset into it. */
const char *hosted_symbol(uintptr_t addr, uintptr_t *off);

#endif /* !__ASSEMBLER__ */
#endif /* FLEXOS_LINUX_H */
