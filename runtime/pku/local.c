/*
 * FILE: runtime/pku/local.c
 * DESCRIPTION:
 *   The mechanism table for images whose compartments share one address
 *   space, none and intel-pku (runtime/core/mechanism.h): the PIT and PIC
 *   deliver ticks and device interrupts, the page allocator takes the RAM
 *   after the image, an idle CPU halts until the next interrupt, and the
 *   protection keys (pku.c, when flexos_pku_on) decide PKRU values and
 *   what memory is shared.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include "kernel.h"
#include "mechanism.h"
#include "pku.h"
#include "x86.h"

static void local_no_boot(void) {}

static void local_banner(const struct flexos_image_config *cfg, uint64_t ram_mib) {
  static const char *const names[] = {"none", "intel-pku", "vm-ept"};
  console_printf("flexos: image %s, %u compartment(s), %s, %lu MiB RAM\n", cfg->name,
         cfg->ncompartments, names[cfg->mechanism], ram_mib);
}

/* Protection keys: pku.c decides whether the image uses them (intel-pku)
 * and stops it on a CPU without them. */
static void local_protection_init(void) { pku_init(); }
static void local_protection_enable(void) { pku_enable(); }

static void local_memory_init(uintptr_t image_end) {
  page_alloc_init(image_end, paging_mapped_end());
}

static void local_no_events(void) {}

/* With interrupts off the ready check and the halt cannot be split by
 * one: `sti; hlt` runs the hlt in sti's shadow. */
static void local_idle_enter(void) { cli(); }
static void local_idle_leave(void) { sti(); }
static void local_idle_wait(uint64_t deadline) {
  (void)deadline; /* the next tick interrupt comes anyway */
  __asm__ volatile("sti; hlt" ::: "memory");
}

static int local_home_compartment(void) {
  return (int)flexos_image_config.default_index;
}
static int local_has_compartment(int index) {
  (void)index;
  return 1;
}

/* With intel-pku (flexos_pku_on, set at boot and read-only after) a
 * thread starts with its compartment's PKRU, and a trap frame may hold
 * only a compartment's own value; without, everything is the default
 * compartment's and all memory counts as shared. */
static uint32_t local_thread_pkru(int compartment) {
  return flexos_pku_on ? pku_pkru_of(compartment) : flexos_default_pkru;
}

/* The interrupt exit WRPKRUs a frame's PKRU back: only a compartment's
 * own value may come back, never an arbitrary one left in the frame. */
static int local_pkru_valid(uint64_t pkru) {
  return !flexos_pku_on ||
         (pkru <= 0xffffffffu && pku_compartment_of((uint32_t)pkru) >= 0);
}

static const char *local_interrupted(uint64_t pkru) {
  if (!flexos_pku_on)
    return "none";
  int c = pkru <= 0xffffffffu ? pku_compartment_of((uint32_t)pkru) : -1;
  return c < 0 ? "unknown" : flexos_compartment_name(c);
}

/* Record mode: who faulted, and the rights that let one instruction
 * reach addr's page as well (a user page's key; kernel pages have none). */
static int local_pkru_compartment(uint64_t pkru) {
  if (!flexos_pku_on)
    return local_home_compartment();
  return pkru <= 0xffffffffu ? pku_compartment_of((uint32_t)pkru) : -1;
}
static uint64_t local_pkru_open(uint64_t pkru, uintptr_t addr) {
  int user, key;
  if (!flexos_pku_on || !paging_lookup(addr, &user, &key) || !user)
    return pkru;
  return pkru & ~(uint64_t)(FLEXOS_PKRU_AD(key) | FLEXOS_PKRU_WD(key));
}

static int local_is_shared(uintptr_t a, size_t len) {
  return !flexos_pku_on || paging_is_shared(a, len);
}

const struct mechanism mechanism_local = {
    .boot = local_no_boot,
    .banner = local_banner,
    .protection_init = local_protection_init,
    .protection_enable = local_protection_enable,
    .memory_init = local_memory_init,
    .interrupts = 1,
    .ticks = timer_ticks,
    .take_events = local_no_events,
    .idle_enter = local_idle_enter,
    .idle_leave = local_idle_leave,
    .idle_wait = local_idle_wait,
    .rpc_depth = 0, /* no RPC slots */
    .serve = 0,
    .home_compartment = local_home_compartment,
    .has_compartment = local_has_compartment,
    .thread_pkru = local_thread_pkru,
    .pkru_valid = local_pkru_valid,
    .interrupted = local_interrupted,
    .is_shared = local_is_shared,
    .remote_entry = 0, /* every compartment is here */
    .fibers = 0,
    .monitor_trap = 0, /* no monitor */
    .monitor_port = 0,
    .monitor_line = 0,
    .pkru_compartment = local_pkru_compartment,
    .pkru_open = local_pkru_open,
};
