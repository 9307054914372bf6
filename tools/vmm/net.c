/*
 * FILE: tools/vmm/net.c
 * DESCRIPTION:
 *   The vm-ept monitor's network device (docs/network.md, "Under the
 *   vm-ept monitor").  The guest's driver (libs/lwip/netif/pvnet.c) owns
 *   two rings of frames in its own compartment's memory; this file moves
 *   frames between them and libslirp, the user-mode TCP/IP stack QEMU's
 *   `-netdev user` uses, so the image sees the same network as under QEMU
 *   and clients on 127.0.0.1 reach it through port forwards.  No root, no
 *   tap device, no host configuration.
 *
 *   Everything runs on the monitor's threads when they stop a VM: a kick
 *   sends the driver's frames at once; vmm_net_poll() lets slirp serve
 *   its host sockets and timers, and is called when the default VM idles
 *   (blocking until a frame arrives or its deadline) and every
 *   millisecond or so from gate traps (not blocking).  Frames slirp emits
 *   while the receive ring is full wait in a backlog here; beyond that
 *   they are dropped and TCP retransmits them.
 *
 *   With --net-faults both directions pass through netfault.c, which may
 *   drop, duplicate, reorder, delay or corrupt frames; frames it holds
 *   back leave from vmm_net_poll() when their time comes.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "net.h"
#include "netfault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_FORWARDS 8
#define MAX_TIMERS 64
#define MAX_POLLFDS 1024
#define BACKLOG_FRAMES 256
#define LISTEN_BACKLOG 128

struct forward {
  int host_port, guest_port;
};

struct timer {
  int used;
  int64_t expire_ms; /* -1: not armed */
  SlirpTimerCb cb;
  void *opaque;
};

struct frame {
  uint32_t len;
  uint8_t data[FLEXOS_PVNET_FRAME_MAX];
};

static struct {
  pthread_mutex_t lock;
  struct forward fwd[MAX_FORWARDS];
  int nfwd;
  Slirp *slirp;
  struct flexos_pvnet *dev; /* the driver's rings, in its VM's memory */
  int udp_fd;               /* or frames as datagrams (flexos-netproxy) */
  struct sockaddr_in udp_peer;
  struct timer timers[MAX_TIMERS];
  struct pollfd fds[MAX_POLLFDS];
  int nfds;
  struct frame backlog[BACKLOG_FRAMES];
  unsigned backlog_head, backlog_tail;
  int delivered; /* frames put in the ring since the last poll's return */
  uint64_t rx, tx, dropped;
} net = {.lock = PTHREAD_MUTEX_INITIALIZER, .udp_fd = -1};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* libslirp listens for port forwards with a backlog of 1, so a benchmark
 * that opens 50 connections at once overflows the host's accept queue
 * and stalls for seconds (the same fix as tools/qemu-listen-backlog.c).
 * The monitor listens on nothing else. */
int listen(int fd, int backlog) {
  if (backlog < LISTEN_BACKLOG)
    backlog = LISTEN_BACKLOG;
  return (int)syscall(SYS_listen, fd, backlog);
}

const char *vmm_net_add_forward(const char *spec) {
  static char msg[160];
  int h, g, n = 0;
  if (sscanf(spec, "%d:%d%n", &h, &g, &n) != 2 || spec[n] || h < 0 ||
      h > 65535 || g < 1 || g > 65535) {
    snprintf(msg, sizeof(msg), "--net '%s': expected HOSTPORT:GUESTPORT, "
             "ports 1..65535, HOSTPORT 0 for any (e.g. --net 6379:6379)", spec);
    return msg;
  }
  if (net.nfwd == MAX_FORWARDS)
    return "--net: at most 8 port forwards";
  net.fwd[net.nfwd++] = (struct forward){h, g};
  return 0;
}

int vmm_net_enabled(void) { return net.slirp != 0; }

int vmm_net_attached(void) { return net.dev != 0 || net.udp_fd >= 0; }

const char *vmm_net_attach_udp(int fd, const struct sockaddr_in *peer) {
  if (net.dev || net.udp_fd >= 0)
    return "network: a guest is attached already";
  net.udp_fd = fd;
  net.udp_peer = *peer;
  return 0;
}

/* ---- frames to the guest ------------------------------------------------ */

