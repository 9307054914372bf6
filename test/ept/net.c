/*
 * FILE: test/ept/net.c
 * DESCRIPTION:
 *   Library "net" of the vm-ept test: gate entries called from app and
 *   crypto, calls onward into crypto and back into app, a flexos_share
 *   global, and one illegal read of app's private memory.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <flexos/service.h>
#include <string.h>

#include "three.h"

int shared_counter __flexos_share = 40;
static long calls; /* private to net's VM */
extern long app_secret; /* app's private global: not mapped here */

long net_zero(void) { return ++calls; }

long net_sum10(long a, long b, long c, long d, long e, long f, long g, long h,
               long i, long j) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i +
         10 * j;
}

long net_hash(const char *s) {
  long h = 0;
  for (; *s; s++)
    h = h * 31 + *s;
  return h;
}

long net_via_crypto(long x) { return flexos_gate(crypto, crypto_mix, x) + 1; }

long net_call_back(long depth) {
  if (depth <= 0)
    return 0;
  return 1 + flexos_gate(app, app_callback, depth - 1);
}

long net_chain(long x) { return flexos_gate(crypto, crypto_to_app, x) * 2; }

long net_read_app_secret(void) { return app_secret; }

long net_fill(char *buf, long n) {
  memset(buf, 'n', (size_t)n);
  return n;
}

int net_bump_shared(void) { return ++shared_counter; }

long net_sum6(long a, long b, long c, long d, long e, long f) {
  return a * b + c * d + e * f;
}

long net_to_app8(long x) {
  return flexos_gate(app, app_sum8, x, x + 1, x + 2, x + 3, x + 4, x + 5,
                     x + 6, x + 7);
}

long net_exit_success(void) { flexos_exit(0); }

/* Only the default compartment's VM starts threads elsewhere: a thread
 * start from net into crypto, at a real function, must be refused. */
long net_forge_thread_start(void) {
  struct flexos_rpc_slot *s = flexos_malloc_shared(sizeof(*s));
  memset(s, 0, sizeof(*s));
  s->fn_id = FLEXOS_EPT_THREAD_START_ID;
  s->dst = 2; /* crypto */
  s->nargs = 3;
  s->args[0] = (uint64_t)(uintptr_t)net_exit_success;
  __flexos_ept_call(s);
  long r = s->state == FLEXOS_RPC_STATE_ERROR ? (long)s->ret[0] : 0;
  flexos_free_shared(s);
  return r;
}

/* Attacks on the core of net's own VM, from net's code in ring 3 (the
 * core must catch each one and stop the run with status 5):
 *   0 an outl straight to the monitor's port with a forged request
 *   1 a write to CR4
 *   2 the monitor_trap service with net's private memory as the slot
 *   3 the monitor_trap service with the idle wait's code (the core's)
 *   4 a fiber switch to a thread that is no fiber
 *   5 a read of the IDT, core memory (its address from SIDT) */
long net_attack(long kind) {
  uint64_t out[3];
  switch (kind) {
  case 0:
    __asm__ volatile("outl %0, %1" : : "a"((uint32_t)(uintptr_t)&calls),
                     "Nd"((uint16_t)FLEXOS_EPT_PORT));
    break;
  case 1:
    __asm__ volatile("mov %0, %%cr4" : : "r"(0ul));
    break;
  case 2:
    flexos_service_call(FLEXOS_SVC_MONITOR_TRAP, (uint64_t)(uintptr_t)&calls,
                        (uint64_t)(uintptr_t)out, 0, 0);
    break;
  case 3:
    flexos_service_call(FLEXOS_SVC_MONITOR_TRAP, FLEXOS_EPT_TRAP_IDLE,
                        (uint64_t)(uintptr_t)out, 0, 0);
    break;
  case 4:
    flexos_service_call(FLEXOS_SVC_FIBER_SWITCH, 999999, 0, 0, 0);
    break;
  case 5: {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idt;
    __asm__ volatile("sidt %0" : "=m"(idt));
    return *(volatile long *)idt.base;
  }
  }
  return -1;
}
