/*
 * FILE: tools/vmm/netproxy.c
 * DESCRIPTION:
 *   flexos-netproxy: the monitor's user networking (net.c: libslirp, the
 *   same addresses as QEMU's `-netdev user`, TCP port forwards from
 *   127.0.0.1) and its fault injection (--net-faults, netfault.c) for a
 *   guest under QEMU.  QEMU exchanges the guest's Ethernet frames with it
 *   as UDP datagrams: boot QEMU with
 *     -netdev socket,id=n0,udp=127.0.0.1:LISTEN,localaddr=127.0.0.1:GUEST
 *     -device virtio-net-pci,netdev=n0
 *   so the virtio-net path of the images can be tested under dropped,
 *   duplicated, reordered, delayed and corrupted frames like the vm-ept
 *   monitor's.  Runs until SIGTERM or SIGINT, then exits 0 (with --stats,
 *   after printing the frame counts).
 * USAGE:
 *   flexos-netproxy --listen PORT --guest PORT --net HOST:GUEST...
 *                   [--net-faults SPEC] [--pcap FILE] [--stats]
 * License: MIT (see LICENSE)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include "net.h"

static volatile int stop;

static void on_stop(int sig) {
  (void)sig;
  stop = 1;
}

static int usage(FILE *out, int status) {
  fprintf(out,
          "usage: flexos-netproxy --listen PORT --guest PORT --net HOST:GUEST...\n"
          "                       [--net-faults SPEC] [--pcap FILE] [--stats]\n"
          "User networking for a QEMU guest whose netdev is\n"
          "  socket,udp=127.0.0.1:LISTEN,localaddr=127.0.0.1:GUEST\n"
          "  --listen PORT   UDP port on 127.0.0.1 where QEMU sends frames\n"
          "  --guest PORT    UDP port on 127.0.0.1 where QEMU receives them\n"
          "  --net H:G       TCP 127.0.0.1:H forwarded to the guest's port G\n"
          "                  (10.0.2.15); repeatable\n"
          "  --net-faults SPEC  drop=P,dup=P,reorder=P,corrupt=P,delay=MS,seed=N\n"
          "                  (as flexos-vmm; prints the seed that replays it)\n"
          "  --pcap FILE     every frame, both ways, as delivered (pcap)\n"
          "  --stats         frame counts when it stops\n"
          "Stops on SIGTERM or SIGINT, exit status 0; 2 for bad options,\n"
          "1 when the network cannot start.\n");
  return status;
}

/* A port number 1..65535, or 0 when s is not one. */
static int port_of(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  return *s && !*end && v >= 1 && v <= 65535 ? (int)v : 0;
}

struct options {
  int listen_port, guest_port, stats, forwards;
};

/* Reads the options into o; returns -1 to go on, else the exit status
 * (--help, a bad option). */
static int read_options(int argc, char **argv, struct options *o) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h"))
      return usage(stdout, 0);
    if (i + 1 >= argc && strcmp(a, "--stats")) {
      fprintf(stderr, "flexos-netproxy: %s needs a value\n", a);
      return usage(stderr, 2);
    }
    const char *err = 0;
    if (!strcmp(a, "--listen")) {
      if (!(o->listen_port = port_of(argv[++i])))
        err = "--listen wants a port number 1..65535";
    } else if (!strcmp(a, "--guest")) {
      if (!(o->guest_port = port_of(argv[++i])))
        err = "--guest wants a port number 1..65535";
    } else if (!strcmp(a, "--net")) {
      err = vmm_net_add_forward(argv[++i]);
      o->forwards++;
    } else if (!strcmp(a, "--net-faults")) {
      err = vmm_net_set_faults(argv[++i]);
      if (!err) {
        char spec[256];
        vmm_net_describe_faults(spec, sizeof(spec));
        fprintf(stderr, "flexos-netproxy: network faults: %s (replay with "
                "--net-faults '%s')\n", spec, spec);
      }
    } else if (!strcmp(a, "--pcap")) {
      err = vmm_net_capture(argv[++i]);
    } else if (!strcmp(a, "--stats")) {
      o->stats = 1;
    } else {
      fprintf(stderr, "flexos-netproxy: unknown option '%s'\n", a);
      return usage(stderr, 2);
    }
    if (err) {
      fprintf(stderr, "flexos-netproxy: %s\n", err);
      return usage(stderr, 2);
    }
  }
  if (!o->listen_port || !o->guest_port || !o->forwards) {
    fprintf(stderr, "flexos-netproxy: --listen, --guest and at least one "
            "--net are needed\n");
    return usage(stderr, 2);
  }
  return -1;
}

/* The UDP socket QEMU's frames arrive on, attached as the guest; then
 * slirp with the port forwards.  0 or a message. */
static const char *attach_guest(const struct options *o) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->listen_port)};
  struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->guest_port)};
  inet_pton(AF_INET, "127.0.0.1", &me.sin_addr);
  inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
  if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0)
    return "cannot bind the UDP port for QEMU's frames";
  const char *err = vmm_net_attach_udp(fd, &peer);
  return err ? err : vmm_net_start();
}

static void print_stats(void) {
  uint64_t rx, tx, dropped;
  vmm_net_stats(&rx, &tx, &dropped);
  fprintf(stderr, "flexos-netproxy: stats: %lu frames to the guest, %lu "
          "from it, %lu dropped\n", rx, tx, dropped);
  vmm_net_fault_stats(stderr);
}

int main(int argc, char **argv) {
  struct options o = {0};
  int status = read_options(argc, argv, &o);
  if (status >= 0)
    return status;
  const char *err = attach_guest(&o);
  if (err) {
    fprintf(stderr, "flexos-netproxy: %s\n", err);
    return 1;
  }
  struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART */
  sigaction(SIGTERM, &sa, 0);
  sigaction(SIGINT, &sa, 0);
  fprintf(stderr, "flexos-netproxy: frames on udp 127.0.0.1:%d <-> "
          "127.0.0.1:%d\n", o.listen_port, o.guest_port);
  while (!stop)
    vmm_net_poll(-1, &stop);
  if (o.stats)
    print_stats();
  return 0;
}
