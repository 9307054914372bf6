/*
 * FILE: include/flexos/service.h
 * DESCRIPTION:
 *   The service entry of ring-3 images (docs/runtime.md, "Ring choice"):
 *   compartments run in ring 3 and reach the ring-0 core through one
 *   SYSCALL instruction.  The calling convention: the service number in
 *   rax, up to four arguments in rdi, rsi, rdx, r10; the result in rax.
 *   rcx and r11 are clobbered (SYSCALL keeps the return address and flags
 *   there), and so are rdi, rsi, rdx, r8, r9 and r10 (cleared on return:
 *   no core address leaks); rbx, rbp, rsp and r12-r15 are preserved, and
 *   the caller's PKRU is restored on return even when other threads ran
 *   in between.  The core
 *   checks every argument (runtime/core/service.c): a pointer must lie in
 *   user pages that the caller's PKRU may read (or write), a function in
 *   compartment code.  runtime/user/service.c holds the callers.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_SERVICE_H
#define FLEXOS_SERVICE_H

#define FLEXOS_SVC_NULL 0          /* () -> 0; for benchmarks */
#define FLEXOS_SVC_EXIT 1          /* (code): never returns */
#define FLEXOS_SVC_PANIC 2         /* (text, length): prints, exits 2 */
#define FLEXOS_SVC_CONSOLE_WRITE 3 /* (text, length) */
#define FLEXOS_SVC_TICKS 4         /* () -> ticks since boot */
#define FLEXOS_SVC_BOOT_EPOCH 5    /* () -> seconds since 1970 at boot */
#define FLEXOS_SVC_PAGES_FREE 6    /* () -> unallocated pages */
#define FLEXOS_SVC_THREAD_CREATE 7 /* (fn, arg) -> handle or 0 */
#define FLEXOS_SVC_THREAD_YIELD 8  /* () */
#define FLEXOS_SVC_THREAD_JOIN 9   /* (handle) */
#define FLEXOS_SVC_THREAD_EXIT 10  /* (): the thread's function returned */
#define FLEXOS_SVC_THREAD_PARK 11  /* (deadline) -> 0 unparked, -1 deadline */
#define FLEXOS_SVC_THREAD_UNPARK 12 /* (thread id) */
#define FLEXOS_SVC_PORT_IN 13      /* (port, size 1/2/4) -> value */
#define FLEXOS_SVC_PORT_OUT 14     /* (port, size, value) */
#define FLEXOS_SVC_IRQ_WAIT 15     /* (line, deadline) -> 1 fired, 0 deadline */
#define FLEXOS_SVC_CTX_CREATE 16   /* (compartment, entry, a, b) -> id or 0 */
#define FLEXOS_SVC_CTX_SWITCH 17   /* (next) -> flexos_ctx_switch's result */
#define FLEXOS_SVC_CTX_BLOCK 18    /* (next, alarm) */
#define FLEXOS_SVC_CTX_RESUME 19   /* (id) */
#define FLEXOS_SVC_CTX_EXIT 20     /* (next): never returns */
#define FLEXOS_SVC_THREAD_ALIVE 21 /* (id) -> 0/1 */
/* (upcall, hook, stack, size): from the default compartment; upcall 0
 * removes the hook (runtime/core/tick_upcall.c) */
#define FLEXOS_SVC_TICK_HOOK 22
#define FLEXOS_SVC_TICK_RETURN 23  /* (): the hook returned; never returns */
/* vm-ept (runtime/ept/rpc.h): leave the VM with (value, out[3]): value
 * a shared RPC slot or FLEXOS_EPT_TRAP_READY/NULL; out gets the
 * monitor's answer (serve, done, from) */
#define FLEXOS_SVC_MONITOR_TRAP 24
/* Fibers (vm-ept's dispatcher): threads only a directed switch runs */
#define FLEXOS_SVC_FIBER_CREATE 25 /* (fn, arg) -> id or 0 */
#define FLEXOS_SVC_FIBER_SELF 26   /* () -> id: the caller becomes a fiber */
#define FLEXOS_SVC_FIBER_SWITCH 27 /* (id): run that fiber (another one; only vm-ept
                                    * has fibers, one compartment per VM) */
#define FLEXOS_SVC_COUNT 28

#ifndef __ASSEMBLER__
#include <stdint.h>
/* One service call (runtime/user/service.c): number, four arguments. */
uint64_t flexos_service_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                             uint64_t a3);
#endif

/* What the service entry keeps on the kernel stack while the core runs,
 * lowest address first (struct service_frame, runtime/core/service.c). */
#define FLEXOS_SVC_FRAME_PKRU 0x0
#define FLEXOS_SVC_FRAME_RBP 0x8
#define FLEXOS_SVC_FRAME_RIP 0x10
#define FLEXOS_SVC_FRAME_RFLAGS 0x18
#define FLEXOS_SVC_FRAME_RSP 0x20

/* Selectors of the ring-3 segments (runtime/core/gdt.c), RPL 3. */
#define FLEXOS_USER_DS 0x2b
#define FLEXOS_USER_CS 0x33

#endif
