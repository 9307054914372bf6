/*
 * FILE: runtime/core/tick_upcall.c
 * DESCRIPTION:
 *   The timer hook of ring-3 images (flexos_set_tick_hook,
 *   include/flexos/runtime.h).  In a ring-0 image the hook runs inside the
 *   timer interrupt; here compartment code never runs in ring 0, so a
 *   tick that interrupts ring 3 is turned into an upcall, like a signal:
 *
 *     1. the timer interrupt keeps the interrupted frame, its SSE state
 *        and the gate slots the interrupt entry moved (core memory);
 *     2. it returns instead to the default compartment's upcall code
 *        (runtime/user/tick_upcall.S) on the hook's own stack, with the
 *        default compartment's PKRU, every other register and the SSE
 *        state cleared (nothing of the interrupted compartment leaks);
 *     3. that code calls hook(tick), which may take gates (into the
 *        interrupted compartment too: its slot stays below the live
 *        frames), then asks for FLEXOS_SVC_TICK_RETURN;
 *     4. the core puts the slots and the SSE state back and resumes the
 *        interrupted frame exactly (gates/interrupt_entry.S).
 *
 *   One upcall runs at a time, on the thread the tick interrupted: ticks
 *   meanwhile (on any thread) and ticks that interrupt the core (idle,
 *   a service) call no hook, as a ring-0 hook does not run while
 *   interrupts are off.  A thread that ends inside the hook ends its
 *   upcall; the next tick may start another.
 * License: MIT (see LICENSE)
 */
#include <flexos/service.h>
#include <stddef.h>

#include "kernel.h"
#include "mechanism.h"
#include "thread.h"

#define RFLAGS_IF 0x200ull
#define HOOK_STACK_MIN 4096

static struct {
  uint64_t upcall, hook, stack_top; /* upcall 0: no hook */
  uint64_t thread;                  /* the thread running it, 0 when none */
  struct trapframe saved;           /* the interrupted frame */
} upcall;
static uint8_t upcall_fx[512] __attribute__((aligned(64)));

/* Read and cleared by the interrupt exit (gates/interrupt_entry.S): when
 * set, it keeps the gate slots it would put back (the interrupted
 * compartment's and the default one's, each with its old top) here and
 * scrubs the SSE state instead; flexos_upcall_resume puts both back. */
uint8_t tick_upcall_pending;
uint64_t tick_upcall_slot, tick_upcall_slot_top;
uint64_t tick_upcall_default_slot, tick_upcall_default_top;
/* The SSE state the hook starts with: FCW 0x37f, MXCSR 0x1f80, all else 0. */
const uint8_t tick_upcall_clean_fx[512] __attribute__((aligned(64))) = {
    [0] = 0x7f, [1] = 0x03, [24] = 0x80, [25] = 0x1f};

/* gates/interrupt_entry.S: the slots, then PKRU, then the frame's registers. */
__attribute__((noreturn)) void flexos_upcall_resume(struct trapframe *tf,
                                                    const void *fx);

/* From the timer interrupt, after the tick is counted. */
void tick_upcall(struct trapframe *tf) {
  if (upcall.thread && !thread_by_id(upcall.thread))
    upcall.thread = 0; /* it ended inside the hook: its upcall with it */
  if (!upcall.upcall || upcall.thread || (tf->cs & 3) != 3 || !thread_current)
    return;
  upcall.thread = thread_current->id;
  upcall.saved = *tf;
  __asm__ volatile("fxsave64 %0" : "=m"(upcall_fx)); /* the core has no SSE */
  tf->r15 = tf->r14 = tf->r13 = tf->r12 = tf->r11 = tf->r10 = 0;
  tf->r9 = tf->r8 = tf->rbp = tf->rdx = tf->rcx = tf->rbx = tf->rax = 0;
  tf->rdi = timer_ticks();
  tf->rsi = upcall.hook;
  tf->rip = upcall.upcall;
  tf->rsp = upcall.stack_top;
  tf->rflags = RFLAGS_IF | 0x2;
  tf->pkru = mechanism->thread_pkru(mechanism->home_compartment());
  tick_upcall_pending = 1;
}

/* FLEXOS_SVC_TICK_HOOK from compartment `caller`: 0 or why not. */
const char *tick_upcall_set(int caller, uint64_t entry, uint64_t hook,
                            uint64_t stack, uint64_t size) {
  if (caller != mechanism->home_compartment())
    return "comes from outside the default compartment";
  if (entry && size < HOOK_STACK_MIN)
    return "is smaller than 4 KiB";
  upcall.upcall = 0; /* no tick takes a half-set hook */
  upcall.hook = hook;
  upcall.stack_top = (stack + size) & ~15ull;
  upcall.upcall = entry;
  return 0;
}

/* FLEXOS_SVC_TICK_RETURN: 0 when no upcall runs on this thread; else the
 * interrupted frame resumes. */
int tick_upcall_return(void) {
  if (!upcall.thread || !thread_current || upcall.thread != thread_current->id)
    return 0;
  upcall.thread = 0;
  __asm__ volatile("cli");
  flexos_upcall_resume(&upcall.saved, upcall_fx);
}
