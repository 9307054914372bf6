/*
 * FILE: libs/lwip/netif/virtio_net.h
 * DESCRIPTION:
 *   lwIP network interface for a legacy (transitional) virtio-net PCI
 *   device, 1af4:1000, as QEMU's `-device virtio-net-pci` provides.
 * USAGE:
 *   netif_add(&nif, &ip, &mask, &gw, NULL, virtio_net_init, tcpip_input);
 *   sys_thread_new("virtio-net-rx", virtio_net_rx_thread, &nif, 0, 0);
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_VIRTIO_NET_H
#define FLEXOS_LWIP_VIRTIO_NET_H

#include "lwip/err.h"
#include "lwip/netif.h"

/* netif init callback: finds and sets up the device (one per image).
 * Returns ERR_IF with a console message when there is no usable device. */
err_t virtio_net_init(struct netif *netif);
/* Receive loop: waits for the device's interrupt (or, without one, polls
 * every tick), hands frames to netif->input.  Never returns. */
void virtio_net_rx_thread(void *netif);

#endif
