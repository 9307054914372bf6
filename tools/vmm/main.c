/*
 * FILE: tools/vmm/main.c
 * DESCRIPTION:
 *   flexos-vmm, the vm-ept monitor: runs a flexos image whose
 *   compartments use `mechanism: vm-ept` as one KVM virtual machine per
 *   compartment (docs/vm.md; the files are listed in monitor.h).  This
 *   file reads the options, loads the image (image.c), creates the VMs
 *   (kvm.c), boots the callees until each reports ready, starts a thread
 *   per polling compartment, and then runs main's VM on this thread,
 *   passing gate traps to gates.c.  --timeout is a SIGALRM that
 *   interrupts KVM_RUN; the run ends in vmm_end (exit).
 * USAGE:
 *   flexos-vmm [--append "ARGS"] [--net HOST:GUEST]... [--timeout S]
 *              [--idle-timeout S] [--net-faults SPEC] [--stats] IMAGE.elf
 *   Exit status: the image's (0 ok, 1 failure, 2 panic, 3 fault), 3 for a
 *   fault the monitor saw, 4 for a monitor error, 124 for --timeout or
 *   --idle-timeout, 128+N when signal N (SIGTERM, SIGINT) stopped it.
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"

void vmm_end(int status) {
  exit(status);
}

static int usage(FILE *out, int status) {
  fprintf(out,
          "usage: flexos-vmm [--append \"ARGS\"] [--net HOST:GUEST]... [--timeout S]\n"
          "                  [--idle-timeout S] [--net-faults SPEC] [--stats] IMAGE.elf\n"
          "Runs a flexos image built with mechanism vm-ept: one KVM VM per\n"
          "compartment, gates as hypercalls (docs/vm.md).\n"
          "  --append ARGS  command line for main (argv[1..])\n"
          "  --net H:G      user networking (10.0.2.15 for the image, like\n"
          "                 QEMU's) with TCP 127.0.0.1:H forwarded to port G\n"
          "                 of the image (docs/network.md); repeatable; H = 0\n"
          "                 picks any free port\n"
          "  --timeout S    give up after S seconds (exit 124)\n"
          "  --idle-timeout S  give up when the default VM has waited S seconds\n"
          "                 in a row with no thread to run and nothing arriving\n"
          "                 (exit 124)\n"
          "  --net-faults SPEC  inject faults into the network device's frames,\n"
          "                 both ways: drop=P,dup=P,reorder=P,corrupt=P (P a\n"
          "                 probability, 0.02 or 2%%), delay=MS, seed=N; prints\n"
          "                 the seed, which replays the same decisions\n"
          "  --stats        print the number of VM exits of each VM at the end\n"
          "Exit status: the image's own (0 ok, 1 failure, 2 panic, 3 fault),\n"
          "3 for a fault the monitor reports, 4 for a monitor error, 124 for\n"
          "a timeout, 128+N when signal N (SIGTERM, SIGINT) stopped it.\n");
  return status;
}

/* The options into m and *timeout.  Returns -1 to go on, or the status
 * main returns with (--help, a usage error). */
static int read_options(int argc, char **argv, int *timeout) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return usage(stdout, 0);
    if (!strcmp(argv[i], "--append") && i + 1 < argc)
      m.append = argv[++i];
    else if (!strcmp(argv[i], "--net") && i + 1 < argc) {
      const char *err = vmm_net_add_forward(argv[++i]);
      if (err) {
        fprintf(m.reports, "flexos-vmm: %s\n", err);
        return usage(m.reports, 2);
      }
    } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
      *timeout = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--idle-timeout") && i + 1 < argc) {
      int s = atoi(argv[++i]);
      if (s <= 0) {
        fprintf(m.reports, "flexos-vmm: --idle-timeout wants a positive number of seconds, not '%s'\n", argv[i]);
        return usage(m.reports, 2);
      }
      m.idle_timeout_ns = (int64_t)s * 1000000000;
    }
    else if (!strcmp(argv[i], "--net-faults") && i + 1 < argc) {
      const char *err = vmm_net_set_faults(argv[++i]);
      if (err) {
        fprintf(m.reports, "flexos-vmm: %s\n", err);
        return usage(m.reports, 2);
      }
      char spec[256];
      vmm_net_describe_faults(spec, sizeof(spec));
      fprintf(m.reports, "flexos-vmm: network faults: %s (replay with "
              "--net-faults '%s')\n", spec, spec);
    } else if (!strcmp(argv[i], "--stats"))
      m.stats = 1;
    else if (argv[i][0] == '-' || m.path) {
      fprintf(m.reports, "flexos-vmm: unexpected argument '%s'\n", argv[i]);
      return usage(m.reports, 2);
    } else
      m.path = argv[i];
  }
  if (!m.path) {
    fprintf(m.reports, "flexos-vmm: no image given\n");
    return usage(m.reports, 2);
  }
  if (m.append && strlen(m.append) > 0xd00)
    die("--append: command line too long");
  return -1;
}

