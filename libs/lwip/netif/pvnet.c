/*
 * FILE: libs/lwip/netif/pvnet.c
 * DESCRIPTION:
 *   Driver for the vm-ept monitor's paravirtual network device
 *   (tools/flexos-vmm --net), for lwIP, compiled into lwIP's compartment.
 *   The device ABI is in include/flexos/abi.h: one struct flexos_pvnet,
 *   registered with the monitor by its address, holds a receive and a
 *   transmit ring of FLEXOS_PVNET_SLOTS frames each, with free-running
 *   32-bit indices.  Two I/O ports:
 *
 *     FLEXOS_PVNET_PORT_SETUP  outl the structure's address; the monitor
 *                              writes the MAC before the outl returns
 *     FLEXOS_PVNET_PORT_KICK   outl anything: the monitor sends every
 *                              pending tx frame before the outl returns,
 *                              and learns that rx slots were freed
 *
 *   The structure is a static of this file, so it lies in lwIP's
 *   compartment memory, which the monitor can reach and no other VM can.
 *   The image is identity-mapped, so its address is guest-physical.
 *   Frames are copied between the rings and pbufs: a slot belongs either
 *   to the monitor or to this file, never to lwIP.
 *
 *   The monitor is trusted, but the indices it writes are still checked
 *   where they are read: a bad one costs a dropped frame or a resync,
 *   never an access outside the rings.
 * USAGE:
 *   See pvnet.h.  Call pvnet_init only in vm-ept images: without the
 *   monitor's device, the setup outl makes the monitor stop the run.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <flexos_lwip.h>
#include <sched.h>
#include <stdio.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif_rx.h"
#include "pvnet.h"

#define SLOTS FLEXOS_PVNET_SLOTS
#define FRAME_MIN 14              /* an Ethernet header, nothing less */
#define RX_POLL_TICKS 100         /* wake up at least once a second anyway */

/* Shared with the monitor.  Page-aligned as the ABI asks; ~192 KiB.  A
 * global under the name tools/flexos-vmm looks up: it accepts the device
 * only at this address, so no other compartment can register rings of
 * its own and take the image's traffic. */
__attribute__((aligned(4096))) struct flexos_pvnet flexos_pvnet_device;
static struct flexos_pvnet *const pv = &flexos_pvnet_device;

/* Our own copies of the indices we advance: we write them to the rings but
 * never read them back, so only the monitor's indices need checking. */
static struct {
  uint32_t tx_head;
  uint32_t rx_tail;
  uint32_t rx_resyncs;      /* rx_head out of range: ring skipped */
} dev;

/* outl (<flexos/x86.h>) is a compiler barrier, which matters: ring
 * writes must reach memory before the monitor looks at them during the
 * outl, and the MAC it writes during the setup outl must be read
 * afterwards, not before. */

/* x86 keeps loads and stores in order; the compiler must only not move
 * frame accesses across index accesses. */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static inline void kick(void) { outl(FLEXOS_PVNET_PORT_KICK, 1); }

/* netif->linkoutput: copies the frame into the next tx slot and kicks.
 * The monitor empties the ring during every kick, so a full ring means
 * a confused monitor; we kick once more, then drop (TCP retransmits). */
static err_t linkoutput(struct netif *netif, struct pbuf *p) {
  (void)netif;
  if (p->tot_len > FLEXOS_PVNET_FRAME_MAX)
    return ERR_BUF;
  if (dev.tx_head - pv->tx_tail >= SLOTS) {
    kick();
    if (dev.tx_head - pv->tx_tail >= SLOTS)
      return ERR_MEM;
  }
  struct flexos_pvnet_frame *f = &pv->tx[dev.tx_head % SLOTS];
  f->len = pbuf_copy_partial(p, f->data, p->tot_len, 0);
  barrier();
  pv->tx_head = ++dev.tx_head;
  kick();
  return ERR_OK;
}

/* Hands one received frame to lwIP; returns 0 if it was dropped. */
static int rx_one(struct netif *netif, const struct flexos_pvnet_frame *f) {
  uint32_t len = f->len; /* read once: the check and the copy agree */
  if (len < FRAME_MIN || len > FLEXOS_PVNET_FRAME_MAX) {
    netif_rx_dropped("pvnet", "bad length");
    return 1; /* consumed */
  }
  return netif_rx_frame(netif, f->data, (uint16_t)len);
}

/* Hands every pending frame to lwIP; kicks if it freed any slot.
 * Returns 1 when lwIP had no room for the next frame, which then stays
 * in its slot for the next drain (the monitor holds back the rest). */
static int rx_drain(struct netif *netif) {
  uint32_t head = pv->rx_head;
  if (head - dev.rx_tail > SLOTS) {
    /* More frames than slots: the indices are not to be believed.  Skip
     * to the monitor's head rather than read slots it may be writing. */
    if (dev.rx_resyncs++ == 0)
      printf("pvnet: rx index %u out of range (tail %u); skipping\n", head,
             dev.rx_tail);
    dev.rx_tail = head;
    pv->rx_tail = head;
    kick();
    return 0;
  }
  if (head == dev.rx_tail)
    return 0;
  barrier(); /* frames only after the head that covers them */
  uint32_t before = dev.rx_tail;
  int full = 0;
  while (dev.rx_tail != head) {
    if (!rx_one(netif, &pv->rx[dev.rx_tail % SLOTS])) {
      full = 1;
      break;
    }
    barrier(); /* done with the slot before the monitor may reuse it */
    pv->rx_tail = ++dev.rx_tail;
  }
  if (dev.rx_tail != before)
    kick();
  return full;
}

void pvnet_rx_thread(void *arg) {
  struct netif *netif = arg;
  int full_before = 0;
  for (;;) {
    uint32_t before = dev.rx_tail;
    int full = rx_drain(netif);
    /* Let the tcpip thread take what we queued before we drain again: a
     * burst drained in one go could exceed lwIP's pbufs and messages
     * (PBUF_POOL_SIZE, MEMP_NUM_TCPIP_MSG_INPKT).  When lwIP is full the
     * frame waits in its slot: drain again after tcpip ran (after a tick
     * if it stays full), with no interrupt to wait for. */
    if (full && full_before)
      sched_sleep(1);
    else if (full || dev.rx_tail != before)
      sched_yield();
    full_before = full;
    if (!full)
      flexos_irq_wait(FLEXOS_PVNET_IRQ,
                      flexos_ticks() + RX_POLL_TICKS);
  }
}

err_t pvnet_init(struct netif *netif) {
  if (flexos_image_config.mechanism != FLEXOS_MECH_EPT) {
    printf("pvnet: not a vm-ept image: no monitor device\n");
    return ERR_IF;
  }
  if ((uintptr_t)pv >> 32) {
    printf("pvnet: ring at %p is above 4 GiB\n", (void *)pv);
    return ERR_IF;
  }
  outl(FLEXOS_PVNET_PORT_SETUP, (uint32_t)(uintptr_t)pv);
  for (int i = 0; i < ETH_HWADDR_LEN; i++)
    netif->hwaddr[i] = pv->mac[i];
  netif_ethernet_setup(netif, "pv", linkoutput);
  printf("pvnet: mac %02x:%02x:%02x:%02x:%02x:%02x, irq %d (vm-ept monitor "
         "device)\n", netif->hwaddr[0], netif->hwaddr[1], netif->hwaddr[2],
         netif->hwaddr[3], netif->hwaddr[4], netif->hwaddr[5],
         FLEXOS_PVNET_IRQ);
  return ERR_OK;
}
