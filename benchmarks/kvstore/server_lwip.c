/*
 * FILE: benchmarks/kvstore/server_lwip.c
 * DESCRIPTION:
 *   The kvstore server inside a kernel image (library "app"): the same
 *   RESP engine and store as the hosted server (examples/kvstore/server),
 *   served by one thread per client over blocking lwIP sockets (the
 *   blocking form resp.h describes).  Every socket call goes into library
 *   lwip (a gate where lwIP has a compartment of its own); the engine's input and output buffers are already in
 *   the shared heap (resp.c), so lwIP reads and writes them directly and
 *   nothing is copied here.  A blocked recv waits in lwIP's port, which
 *   waits in the scheduler (library sched, sched_wait) until lwIP's tcpip
 *   thread wakes it.  There is no idle timeout (Redis' default, timeout
 *   0): 120 clients that never leave fill the table, and the next one is
 *   refused with an error reply.  Threads run one at a time (cooperative), so
 *   the store needs no locks.
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
/* One thread per client (the runtime has 160 threads, lwIP uses two).
 * redis-benchmark opens its next 50 connections while the last test's
 * threads may still be closing: twice that must fit. */
#define MAX_CLIENTS 120

struct client {
  struct flexos_thread *thread; /* 0: slot free */
  int fd;
  struct kv_conn *conn;
  volatile int done; /* the thread finished: join it */
};

static struct client clients[MAX_CLIENTS];

/* Sends every pending reply (blocking); -1 when the connection must end. */
static int flush_client(struct client *cl) {
  size_t n;
  const char *p;
  while ((p = kv_conn_output(cl->conn, &n)), n > 0) {
    ssize_t w = lwip_send(cl->fd, p, n, 0);
    if (w <= 0 || (size_t)w > n) /* lwIP is another compartment: check */
      return -1;
    kv_conn_sent(cl->conn, (size_t)w);
  }
  return kv_conn_done(cl->conn) ? -1 : 0;
}

/* One client: receive into the engine's shared input buffer (blocking),
 * run what arrived, send the replies; until the client leaves or QUITs. */
static void serve_client(void *arg) {
  struct client *cl = arg;
  while (flush_client(cl) == 0) {
    size_t room;
    char *p = kv_conn_recv_space(cl->conn, &room);
    if (!p)
      continue; /* done: the error reply goes out first */
    ssize_t n = lwip_recv(cl->fd, p, room, 0);
    if (n <= 0 || (size_t)n > room)
      break;
    kv_conn_received(cl->conn, (size_t)n);
  }
  lwip_close(cl->fd);
  kv_conn_free(cl->conn);
  cl->done = 1;
}

static void reap(void) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].thread && clients[i].done) {
      flexos_thread_join(clients[i].thread);
      clients[i].thread = 0;
    }
}

static struct client *free_slot(void) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (!clients[i].thread)
      return &clients[i];
  return 0;
}

/* Refuse a client with an error reply (from shared memory: lwIP reads it). */
static void refuse(int fd) {
  static const char full[] = "-ERR max number of clients reached\r\n";
  char *msg = flexos_malloc_shared(sizeof(full));
  if (msg) {
    memcpy(msg, full, sizeof(full));
    lwip_send(fd, msg, sizeof(full) - 1, 0);
    flexos_free_shared(msg);
  }
  lwip_close(fd);
}

static void serve(int lfd) {
  for (;;) {
    reap();
    int fd = lwip_accept(lfd, NULL, NULL);
    if (fd < 0)
      continue; /* the 100 ms timeout, or a connection that died queued */
    reap(); /* threads that ended while accept waited free their slots */
    struct client *cl = free_slot();
    struct kv_conn *c = cl ? kv_conn_new() : NULL;
    if (!c) {
      refuse(fd);
      continue;
    }
    int one __flexos_share = 1; /* small replies must not wait for Nagle */
    lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
                    sizeof(one));
    *cl = (struct client){0, fd, c, 0};
    if (!(cl->thread = flexos_thread_create(serve_client, cl))) {
      kv_conn_free(c);
      refuse(fd);
    }
  }
}

int main(void) {
  printf("kvstore: image %s, app in compartment %s, protection keys %s\n",
         flexos_image_config.name,
         flexos_compartment_name(flexos_current_compartment()),
         flexos_pku_active() ? "on" : "off");
  if (flexos_lwip_start() < 0) {
    printf("kvstore: no network\n");
    return 1;
  }
  store_init(flexos_ticks() * 2654435761ul);
  /* accept() wakes up every 100 ms to reap finished connections. */
  int lfd = flexos_lwip_listen(PORT, MAX_CLIENTS, 100);
  if (lfd < 0) {
    printf("kvstore: cannot listen on port %d, errno %d\n", PORT, errno);
    return 1;
  }
  printf("kvstore: listening on port %d\n", PORT);
  serve(lfd);
  return 0;
}
