/*
 * FILE: runtime/core/service.c
 * DESCRIPTION:
 *   The service entry of ring-3 images (include/flexos/service.h): what
 *   compartment code asks of the ring-0 core.  gates/service_entry.S moves
 *   to the running thread's kernel stack and calls service_dispatch() with
 *   the caller's PKRU still live; every argument is checked here before
 *   the core acts on it, and a bad one stops the image like a fault:
 *
 *     FAULT: service console_write from=app: 0x3ff000 (+64) is not readable by the caller (touched=lib)
 *
 *   followed by the calling code's place (symbolize.c), exit status
 *   FLEXOS_EXIT_PRIVILEGE.  A pointer passes when every page it spans is
 *   a present user page (writable, for a write) whose protection key the
 *   caller's PKRU opens: exactly what the caller could touch itself, never
 *   the core's supervisor pages.  Ring-0 images have no service entry
 *   (SYSCALL stays off and raises #UD).
 * License: MIT (see LICENSE)
 */
#include <flexos/service.h>
#include <stddef.h>

#include "kernel.h"
#include "mechanism.h"
#include "thread.h"
#include "x86.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE 0x1ull
/* SYSCALL clears IF, TF, DF, AC and NT: the core runs with interrupts off
 * until it switches threads or returns. */
#define FMASK_BITS 0x47700ull

/* The running thread's kernel stack top (thread_switch_to) and the
 * caller's rsp while the entry moves stacks: core memory, one CPU. */
uint64_t service_kstack_top;
uint64_t service_user_rsp;
/* The running thread's TCB, for the interrupt entry: compartment code
 * may load GS with another base (gates/interrupt_entry.S). */
uint64_t service_current_tcb;

extern char flexos_service_entry[]; /* gates/service_entry.S */

/* The caller's state, as the entry pushes it (include/flexos/service.h). */
struct service_frame {
  uint64_t pkru, rbp, rip, rflags, rsp;
};
_Static_assert(offsetof(struct service_frame, pkru) == FLEXOS_SVC_FRAME_PKRU, "frame");
_Static_assert(offsetof(struct service_frame, rbp) == FLEXOS_SVC_FRAME_RBP, "frame");
_Static_assert(offsetof(struct service_frame, rip) == FLEXOS_SVC_FRAME_RIP, "frame");
_Static_assert(offsetof(struct service_frame, rflags) == FLEXOS_SVC_FRAME_RFLAGS, "frame");
_Static_assert(offsetof(struct service_frame, rsp) == FLEXOS_SVC_FRAME_RSP, "frame");

