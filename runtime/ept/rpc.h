/*
 * FILE: runtime/ept/rpc.h
 * DESCRIPTION:
 *   The line between the two halves of vm-ept (docs/vm.md):
 *     - ept.c, the core's half (ring 0): boot, pools, ticks, the idle
 *       wait, device events, and the one instruction that leaves the VM;
 *     - rpc.c, the compartment's half (ring 3 in ring-3 images, where it
 *       is part of runtime/user): the gate's caller side, the dispatcher
 *       that runs requests, the fibers that serve them.
 *   rpc.c reaches the core only through the functions below: plain calls
 *   in ring-0 images, service calls in ring-3 ones (runtime/user/service.c,
 *   checked in runtime/core/service.c).
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_EPT_RPC_H
#define FLEXOS_RUNTIME_EPT_RPC_H
#include <stddef.h>
#include <stdint.h>

#include <flexos/abi.h>

/* What the monitor left in the info page when it resumed the VM. */
struct ept_message {
  uint64_t serve;  /* a slot to serve, or 0 */
  uint64_t done;   /* the slot of one of our calls that finished, or 0 */
  int64_t from;    /* the compartment that sent `serve` (the monitor says) */
};

/* Leave the VM with `value` (an RPC slot or FLEXOS_EPT_TRAP_READY/NULL)
 * and return what the monitor handed back. */
void ept_trap(uint64_t value, struct ept_message *msg);
/* Fibers: threads the round robin never picks, run by a directed switch.
 * A new one starts as fn(arg) in this VM's compartment; ids are thread
 * ids (0: no slot or memory). */
uint64_t ept_fiber_create(void (*fn)(void *), void *arg);
uint64_t ept_fiber_self(void);
void ept_fiber_switch(uint64_t id);

/* What the monitor said about this VM, copied at boot into common memory
 * that is read-only after boot (paging_seal; runtime/ept/ept.c).  Its
 * shared ranges are flexos_space's (runtime/core/kernel.h). */
extern struct flexos_ept_info flexos_ept_vm;
/* rpc.c's entries, named by the core's mechanism table: the boot
 * thread's function in every VM, and where a thread of the default VM
 * starts that runs in another VM's compartment (its argument is a
 * struct remote_start, runtime/core/mechanism.h). */
int ept_main_or_serve(int argc, char **argv);
void ept_remote_entry(void *start, void *unused);

#endif
