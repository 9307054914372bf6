/*
 * FILE: tools/vmm/net.h
 * DESCRIPTION:
 *   The vm-ept monitor's network device (net.c): the host side
 *   of struct flexos_pvnet (include/flexos/abi.h), backed by libslirp user
 *   networking with QEMU's addresses (guest 10.0.2.15, host 10.0.2.2) and
 *   TCP port forwards from 127.0.0.1.  Safe to call from several monitor
 *   threads (one lock).  Functions that can fail return 0 or an error
 *   message saying what the guest or the user did wrong.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_VMM_NET_H
#define FLEXOS_VMM_NET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <flexos/abi.h>

/* "HOSTPORT:GUESTPORT": forward TCP 127.0.0.1:HOSTPORT (0: any free
 * port) to the guest's GUESTPORT.  Before vmm_net_start; returns 0 or an error message. */
const char *vmm_net_add_forward(const char *spec);
/* Starts user networking if any forward was added; 0 or a message. */
const char *vmm_net_start(void);
int vmm_net_enabled(void);
int vmm_net_attached(void); /* a driver registered its rings */
/* The driver registered its rings (already checked to lie in its
 * compartment's memory); 0 or a message. */
const char *vmm_net_attach(struct flexos_pvnet *dev);
/* Instead of a driver's rings: frames as UDP datagrams, received on fd
 * (bound, non-blocking) and sent to peer, as QEMU's `-netdev socket,udp=`
 * exchanges them (tools/vmm/netproxy.c).  0 or a message. */
struct sockaddr_in;
const char *vmm_net_attach_udp(int fd, const struct sockaddr_in *peer);
/* The driver kicked: send its frames; 0 or a message. */
const char *vmm_net_kick(void);
/* Runs the host side for up to timeout_ns (0: only what is ready now,
 * -1: until something arrives), and returns within a second once *stop
 * is set.  Returns 1 when frames were put in the guest's receive ring. */
int vmm_net_poll(int64_t timeout_ns, const volatile int *stop);
/* Counters for --stats. */
void vmm_net_stats(uint64_t *rx, uint64_t *tx, uint64_t *dropped);
/* --net-faults SPEC (tools/vmm/netfault.h): before vmm_net_start; 0 or a
 * message.  Without a seed in SPEC one is picked; describe prints the
 * configuration as the option that replays it ("none" without faults). */
const char *vmm_net_set_faults(const char *spec);
void vmm_net_describe_faults(char *buf, size_t size);
void vmm_net_fault_stats(FILE *out); /* --stats lines, when faults are on */
/* --pcap FILE: write every frame, both ways, as delivered; 0 or a message. */
const char *vmm_net_capture(const char *path);

#endif
