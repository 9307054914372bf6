/*
 * FILE: libs/lwip/port/sys_os.c
 * DESCRIPTION:
 *   Library `lwip_sys`: the half of lwIP's OS port that runs in the
 *   default compartment.  The runtime's thread calls write the scheduler's
 *   state, which only the default compartment may write, so lwIP's
 *   compartment reaches them through gates into these wrappers; and a
 *   thread the runtime creates starts in the default compartment, so its
 *   trampoline gates into lwIP's compartment to run the lwIP thread body.
 *   Under mechanism none every gate here is a plain call.
 * USAGE:
 *   Listed in an image as `LIBRARY lwip_sys ...` (libs/lwip/lwip.cmake),
 *   mapped to the default compartment in the image's configuration.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <flexos_lwip.h>

static void thread_entry(void *slot) {
  flexos_gate(lwip, sys_arch_thread_main, (int)(intptr_t)slot);
}

int lwip_sys_thread_new(int slot) {
  return flexos_thread_create(thread_entry, (void *)(intptr_t)slot) ? 0 : -1;
}

int lwip_sys_park(uint64_t deadline) { return flexos_thread_park(deadline); }

void lwip_sys_unpark(uint64_t thread_id) { flexos_thread_unpark(thread_id); }

int lwip_sys_irq_wait(int line, uint64_t deadline) {
  return flexos_irq_wait(line, deadline);
}
