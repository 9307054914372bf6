/*
 * FILE: runtime/ept.c
 * DESCRIPTION:
 *   The guest half of the vm-ept backend (docs/vm.md).  Under vm-ept every
 *   compartment runs in its own VM created by tools/flexos-vmm from the
 *   same image; this file is what each VM's runtime does differently:
 *     - ept_boot():  read the monitor's info page (which compartment this
 *                    VM is, where its private and shared pages are);
 *     - __flexos_ept_call(): the caller's side of a gate: trap (or ring a
 *                    polling callee's doorbell) and serve the nested
 *                    requests that arrive while waiting;
 *     - serve():     the callee's dispatcher: copy the request out of
 *                    shared memory, accept only identifiers this
 *                    compartment exports (.flexos_ept_entries) with the
 *                    right argument count and, unless check-pointers is
 *                    off, pointer arguments into the shared region; run
 *                    it; write the result back.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include "kernel.h"
#include "x86.h"

/* gates/ept_gate.S: outl value -> FLEXOS_EPT_PORT */
void __flexos_vm_trap(uint64_t value);

extern const struct flexos_ept_entry __flexos_ept_entries_start[],
    __flexos_ept_entries_end[];
extern char __shared_start[], __shared_end[];

/* A private copy of the info page; `live` is the page itself (the monitor
 * writes `inbox` there). */
static struct flexos_vm_info vm;
static volatile struct flexos_vm_info *live;

/* Polling mode: a caller writes the slot into the callee's doorbell; a
 * VM that waits for a call spins and sets `waiting` so that a polling
 * callee rings its doorbell for callbacks.  Shared memory: any VM may
 * ring any doorbell, which is why serve() trusts nothing it reads. */
__attribute__((section(".bss.flexos_shared")))
static volatile uint64_t doorbell[FLEXOS_MAX_COMPARTMENTS];
__attribute__((section(".bss.flexos_shared")))
static volatile uint64_t waiting[FLEXOS_MAX_COMPARTMENTS];
__attribute__((section(".bss.flexos_shared")))
static volatile uint64_t trapped[FLEXOS_MAX_COMPARTMENTS];

static uint64_t refused; /* requests this VM refused (reports) */

/* While this VM serves a call, the serving thread's gates use the next
 * of these slots, so that a nested call does not overwrite the slot of
 * the call still in progress.  Shared memory (the callee reads them). */
static struct flexos_rpc_slot *nested_slots;
static uint32_t depth;

int ept_active(void) {
  return flexos_image_config.mechanism == FLEXOS_MECH_EPT;
}

int ept_self(void) { return (int)vm.compartment; }

int runtime_home_compartment(void) {
  return ept_active() ? ept_self() : (int)flexos_image_config.default_index;
}

int runtime_has_compartment(int index) {
  return !ept_active() || index == ept_self();
}

/* Runs first in kmain, while the low 1 MiB is still mapped. */
void ept_boot(void) {
  if (!ept_active())
    return;
  const struct flexos_vm_info *info = (const void *)FLEXOS_VM_INFO_ADDR;
  if (info->magic != FLEXOS_VM_MAGIC)
    flexos_panic("this image uses vm-ept: run it with tools/flexos-vmm, "
                 "not QEMU (no monitor info page at 0x%x)",
                 FLEXOS_VM_INFO_ADDR);
  vm = *info;
  if (vm.compartment >= flexos_image_config.ncompartments ||
      vm.ncompartments != flexos_image_config.ncompartments)
    flexos_panic("vm-ept: monitor and image disagree on compartments");
}

/* After paging: allocators on this VM's pools, and the info page mapped
 * again (paging_init leaves the low 1 MiB unmapped). */
static void entries_init(void);

void ept_pools(void) {
  page_alloc_init(vm.private_pool_start, vm.private_pool_end);
  page_alloc_init_shared(vm.shared_slice_start, vm.shared_slice_end);
  paging_map(FLEXOS_VM_INFO_ADDR, 1, pku_default_key(), 1);
  live = (volatile struct flexos_vm_info *)FLEXOS_VM_INFO_ADDR;
  size_t bytes = FLEXOS_VM_MAX_DEPTH * sizeof(struct flexos_rpc_slot);
  nested_slots = page_alloc(PAGE_ROUND_UP(bytes) / PAGE_SIZE, FLEXOS_SHARED_KEY);
  if (!nested_slots)
    flexos_panic("vm-ept: no shared pages for RPC slots");
  entries_init();
}

