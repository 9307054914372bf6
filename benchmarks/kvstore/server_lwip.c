/*
 * FILE: benchmarks/kvstore/server_lwip.c
 * DESCRIPTION:
 *   The kvstore server inside a kernel image (library "app"): the same
 *   RESP engine and store as the hosted server (examples/kvstore/server),
 *   with a select() loop over lwIP sockets instead of ppoll() over Linux
 *   ones.  Every socket call is a gate into library lwip; the engine's
 *   input and output buffers are already in the shared heap (resp.c), so
 *   lwIP reads and writes them directly and nothing is copied here.  The
 *   fd sets and addresses that cross the gate are flexos_share locals.
 *   Sockets are non-blocking: the loop blocks only in lwip_select, where
 *   lwIP's tcpip thread wakes it through the scheduler.
 * USAGE:
 *   tools/run-image.sh --cpu max --net 6380:6379 build/benchmarks/kvstore/kvstore-d.elf
 *   (prints "kvstore: listening on port 6379")
 * License: MIT (see LICENSE)
 */
#include "resp.h"
#include "store.h"

#include <flexos.h>
#include <flexos/runtime.h>
#include <flexos_lwip.h>
#include <stdio.h>
#include <string.h>

#include "lwip/errno.h"
#include "lwip/sockets.h"

#define PORT 6379
#define MAX_CLIENTS (MEMP_NUM_NETCONN - 4) /* room for the listener */

struct client {
  int fd;
  struct kv_conn *conn;
};

static struct client clients[MAX_CLIENTS];
static int nclients;

static int set_nonblocking(int fd) {
  int flags = flexos_gate(lwip, lwip_fcntl, fd, F_GETFL, 0);
  if (flags < 0)
    return -1;
  return flexos_gate(lwip, lwip_fcntl, fd, F_SETFL, flags | O_NONBLOCK);
}

static int listen_socket(void) {
  int s = flexos_gate(lwip, lwip_socket, AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    return -1;
  struct sockaddr_in addr __flexos_share;
  memset(&addr, 0, sizeof(addr));
  addr.sin_len = sizeof(addr);
  addr.sin_family = AF_INET;
  addr.sin_port = lwip_htons(PORT);
  addr.sin_addr.s_addr = PP_HTONL(INADDR_ANY);
  if (flexos_gate(lwip, lwip_bind, s, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
      flexos_gate(lwip, lwip_listen, s, 16) < 0 || set_nonblocking(s) < 0) {
    flexos_gate(lwip, lwip_close, s);
    return -1;
  }
  return s;
}

static void drop_client(int i) {
  flexos_gate(lwip, lwip_close, clients[i].fd);
  kv_conn_free(clients[i].conn);
  clients[i] = clients[--nclients];
}

static void accept_clients(int lfd) {
  for (;;) {
    int fd = flexos_gate(lwip, lwip_accept, lfd, NULL, NULL);
    if (fd < 0)
      return; /* EWOULDBLOCK, or out of sockets: try again later */
    struct kv_conn *c = nclients < MAX_CLIENTS ? kv_conn_new() : NULL;
    if (!c || set_nonblocking(fd) < 0) {
      /* The reply must come from shared memory: lwIP reads it. */
      static const char full[] = "-ERR max number of clients reached\r\n";
      char *msg = flexos_malloc_shared(sizeof(full));
      if (msg) {
        memcpy(msg, full, sizeof(full));
        flexos_gate(lwip, lwip_send, fd, msg, sizeof(full) - 1, MSG_DONTWAIT);
        flexos_free_shared(msg);
      }
      flexos_gate(lwip, lwip_close, fd);
      if (c)
        kv_conn_free(c);
      continue;
    }
    int one __flexos_share = 1; /* small replies must not wait for Nagle */
    flexos_gate(lwip, lwip_setsockopt, fd, IPPROTO_TCP, TCP_NODELAY, &one,
                sizeof(one));
    clients[nclients++] = (struct client){fd, c};
  }
}

/* Sends what the client can take; -1 if it must be dropped. */
static int flush_client(struct client *cl) {
  size_t n;
  const char *p;
  while ((p = kv_conn_output(cl->conn, &n)), n > 0) {
    ssize_t w = flexos_gate(lwip, lwip_send, cl->fd, p, n, 0);
    if (w < 0)
      return errno == EWOULDBLOCK || errno == EAGAIN ? 0 : -1;
    if ((size_t)w > n) /* lwIP is another compartment: check its answer */
      return -1;
    kv_conn_sent(cl->conn, (size_t)w);
  }
  return kv_conn_done(cl->conn) ? -1 : 0;
}

/* Reads what arrived (a bounded number of reads, for fairness) and runs
 * it; -1 if the client closed or failed. */
static int read_client(struct client *cl) {
  for (int round = 0; round < 16 && kv_conn_wants_input(cl->conn); round++) {
    size_t room;
    char *p = kv_conn_recv_space(cl->conn, &room);
    if (!p)
      return 0; /* done: the error reply goes out first */
    ssize_t n = flexos_gate(lwip, lwip_recv, cl->fd, p, room, 0);
    if (n < 0)
      return errno == EWOULDBLOCK || errno == EAGAIN ? 0 : -1;
    if (n == 0 || (size_t)n > room)
      return -1;
    kv_conn_received(cl->conn, (size_t)n);
    if ((size_t)n < room)
      break; /* drained */
  }
  return 0;
}

static void serve(int lfd) {
  for (;;) {
    fd_set rd __flexos_share, wr __flexos_share;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    int maxfd = lfd;
    if (nclients < MAX_CLIENTS)
      FD_SET(lfd, &rd);
    for (int i = 0; i < nclients; i++) {
      size_t pending;
      kv_conn_output(clients[i].conn, &pending);
      if (kv_conn_wants_input(clients[i].conn))
        FD_SET(clients[i].fd, &rd);
      if (pending)
        FD_SET(clients[i].fd, &wr);
      if (clients[i].fd > maxfd)
        maxfd = clients[i].fd;
    }
    int ready = flexos_gate(lwip, lwip_select, maxfd + 1, &rd, &wr, NULL, NULL);
    if (ready <= 0)
      continue;
    /* Backwards: drop_client() moves the last client into slot i. */
    for (int i = nclients - 1; i >= 0; i--) {
      int fd = clients[i].fd;
      if (FD_ISSET(fd, &rd) && read_client(&clients[i]) < 0)
        drop_client(i);
      else if ((FD_ISSET(fd, &rd) || FD_ISSET(fd, &wr)) &&
               flush_client(&clients[i]) < 0)
        drop_client(i);
    }
    if (FD_ISSET(lfd, &rd))
      accept_clients(lfd);
  }
}

int main(void) {
  printf("kvstore: image %s, app in compartment %s, protection keys %s\n",
         flexos_image_config.name,
         flexos_compartment_name(flexos_current_compartment()),
         flexos_pku_active() ? "on" : "off");
  if (flexos_gate(lwip, flexos_lwip_start) < 0) {
    printf("kvstore: no network\n");
    return 1;
  }
  flexos_gate(store, store_init, flexos_ticks() * 2654435761ul);
  int lfd = listen_socket();
  if (lfd < 0) {
    printf("kvstore: cannot listen on port %d, errno %d\n", PORT, errno);
    return 1;
  }
  printf("kvstore: listening on port %d\n", PORT);
  serve(lfd);
  return 0;
}