static int ring_room(void) {
  return net.dev && net.dev->rx_head - net.dev->rx_tail < FLEXOS_PVNET_SLOTS;
}

static void ring_put(const uint8_t *data, uint32_t len) {
  struct flexos_pvnet_frame *f = &net.dev->rx[net.dev->rx_head % FLEXOS_PVNET_SLOTS];
  memcpy(f->data, data, len);
  f->len = len;
  __atomic_store_n(&net.dev->rx_head, net.dev->rx_head + 1, __ATOMIC_RELEASE);
  net.delivered = 1;
  net.rx++;
}

static void backlog_flush(void) {
  while (net.backlog_tail != net.backlog_head && ring_room()) {
    struct frame *f = &net.backlog[net.backlog_tail % BACKLOG_FRAMES];
    ring_put(f->data, f->len);
    net.backlog_tail++;
  }
}

/* --pcap: every frame as it reaches the other side (after the faults),
 * in the classic pcap format (Ethernet), for wireshark or tcpdump -r. */
static FILE *capture;

const char *vmm_net_capture(const char *path) {
  static char msg[300];
  capture = fopen(path, "wb");
  if (!capture) {
    snprintf(msg, sizeof(msg), "--pcap %s: %s", path, strerror(errno));
    return msg;
  }
  uint32_t header[6] = {0xa1b23c4d, 0x00040002, 0, 0, 65535, 1}; /* ns, Ethernet */
  fwrite(header, sizeof(header), 1, capture);
  return 0;
}

static void capture_frame(const uint8_t *buf, uint32_t len) {
  if (!capture)
    return;
  int64_t t = now_ns();
  uint32_t record[4] = {(uint32_t)(t / 1000000000), (uint32_t)(t % 1000000000),
                        len, len};
  fwrite(record, sizeof(record), 1, capture);
  fwrite(buf, len, 1, capture);
  fflush(capture);
}

/* Frame injection (--net-faults): one path per direction. */
static struct netfault_config faults;
static struct netfault_path to_guest, from_guest;

const char *vmm_net_set_faults(const char *spec) {
  const char *err = netfault_parse(spec, &faults);
  if (err)
    return err;
  if (!faults.seeded)
    faults.seed = (uint64_t)now_ns() % 1000000007;
  netfault_path_init(&to_guest, &faults, 1);
  netfault_path_init(&from_guest, &faults, 2);
  return 0;
}

void vmm_net_describe_faults(char *buf, size_t size) {
  if (!faults.on) {
    snprintf(buf, size, "none");
    return;
  }
  netfault_describe(&faults, buf, size);
}

/* A frame for the guest, after fault injection: into the receive ring, or
 * the backlog while the ring is full. */
static void deliver_to_guest(const uint8_t *buf, uint32_t len, void *ctx) {
  (void)ctx;
  capture_frame(buf, len);
  if (net.udp_fd >= 0) { /* one datagram per frame; lost when QEMU lags */
    if (sendto(net.udp_fd, buf, len, 0, (const struct sockaddr *)&net.udp_peer,
               sizeof(net.udp_peer)) < 0)
      net.dropped++;
    else
      net.rx++;
    return;
  }
  backlog_flush();
  if (net.backlog_tail == net.backlog_head && ring_room()) {
    ring_put(buf, (uint32_t)len);
  } else if (net.backlog_head - net.backlog_tail < BACKLOG_FRAMES) {
    struct frame *f = &net.backlog[net.backlog_head++ % BACKLOG_FRAMES];
    memcpy(f->data, buf, len);
    f->len = (uint32_t)len;
  } else {
    net.dropped++;
  }
}

/* slirp has a frame for the guest. */
static ssize_t send_packet(const void *buf, size_t len, void *opaque) {
  (void)opaque;
  if (len > FLEXOS_PVNET_FRAME_MAX || !vmm_net_attached()) {
    net.dropped++;
    return (ssize_t)len;
  }
  if (faults.on)
    netfault_send(&to_guest, buf, (uint32_t)len, now_ns(), deliver_to_guest, 0);
  else
    deliver_to_guest(buf, (uint32_t)len, 0);
  return (ssize_t)len;
}

/* ---- slirp's callbacks --------------------------------------------------- */

