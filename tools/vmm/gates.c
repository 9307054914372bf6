/*
 * FILE: tools/vmm/gates.c
 * DESCRIPTION:
 *   The vm-ept monitor's side of the gates (runtime/ept/ept.c,
 *   gates/ept_gate.S; docs/vm.md, "Calls").  A gate traps with `outl` to
 *   FLEXOS_EPT_PORT (exits.c).  All non-polling vCPUs run on one host
 *   thread: the monitor keeps the calls in progress, resumes the callee
 *   with the request slot in its info page's inbox, and resumes the
 *   caller (`done` = the slot) when the callee traps with the same slot.
 *   Threads of the default VM's scheduler may each be inside another VM,
 *   so calls finish in any order, not only the innermost first.  A
 *   request the monitor cannot pass on is refused: the caller finds the
 *   error in its slot.  When the default VM has nothing to run it traps
 *   IDLE and the thread waits for the network (net.c) or the VM's next
 *   deadline.  Compartments configured with `polling: true` run on a
 *   thread of their own (main.c) and spin on a doorbell in shared memory
 *   instead.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <string.h>
#include <time.h>

#include "net.h"

static int64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

volatile struct flexos_ept_info *info_of(struct vm *v) {
  return (volatile struct flexos_ept_info *)(v->mem + FLEXOS_EPT_INFO_ADDR);
}

/* Resume `v` with a request to serve, or telling it which of its calls
 * finished. */
static struct vm *hand_request(struct vm *v, uint64_t slot, struct vm *from) {
  info_of(v)->inbox = slot;
  info_of(v)->from = (uint64_t)from->index; /* the guest cannot forge it */
  info_of(v)->done = 0;
  return v;
}

static struct vm *hand_finished(struct vm *v, uint64_t slot) {
  info_of(v)->inbox = 0;
  info_of(v)->done = slot;
  return v;
}

/* The network device's interrupt: a bit the default VM reads. */
void raise_net_event(void) {
  __atomic_or_fetch(&info_of(&m.vms[m.default_index])->events,
                    1ull << FLEXOS_PVNET_IRQ, __ATOMIC_RELEASE);
}

int slot_is_shared(uint64_t slot) {
  uint64_t end = slot + FLEXOS_RPC_SLOT_SIZE;
  if (slot % 8 || end < slot)
    return 0;
  return (slot >= m.shared_start && end <= m.shared_end) ||
         (slot >= m.shared_pool_start && end <= m.span);
}

struct flexos_rpc_slot *slot_ptr(uint64_t slot) {
  return (struct flexos_rpc_slot *)(m.shared + slot);
}

/* Refuse a request without involving the callee: the caller sees the
 * error in its slot. */
static void refuse(struct vm *caller, uint64_t slot, const char *why) {
  pthread_mutex_lock(&m.lock);
  fflush(stdout);
  fprintf(m.reports, "flexos-vmm: refused request from compartment %s (slot "
          "0x%lx): %s\n", caller->name, slot, why);
  pthread_mutex_unlock(&m.lock);
  if (slot_is_shared(slot)) {
    slot_ptr(slot)->ret[0] = ~0ull;
    __atomic_store_n(&slot_ptr(slot)->state, FLEXOS_RPC_STATE_ERROR,
                     __ATOMIC_RELEASE);
  }
  hand_finished(caller, slot);
}

/* The default VM has nothing to run until its deadline (idle_ns, 0 =
 * none) or a frame arrives. */
