/*
 * FILE: runtime/user/service.c
 * DESCRIPTION:
 *   The runtime API (include/flexos/runtime.h) as compartment code in a
 *   ring-3 image calls it: what needs the core is one SYSCALL each
 *   (include/flexos/service.h, checked in runtime/core/service.c); what
 *   only reads common memory (the thread id in the TCB, the command line,
 *   which compartment's PKRU is live) runs here, in ring 3.
 * License: MIT (see LICENSE)
 */
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <flexos/service.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel.h" /* flexos_space: common, read-only */

/* SYSCALL keeps rip in rcx and rflags in r11; the entry clears the other
 * caller-saved registers on the way back (gates/service_entry.S). */
uint64_t flexos_service_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                         uint64_t a3) {
  register uint64_t rdi __asm__("rdi") = a0;
  register uint64_t rsi __asm__("rsi") = a1;
  register uint64_t rdx __asm__("rdx") = a2;
  register uint64_t r10 __asm__("r10") = a3;
  register uint64_t r8 __asm__("r8"), r9 __asm__("r9");
  uint64_t rax = nr;
  __asm__ volatile("syscall"
                   : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10),
                     "=r"(r8), "=r"(r9)
                   :
                   : "rcx", "r11", "memory");
  return rax;
}

static uint64_t service(uint64_t nr, uint64_t a0, uint64_t a1) {
  return flexos_service_call(nr, a0, a1, 0, 0);
}

void flexos_null_service(void) { service(FLEXOS_SVC_NULL, 0, 0); }

void flexos_exit(int code) {
  service(FLEXOS_SVC_EXIT, (uint64_t)code, 0);
  __builtin_unreachable();
}

