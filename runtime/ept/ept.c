/*
 * FILE: runtime/ept/ept.c
 * DESCRIPTION:
 *   The core's half of the vm-ept backend (docs/vm.md).  Under vm-ept
 *   every compartment runs in its own VM created by tools/flexos-vmm from
 *   the same image; this file is what each VM's core does differently:
 *     - ept_boot():  read the monitor's info page (which compartment this
 *                    VM is, where its private and shared pages are);
 *     - ept_trap():  the one way out of the VM (gates/ept_gate.S), for
 *                    the compartment's half (runtime/ept/rpc.c: gates,
 *                    the dispatcher, fibers) and for the idle wait;
 *     - idle and events: the default VM's idle thread asks the monitor to
 *                    wait (FLEXOS_EPT_TRAP_IDLE); device events come back
 *                    as `events` bits, run as interrupt lines.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include "kernel.h"
#include "mechanism.h"
#include "rpc.h"
#include "thread.h"
#include "x86.h"

/* gates/ept_gate.S: outl value -> FLEXOS_EPT_PORT */
void __flexos_ept_trap(uint64_t value);

/* The boot copy of the info page (rpc.h: compartment code reads it);
 * `live` is the page itself (the monitor writes `inbox` there). */
SECTION_ROINIT struct flexos_ept_info flexos_ept_vm;
extern char __shared_start[], __shared_end[];
static volatile struct flexos_ept_info *live;

static int ept_active(void) {
  return flexos_image_config.mechanism == FLEXOS_MECH_EPT;
}

static int ept_self(void) { return (int)flexos_ept_vm.compartment; }


/* Runs first in kmain, while the low 1 MiB is still mapped. */
static void ept_boot(void) {
  if (!ept_active())
    return;
  const struct flexos_ept_info *info = (const void *)FLEXOS_EPT_INFO_ADDR;
  if ((info->magic & ~0xffull) == (FLEXOS_EPT_MAGIC_BASE & ~0xffull) &&
      info->magic != FLEXOS_EPT_MAGIC)
    flexos_panic("vm-ept: the monitor speaks flexos ABI %d, this image %d: "
                 "build both from the same tree",
                 (int)(info->magic - FLEXOS_EPT_MAGIC_BASE), FLEXOS_ABI_VERSION);
  if (info->magic != FLEXOS_EPT_MAGIC)
    flexos_panic("this image uses vm-ept: run it with tools/flexos-vmm, "
                 "not QEMU (no monitor info page at 0x%x)",
                 FLEXOS_EPT_INFO_ADDR);
  flexos_ept_vm = *info;
  if (flexos_ept_vm.compartment >= flexos_image_config.ncompartments ||
      flexos_ept_vm.ncompartments != flexos_image_config.ncompartments)
    flexos_panic("vm-ept: monitor and image disagree on compartments");
}

/* After paging: allocators on this VM's pools, and the info page mapped
 * again (paging_init leaves the low 1 MiB unmapped). */
static void ept_pools(void) {
  const struct flexos_ept_info *vm = &flexos_ept_vm;
  page_alloc_init(vm->private_pool_start, vm->private_pool_end);
  page_alloc_init_shared(vm->shared_slice_start, vm->shared_slice_end);
  page_alloc_pools_are_zero(); /* the monitor's memory starts zeroed */
  /* Every VM's slice of the shared pool is shared memory here too: calls
   * from other VMs point into theirs. */
  paging_map(vm->shared_pool_start,
             (vm->shared_pool_end - vm->shared_pool_start) / PAGE_SIZE,
             FLEXOS_SHARED_KEY, 1);
  paging_map(FLEXOS_EPT_INFO_ADDR, 1, paging_scratch_key(), 1); /* the core's */
  live = (volatile struct flexos_ept_info *)FLEXOS_EPT_INFO_ADDR;
  flexos_space.shared[0][0] = (uintptr_t)__shared_start;
  flexos_space.shared[0][1] = (uintptr_t)__shared_end;
  flexos_space.shared[1][0] = vm->shared_pool_start;
  flexos_space.shared[1][1] = vm->shared_pool_end;
}

/* Before ept_pools the info page is read through the boot copy. */
static uint64_t ept_ticks(void) { return live ? live->ticks : flexos_ept_vm.ticks; }

static int ept_is_shared(uintptr_t a, size_t len) {
  return flexos_space_is_shared(a, len);
}

/* What the monitor left in the info page when it resumed us. */
static void take_message(struct ept_message *msg) {
  msg->serve = live->inbox;
  msg->done = live->done;
  msg->from = (int64_t)live->from;
  live->inbox = 0;
  live->done = 0;
}

void ept_trap(uint64_t value, struct ept_message *msg) {
  __flexos_ept_trap(value);
  take_message(msg);
}

/* The service (ring-3 images): a compartment leaves the VM only with a
 * slot of the shared region (the monitor reads it, and the page it lies
 * on, as the call's) or a code it may send; the idle wait is the
 * core's. */
