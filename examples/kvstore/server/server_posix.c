/*
 * FILE: examples/kvstore/server/server_posix.c
 * DESCRIPTION:
 *   The hosted kvstore server (library "app"): a ppoll() loop over
 *   non-blocking TCP sockets, one kv_conn per client (resp.h), replies
 *   written as soon as a read produced them. A client that stops reading
 *   stops being read (the engine's output high-water mark); one that
 *   disconnects mid-command is simply freed. SIGINT/SIGTERM end the loop
 *   and free everything, so leak checkers see a clean exit. --stdio runs
 *   one connection over stdin/stdout instead, optionally in small chunks,
 *   for tests that must not depend on the network.
 * USAGE:
 *   kvstore --port 6379            (prints "kvstore: listening on port N")
 *   kvstore --port 0               (any free port; the line names it)
 *   kvstore --stdio [--chunk N] < commands > replies
 * License: MIT
 */
#define _GNU_SOURCE
#include "store.h"
#include "resp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <flexos.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct client {
  int fd;
  struct kv_conn *conn;
};

struct options {
  long port;
  const char *bind;
  int stdio;
  long chunk;
  long max_clients;
};

static volatile sig_atomic_t stopping;
static struct client *clients;
static int nclients;
static int accept_paused; /* out of file descriptors: wait for a close */

static void usage(FILE *f) {
  fprintf(f,
          "usage: kvstore [--port N] [--bind ADDR] [--max-clients N]\n"
          "       kvstore --stdio [--chunk N]\n"
          "A Redis-compatible key-value server (strings, lists, hashes, sets;\n"
          "expiry, transactions, 16 databases).\n"
          "  --port N         TCP port (default 6379; 0 picks a free one)\n"
          "  --bind ADDR      IPv4 address to listen on (default 127.0.0.1)\n"
          "  --max-clients N  clients served at once (default 1000)\n"
          "  --stdio          serve one client on stdin/stdout\n"
          "  --chunk N        with --stdio: read at most N bytes at a time\n"
          "Prints \"kvstore: listening on port N\" when ready.\n");
}

/* Parses a decimal option value in [lo, hi]. Returns 0 or -1. */
static int number_arg(const char *opt, const char *s, long lo, long hi,
                      long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (!*s || *end || errno || v < lo || v > hi) {
    fprintf(stderr, "kvstore: %s: '%s' is not a number in %ld..%ld\n", opt, s,
            lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
  *o = (struct options){6379, "127.0.0.1", 0, 0, 1000};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      exit(0);
    }
    if (!strcmp(a, "--stdio")) {
      o->stdio = 1;
      continue;
    }
    if (strcmp(a, "--port") && strcmp(a, "--bind") &&
        strcmp(a, "--max-clients") && strcmp(a, "--chunk")) {
      fprintf(stderr, "kvstore: unknown option '%s'\n", a);
      usage(stderr);
      return -1;
    }
    if (i + 1 == argc) {
      fprintf(stderr, "kvstore: %s needs a value\n", a);
      return -1;
    }
    const char *v = argv[++i];
    if (!strcmp(a, "--bind"))
      o->bind = v;
    else if (number_arg(a, v, !strcmp(a, "--port") ? 0 : 1,
                        !strcmp(a, "--port") ? 65535 : 1000000,
                        !strcmp(a, "--port")          ? &o->port
                        : !strcmp(a, "--max-clients") ? &o->max_clients
                                                      : &o->chunk) < 0)
      return -1;
  }
  return 0;
}

static void on_signal(int sig) { stopping = sig; }

/* SIGINT and SIGTERM stay blocked except inside ppoll(), so one that
 * arrives between the loop's test of `stopping` and the wait cannot be
 * missed. Returns the mask ppoll() waits with. */
static sigset_t handle_signals(void) {
  struct sigaction sa;
  sigset_t block, wait_mask;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &wait_mask);
  sigdelset(&wait_mask, SIGINT);
  sigdelset(&wait_mask, SIGTERM);
  return wait_mask;
}

/* Hash seed: unpredictable, so clients cannot pick colliding keys. */
long long kv_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned long random_seed(void) {
  unsigned long s;
  if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
    s = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 32);
  return s;
}

/* ---- --stdio ---------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Writes out every reply, including those of commands held back by the
 * output high-water mark, which kv_conn_sent() runs. */
static int drain_to(int fd, struct kv_conn *c) {
  size_t n;
  const char *p;
  while ((p = kv_conn_output(c, &n)), n > 0) {
    if (write_all(fd, p, n) < 0)
      return -1;
    kv_conn_sent(c, n);
  }
  return 0;
}

static int serve_stdio(const struct options *o) {
  struct kv_conn *c = kv_conn_new();
  if (!c) {
    fprintf(stderr, "kvstore: out of memory\n");
    return 1;
  }
  int rc = 0;
  for (;;) {
    size_t room;
    char *p = kv_conn_recv_space(c, &room);
    if (!p)
      break; /* QUIT or protocol error */
    if (o->chunk && room > (size_t)o->chunk)
      room = (size_t)o->chunk;
    ssize_t n = read(0, p, room);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      rc = n < 0;
      break;
    }
    kv_conn_received(c, (size_t)n);
    if (drain_to(1, c) < 0) {
      rc = 1;
      break;
    }
  }
  if (drain_to(1, c) < 0)
    rc = 1;
  kv_conn_free(c);
  return rc;
}

