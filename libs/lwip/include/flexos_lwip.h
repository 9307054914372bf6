/*
 * FILE: libs/lwip/include/flexos_lwip.h
 * DESCRIPTION:
 *   What an image's application calls, besides lwIP's own socket API, to
 *   bring the network up and open a listening socket.  lwIP's OS port
 *   (libs/lwip/port/sys_arch.c) calls the scheduler, library `sched`
 *   (libs/sched/sched.h).  Every function here is meant to be reached
 *   from another compartment, where the build makes each call a gate.
 * USAGE:
 *   #include <flexos_lwip.h>
 *   if (flexos_lwip_start() < 0) return 1;
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_H
#define FLEXOS_LWIP_H

#include <stdint.h>

/* ---- library lwip ------------------------------------------------------
 * Starts the tcpip thread, sets up the network device (in a vm-ept image
 * the monitor's paravirtual device, libs/lwip/netif/pvnet.c; otherwise
 * QEMU's virtio-net), adds it as the default interface with 10.0.2.15/24,
 * gateway 10.0.2.2 (QEMU user networking; the monitor uses the same) and
 * starts its receive thread.  Prints one line with the MAC and the
 * address.  Returns 0, or -1 with a message on the console (no device,
 * device refused our setup). */
int flexos_lwip_start(void);

/* A TCP socket listening on `port` of every address with room for
 * `backlog` pending connections, whose accept() returns (-1, EAGAIN)
 * after accept_timeout_ms without a connection (0: waits for ever), so
 * that a server can do other work between accepts.  Returns the socket,
 * or -1 (nothing left open). */
int flexos_lwip_listen(uint16_t port, int backlog, int accept_timeout_ms);

#endif
