/*
 * FILE: tools/vmm/monitor.c
 * DESCRIPTION:
 *   The vm-ept monitor's state (m, monitor.h) and its reports.  Every
 *   report goes to m.reports (stderr for flexos-vmm); every report that
 *   ends the run, and the exit port, end in vmm_end, which main.c
 *   defines as exit() and the fuzzer (fuzz.c) as "take the next input".
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <stdarg.h>
#include <sys/ioctl.h>

#include "net.h"

struct monitor m = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void print_stats(void) {
  if (!m.stats)
    return;
  for (uint32_t i = 0; i < m.n; i++)
    fprintf(m.reports, "flexos-vmm: stats: VM %u (%s): %lu exits\n", i,
            m.vms[i].name ? m.vms[i].name : "?", m.vms[i].exits);
  if (vmm_net_enabled()) {
    uint64_t rx, tx, dropped;
    vmm_net_stats(&rx, &tx, &dropped);
    fprintf(m.reports, "flexos-vmm: stats: network: %lu frames in, %lu out, "
            "%lu dropped\n", rx, tx, dropped);
    vmm_net_fault_stats(m.reports);
  }
}

void finish(int status) {
  fflush(stdout);
  print_stats();
  vmm_end(status);
}

void die(const char *fmt, ...) {
  va_list ap;
  pthread_mutex_lock(&m.lock);
  fflush(stdout);
  fprintf(m.reports, "flexos-vmm: %s: error: ", m.path ? m.path : "");
  va_start(ap, fmt);
  vfprintf(m.reports, fmt, ap);
  va_end(ap);
  fputc('\n', m.reports);
  vmm_end(EXIT_MONITOR_ERROR);
}

static uint64_t vm_rip(struct vm *v) {
  struct kvm_regs regs;
  if (ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0)
    return 0;
  return regs.rip;
}

void vm_fail(struct vm *v, int status, const char *fmt, ...) {
  va_list ap;
  uint64_t rip = vm_rip(v);
  pthread_mutex_lock(&m.lock);
  fflush(stdout);
  fprintf(m.reports, "flexos-vmm: VM %d (compartment %s), rip 0x%lx: ",
          v->index, v->name, rip);
  va_start(ap, fmt);
  vfprintf(m.reports, fmt, ap);
  va_end(ap);
  fputc('\n', m.reports);
  finish(status);
}

const char *owner_name(int owner) {
  switch (owner) {
  case OWNER_PRIVATE: return "runtime-private memory";
  case OWNER_TEXT: return "code";
  case OWNER_SHARED: return "shared memory";
  }
  return m.vms[owner].name;
}
