/*
 * FILE: libs/lwip/netif/flexos_net.c
 * DESCRIPTION:
 *   flexos_lwip_start(): brings lwIP up in an image; flexos_lwip_listen():
 *   a listening TCP socket in one call; and netif_rx_frame(),
 *   the receive step both drivers share.  Starts the tcpip
 *   thread, adds the network interface with QEMU user networking's
 *   static address (10.0.2.15/24, gateway 10.0.2.2) as the default
 *   interface and starts its receive thread.  The driver is chosen at run
 *   time: under vm-ept the monitor's paravirtual device (pvnet.c; the
 *   monitor uses the same addresses), otherwise virtio-net (virtio_net.c).
 *   Runs in lwIP's compartment; the application reaches it through a gate.
 * USAGE:
 *   if (flexos_lwip_start() < 0) return 1;
 * License: MIT (see LICENSE)
 */
#include <flexos/runtime.h>
#include <flexos_lwip.h>
#include <stdio.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"
#include "netif_rx.h"
#include "pvnet.h"
#include "virtio_net.h"

static struct netif netif;

int netif_rx_frame(struct netif *nif, const void *frame, uint16_t len) {
  struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
  if (!p)
    return 0;
  pbuf_take(p, frame, len);
  if (nif->input(p, nif) == ERR_OK)
    return 1;
  pbuf_free(p);
  return 0;
}

void netif_rx_dropped(const char *driver, const char *why) {
  static uint64_t drops;
  if (drops++ % 100 == 0)
    printf("%s: dropped a received frame (%s); %lu so far\n", driver, why,
           (unsigned long)drops);
}

void netif_ethernet_setup(struct netif *netif, const char name[2],
                          netif_linkoutput_fn linkoutput) {
  netif->hwaddr_len = ETH_HWADDR_LEN;
  netif->mtu = 1500;
  netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_LINK_UP;
  netif->name[0] = name[0];
  netif->name[1] = name[1];
  netif->output = etharp_output;
  netif->linkoutput = linkoutput;
}

static void tcpip_ready(void *sem) { sys_sem_signal(sem); }

/* One driver per image kind: vm-ept images run under tools/flexos-vmm,
 * which offers no virtio-net, only its own paravirtual device; every
 * other image runs under QEMU with virtio-net.  The choice is made here
 * because pvnet's setup must not run outside vm-ept. */
struct driver {
  netif_init_fn init;
  lwip_thread_fn rx_thread;
  const char *rx_name;
};

static struct driver pick_driver(void) {
  if (flexos_image_config.mechanism == FLEXOS_MECH_EPT)
    return (struct driver){pvnet_init, pvnet_rx_thread, "pvnet-rx"};
  return (struct driver){virtio_net_init, virtio_net_rx_thread, "virtio-net-rx"};
}

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

  struct driver drv = pick_driver();
  ip4_addr_t ip, mask, gw;
  IP4_ADDR(&ip, 10, 0, 2, 15);
  IP4_ADDR(&mask, 255, 255, 255, 0);
  IP4_ADDR(&gw, 10, 0, 2, 2);
  LOCK_TCPIP_CORE();
  struct netif *n = netif_add(&netif, &ip, &mask, &gw, 0, drv.init,
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
  sys_thread_new(drv.rx_name, drv.rx_thread, n, 0, 0);
  printf("lwip: up, %s/24 gateway %s\n", ip4addr_ntoa(&ip), "10.0.2.2");
  return 0;
}

int flexos_lwip_listen(uint16_t port, int backlog, int accept_timeout_ms) {
  int s = lwip_socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    return -1;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_len = sizeof(addr);
  addr.sin_family = AF_INET;
  addr.sin_port = lwip_htons(port);
  addr.sin_addr.s_addr = PP_HTONL(INADDR_ANY);
  struct timeval tv = {accept_timeout_ms / 1000,
                       (accept_timeout_ms % 1000) * 1000};
  if (lwip_bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
      lwip_listen(s, backlog) < 0 ||
      lwip_setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
    lwip_close(s);
    return -1;
  }
  return s;
}