static void guest_error(const char *msg, void *opaque) {
  (void)opaque;
  fprintf(stderr, "flexos-vmm: network: the guest sent a bad frame: %s\n", msg);
}

static int64_t clock_get_ns(void *opaque) {
  (void)opaque;
  return now_ns();
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque) {
  (void)opaque;
  for (int i = 0; i < MAX_TIMERS; i++)
    if (!net.timers[i].used) {
      net.timers[i] = (struct timer){1, -1, cb, cb_opaque};
      return &net.timers[i];
    }
  fprintf(stderr, "flexos-vmm: network: more than %d slirp timers\n", MAX_TIMERS);
  abort();
}

static void timer_free(void *t, void *opaque) {
  (void)opaque;
  ((struct timer *)t)->used = 0;
}

static void timer_mod(void *t, int64_t expire_ms, void *opaque) {
  (void)opaque;
  ((struct timer *)t)->expire_ms = expire_ms;
}

static void register_poll_fd(int fd, void *opaque) { (void)fd, (void)opaque; }
static void unregister_poll_fd(int fd, void *opaque) { (void)fd, (void)opaque; }
static void notify(void *opaque) { (void)opaque; }

static const SlirpCb callbacks = {
    .send_packet = send_packet,
    .guest_error = guest_error,
    .clock_get_ns = clock_get_ns,
    .timer_new = timer_new,
    .timer_free = timer_free,
    .timer_mod = timer_mod,
    .register_poll_fd = register_poll_fd,
    .unregister_poll_fd = unregister_poll_fd,
    .notify = notify,
};

const char *vmm_net_start(void) {
  static char msg[160];
  if (!net.nfwd)
    return 0;
  SlirpConfig cfg = {.version = 1, .in_enabled = true};
  inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
  inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
  inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
  inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
  inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
  cfg.restricted = 1; /* the guest reaches the host only via forwards */
  if (!(net.slirp = slirp_new(&cfg, &callbacks, 0)))
    return "--net: cannot start user networking (slirp_new failed)";
  struct in_addr host, guest;
  inet_pton(AF_INET, "127.0.0.1", &host);
  inet_pton(AF_INET, "10.0.2.15", &guest);
  for (int i = 0; i < net.nfwd; i++)
    if (slirp_add_hostfwd(net.slirp, 0, host, net.fwd[i].host_port, guest,
                          net.fwd[i].guest_port) < 0) {
      snprintf(msg, sizeof(msg), "--net %d:%d: cannot listen on 127.0.0.1:%d "
               "(in use?)", net.fwd[i].host_port, net.fwd[i].guest_port,
               net.fwd[i].host_port);
      return msg;
    }
  return 0;
}

/* ---- the driver's side ---------------------------------------------------- */

const char *vmm_net_attach(struct flexos_pvnet *dev) {
  static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  if (!net.slirp)
    return "the image has a network driver but the monitor no network: "
           "give --net HOSTPORT:GUESTPORT";
  pthread_mutex_lock(&net.lock);
  if (net.dev) {
    pthread_mutex_unlock(&net.lock);
    return "network device registered twice";
  }
  memcpy(dev->mac, mac, sizeof(mac));
  dev->rx_head = dev->rx_tail = dev->tx_head = dev->tx_tail = 0;
  net.dev = dev;
  pthread_mutex_unlock(&net.lock);
  return 0;
}

/* ---- a SYN slirp sees again ------------------------------------------------
 * libslirp (4.7.0, and later releases do the same) reads the options of
 * every segment of a connection that is not listening, and an MSS option
 * in a SYN makes it call tcp_mss(), which sizes both socket buffers again
 * with sbreserve(): that reallocates them *empty*.  So a SYN that reaches
 * slirp a second time, once data is queued, throws the data away: when
 * slirp's ACK of the guest's SYN-ACK and its first data segment are lost
 * (--net-faults drop), the guest sends its SYN-ACK again; by then slirp
 * has read the client's request from the host socket, the retransmitted
 * SYN-ACK empties its send buffer while snd_una..snd_max still counts the
 * request, every retransmission carries nothing, and the connection hangs
 * until slirp gives up about ten minutes later (the client sees the server
 * close the connection).  A duplicate that came as late would too.
 * Therefore a SYN that slirp has been given before (the same addresses,
 * ports and sequence number, checksums intact) reaches it with its MSS
 * option turned into NOPs, and checksum fixed: slirp has that MSS already
 * and answers the segment as before.  The last SYN_MEMORY SYNs are
 * remembered (a retransmitted SYN comes within lwIP's SYN_RCVD lifetime,
 * well under a minute).  Test: tools/vmm/netproxy-syn-test.py. */