static const char *ept_monitor_trap(uint64_t value, uint64_t out[3]) {
  if (value != FLEXOS_EPT_TRAP_READY && value != FLEXOS_EPT_TRAP_NULL &&
      (value % 8 || value >> 32 ||
       !flexos_space_is_shared(value, sizeof(struct flexos_rpc_slot))))
    return "is neither an RPC slot in shared memory nor a trap a "
           "compartment may send (ready, null)";
  struct ept_message msg;
  ept_trap(value, &msg);
  out[0] = msg.serve;
  out[1] = msg.done;
  out[2] = (uint64_t)msg.from;
  return 0;
}

/* The network device's two ports, written with outl: the monitor takes
 * the setup address only from the VM whose compartment owns the
 * driver's structure, and stops the run otherwise (docs/vm.md). */
static int ept_monitor_port(uint16_t port, int size) {
  return size == 4 && (port == FLEXOS_PVNET_PORT_SETUP || port == FLEXOS_PVNET_PORT_KICK);
}

#ifndef FLEXOS_RING3 /* ring 3: rpc.c reaches these as services */
/* Fibers are the core's threads in state FIBER (runtime/core/thread.c). */
uint64_t ept_fiber_create(void (*fn)(void *), void *arg) {
  struct flexos_thread *t = thread_fiber_create(fn, arg);
  return t ? t->id : 0;
}

uint64_t ept_fiber_self(void) { return thread_fiber_self()->id; }

void ept_fiber_switch(uint64_t id) {
  struct flexos_thread *t = thread_by_id(id);
  if (!t)
    flexos_panic("fiber: switch to thread %lu, which does not exist", id);
  thread_fiber_switch(t);
}
#endif

/* The default VM's idle context: nothing can run until tick `deadline`
 * (0: none) or a device event.  No request can arrive meanwhile: every
 * other VM only runs on behalf of a thread of ours. */
static void ept_take_events(void);

static void ept_idle(uint64_t deadline) {
  uint64_t now = flexos_ticks();
  live->idle_ns = !deadline ? 0 : deadline <= now ? 1 : (deadline - now) * 10000000ull;
  struct ept_message msg;
  ept_trap(FLEXOS_EPT_TRAP_IDLE, &msg);
  if (msg.serve || msg.done)
    flexos_panic("vm-ept: the monitor handed work to the idle context "
                 "(request 0x%lx, finished 0x%lx)", msg.serve, msg.done);
  ept_take_events();
}

/* Device lines the monitor raised while we were stopped. */
static void ept_take_events(void) {
  if (!ept_active() || !live || !live->events)
    return;
  uint64_t ev = __atomic_exchange_n(&live->events, 0, __ATOMIC_ACQ_REL);
  for (int line = 1; line < 16; line++)
    if (ev >> line & 1)
      irq_line(line);
}

/* ---- the mechanism table (runtime/core/mechanism.h) ------------------------ */

static void ept_banner(const struct flexos_image_config *cfg, uint64_t ram_mib) {
  console_printf("flexos: image %s, VM of compartment %s (%u of %u), vm-ept, "
         "%lu MiB RAM\n", cfg->name, flexos_compartment_name(ept_self()),
         ept_self() + 1, cfg->ncompartments, ram_mib);
}

static void ept_memory_init(uintptr_t image_end) {
  (void)image_end; /* the monitor's pools, not the RAM after the image */
  ept_pools();
}

/* No interrupts here: the monitor raises events only while this VM is
 * stopped, so the ready check and the wait need no fencing. */
static void ept_idle_nothing(void) {}

static int ept_has_compartment(int index) { return index == ept_self(); }

/* A VM's protection is its memory view, which the monitor builds: no
 * protection keys inside a VM, so no PKRU is ever written (the interrupt
 * exit writes one only with keys on). */
static void ept_no_protection(void) {}
static uint32_t ept_thread_pkru(int compartment) {
  (void)compartment;
  return 0;
}
static int ept_pkru_valid(uint64_t pkru) {
  (void)pkru;
  return 1;
}
static const char *ept_interrupted(uint64_t pkru) {
  (void)pkru;
  return flexos_compartment_name(ept_self());
}

const struct mechanism mechanism_ept = {
    .boot = ept_boot,
    .banner = ept_banner,
    .protection_init = ept_no_protection,
    .protection_enable = ept_no_protection,
    .memory_init = ept_memory_init,
    .interrupts = 0,
    .ticks = ept_ticks,
    .take_events = ept_take_events,
    .idle_enter = ept_idle_nothing,
    .idle_leave = ept_idle_nothing,
    .idle_wait = ept_idle,
    .rpc_depth = FLEXOS_EPT_MAX_DEPTH,
    .serve = ept_main_or_serve,
    .home_compartment = ept_self,
    .has_compartment = ept_has_compartment,
    .thread_pkru = ept_thread_pkru,
    .pkru_valid = ept_pkru_valid,
    .interrupted = ept_interrupted,
    .is_shared = ept_is_shared,
    .remote_entry = ept_remote_entry,
    .fibers = 1,
    .monitor_trap = ept_monitor_trap,
    .monitor_port = ept_monitor_port,
    .monitor_line = FLEXOS_PVNET_IRQ,
    .pkru_compartment = 0, /* no record mode: no protection-key faults */
    .pkru_open = 0,
};