/* ---- TCP -------------------------------------------------------------- */

static int listen_on(const struct options *o) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)o->port)};
  if (inet_pton(AF_INET, o->bind, &sa.sin_addr) != 1) {
    fprintf(stderr, "kvstore: --bind: '%s' is not an IPv4 address\n",
            o->bind);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0) {
    perror("kvstore: socket");
    return -1;
  }
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t len = sizeof sa;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
      listen(fd, 511) < 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
    fprintf(stderr, "kvstore: listen on %s:%ld: %s\n", o->bind, o->port,
            strerror(errno));
    close(fd);
    return -1;
  }
  printf("kvstore: listening on port %u\n", ntohs(sa.sin_port));
  fflush(stdout);
  return fd;
}

static void drop_client(int i) {
  close(clients[i].fd);
  kv_conn_free(clients[i].conn);
  clients[i] = clients[--nclients];
  accept_paused = 0;
}

static void accept_clients(int lfd, long max_clients) {
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        fprintf(stderr, "kvstore: accept: %s; waiting for a client to "
                        "leave\n", strerror(errno));
        accept_paused = 1;
      }
      return; /* EAGAIN, or a connection that died in the queue */
    }
    struct kv_conn *c = nclients < max_clients ? kv_conn_new() : NULL;
    if (!c) {
      static const char full[] = "-ERR max number of clients reached\r\n";
      (void)!send(fd, full, sizeof full - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      close(fd);
      continue;
    }
    int one = 1; /* replies are small and must not wait for Nagle */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    clients[nclients++] = (struct client){fd, c};
  }
}

/* Sends what the client can take. Returns -1 if it must be dropped. */
static int flush_client(struct client *cl) {
  size_t n;
  const char *p;
  while ((p = kv_conn_output(cl->conn, &n)), n > 0) {
    ssize_t w = send(cl->fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    kv_conn_sent(cl->conn, (size_t)w);
  }
  return kv_conn_done(cl->conn) ? -1 : 0;
}

/* Reads what arrived (a bounded number of reads, for fairness) and runs
 * it. Returns -1 if the client closed or failed. */
static int read_client(struct client *cl) {
  for (int round = 0; round < 16 && kv_conn_wants_input(cl->conn); round++) {
    size_t room;
    char *p = kv_conn_recv_space(cl->conn, &room);
    if (!p)
      return 0; /* done: the error reply goes out first */
    ssize_t n = recv(cl->fd, p, room, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    if (n == 0)
      return -1;
    kv_conn_received(cl->conn, (size_t)n);
    if ((size_t)n < room)
      break; /* the socket is drained */
  }
  return 0;
}

static int poll_once(int lfd, struct pollfd *pfd, const sigset_t *mask) {
  int n = 0;
  pfd[n++] = (struct pollfd){accept_paused ? -1 : lfd, POLLIN, 0};
  for (int i = 0; i < nclients; i++) {
    size_t pending;
    kv_conn_output(clients[i].conn, &pending);
    short ev = kv_conn_wants_input(clients[i].conn) ? POLLIN : 0;
    if (pending)
      ev |= POLLOUT;
    pfd[n++] = (struct pollfd){clients[i].fd, ev, 0};
  }
  struct timespec pause = {0, 100 * 1000 * 1000};
  return ppoll(pfd, (nfds_t)n, accept_paused ? &pause : NULL, mask);
}

static int serve_tcp(const struct options *o, const sigset_t *mask) {
  int lfd = listen_on(o);
  if (lfd < 0)
    return 1;
  clients = calloc((size_t)o->max_clients, sizeof *clients);
  struct pollfd *pfd = calloc((size_t)o->max_clients + 1, sizeof *pfd);
  if (!clients || !pfd) {
    fprintf(stderr, "kvstore: out of memory\n");
    return 1;
  }
  while (!stopping) {
    int ready = poll_once(lfd, pfd, mask);
    if (ready < 0 && errno != EINTR) {
      perror("kvstore: ppoll");
      break;
    }
    if (ready <= 0)
      continue;
    /* Walk backwards: drop_client() moves the last client into slot i,
     * and pfd[] was built in the same order. */
    for (int i = nclients - 1; i >= 0; i--) {
      short re = pfd[i + 1].revents;
      if (!re)
        continue;
      if ((re & (POLLIN | POLLHUP | POLLERR)) && read_client(&clients[i]) < 0)
        drop_client(i);
      else if (flush_client(&clients[i]) < 0)
        drop_client(i);
    }
    if (pfd[0].revents & POLLIN)
      accept_clients(lfd, o->max_clients);
  }
  while (nclients > 0)
    drop_client(nclients - 1);
  free(clients);
  free(pfd);
  close(lfd);
  if (stopping)
    fprintf(stderr, "kvstore: signal %d, exiting\n", (int)stopping);
  return 0;
}

int main(int argc, char **argv) {
  struct options o;
  if (parse_options(argc, argv, &o) < 0)
    return 2;
  signal(SIGPIPE, SIG_IGN); /* a closed peer is an error return, not death */
  store_init(random_seed());
  int rc;
  if (o.stdio) {
    rc = serve_stdio(&o);
  } else {
    sigset_t wait_mask = handle_signals();
    rc = serve_tcp(&o, &wait_mask);
  }
  store_flush(1);
  return rc;
}