#define SYN_MEMORY 1024

struct syn_key {
  uint32_t src, dst, seq;
  uint16_t sport, dport;
};

static struct {
  struct syn_key key[SYN_MEMORY];
  unsigned n; /* SYNs recorded; the newest is key[(n - 1) % SYN_MEMORY] */
} syns;

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }

/* The Internet checksum's one's-complement sum of p[0..n), added to sum. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum) {
  for (; n > 1; p += 2, n -= 2)
    sum += be16(p);
  if (n)
    sum += (uint32_t)p[0] << 8;
  return sum;
}

static uint16_t fold(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* When frame f is an intact IPv4 TCP segment with SYN set and an MSS
 * option: the offsets of its TCP header and of that option, its TCP
 * length and its key; returns 0 otherwise. */
static int syn_with_mss(const uint8_t *f, uint32_t len, size_t *tcp,
                        size_t *opt, size_t *tcp_len, struct syn_key *key) {
  if (len < 14 + 20 + 20 || be16(f + 12) != 0x0800)
    return 0;
  const uint8_t *ip = f + 14;
  size_t ihl = (size_t)(ip[0] & 15) * 4, total = be16(ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || total > len - 14 || total < ihl + 20 ||
      ip[9] != 6 || (be16(ip + 6) & 0x3fff) || fold(sum16(ip, ihl, 0)))
    return 0; /* not IPv4 TCP, a fragment, or a bad header checksum */
  const uint8_t *t = ip + ihl;
  size_t tlen = total - ihl, off = (size_t)(t[12] >> 4) * 4;
  uint32_t pseudo = sum16(ip + 12, 8, 6 + (uint32_t)tlen);
  if (!(t[13] & 0x02) || off < 20 || off > tlen || fold(sum16(t, tlen, pseudo)))
    return 0; /* no SYN, or a segment slirp drops anyway */
  for (size_t i = 20; i < off;) {
    if (t[i] == 0) /* end of options */
      break;
    if (t[i] == 1) { /* NOP */
      i++;
      continue;
    }
    if (i + 1 >= off || t[i + 1] < 2 || i + t[i + 1] > off)
      break;
    if (t[i] == 2 && t[i + 1] == 4) {
      *tcp = 14 + ihl;
      *opt = 14 + ihl + i;
      *tcp_len = tlen;
      *key = (struct syn_key){be32(ip + 12), be32(ip + 16), be32(t + 4),
                              (uint16_t)be16(t), (uint16_t)be16(t + 2)};
      return 1;
    }
    i += t[i + 1];
  }
  return 0;
}

static int syn_key_eq(const struct syn_key *a, const struct syn_key *b) {
  return a->src == b->src && a->dst == b->dst && a->seq == b->seq &&
         a->sport == b->sport && a->dport == b->dport;
}

/* For a SYN with an MSS option that slirp was given before: copies it to
 * out without that option (NOPs, checksum updated) and returns 1.
 * Otherwise remembers a SYN and returns 0 (f goes to slirp as it is). */
static int strip_repeated_syn_mss(const uint8_t *f, uint32_t len, uint8_t *out) {
  size_t tcp, opt, tcp_len;
  struct syn_key key;
  if (!syn_with_mss(f, len, &tcp, &opt, &tcp_len, &key))
    return 0;
  unsigned known = syns.n < SYN_MEMORY ? syns.n : SYN_MEMORY;
  for (unsigned i = 0; i < known; i++)
    if (syn_key_eq(&syns.key[i], &key)) {
      memcpy(out, f, len);
      memset(out + opt, 1, 4); /* four NOPs */
      out[tcp + 16] = out[tcp + 17] = 0;
      uint32_t pseudo = sum16(out + 14 + 12, 8, 6 + (uint32_t)tcp_len);
      uint16_t sum = fold(sum16(out + tcp, tcp_len, pseudo));
      out[tcp + 16] = (uint8_t)(sum >> 8);
      out[tcp + 17] = (uint8_t)sum;
      return 1;
    }
  syns.key[syns.n++ % SYN_MEMORY] = key;
  return 0;
}

