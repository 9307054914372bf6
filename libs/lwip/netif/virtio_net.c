/*
 * FILE: libs/lwip/netif/virtio_net.c
 * DESCRIPTION:
 *   virtio-net driver (legacy PCI interface, virtio 0.9.5 / virtio 1.x
 *   section 4.1.4.8) for lwIP, compiled into lwIP's compartment.  The
 *   device sits behind I/O BAR 0:
 *
 *     0x00 host features   0x04 guest features  0x08 queue PFN
 *     0x0c queue size      0x0e queue select    0x10 queue notify
 *     0x12 device status   0x13 ISR status (read acknowledges)
 *     0x14 MAC address (6 bytes, with VIRTIO_NET_F_MAC)
 *
 *   Queue 0 receives, queue 1 transmits.  A legacy queue of N entries is
 *   one physically contiguous, page-aligned block: N descriptors, the
 *   available ring, then (next page) the used ring; the device learns its
 *   page number.  Rings and buffers are static arrays of this file, so
 *   they lie in lwIP's compartment; the device's DMA ignores protection
 *   keys, and the image is identity-mapped, so virtual = physical.
 *   Every frame carries the 10-byte struct virtio_net_hdr in front (no
 *   offloads negotiated: all zero on transmit).  Frames are copied
 *   between the device's buffers and pbufs, which keeps buffer ownership
 *   simple: a buffer belongs either to the device or to this file.
 * USAGE:
 *   See virtio_net.h.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <flexos_lwip.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif_rx.h"
#include "pci.h"
#include "virtio_net.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_NET_LEGACY 0x1000

#define REG_HOST_FEATURES 0x00
#define REG_GUEST_FEATURES 0x04
#define REG_QUEUE_PFN 0x08
#define REG_QUEUE_SIZE 0x0c
#define REG_QUEUE_SELECT 0x0e
#define REG_QUEUE_NOTIFY 0x10
#define REG_STATUS 0x12
#define REG_ISR 0x13
#define REG_MAC 0x14

#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FAILED 128

#define F_MAC (1u << 5)
#define F_ANY_LAYOUT (1u << 27) /* header and frame may share a buffer */

#define DESC_F_WRITE 2            /* the device writes this buffer */
#define AVAIL_F_NO_INTERRUPT 1    /* no interrupt when it used our buffer */

#define RXQ 0
#define TXQ 1
#define MAX_QUEUE 256             /* entries; QEMU's default is 256 */
#define QUEUE_PAGES 3             /* vring_size(256) = 10246 bytes */
#define NBUF 64                   /* buffers per direction */
#define BUF_SIZE 2048
#define HDR_SIZE 10               /* struct virtio_net_hdr, no MRG_RXBUF */
#define FRAME_MAX 1514            /* Ethernet without FCS */
#define PAGE 4096
#define TX_WAIT_TICKS 100         /* give up on a full transmit ring after 1 s */
#define RX_POLL_TICKS 100         /* wake up at least this often anyway */
#define RX_BUDGET 32              /* frames per drain, well below lwIP's
                                     128 input messages */

struct desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
struct used_elem {
  uint32_t id, len;
};

struct queue {
  uint16_t size;            /* entries, from the device */
  uint16_t last_used;       /* next used-ring slot we will read */
  struct desc *desc;
  volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
  volatile uint16_t *used;  /* flags, idx, then used_elem[size] */
};

static __attribute__((aligned(PAGE))) uint8_t queue_mem[2][QUEUE_PAGES * PAGE];
static __attribute__((aligned(16))) uint8_t rx_buf[NBUF][BUF_SIZE];
static __attribute__((aligned(16))) uint8_t tx_buf[NBUF][BUF_SIZE];

static struct {
  uint16_t io;             /* I/O BAR 0 */
  int irq;                 /* legacy PIC line, 0 = none: poll */
  struct queue q[2];
  uint16_t tx_free[NBUF];  /* stack of free transmit descriptors */
  int tx_nfree;
} dev;


/* x86 keeps stores in order and DMA is coherent: the compiler must only
 * not move ring writes across the index update. */
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

static uint16_t used_idx(struct queue *q) { return q->used[1]; }
static volatile struct used_elem *used_ring(struct queue *q) {
  return (volatile struct used_elem *)(q->used + 2);
}

/* Hands descriptor `id` to the device (not yet notified). */
static void avail_push(struct queue *q, uint16_t id) {
  uint16_t idx = q->avail[1];
  q->avail[2 + idx % q->size] = id;
  barrier();
  q->avail[1] = idx + 1;
}