void service_init(void) {
  wrmsr(MSR_STAR, (0x20ull << 48) | (0x08ull << 32)); /* SYSRET: CS 0x30, SS 0x28 */
  wrmsr(MSR_LSTAR, (uint64_t)flexos_service_entry);
  wrmsr(MSR_FMASK, FMASK_BITS);
  wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static const char *const service_names[FLEXOS_SVC_COUNT] = {
    "null", "exit", "panic", "console_write", "ticks", "boot_epoch",
    "pages_free", "thread_create", "thread_yield", "thread_join",
    "thread_exit", "thread_park", "thread_unpark", "port_in", "port_out",
    "irq_wait", "ctx_create", "ctx_switch", "ctx_block", "ctx_resume",
    "ctx_exit", "thread_alive", "tick_hook", "tick_return", "monitor_trap",
    "fiber_create", "fiber_self", "fiber_switch"};

static uint64_t caller_rip, caller_rbp; /* for reports: the SYSCALL's place */
/* The caller's own PKRU (0 without keys).  The live one also holds the
 * default compartment's rights (gates/service_entry.S): checks use this. */
static uint64_t caller_pkru;

static const char *caller_name(void) {
  return mechanism->interrupted(caller_pkru);
}

/* The calling compartment's index, from its PKRU. */
static int caller_compartment(void) {
  int c = mechanism->pkru_compartment ? mechanism->pkru_compartment(caller_pkru)
                                      : -1; /* one compartment here */
  return c < 0 ? mechanism->home_compartment() : c;
}

/* Whether the caller is the default compartment: its own PKRU says so
 * (with keys), or it is the one compartment here (without). */
static int caller_is_default(void) {
  int c = mechanism->pkru_compartment ? mechanism->pkru_compartment(caller_pkru)
                                      : mechanism->home_compartment();
  return c == (int)flexos_image_config.default_index;
}

static __attribute__((noreturn)) void refuse(uint64_t nr, const char *what,
                                             uintptr_t addr, size_t len,
                                             const char *rule) {
  int user, key;
  const char *touched = !paging_lookup(addr, &user, &key) ? "unmapped"
                        : user ? paging_key_owner(key) : "kernel";
  console_printf("FAULT: service %s from=%s: %s 0x%lx (+%lu) %s (touched=%s)\n",
                 service_names[nr], caller_name(), what, addr,
                 (unsigned long)len, rule, touched);
  symbolize_report(caller_rip, caller_rbp);
  flexos_exit(FLEXOS_EXIT_PRIVILEGE);
}

/* [p, p+len) must be memory the caller may read (write) itself. */
static void check_buffer(uint64_t nr, uintptr_t p, size_t len, int write) {
  uint64_t pkru = caller_pkru;
  if (p + len < p)
    refuse(nr, "buffer", p, len, "wraps around");
  for (uintptr_t va = PAGE_ROUND_DOWN(p); va < p + len; va += PAGE_SIZE)
    if (!paging_user_may(va, write, pkru))
      refuse(nr, "buffer", va < p ? p : va, len,
             write ? "is not writable by the caller"
                   : "is not readable by the caller");
}

static __attribute__((noreturn)) void refuse_port(uint64_t nr, uint64_t port,
                                                  uint64_t size, const char *why) {
  console_printf("FAULT: service %s from=%s: port 0x%lx (%lu bytes) %s\n",
                 service_names[nr], caller_name(), port, size, why);
  symbolize_report(caller_rip, caller_rbp);
  flexos_exit(FLEXOS_EXIT_PRIVILEGE);
}

static uint64_t port_in_checked(uint64_t port, uint64_t size) {
  uint32_t v = 0;
  const char *why = size != 1 && size != 2 && size != 4 ? "has no such size"
                    : port > 0xffff ? "does not exist"
                    : device_port_in(caller_compartment(), (uint16_t)port, (int)size, &v);
  if (why)
    refuse_port(FLEXOS_SVC_PORT_IN, port, size, why);
  return v;
}

static void port_out_checked(uint64_t port, uint64_t size, uint64_t value) {
  if (port <= 0xffff && mechanism->monitor_port &&
      mechanism->monitor_port((uint16_t)port, (int)size)) {
    outl((uint16_t)port, (uint32_t)value);
    return;
  }
  const char *why = size != 1 && size != 2 && size != 4 ? "has no such size"
                    : port > 0xffff ? "does not exist"
                    : device_port_out(caller_compartment(), (uint16_t)port, (int)size,
                                      (uint32_t)value);
  if (why)
    refuse_port(FLEXOS_SVC_PORT_OUT, port, size, why);
}

/* The thread a handle (its id) names, finished or not; 0 if none. */
static struct flexos_thread *thread_of_handle(uint64_t id) {
  for (int i = 1; i < MAX_THREADS; i++)
    if (id && thread_table[i].id == id && thread_table[i].state != FREE)
      return &thread_table[i];
  return 0;
}

extern char __flexos_gates_start[], __flexos_gates_end[];

/* A thread may start in compartment code, never inside a gate. */
static void check_entry(uint64_t nr, uint64_t fn) {
  if (!paging_is_user_code(fn))
    refuse(nr, "function", fn, 1, "is not compartment code");
  if (fn >= (uint64_t)__flexos_gates_start && fn < (uint64_t)__flexos_gates_end)
    refuse(nr, "function", fn, 1, "is inside a gate");
}

static uint64_t thread_create_checked(uint64_t fn, uint64_t arg) {
  check_entry(FLEXOS_SVC_THREAD_CREATE, fn);
  /* The thread runs in its creator's compartment, never another's. */
  struct flexos_thread *t =
      thread_start_user((void (*)(void *))fn, (void *)arg, caller_compartment());
  return t ? t->id : 0;
}

uint64_t service_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t nr, const struct service_frame *f) {
  caller_rip = f->rip;
  caller_rbp = f->rbp;
  caller_pkru = f->pkru;
  switch (nr) {
  case FLEXOS_SVC_NULL:
    return 0;
  case FLEXOS_SVC_EXIT:
    /* A status is 0-127 (QEMU's exit device and the monitor's process
     * keep 7 bits and 8); success is the default compartment's to report
     * (it runs main): a library must not end the image as if all went
     * well. */
    if (a0 > 127)
      refuse(nr, "status", a0, 0, "is not a status (0-127)");
    if (a0 == 0 && !caller_is_default())
      refuse(nr, "status", a0, 0, "(success) is the default compartment's to report");
    flexos_exit((int)a0);
  case FLEXOS_SVC_PANIC:
    check_buffer(nr, a0, a1, 0);
    console_printf("panic: ");
    console_write((const char *)a0, a1);
    console_printf("\n");
    flexos_exit(FLEXOS_EXIT_PANIC);
  case FLEXOS_SVC_CONSOLE_WRITE:
    check_buffer(nr, a0, a1, 0);
    console_write((const char *)a0, a1);
    return 0;
  case FLEXOS_SVC_TICKS:
    return flexos_ticks();
  case FLEXOS_SVC_BOOT_EPOCH:
    return flexos_boot_epoch();
  case FLEXOS_SVC_PAGES_FREE:
    return flexos_pages_free();
  case FLEXOS_SVC_THREAD_CREATE:
    return thread_create_checked(a0, a1);
  case FLEXOS_SVC_THREAD_YIELD:
    flexos_thread_yield();
    return 0;
  case FLEXOS_SVC_THREAD_JOIN: {
    struct flexos_thread *t = thread_of_handle(a0);
    if (!t)
      refuse(nr, "thread", a0, 0, "is no thread");
    flexos_thread_join(t);
    return 0;
  }
  case FLEXOS_SVC_THREAD_EXIT:
    thread_finish();
  case FLEXOS_SVC_THREAD_PARK:
    return (uint64_t)(int64_t)flexos_thread_park(a0);
  case FLEXOS_SVC_THREAD_UNPARK:
    flexos_thread_unpark(a0);
    return 0;
  case FLEXOS_SVC_PORT_IN:
    return port_in_checked(a0, a1);
  case FLEXOS_SVC_PORT_OUT:
    port_out_checked(a0, a1, a2);
    return 0;
  case FLEXOS_SVC_IRQ_WAIT:
    if (!device_owns_irq(caller_compartment(), (int)a0) &&
        !(mechanism->monitor_line && a0 == (uint64_t)mechanism->monitor_line))
      refuse(nr, "line", a0, 0, "is not the line of the caller's device");
    return (uint64_t)flexos_irq_wait((int)a0, a1);
  case FLEXOS_SVC_CTX_CREATE:
    check_entry(nr, a1);
    if (a0 >= flexos_image_config.ncompartments)
      refuse(nr, "compartment", a0, 0, "does not exist");
    return flexos_ctx_create((int)a0, (void (*)(void *, void *))a1, (void *)a2,
                             (void *)a3);
  case FLEXOS_SVC_CTX_SWITCH:
    return (uint64_t)(int64_t)flexos_ctx_switch(a0);
  case FLEXOS_SVC_CTX_BLOCK:
    return (uint64_t)(int64_t)flexos_ctx_block(a0, a1);
  case FLEXOS_SVC_CTX_RESUME:
    flexos_ctx_resume(a0);
    return 0;
  case FLEXOS_SVC_CTX_EXIT:
    flexos_ctx_exit(a0); /* does not return */
    return 0;
  case FLEXOS_SVC_THREAD_ALIVE:
    return (uint64_t)flexos_thread_alive(a0);
  case FLEXOS_SVC_TICK_HOOK: {
    if (a0) {
      check_entry(nr, a0);
      check_buffer(nr, a2, a3, 1);
    }
    const char *why = tick_upcall_set(caller_compartment(), a0, a1, a2, a3);
    if (why)
      refuse(nr, "hook", a0, a3, why);
    return 0;
  }
  case FLEXOS_SVC_MONITOR_TRAP: {
    if (!mechanism->monitor_trap)
      refuse(nr, "value", a0, 0, "needs a monitor (vm-ept images only)");
    check_buffer(nr, a1, 3 * sizeof(uint64_t), 1);
    const char *why = mechanism->monitor_trap(a0, (uint64_t *)a1);
    if (why)
      refuse(nr, "value", a0, 0, why);
    return 0;
  }
  case FLEXOS_SVC_FIBER_CREATE: {
    if (!mechanism->fibers)
      refuse(nr, "function", a0, 0, "needs fibers (vm-ept images only)");
    check_entry(nr, a0);
    struct flexos_thread *t = thread_fiber_create((void (*)(void *))a0, (void *)a1);
    return t ? t->id : 0;
  }
  case FLEXOS_SVC_FIBER_SELF:
    if (!mechanism->fibers)
      refuse(nr, "thread", thread_current->id, 0, "needs fibers (vm-ept images only)");
    return thread_fiber_self()->id;
  case FLEXOS_SVC_FIBER_SWITCH: {
    struct flexos_thread *t = thread_of_handle(a0);
    if (!mechanism->fibers || !t || t->state != FIBER || t == thread_current)
      refuse(nr, "thread", a0, 0, "is not another fiber");
    thread_fiber_switch(t);
    return 0;
  }
  case FLEXOS_SVC_TICK_RETURN:
    if (caller_compartment() != mechanism->home_compartment() || !tick_upcall_return())
      refuse(nr, "return", f->rip, 0, "without a tick hook running on this thread");
    __builtin_unreachable();
  }
  console_printf("FAULT: service %lu from=%s: no such service\n", nr,
                 caller_name());
  symbolize_report(f->rip, f->rbp);
  flexos_exit(FLEXOS_EXIT_PRIVILEGE);
}