/* A frame from the guest, after fault injection. */
static void deliver_to_slirp(const uint8_t *buf, uint32_t len, void *ctx) {
  (void)ctx;
  uint8_t copy[FLEXOS_PVNET_FRAME_MAX];
  if (len <= sizeof(copy) && strip_repeated_syn_mss(buf, len, copy))
    buf = copy;
  capture_frame(buf, len);
  slirp_input(net.slirp, buf, (int)len);
}

/* Held-back frames whose time has come, both ways; the ns until the next
 * is due (-1: none held). */
static int64_t release_faults(void) {
  if (!faults.on)
    return -1;
  int64_t now = now_ns();
  int64_t a = netfault_release(&from_guest, now, deliver_to_slirp, 0);
  int64_t b = netfault_release(&to_guest, now, deliver_to_guest, 0);
  return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* Reads each frame's length once: the guest may rewrite it meanwhile. */
const char *vmm_net_kick(void) {
  if (!net.dev)
    return "network kick before the device was registered";
  pthread_mutex_lock(&net.lock);
  const char *err = 0;
  uint32_t head = __atomic_load_n(&net.dev->tx_head, __ATOMIC_ACQUIRE);
  uint32_t tail = net.dev->tx_tail;
  if (head - tail > FLEXOS_PVNET_SLOTS) {
    err = "network: the driver claims more frames than its ring holds";
  } else {
    for (; tail != head; tail++) {
      struct flexos_pvnet_frame *f = &net.dev->tx[tail % FLEXOS_PVNET_SLOTS];
      uint32_t len = __atomic_load_n(&f->len, __ATOMIC_RELAXED);
      if (len < 14 || len > FLEXOS_PVNET_FRAME_MAX) {
        net.dropped++;
        continue;
      }
      uint8_t copy[FLEXOS_PVNET_FRAME_MAX];
      memcpy(copy, f->data, len);
      if (faults.on)
        netfault_send(&from_guest, copy, len, now_ns(), deliver_to_slirp, 0);
      else
        deliver_to_slirp(copy, len, 0);
      net.tx++;
    }
    __atomic_store_n(&net.dev->tx_tail, tail, __ATOMIC_RELEASE);
  }
  backlog_flush(); /* a kick also frees receive slots */
  pthread_mutex_unlock(&net.lock);
  return err;
}

/* ---- host sockets and timers ----------------------------------------------- */

static int add_poll(int fd, int events, void *opaque) {
  (void)opaque;
  static int warned;
  if (net.nfds == MAX_POLLFDS) {
    if (!warned++)
      fprintf(stderr, "flexos-vmm: network: more than %d host sockets; the "
              "others are not polled and their connections stall\n",
              MAX_POLLFDS);
    return -1;
  }
  short ev = 0;
  if (events & SLIRP_POLL_IN) ev |= POLLIN;
  if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
  if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
  net.fds[net.nfds] = (struct pollfd){.fd = fd, .events = ev};
  return net.nfds++;
}

static int get_revents(int idx, void *opaque) {
  (void)opaque;
  if (idx < 0 || idx >= net.nfds)
    return 0;
  short r = net.fds[idx].revents;
  int ev = 0;
  if (r & POLLIN) ev |= SLIRP_POLL_IN;
  if (r & POLLOUT) ev |= SLIRP_POLL_OUT;
  if (r & POLLPRI) ev |= SLIRP_POLL_PRI;
  if (r & POLLERR) ev |= SLIRP_POLL_ERR;
  if (r & POLLHUP) ev |= SLIRP_POLL_HUP;
  return ev;
}

/* Frames QEMU sent (flexos-netproxy): every datagram waiting, each one
 * frame, into slirp through the fault path. */
static void udp_receive(void) {
  uint8_t buf[FLEXOS_PVNET_FRAME_MAX + 1];
  for (;;) {
    ssize_t n = recv(net.udp_fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0)
      return;
    if (n < 14 || n > FLEXOS_PVNET_FRAME_MAX) {
      net.dropped++;
      continue;
    }
    if (faults.on)
      netfault_send(&from_guest, buf, (uint32_t)n, now_ns(), deliver_to_slirp, 0);
    else
      deliver_to_slirp(buf, (uint32_t)n, 0);
    net.tx++;
  }
}

/* Fires due timers; returns ms until the next one (-1: none). */
static int64_t run_timers(void) {
  int64_t now = now_ns() / 1000000, next = -1;
  for (int i = 0; i < MAX_TIMERS; i++) {
    struct timer *t = &net.timers[i];
    if (!t->used || t->expire_ms < 0)
      continue;
    if (t->expire_ms <= now) {
      t->expire_ms = -1;
      t->cb(t->opaque);
    } else if (next < 0 || t->expire_ms - now < next) {
      next = t->expire_ms - now;
    }
  }
  return next;
}

int vmm_net_poll(int64_t timeout_ns, const volatile int *stop) {
  if (!net.slirp) {
    /* Nothing can arrive: just let the time pass. */
    if (timeout_ns > 0)
      nanosleep(&(struct timespec){timeout_ns / 1000000000, timeout_ns % 1000000000}, 0);
    return 0;
  }
  pthread_mutex_lock(&net.lock);
  int64_t end = timeout_ns > 0 ? now_ns() + timeout_ns : 0;
  backlog_flush(); /* `delivered` may already be set by a kick's replies */
  for (;;) {
    int64_t next_timer = run_timers();
    int64_t next_fault = release_faults();
    if (next_fault >= 0) { /* a held frame is due then: wake up for it */
      int64_t ms = (next_fault + 999999) / 1000000;
      if (next_timer < 0 || ms < next_timer)
        next_timer = ms;
    }
    if (net.delivered)
      break;
    int64_t wait_ms = timeout_ns < 0 ? -1 : 0;
    if (timeout_ns > 0) {
      int64_t left = end - now_ns();
      wait_ms = left <= 0 ? 0 : (left + 999999) / 1000000;
    }
    if (next_timer >= 0 && (wait_ms < 0 || next_timer < wait_ms))
      wait_ms = next_timer;
    uint32_t slirp_ms = wait_ms < 0 ? UINT32_MAX : (uint32_t)wait_ms;
    net.nfds = 0;
    if (net.udp_fd >= 0)
      add_poll(net.udp_fd, SLIRP_POLL_IN, 0); /* index 0: the guest */
    slirp_pollfds_fill(net.slirp, &slirp_ms, add_poll, 0);
    if (wait_ms < 0 || (int64_t)slirp_ms < wait_ms)
      wait_ms = slirp_ms == UINT32_MAX ? -1 : (int64_t)slirp_ms;
    /* Unlocked while sleeping: a polling VM's thread may kick meanwhile
     * (only the main thread polls, so net.fds stays ours). */
    pthread_mutex_unlock(&net.lock);
    int r = poll(net.fds, (nfds_t)net.nfds, (int)(wait_ms > 1000 ? 1000 : wait_ms));
    pthread_mutex_lock(&net.lock);
    if (net.udp_fd >= 0 && r > 0 && (net.fds[0].revents & POLLIN))
      udp_receive();
    slirp_pollfds_poll(net.slirp, r < 0 && errno != EINTR, get_revents, 0);
    run_timers();
    release_faults();
    if (net.delivered || timeout_ns == 0 || (timeout_ns > 0 && now_ns() >= end) ||
        (stop && *stop))
      break;
  }
  int delivered = net.delivered;
  net.delivered = 0;
  pthread_mutex_unlock(&net.lock);
  return delivered;
}

void vmm_net_stats(uint64_t *rx, uint64_t *tx, uint64_t *dropped) {
  *rx = net.rx;
  *tx = net.tx;
  *dropped = net.dropped;
}

void vmm_net_fault_stats(FILE *out) {
  if (!faults.on)
    return;
  const struct netfault_path *paths[] = {&from_guest, &to_guest};
  const char *names[] = {"from the guest", "to the guest"};
  for (int i = 0; i < 2; i++)
    fprintf(out, "flexos-vmm: stats: network faults %s: %lu frames, %lu "
            "dropped, %lu duplicated, %lu reordered, %lu delayed, %lu "
            "corrupted\n", names[i], paths[i]->frames, paths[i]->dropped,
            paths[i]->duplicated, paths[i]->reordered, paths[i]->delayed,
            paths[i]->corrupted);
}
