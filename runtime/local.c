/*
 * FILE: runtime/local.c
 * DESCRIPTION:
 *   The mechanism table for images whose compartments share one address
 *   space (runtime/mechanism.h): mechanism_none here, and the parts
 *   mechanism_pku (pku.c) shares with it: the PIT and PIC deliver ticks
 *   and device interrupts, the page allocator takes the RAM after the
 *   image, and an idle CPU halts until the next interrupt.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

void local_no_boot(void) {}

void local_banner(const struct flexos_image_config *cfg, uint64_t ram_mib) {
  static const char *const names[] = {"none", "intel-pku", "vm-ept"};
  printf("flexos: image %s, %u compartment(s), %s, %lu MiB RAM\n", cfg->name,
         cfg->ncompartments, names[cfg->mechanism], ram_mib);
}

void local_memory_init(uintptr_t image_end) {
  page_alloc_init(image_end, paging_mapped_end());
}

void local_no_events(void) {}

/* With interrupts off the ready check and the halt cannot be split by
 * one: `sti; hlt` runs the hlt in sti's shadow. */
void local_idle_enter(void) { cli(); }
void local_idle_leave(void) { sti(); }
void local_idle_wait(uint64_t deadline) {
  (void)deadline; /* the next tick interrupt comes anyway */
  __asm__ volatile("sti; hlt" ::: "memory");
}

int local_home_compartment(void) {
  return (int)flexos_image_config.default_index;
}
int local_has_compartment(int index) {
  (void)index;
  return 1;
}

static uint32_t none_thread_pkru(int compartment) {
  (void)compartment;
  return flexos_default_pkru;
}
static int none_pkru_valid(uint64_t pkru) {
  (void)pkru;
  return 1;
}
static const char *none_interrupted(uint64_t pkru) {
  (void)pkru;
  return "none";
}

/* Nothing is isolated: every address counts as shared. */
static int none_is_shared(uintptr_t a, size_t len) {
  (void)a;
  (void)len;
  return 1;
}

const struct mechanism mechanism_none = {
    .boot = local_no_boot,
    .banner = local_banner,
    .memory_init = local_memory_init,
    .interrupts = 1,
    .ticks = timer_ticks,
    .take_events = local_no_events,
    .idle_enter = local_idle_enter,
    .idle_leave = local_idle_leave,
    .idle_wait = local_idle_wait,
    .rpc_depth = 1,
    .serve = 0,
    .home_compartment = local_home_compartment,
    .has_compartment = local_has_compartment,
    .thread_pkru = none_thread_pkru,
    .pkru_valid = none_pkru_valid,
    .interrupted = none_interrupted,
    .is_shared = none_is_shared,
    .start_remote = 0, /* every compartment is here */
};