static void on_alarm(int sig) {
  (void)sig;
  m.timed_out = 1;
  /* Also stop a vCPU that is about to enter the guest. */
  for (uint32_t i = 0; i < m.n; i++)
    if (m.vms[i].run)
      m.vms[i].run->immediate_exit = 1;
}

/* --timeout: the signal interrupts KVM_RUN on the thread it lands on,
 * which then reports where its VM was. */
/* SIGTERM, SIGINT: stop as a timeout does (the VMs leave KVM_RUN), but
 * report the signal, so that --stats still prints on the way out. */
static void on_stop(int sig) {
  m.stop_signal = sig;
  on_alarm(sig);
}

static void arm_timeout(int seconds) {
  struct sigaction stop = {.sa_handler = on_stop}; /* no SA_RESTART */
  sigaction(SIGTERM, &stop, 0);
  sigaction(SIGINT, &stop, 0);
  if (seconds <= 0)
    return;
  struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
  sigaction(SIGALRM, &sa, 0);
  alarm((unsigned)seconds);
}

/* A polling compartment's thread: after boot its VM spins in the guest
 * on its doorbell.  When it calls a parked (non-polling, not waiting)
 * compartment it traps, and this thread runs that call chain the way the
 * main thread runs main's. */
static void *polling_thread(void *arg) {
  struct vm *v = arg;
  struct vm *cur = v;
  struct chain *c = v->owner;
  for (;;)
    cur = gate_trap(c, cur, run_until_trap(cur));
  return 0;
}

static void start_polling_thread(struct vm *v) {
  pthread_t t;
  v->owner = calloc(1, sizeof(struct chain));
  if (!v->owner)
    die("out of memory");
  v->is_root = 1;
  if (pthread_create(&t, 0, polling_thread, v))
    die("cannot start the polling thread of %s", v->name);
}

/* Boot the callees first: each runs until its dispatcher reports ready. */
static void boot_callees(void) {
  for (uint32_t i = 0; i < m.n; i++) {
    struct vm *v = &m.vms[i];
    if (i == m.default_index)
      continue;
    uint64_t value = run_until_trap(v);
    if (value != FLEXOS_EPT_TRAP_READY)
      vm_fail(v, 1, "gate call (0x%lx) before the image was up", value);
    if (v->polling)
      start_polling_thread(v);
  }
}

/* Busy guests idle rarely: serve the network about once a millisecond
 * from gate traps too (without waiting). */
static void poll_network(struct timespec *last_poll) {
  if (!vmm_net_enabled())
    return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if ((now.tv_sec - last_poll->tv_sec) * 1000000000l + now.tv_nsec -
          last_poll->tv_nsec > 1000000) {
    *last_poll = now;
    if (vmm_net_poll(0, 0))
      raise_net_event();
  }
}

/* Then main, on this thread; callees run here when called. */
static __attribute__((noreturn)) void run_main(void) {
  static struct chain main_chain;
  struct vm *cur = &m.vms[m.default_index];
  cur->owner = &main_chain;
  cur->is_root = 1;
  struct timespec last_poll = {0};
  for (;;) {
    cur = gate_trap(&main_chain, cur, run_until_trap(cur));
    poll_network(&last_poll);
  }
}

int main(int argc, char **argv) {
  m.reports = stderr;
  int timeout = 0;
  int status = read_options(argc, argv, &timeout);
  if (status >= 0)
    return status;
  arm_timeout(timeout);
  load_image(m.path);
  create_vms();
  m.net_owner = -1;
  const char *net_err = vmm_net_start();
  if (net_err)
    die("%s", net_err);
  boot_callees();
  run_main();
}
