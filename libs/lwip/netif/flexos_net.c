/*
 * FILE: libs/lwip/netif/flexos_net.c
 * DESCRIPTION:
 *   flexos_lwip_start(): brings lwIP up in an image.  Starts the tcpip
 *   thread, adds the virtio-net interface with QEMU user networking's
 *   static address (10.0.2.15/24, gateway 10.0.2.2) as the default
 *   interface and starts its receive thread.  Runs in lwIP's compartment;
 *   the application reaches it through a gate.
 * USAGE:
 *   if (flexos_gate(lwip, flexos_lwip_start) < 0) return 1;
 * License: MIT (see LICENSE)
 */
#include <flexos_lwip.h>
#include <stdio.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "virtio_net.h"

static struct netif netif;

static void tcpip_ready(void *sem) { sys_sem_signal(sem); }

int flexos_lwip_start(void) {
  static int started;
  if (started++) {
    printf("lwip: flexos_lwip_start called twice\n");
    return -1;
  }
  sys_sem_t ready;
  if (sys_sem_new(&ready, 0) != ERR_OK)
    return -1;
  tcpip_init(tcpip_ready, &ready);
  sys_sem_wait(&ready);
  sys_sem_free(&ready);

  ip4_addr_t ip, mask, gw;
  IP4_ADDR(&ip, 10, 0, 2, 15);
  IP4_ADDR(&mask, 255, 255, 255, 0);
  IP4_ADDR(&gw, 10, 0, 2, 2);
  LOCK_TCPIP_CORE();
  struct netif *n = netif_add(&netif, &ip, &mask, &gw, 0, virtio_net_init,
                              tcpip_input);
  if (n) {
    netif_set_default(n);
    netif_set_up(n);
  }
  UNLOCK_TCPIP_CORE();
  if (!n) {
    printf("lwip: no network interface\n");
    return -1;
  }
  sys_thread_new("virtio-net-rx", virtio_net_rx_thread, n, 0, 0);
  printf("lwip: up, %s/24 gateway %s\n", ip4addr_ntoa(&ip), "10.0.2.2");
  return 0;
}
