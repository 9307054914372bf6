/*
 * FILE: runtime/core/mechanism.h
 * DESCRIPTION:
 *   What the runtime does differently per isolation mechanism, behind one
 *   table chosen at the start of kmain from the image configuration.  The
 *   generic files (main, irq, timer, thread, trap, heap) call these and
 *   never ask which mechanism runs; a new mechanism is a new table in its
 *   own file.  Tables: mechanism_local (none and intel-pku: one address
 *   space, local.c) and mechanism_ept (a VM per compartment, ept.c);
 *   mechanism.c maps the image's mechanism to its table.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_RUNTIME_MECHANISM_H
#define FLEXOS_RUNTIME_MECHANISM_H
#include <stddef.h>
#include <stdint.h>

#include <flexos/runtime.h>

struct mechanism {
  /* First thing at boot, before the banner (e.g. read what a monitor
   * says about this address space). */
  void (*boot)(void);
  /* The boot banner's line. */
  void (*banner)(const struct flexos_image_config *cfg, uint64_t ram_mib);
  /* Hardware protection inside this address space: set up before paging
   * (may stop the image when the CPU lacks it) and turned on after. */
  void (*protection_init)(void);
  void (*protection_enable)(void);
  /* The page allocator on this address space's free memory, once paging
   * is on (image_end: the first byte after the image). */
  void (*memory_init)(uintptr_t image_end);
  /* Devices and ticks come as interrupts (a PIC and the PIT); without,
   * the monitor raises events and keeps the clock. */
  int interrupts;
  uint64_t (*ticks)(void);           /* 100 Hz ticks since boot */
  void (*take_events)(void);         /* device events raised meanwhile */
  /* Idling when no thread is ready: enter, then either leave (something
   * became ready) or wait for an interrupt, an event or the deadline
   * (a tick, 0 = none).  Between enter and wait no wake-up is lost. */
  void (*idle_enter)(void);
  void (*idle_leave)(void);
  void (*idle_wait)(uint64_t deadline);
  size_t rpc_depth;                  /* RPC slots per thread */
  /* The boot thread runs this instead of main, when not 0 (an address
   * space without the default compartment serves gate calls). */
  int (*serve)(int argc, char **argv);
  /* The compartment the runtime's own code runs in here, and whether a
   * compartment's memory exists in this address space. */
  int (*home_compartment)(void);
  int (*has_compartment)(int index);
  /* PKRU a new thread starts with in `compartment`, and whether a PKRU
   * saved in a trap frame is one a compartment runs with. */
  uint32_t (*thread_pkru)(int compartment);
  int (*pkru_valid)(uint64_t pkru);
  /* The name of the compartment a trap frame's PKRU belongs to. */
  const char *(*interrupted)(uint64_t pkru);
  /* Is [a, a+len) memory every compartment shares (runtime/services/untrusted.c)? */
  int (*is_shared)(uintptr_t a, size_t len);
  /* Where a thread starts that runs entry(a, b) in a compartment whose
   * memory is not here (only when has_compartment says so): compartment
   * code of the home compartment (rpc.c under vm-ept), called with a
   * struct remote_start in common memory; it returns only when refused. */
  void (*remote_entry)(void *start, void *unused);
  /* Compartments may run fibers (services fiber_*: the vm-ept dispatcher). */
  int fibers;
  /* Service monitor_trap (vm-ept, ring-3 images): leave the address space
   * with `value` and put the monitor's answer in out[3]; returns why
   * `value` is refused, 0 when done.  0 where there is no monitor. */
  const char *(*monitor_trap)(uint64_t value, uint64_t out[3]);
  /* The monitor's own device (vm-ept's network device): whether a port
   * write goes to it (the monitor checks who writes what), and the line
   * its events raise (0: none).  Any compartment may write those ports
   * and wait on that line through the services. */
  int (*monitor_port)(uint16_t port, int size);
  int monitor_line;
  /* Record mode (runtime/services/record.c), 0 where the mechanism has none: the
   * index of the compartment a trap frame's PKRU belongs to (-1: none),
   * and those rights with the key of addr's page opened as well (the
   * same value when nothing opens). */
  int (*pkru_compartment)(uint64_t pkru);
  uint64_t (*pkru_open)(uint64_t pkru, uintptr_t addr);
};

/* What a thread of remote_entry is to run. */
struct remote_start {
  int compartment;
  void (*entry)(void *, void *);
  void *a, *b;
};

extern const struct mechanism mechanism_local, mechanism_ept;
/* The image's table; read-only once kmain has chosen it. */
extern const struct mechanism *mechanism;
/* Chooses the table of the image's FLEXOS_MECH_* (mechanism.c). */
void mechanism_choose(uint32_t image_mechanism);

#endif
