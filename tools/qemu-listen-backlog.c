/*
 * FILE: tools/qemu-listen-backlog.c
 * DESCRIPTION:
 *   LD_PRELOAD shim for QEMU: raises the backlog of every listen() to at
 *   least 128.  QEMU's user networking (libslirp) listens for host port
 *   forwards with a backlog of 1, so when 50 clients connect at once
 *   (redis-benchmark -c 50) the host kernel's accept queue overflows
 *   (TcpExtListenOverflows), drops the clients' final handshake ACKs, and
 *   those clients sit "established" with their first request unacked for
 *   up to a minute.  tools/run-image.sh loads this shim when
 *   FLEXOS_QEMU_PRELOAD names it; nothing else in QEMU changes.
 * USAGE: FLEXOS_QEMU_PRELOAD=build/lib/libflexos-listen-backlog.so tools/run-image.sh --net ...
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>

#define MIN_BACKLOG 128

int listen(int fd, int backlog) {
  static int (*real_listen)(int, int);
  if (!real_listen)
    real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
  return real_listen(fd, backlog < MIN_BACKLOG ? MIN_BACKLOG : backlog);
}
