/*
 * FILE: libs/lwip/netif/netif_rx.h
 * DESCRIPTION:
 *   What both drivers share (virtio_net.c, pvnet.c): the Ethernet netif
 *   set-up, and the receive step (copy a frame into a pool pbuf and hand
 *   it to lwIP).  Defined in flexos_net.c.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_NETIF_RX_H
#define FLEXOS_LWIP_NETIF_RX_H

#include <stdint.h>

#include "lwip/netif.h"

/* Returns 0 when lwIP has no room for the frame now (out of pbufs, or
 * its input queue full): the driver then keeps the frame in its ring and
 * tries again after the tcpip thread ran.  Dropping it instead cost a TCP
 * retransmission timeout of a second (docs/network.md). */
int netif_rx_frame(struct netif *netif, const void *frame, uint16_t len);
/* A frame a driver must drop (a device's bad length or buffer id): printed
 * as "<driver>: dropped a received frame", which the kvstore image tests
 * reject. */
void netif_rx_dropped(const char *driver, const char *why);
/* An Ethernet interface named name[0..1] whose hwaddr is already set:
 * MTU 1500, broadcast, ARP, link up, frames out through linkoutput. */
void netif_ethernet_setup(struct netif *netif, const char name[2],
                          netif_linkoutput_fn linkoutput);

#endif
