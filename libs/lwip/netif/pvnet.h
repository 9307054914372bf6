/*
 * FILE: libs/lwip/netif/pvnet.h
 * DESCRIPTION:
 *   lwIP network interface for the vm-ept monitor's paravirtual network
 *   device (tools/flexos-vmm --net; ABI in include/flexos/abi.h).
 * USAGE:
 *   netif_add(&nif, &ip, &mask, &gw, NULL, pvnet_init, tcpip_input);
 *   sys_thread_new("pvnet-rx", pvnet_rx_thread, &nif, 0, 0);
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_PVNET_H
#define FLEXOS_LWIP_PVNET_H

#include "lwip/err.h"
#include "lwip/netif.h"

/* netif init callback: registers the rings with the monitor and reads the
 * MAC (one device per run).  Returns ERR_IF with a console message in an
 * image that does not use vm-ept. */
err_t pvnet_init(struct netif *netif);
/* Receive loop: hands frames to netif->input, then waits for the device's
 * interrupt line (FLEXOS_PVNET_IRQ) or one second.  Never returns. */
void pvnet_rx_thread(void *netif);

#endif