static struct vm *idle(struct vm *v) {
  if (v->index != (int)m.default_index)
    vm_fail(v, 1, "idle trap from a VM that runs no threads (protocol error)");
  uint64_t ns = info_of(v)->idle_ns;
  if (!ns && !vmm_net_attached())
    vm_fail(v, 1, "every thread waits and nothing can wake them (no "
                  "deadline, no network device)");
  /* --idle-timeout counts from the first idle trap after the last frame
   * that arrived: how fast the guest booted or woke for its own timers
   * does not matter, only that nothing came in meanwhile. */
  int64_t wait = ns ? (int64_t)ns : -1, left = 0;
  if (m.idle_timeout_ns) {
    int64_t now = monotonic_ns();
    if (!m.idle_since_ns)
      m.idle_since_ns = now;
    left = m.idle_timeout_ns - (now - m.idle_since_ns);
    if (left <= 0)
      vm_fail(v, EXIT_TIMEOUT, "idle for %ld s with nothing arriving (--idle-timeout)",
              (long)(m.idle_timeout_ns / 1000000000));
    if (wait < 0 || wait > left)
      wait = left;
  }
  if (vmm_net_poll(wait, &m.timed_out)) {
    m.idle_since_ns = 0;
    raise_net_event();
  }
  if (m.stop_signal)
    vm_fail(v, 128 + m.stop_signal, "stopped by signal %d, idle", m.stop_signal);
  if (m.timed_out)
    vm_fail(v, EXIT_TIMEOUT, "timeout (--timeout), idle");
  return hand_finished(v, 0);
}

/* v finished a call it was serving: back to its caller.  Usually the
 * innermost; another thread's when the default VM switched threads.
 * Returns the caller, or 0 when `slot` is no call v is serving. */
static struct vm *end_call(struct chain *c, struct vm *v, uint64_t slot) {
  for (int i = c->depth - 1; i >= 0; i--) {
    struct call *done = &c->calls[i];
    if (done->callee != v->index || done->slot != slot)
      continue;
    struct vm *caller = &m.vms[done->caller];
    memmove(done, done + 1, (size_t)(c->depth - 1 - i) * sizeof(*done));
    c->depth--;
    if (--v->refs == 0 && !v->is_root)
      __atomic_store_n(&v->owner, (struct chain *)0, __ATOMIC_RELEASE);
    return caller;
  }
  return 0;
}

/* Why v's request in `slot` cannot be passed on, or 0: then *to is its
 * destination, claimed for the call chain c. */
static const char *check_request(struct chain *c, struct vm *v, uint64_t slot,
                                 struct vm **to) {
  if (!slot_is_shared(slot))
    return "the request slot is not in shared memory";
  uint32_t dst = __atomic_load_n(&slot_ptr(slot)->dst, __ATOMIC_RELAXED);
  if (dst >= m.n || dst == (uint32_t)v->index)
    return "no such destination compartment";
  if (m.vms[dst].polling)
    return "the destination polls its doorbell and is busy calling out "
           "itself; it takes no traps";
  if (c->depth == MAX_CALLS)
    return "too many calls in progress";
  /* A VM belongs to one call chain (one host thread) at a time: it may be
   * called again by its own chain (a callback into a waiting caller), or
   * claimed when idle, never run by two threads. */
  struct chain *none = 0;
  struct vm *d = &m.vms[dst];
  if (__atomic_load_n(&d->owner, __ATOMIC_ACQUIRE) != c &&
      !__atomic_compare_exchange_n(&d->owner, &none, c, 0, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE))
    return "the destination is busy in a call chain of another host thread";
  *to = d;
  return 0;
}

/* A gate trap from v on the thread whose calls are `c`.  Returns the VM
 * this thread runs next. */
struct vm *gate_trap(struct chain *c, struct vm *v, uint64_t value) {
  if (value == FLEXOS_EPT_TRAP_NULL)
    return v;
  if (value == FLEXOS_EPT_TRAP_IDLE)
    return idle(v);
  if (value == FLEXOS_EPT_TRAP_READY)
    vm_fail(v, 1, "reported ready again while %s (protocol error)",
            c->depth ? "calls are in progress" : "no call was pending");
  struct vm *caller = end_call(c, v, value);
  if (caller)
    return hand_finished(caller, value);
  struct vm *d = 0;
  const char *why = check_request(c, v, value, &d);
  if (why) {
    refuse(v, value, why);
    return v;
  }
  d->refs++;
  c->calls[c->depth++] = (struct call){v->index, d->index, value};
  return hand_request(d, value, v);
}
