/*
 * FILE: libs/lwip/include/flexos_lwip.h
 * DESCRIPTION:
 *   What an image's application calls, besides lwIP's own socket API, to
 *   bring the network up, and the small interface between lwIP's OS port
 *   (libs/lwip/port/sys_arch.c, library `lwip`) and its runtime side
 *   (libs/lwip/port/sys_os.c, library `lwip_sys`, which every image lists
 *   in its default compartment because the runtime's thread calls must
 *   come from there).  Every function here is meant to be reached through
 *   a gate: flexos_gate(lwip, flexos_lwip_start).
 * USAGE:
 *   #include <flexos_lwip.h>
 *   if (flexos_gate(lwip, flexos_lwip_start) < 0) return 1;
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_H
#define FLEXOS_LWIP_H

#include <stdint.h>

/* ---- library lwip ------------------------------------------------------
 * Starts the tcpip thread, finds the virtio-net device, adds it as the
 * default interface with 10.0.2.15/24, gateway 10.0.2.2 (QEMU user
 * networking) and starts its receive thread.  Prints one line with the
 * MAC and the address.  Returns 0, or -1 with a message on the console
 * (no device, device refused our setup). */
int flexos_lwip_start(void);
/* Entry of every thread lwIP creates; lwip_sys's trampoline gates here. */
void sys_arch_thread_main(int slot);

/* ---- library lwip_sys (default compartment) ----------------------------
 * Thin wrappers of runtime calls (include/flexos/runtime.h) that must run
 * in the default compartment. */
int lwip_sys_thread_new(int slot); /* 0, or -1 when out of threads */
int lwip_sys_park(uint64_t deadline);
void lwip_sys_unpark(uint64_t thread_id);
int lwip_sys_irq_wait(int line, uint64_t deadline);

#endif