/* Sets up queue `n`: returns 0, or -1 with a message. */
static int queue_init(int n) {
  struct queue *q = &dev.q[n];
  outw(dev.io + REG_QUEUE_SELECT, (uint16_t)n);
  q->size = inw(dev.io + REG_QUEUE_SIZE);
  if (q->size == 0 || q->size > MAX_QUEUE || (q->size & (q->size - 1))) {
    printf("virtio-net: queue %d has %u entries; this driver handles "
           "powers of two up to %d\n", n, q->size, MAX_QUEUE);
    return -1;
  }
  uint8_t *base = queue_mem[n];
  memset(base, 0, sizeof(queue_mem[n]));
  size_t used_off = (16u * q->size + 2u * (3 + q->size) + PAGE - 1) & ~(size_t)(PAGE - 1);
  q->desc = (struct desc *)base;
  q->avail = (volatile uint16_t *)(base + 16u * q->size);
  q->used = (volatile uint16_t *)(base + used_off);
  q->last_used = 0;
  outl(dev.io + REG_QUEUE_PFN, (uint32_t)((uintptr_t)base / PAGE));
  return 0;
}

/* RX descriptor i always points at rx_buf[i]. */
static void rx_fill(void) {
  struct queue *q = &dev.q[RXQ];
  int n = q->size < NBUF ? q->size : NBUF;
  for (int i = 0; i < n; i++) {
    q->desc[i] = (struct desc){(uintptr_t)rx_buf[i], BUF_SIZE, DESC_F_WRITE, 0};
    avail_push(q, (uint16_t)i);
  }
  outw(dev.io + REG_QUEUE_NOTIFY, RXQ);
}

static void tx_init(void) {
  struct queue *q = &dev.q[TXQ];
  int n = q->size < NBUF ? q->size : NBUF;
  q->avail[0] = AVAIL_F_NO_INTERRUPT; /* we reclaim when we transmit */
  for (int i = 0; i < n; i++)
    dev.tx_free[i] = (uint16_t)i;
  dev.tx_nfree = n;
}