static int in_shared(uint64_t a) {
  return (a >= (uintptr_t)__shared_start && a < (uintptr_t)__shared_end) ||
         (a >= vm.shared_pool_start && a < vm.shared_pool_end);
}

/* This compartment's entries, hashed by identifier at boot (open
 * addressing): a request costs one or two probes, not a scan.  The table
 * is this VM's private memory. */
#define ENTRY_TABLE 256
static const struct flexos_ept_entry *entry_table[ENTRY_TABLE];
static int any_polling; /* some compartment polls: keep doorbell state */

static void entries_init(void) {
  size_t n = 0;
  for (const struct flexos_ept_entry *e = __flexos_ept_entries_start;
       e < __flexos_ept_entries_end; e++) {
    if (e->compartment != vm.compartment)
      continue;
    if (++n > ENTRY_TABLE / 2)
      flexos_panic("vm-ept: more than %d gate entries in compartment %s",
                   ENTRY_TABLE / 2, flexos_compartment_name(ept_self()));
    size_t h = e->fn_id % ENTRY_TABLE;
    while (entry_table[h])
      h = (h + 1) % ENTRY_TABLE;
    entry_table[h] = e;
  }
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    any_polling |= flexos_image_config.comp[i].polling != 0;
}

static const struct flexos_ept_entry *lookup(uint64_t fn_id) {
  for (size_t h = fn_id % ENTRY_TABLE; entry_table[h]; h = (h + 1) % ENTRY_TABLE)
    if (entry_table[h]->fn_id == fn_id)
      return entry_table[h];
  return 0;
}

static void refuse(struct flexos_rpc_slot *s, uint64_t fn_id, const char *why,
                   uint64_t detail) {
  refused++;
  printf("flexos: compartment %s refused call 0x%lx: %s (0x%lx)\n",
         flexos_compartment_name(ept_self()), fn_id, why, detail);
  s->ret[0] = ~0ull;
  __atomic_store_n(&s->state, FLEXOS_RPC_STATE_ERROR, __ATOMIC_RELEASE);
}

/* The thread's RPC slot while it serves: nested calls made by the callee
 * must not overwrite the slot of the call that is still in progress. */
static struct flexos_tcb *tcb(void) {
  uint64_t self;
  __asm__ volatile("movq %%gs:%c1, %0" : "=r"(self) : "i"(FLEXOS_TCB_SELF));
  return (struct flexos_tcb *)self;
}

static void serve(uint64_t slot_addr) {
  struct flexos_rpc_slot *s = (struct flexos_rpc_slot *)slot_addr;
  if (!in_shared(slot_addr) || !in_shared(slot_addr + sizeof(*s) - 1)) {
    refused++;
    printf("flexos: compartment %s: request slot 0x%lx is not shared\n",
           flexos_compartment_name(ept_self()), slot_addr);
    return;
  }
  /* Copy once: the caller (or anyone) may rewrite shared memory. */
  uint64_t fn_id = s->fn_id;
  uint32_t nargs = s->nargs, dst = s->dst;
  uint64_t args[FLEXOS_RPC_MAX_ARGS];
  const struct flexos_ept_entry *e = lookup(fn_id);
  if (!e)
    return refuse(s, fn_id, "not a gate entry of this compartment", fn_id);
  if (dst != vm.compartment)
    return refuse(s, fn_id, "addressed to another compartment", dst);
  if (nargs != e->nargs)
    return refuse(s, fn_id, "wrong argument count", nargs);
  for (uint32_t i = 0; i < nargs; i++)
    args[i] = s->args[i];
  if (flexos_image_config.comp[vm.compartment].check_pointers)
    for (uint32_t i = 0; i < nargs; i++)
      if ((e->pointer_mask >> i & 1) && args[i] && !in_shared(args[i]))
        return refuse(s, fn_id, "pointer argument outside the shared region",
                      args[i]);
  if (depth == FLEXOS_VM_MAX_DEPTH)
    return refuse(s, fn_id, "calls nested too deeply", depth);
  struct flexos_tcb *t = tcb();
  uint64_t outer = t->rpc_slot;
  t->rpc_slot = (uint64_t)&nested_slots[depth++];
  uint64_t r = e->unpack(args);
  depth--;
  t->rpc_slot = outer;
  s->ret[0] = r;
  __atomic_store_n(&s->state, FLEXOS_RPC_STATE_DONE, __ATOMIC_RELEASE);
}