void flexos_panic(const char *fmt, ...) {
  char text[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  if ((size_t)n >= sizeof(text))
    n = sizeof(text) - 1;
  service(FLEXOS_SVC_PANIC, (uint64_t)text, (uint64_t)n);
  __builtin_unreachable();
}

void flexos_console_write(const char *s, size_t n) {
  service(FLEXOS_SVC_CONSOLE_WRITE, (uint64_t)s, n);
}

/* The core's console_printf (runtime/core/kernel.h) for the runtime's
 * compartment side: one console_write per report, so that it arrives
 * whole. */
void console_printf(const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (n > 0)
    flexos_console_write(text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

uint64_t flexos_ticks(void) { return service(FLEXOS_SVC_TICKS, 0, 0); }

/* The hook runs as an upcall on a stack of its own, from the default
 * compartment's heap (runtime/core/tick_upcall.c). */
#define TICK_HOOK_STACK (16 * 1024)
void flexos_tick_upcall(void); /* tick_upcall.S */

void flexos_set_tick_hook(void (*hook)(uint64_t tick)) {
  static char *stack;
  if (hook && !stack && !(stack = malloc(TICK_HOOK_STACK)))
    flexos_panic("flexos_set_tick_hook: no memory for the hook's stack");
  flexos_service_call(FLEXOS_SVC_TICK_HOOK, hook ? (uint64_t)flexos_tick_upcall : 0,
           (uint64_t)hook, (uint64_t)stack, hook ? TICK_HOOK_STACK : 0);
}
uint64_t flexos_boot_epoch(void) { return service(FLEXOS_SVC_BOOT_EPOCH, 0, 0); }
size_t flexos_pages_free(void) { return service(FLEXOS_SVC_PAGES_FREE, 0, 0); }

/* The handle is the thread's id; the core checks it on join. */
struct flexos_thread *flexos_thread_create(void (*fn)(void *), void *arg) {
  return (struct flexos_thread *)service(FLEXOS_SVC_THREAD_CREATE,
                                         (uint64_t)fn, (uint64_t)arg);
}
void flexos_thread_yield(void) { service(FLEXOS_SVC_THREAD_YIELD, 0, 0); }
void flexos_thread_join(struct flexos_thread *t) {
  service(FLEXOS_SVC_THREAD_JOIN, (uint64_t)t, 0);
}
int flexos_thread_park(uint64_t deadline) {
  return (int)service(FLEXOS_SVC_THREAD_PARK, deadline, 0);
}
void flexos_thread_unpark(uint64_t id) {
  service(FLEXOS_SVC_THREAD_UNPARK, id, 0);
}
void __flexos_user_thread_exit(void) {
  service(FLEXOS_SVC_THREAD_EXIT, 0, 0);
  __builtin_unreachable();
}

/* Port I/O (<flexos/x86.h> with FLEXOS_PORT_SERVICE): only the ports of
 * the caller's own device pass (runtime/core/device.c). */
uint32_t flexos_port_in(uint16_t port, int size) {
  return (uint32_t)service(FLEXOS_SVC_PORT_IN, port, (uint64_t)size);
}
void flexos_port_out(uint16_t port, int size, uint32_t value) {
  flexos_service_call(FLEXOS_SVC_PORT_OUT, port, (uint64_t)size, value, 0);
}
int flexos_irq_wait(int line, uint64_t deadline) {
  return (int)service(FLEXOS_SVC_IRQ_WAIT, (uint64_t)line, deadline);
}

/* The scheduler library's primitives (runtime/services/ctx.c). */
uint64_t flexos_ctx_create(int compartment, void (*entry)(void *, void *),
                           void *a, void *b) {
  return flexos_service_call(FLEXOS_SVC_CTX_CREATE, (uint64_t)compartment, (uint64_t)entry,
                  (uint64_t)a, (uint64_t)b);
}
int flexos_ctx_switch(uint64_t next) {
  return (int)service(FLEXOS_SVC_CTX_SWITCH, next, 0);
}
int flexos_ctx_block(uint64_t next, uint64_t alarm) {
  return (int)service(FLEXOS_SVC_CTX_BLOCK, next, alarm);
}
void flexos_ctx_resume(uint64_t id) { service(FLEXOS_SVC_CTX_RESUME, id, 0); }
void flexos_ctx_exit(uint64_t next) {
  service(FLEXOS_SVC_CTX_EXIT, next, 0);
  __builtin_unreachable();
}
int flexos_thread_alive(uint64_t id) {
  return (int)service(FLEXOS_SVC_THREAD_ALIVE, id, 0);
}

uint64_t flexos_thread_id(void) {
  uint64_t id;
  __asm__ volatile("movq %%gs:%c1, %0" : "=r"(id) : "i"(FLEXOS_TCB_THREAD_ID));
  return id;
}

extern char boot_cmdline[]; /* runtime/core/main.c: common, read-only */
const char *flexos_cmdline(void) { return boot_cmdline; }

extern uint8_t flexos_pku_on; /* runtime/pku/pku.c: common, read-only */
int flexos_pku_active(void) { return flexos_pku_on; }

int flexos_current_compartment(void) {
  const struct flexos_image_config *cfg = &flexos_image_config;
  if (!flexos_pku_on)
    return flexos_space.home; /* this VM's, under vm-ept */
  uint32_t pkru, edx;
  __asm__ volatile("rdpkru" : "=a"(pkru), "=d"(edx) : "c"(0));
  for (uint32_t i = 0; i < cfg->ncompartments; i++)
    if (FLEXOS_PKRU(i, i == cfg->default_index) == pkru)
      return (int)i;
  return (int)cfg->default_index;
}

const char *flexos_compartment_name(int index) {
  if (index < 0 || index >= (int)flexos_image_config.ncompartments)
    return "?";
  return flexos_image_config.comp[index].name;
}

void __stack_chk_fail(void) {
  flexos_panic("stack smashing detected in compartment %s",
               flexos_compartment_name(flexos_current_compartment()));
}

void __flexos_shared_stack_overflow(void) {
  flexos_panic("shared stack overflow in thread %lu", flexos_thread_id());
}
