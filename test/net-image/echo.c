/*
 * FILE: test/net-image/echo.c
 * DESCRIPTION:
 *   Image net-echo, library `app`: a TCP echo server on port 7 over lwIP's
 *   socket API.  Every lwIP call is a gate into library lwip; whatever
 *   lwIP reads or writes for us (addresses, lengths, the timeout, the data
 *   buffers) is shared memory: flexos_share locals or the shared heap.
 *   The main thread accepts (with a 100 ms timeout, so it notices a quit
 *   request) and runs each connection in a thread of its own, up to
 *   MAX_CONN at once.  A connection whose whole content is "quit\n" ends
 *   the server: it joins its threads, closes the socket, prints
 *   "net-echo: bye" and returns 0.
 *   With the argument read-lwip-heap it instead reads lwIP's heap
 *   directly, which under intel-pku must fault (lwIP's state is private to
 *   its compartment), under vm-ept must stop the run (the monitor reports
 *   that lwIP's page is not mapped in app's VM) and under none prints
 *   "NOT STOPPED".  With steal-netdev (vm-ept) the app registers rings
 *   of its own as the monitor's network device, which the monitor must
 *   refuse.
 * USAGE:
 *   tools/run-image.sh --net 5555:7 build/test/net-image/net-echo-none.elf
 *   (test/net-image/echo-test.sh drives it; echo-client.py talks to it)
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <flexos/x86.h>
#include <flexos_lwip.h>
#include <stdio.h>
#include <string.h>

#include "lwip/errno.h"
#include "lwip/sockets.h"

#define PORT 7
#define BUF_SIZE 8192
#define MAX_CONN 8
#define QUIT "quit\n"

struct conn {
  struct flexos_thread *thread; /* 0 = slot free */
  int fd;
  int done;  /* the thread finished; join it */
  int index; /* connection number since boot */
};

static struct conn conns[MAX_CONN];
static int quit_requested;
static long total_bytes;

/* Sends all n bytes; returns 0, or -1 after an error. */
static int send_all(int fd, const char *buf, int n) {
  for (int off = 0; off < n;) {
    ssize_t m = flexos_gate(lwip, lwip_send, fd, buf + off, (size_t)(n - off), 0);
    if (m <= 0 || m > n - off) /* lwIP is another compartment */
      return -1;
    off += (int)m;
  }
  return 0;
}

/* One connection: echo until the peer closes. */
static void serve(void *arg) {
  struct conn *c = arg;
  char *buf = flexos_malloc_shared(BUF_SIZE); /* lwIP copies in and out */
  char head[sizeof(QUIT) - 1];
  long bytes = 0;
  ssize_t n = -1;
  while (buf && (n = flexos_gate(lwip, lwip_recv, c->fd, buf, BUF_SIZE, 0)) > 0) {
    if (n > BUF_SIZE) { /* lwIP is another compartment: check its answer */
      printf("net-echo: connection %d: recv returned %ld for a %d-byte "
             "buffer\n", c->index, (long)n, BUF_SIZE);
      n = -1;
      break;
    }
    if (bytes < (long)sizeof(head))
      memcpy(head + bytes, buf,
             n < (long)sizeof(head) - bytes ? (size_t)n : sizeof(head) - bytes);
    bytes += n;
    if (send_all(c->fd, buf, (int)n) < 0) {
      printf("net-echo: connection %d: send failed, errno %d\n", c->index, errno);
      break;
    }
  }
  if (n < 0)
    printf("net-echo: connection %d: recv failed, errno %d\n", c->index, errno);
  flexos_gate(lwip, lwip_close, c->fd);
  flexos_free_shared(buf);
  printf("net-echo: connection %d closed after %ld bytes\n", c->index, bytes);
  total_bytes += bytes;
  if (bytes == (long)sizeof(head) && memcmp(head, QUIT, sizeof(head)) == 0)
    quit_requested = 1;
  c->done = 1;
}

/* Joins finished connection threads; with `all`, waits for every one. */
static void reap(int all) {
  for (int i = 0; i < MAX_CONN; i++)
    if (conns[i].thread && (all || conns[i].done)) {
      flexos_thread_join(conns[i].thread);
      conns[i].thread = 0;
    }
}

static struct conn *free_slot(void) {
  for (int i = 0; i < MAX_CONN; i++)
    if (!conns[i].thread)
      return &conns[i];
  return 0;
}

/* Accepts until a quit request; returns the number of connections or -1. */
static int accept_loop(int s) {
  int count = 0;
  while (!quit_requested) {
    reap(0);
    struct sockaddr_in peer __flexos_share;
    socklen_t len __flexos_share = sizeof(peer);
    int fd = flexos_gate(lwip, lwip_accept, s, (struct sockaddr *)&peer, &len);
    if (fd < 0) {
      if (errno == EWOULDBLOCK || errno == EAGAIN)
        continue;
      printf("net-echo: accept failed, errno %d\n", errno);
      return -1;
    }
    struct conn *c = free_slot();
    if (!c) {
      printf("net-echo: more than %d connections at once; closing one\n", MAX_CONN);
      flexos_gate(lwip, lwip_close, fd);
      continue;
    }
    *c = (struct conn){0, fd, 0, ++count};
    if (!(c->thread = flexos_thread_create(serve, c))) {
      printf("net-echo: out of threads\n");
      flexos_gate(lwip, lwip_close, fd);
    }
  }
  return count;
}

/* lwIP's heap (lwIP's mem.c), which the app has no business touching. */
extern unsigned char ram_heap[];

static int read_lwip_heap(void) {
  printf("read-lwip-heap: reading lwIP's heap at %p\n", (void *)ram_heap);
  unsigned char v = *(volatile unsigned char *)ram_heap;
  printf("read-lwip-heap: NOT STOPPED (read 0x%x)\n", v);
  return 1;
}

/* vm-ept: register rings of app's own as the monitor's network device,
 * before lwIP does, to receive the image's traffic; the monitor must
 * refuse (they are not the driver's rings). */
static int steal_netdev(void) {
  static __attribute__((aligned(4096))) char rings[sizeof(struct flexos_pvnet)];
  printf("steal-netdev: registering app's rings at %p\n", (void *)rings);
  outl(FLEXOS_PVNET_PORT_SETUP, (uint32_t)(uintptr_t)rings);
  printf("steal-netdev: NOT STOPPED\n");
  return 1;
}

int main(int argc, char **argv) {
  printf("net-echo: app in compartment %s, protection keys %s\n",
         flexos_compartment_name(flexos_current_compartment()),
         flexos_pku_active() ? "on" : "off");
  if (argc > 1 && strcmp(argv[1], "read-lwip-heap") == 0)
    return read_lwip_heap();
  if (argc > 1 && strcmp(argv[1], "steal-netdev") == 0)
    return steal_netdev();
  if (flexos_gate(lwip, flexos_lwip_start) < 0)
    return 1;
  /* Port 7; accept() returns every 100 ms to reap finished threads. */
  int s = flexos_gate(lwip, flexos_lwip_listen, PORT, MAX_CONN, 100);
  if (s < 0) {
    printf("net-echo: cannot listen on port %d, errno %d\n", PORT, errno);
    return 1;
  }
  printf("net-echo: listening on port %d\n", PORT);
  int n = accept_loop(s);
  reap(1);
  flexos_gate(lwip, lwip_close, s);
  if (n < 0)
    return 1;
  printf("net-echo: %d connections, %ld bytes echoed; bye\n", n, total_bytes);
  return 0;
}
