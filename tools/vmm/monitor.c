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

#include <flexos/runtime.h> /* FLEXOS_EXIT_FAULT */
#include <flexos/symtab.h>

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

/* 8 bytes of VM v's memory at gpa (8-aligned), as the VM sees them. */
static int guest_read8(const struct vm *v, uint64_t gpa, uint64_t *value) {
  if ((gpa & 7) || gpa >= m.span || !m.owner)
    return 0;
  int o = m.owner[gpa / PAGE];
  const uint8_t *base = o == OWNER_PRIVATE || o == v->index ? v->mem
                        : o == OWNER_TEXT || o == OWNER_SHARED ? m.shared : 0;
  if (!base)
    return 0;
  memcpy(value, base + gpa, sizeof *value);
  return 1;
}

/* Where v stopped, in the names of the image's symbol table (from the
 * ELF file, include/flexos/symtab.h): the function and line of rip and of
 * the two callers above it, along the guest's frame-pointer chain. */
static void report_code_location(struct vm *v) {
  struct kvm_regs regs;
  struct flexos_symtab t;
  if (ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0 || !m.symtab_start ||
      !flexos_symtab_open(&t, m.image + m.symtab_start,
                          m.symtab_end - m.symtab_start))
    return;
  char where[192];
  flexos_symtab_describe(&t, regs.rip, where, sizeof where);
  fprintf(m.reports, "flexos-vmm: VM %d (compartment %s): in %s (0x%llx)\n",
          v->index, v->name, where, regs.rip);
  uint64_t rbp = regs.rbp, next, ret;
  for (int depth = 0; depth < 2; depth++) {
    if (!rbp || !guest_read8(v, rbp, &next) || !guest_read8(v, rbp + 8, &ret) ||
        !ret) {
      fprintf(m.reports, "flexos-vmm: VM %d (compartment %s): called from ? "
              "(no frame pointer chain further)\n", v->index, v->name);
      return;
    }
    flexos_symtab_describe(&t, ret - 1, where, sizeof where);
    fprintf(m.reports, "flexos-vmm: VM %d (compartment %s): called from %s "
            "(0x%lx)\n", v->index, v->name, where, ret);
    rbp = next;
  }
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
  if (status == FLEXOS_EXIT_FAULT)
    report_code_location(v);
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