/* Trap with `value` and serve what the monitor hands us until it resumes
 * us with an empty inbox: our own call (if any) is then finished. */
static void trap_and_serve(uint64_t value) {
  for (;;) {
    __flexos_vm_trap(value);
    uint64_t in = live->inbox;
    if (!in)
      return;
    live->inbox = 0;
    serve(in);
    value = in; /* the next trap reports this call as finished */
  }
}

/* Spin until the slot leaves REQUEST, serving our own doorbell meanwhile
 * (a polling callee rings it for callbacks).  The caller has set
 * waiting[self]. */
static void spin_and_serve(struct flexos_rpc_slot *s) {
  int self = ept_self();
  while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) ==
         FLEXOS_RPC_STATE_REQUEST) {
    uint64_t in = __atomic_exchange_n(&doorbell[self], 0, __ATOMIC_ACQ_REL);
    if (in) {
      waiting[self] = 0; /* serving may trap: no doorbells meanwhile */
      serve(in);
      waiting[self] = 1;
    } else {
      __builtin_ia32_pause();
    }
  }
}

/* Ring dst's doorbell; a doorbell holds one request, so wait (serving our
 * own) while someone else's is pending. */
static void ring(uint32_t dst, struct flexos_rpc_slot *s) {
  int self = ept_self();
  uint64_t idle = 0;
  while (!__atomic_compare_exchange_n(&doorbell[dst], &idle, (uint64_t)s, 0,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    idle = 0;
    uint64_t in = __atomic_exchange_n(&doorbell[self], 0, __ATOMIC_ACQ_REL);
    if (in)
      serve(in);
    else
      __builtin_ia32_pause();
  }
}

/* Called by every vm-ept gate (passes/GateLowering.cpp) with the thread's
 * slot filled in.  The result, or ~0 with state ERROR, is in the slot.
 * A callee that spins (a polling compartment that is not itself trapped
 * in the monitor, or any compartment waiting in spin_and_serve) gets the
 * request through its doorbell; a parked one through the monitor. */
void __flexos_ept_call(struct flexos_rpc_slot *s) {
  __atomic_store_n(&s->state, FLEXOS_RPC_STATE_REQUEST, __ATOMIC_RELEASE);
  if (!any_polling) {
    trap_and_serve((uint64_t)s);
    return;
  }
  uint32_t dst = s->dst;
  int self = ept_self();
  int spins = dst < flexos_image_config.ncompartments &&
              ((flexos_image_config.comp[dst].polling && !trapped[dst]) ||
               waiting[dst]);
  if (spins) {
    /* Waiting is announced before the doorbell rings, so that a callee
     * calling straight back finds us spinning. */
    uint64_t was_waiting = waiting[self];
    waiting[self] = 1;
    ring(dst, s);
    spin_and_serve(s);
    waiting[self] = was_waiting;
    return;
  }
  /* While we are in the monitor nobody may ring our doorbell. */
  uint64_t was_waiting = waiting[self];
  waiting[self] = 0;
  if (vm.polling)
    trapped[self]++;
  trap_and_serve((uint64_t)s);
  if (vm.polling)
    trapped[self]--;
  waiting[self] = was_waiting;
}

/* Polling VMs: spin on our doorbell forever. */
static __attribute__((noreturn)) void poll_forever(void) {
  int self = ept_self();
  for (;;) {
    uint64_t in = __atomic_exchange_n(&doorbell[self], 0, __ATOMIC_ACQ_REL);
    if (in)
      serve(in);
    else
      __builtin_ia32_pause();
  }
}

/* A non-default VM's main thread: report ready, then serve. */
int ept_serve_forever(int argc, char **argv) {
  (void)argc;
  (void)argv;
  trap_and_serve(FLEXOS_VM_TRAP_READY);
  if (vm.polling)
    poll_forever();
  for (;;)
    trap_and_serve(FLEXOS_VM_TRAP_READY);
}

/* Benchmarks: one VM exit and entry, nothing else. */
void flexos_vm_null_hypercall(void) { __flexos_vm_trap(FLEXOS_VM_TRAP_NULL); }

uint64_t flexos_vm_refused(void) { return refused; }