/* Finds the device and brings it to DRIVER_OK; -1 with a message if not. */
static int device_init(uint8_t mac[6]) {
  struct pci_dev pd;
  if (pci_find(VIRTIO_VENDOR, VIRTIO_NET_LEGACY, &pd) < 0) {
    printf("virtio-net: no device 1af4:1000 on PCI bus 0 (QEMU: -netdev "
           "user,id=n0 -device virtio-net-pci,netdev=n0)\n");
    return -1;
  }
  uint32_t bar = pci_read32(&pd, PCI_BAR0);
  if (!(bar & 1) || (bar & ~3u) == 0) {
    printf("virtio-net: BAR0 0x%x is not an assigned I/O BAR (a modern-only "
           "device? use a transitional one)\n", bar);
    return -1;
  }
  dev.io = (uint16_t)(bar & ~3u);
  uint8_t line = (uint8_t)pci_read32(&pd, PCI_INTERRUPT_LINE);
  dev.irq = (line > 0 && line < 16 && line != 2) ? line : 0;
  uint16_t cmd = (uint16_t)pci_read32(&pd, PCI_COMMAND);
  pci_write16(&pd, PCI_COMMAND, cmd | PCI_COMMAND_IO | PCI_COMMAND_MASTER);

  outb(dev.io + REG_STATUS, 0); /* reset */
  outb(dev.io + REG_STATUS, STATUS_ACK);
  outb(dev.io + REG_STATUS, STATUS_ACK | STATUS_DRIVER);
  uint32_t host = inl(dev.io + REG_HOST_FEATURES);
  if (!(host & F_MAC)) {
    printf("virtio-net: device offers no MAC address (features 0x%x)\n", host);
    outb(dev.io + REG_STATUS, STATUS_FAILED);
    return -1;
  }
  outl(dev.io + REG_GUEST_FEATURES, host & (F_MAC | F_ANY_LAYOUT));
  if (queue_init(RXQ) < 0 || queue_init(TXQ) < 0) {
    outb(dev.io + REG_STATUS, STATUS_FAILED);
    return -1;
  }
  for (int i = 0; i < 6; i++)
    mac[i] = inb(dev.io + REG_MAC + i);
  tx_init();
  outb(dev.io + REG_STATUS, STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
  rx_fill();
  return 0;
}

/* Takes back the transmit buffers the device has sent. */
static void tx_reclaim(void) {
  struct queue *q = &dev.q[TXQ];
  while (q->last_used != used_idx(q)) {
    barrier();
    uint32_t id = used_ring(q)[q->last_used % q->size].id;
    q->last_used++;
    if (id < NBUF)
      dev.tx_free[dev.tx_nfree++] = (uint16_t)id;
  }
}

/* netif->linkoutput: copies the frame into a free transmit buffer behind
 * a zeroed header.  A full ring is reclaimed, then waited on for a while
 * (the device sends on its own); lwIP's TCP retransmits what we drop. */
static err_t linkoutput(struct netif *netif, struct pbuf *p) {
  if (p->tot_len > FRAME_MAX)
    return ERR_BUF;
  tx_reclaim();
  for (uint64_t end = flexos_ticks() + TX_WAIT_TICKS; dev.tx_nfree == 0;) {
    if (flexos_ticks() >= end)
      return ERR_MEM;
    sched_sleep(1);
    tx_reclaim();
  }
  uint16_t id = dev.tx_free[--dev.tx_nfree];
  memset(tx_buf[id], 0, HDR_SIZE);
  pbuf_copy_partial(p, tx_buf[id] + HDR_SIZE, p->tot_len, 0);
  struct queue *q = &dev.q[TXQ];
  q->desc[id] = (struct desc){(uintptr_t)tx_buf[id], HDR_SIZE + p->tot_len, 0, 0};
  avail_push(q, id);
  barrier();
  outw(dev.io + REG_QUEUE_NOTIFY, TXQ);
  return ERR_OK;
}

/* Hands up to RX_BUDGET received frames to lwIP and gives the buffers
 * back; returns how many it took, and sets *full when lwIP had no room
 * for the next one, which then stays in the used ring for the next
 * drain (QEMU holds back what arrives meanwhile).  The budget keeps one
 * drain from filling lwIP's input queue on its own: QEMU refills the
 * buffers we give back while we are still here. */
static int rx_drain(struct netif *netif, int *full) {
  struct queue *q = &dev.q[RXQ];
  int returned = 0;
  *full = 0;
  while (returned < RX_BUDGET && q->last_used != used_idx(q)) {
    barrier();
    volatile struct used_elem *e = &used_ring(q)[q->last_used % q->size];
    uint32_t id = e->id, len = e->len;
    if (id >= NBUF) { /* not one of ours: a confused device */
      q->last_used++;
      netif_rx_dropped("virtio-net", "bad buffer id");
      continue;
    }
    if (len <= HDR_SIZE || len > BUF_SIZE) {
      netif_rx_dropped("virtio-net", "bad length");
    } else if (!netif_rx_frame(netif, rx_buf[id] + HDR_SIZE,
                               (uint16_t)(len - HDR_SIZE))) {
      *full = 1;
      break;
    }
    q->last_used++;
    avail_push(q, (uint16_t)id);
    returned++;
  }
  if (returned) {
    barrier();
    outw(dev.io + REG_QUEUE_NOTIFY, RXQ);
  }
  return returned;
}

void virtio_net_rx_thread(void *arg) {
  struct netif *netif = arg;
  for (;;) {
    uint64_t deadline = flexos_ticks() + (dev.irq ? RX_POLL_TICKS : 1);
    if (dev.irq)
      flexos_irq_wait(dev.irq, deadline);
    else
      sched_wait(deadline);
    (void)inb(dev.io + REG_ISR); /* acknowledge: lowers the level IRQ */
    /* After each drain let the tcpip thread take what we queued: drains
     * back to back (a burst of 50 new connections, pipelined uploads)
     * outran lwIP's pbufs and input messages, and each dropped frame
     * cost a retransmission stall of a second.  A full budget, or lwIP
     * out of room, means frames wait for which no new interrupt comes:
     * drain again (sleeping a tick if lwIP stays full: its tcpip thread
     * may wait for a lock an application thread holds). */
    int n, full, full_before = 0;
    do {
      n = rx_drain(netif, &full);
      if (full && full_before)
        sched_sleep(1);
      else if (n || full)
        sched_yield();
      full_before = full;
    } while (n == RX_BUDGET || full);
  }
}

err_t virtio_net_init(struct netif *netif) {
  if (device_init(netif->hwaddr) < 0)
    return ERR_IF;
  netif_ethernet_setup(netif, "vn", linkoutput);
  printf("virtio-net: io 0x%x, %s %d, queues %u/%u, mac "
         "%02x:%02x:%02x:%02x:%02x:%02x\n", dev.io,
         dev.irq ? "irq" : "polling, no irq", dev.irq, dev.q[RXQ].size,
         dev.q[TXQ].size, netif->hwaddr[0], netif->hwaddr[1],
         netif->hwaddr[2], netif->hwaddr[3], netif->hwaddr[4], netif->hwaddr[5]);
  return ERR_OK;
}
