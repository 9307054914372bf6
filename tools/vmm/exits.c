/*
 * FILE: tools/vmm/exits.c
 * DESCRIPTION:
 *   The vm-ept monitor's exits: runs a VM's vCPU until it traps through a
 *   gate (gates.c takes it from there) and handles every other exit
 *   reason explicitly: port I/O (the console UART, the exit port, the gate
 *   port, the network device's two ports), MMIO (a page the VM does not
 *   own: a fault), HLT, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR, INTR
 *   (signals, --timeout).  Anything unexpected is reported with the VM,
 *   its compartment, RIP and the reason (docs/vm.md, "Exits").
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <flexos/runtime.h>

#include "net.h"

static void console_byte(struct vm *v, uint8_t c) {
  pthread_mutex_lock(&m.lock);
  if (v->at_line_start && v->index != (int)m.default_index)
    printf("[%s] ", v->name);
  putchar(c);
  v->at_line_start = c == '\n';
  if (c == '\n')
    fflush(stdout);
  pthread_mutex_unlock(&m.lock);
}

/* The 16550 registers the runtime's console touches.  Transmit-holding
 * register writes are output (unless DLAB is set); the line status reads
 * "transmitter empty"; everything else reads 0 and ignores writes. */
static void uart(struct vm *v, struct kvm_run *run, uint8_t *data) {
  uint16_t reg = run->io.port - FLEXOS_COM1_PORT;
  for (uint32_t i = 0; i < run->io.count; i++) {
    uint8_t *d = data + i * run->io.size;
    if (run->io.direction == KVM_EXIT_IO_OUT) {
      if (reg == 0 && !(v->uart_lcr & 0x80))
        console_byte(v, d[0]);
      else if (reg == 3)
        v->uart_lcr = d[0];
    } else {
      memset(d, 0, run->io.size);
      if (reg == 5)
        d[0] = 0x60;
    }
  }
}

/* The network driver registers its rings: they must lie in its own
 * compartment's memory, which only its VM (and this monitor) can reach. */
static void net_setup(struct vm *v, uint64_t gpa) {
  uint64_t size = sizeof(struct flexos_pvnet);
  if (gpa % PAGE || gpa >= m.span || size > m.span - gpa)
    vm_fail(v, 1, "network device at 0x%lx: not a page-aligned range of "
                  "guest memory", gpa);
  for (uint64_t a = gpa; a < gpa + size; a += PAGE)
    if (m.owner[a / PAGE] != v->index)
      vm_fail(v, 1, "network device at 0x%lx: page 0x%lx is %s, not "
                    "compartment %s's own memory", gpa, a,
              owner_name(m.owner[a / PAGE]), v->name);
  /* Only the driver's own rings: another compartment registering rings
   * in its own memory first would get the image's traffic. */
  if (!m.pvnet_device)
    vm_fail(v, 1, "network device at 0x%lx: the image has no network "
                  "driver (no symbol flexos_pvnet_device)", gpa);
  if (gpa != m.pvnet_device)
    vm_fail(v, 1, "network device at 0x%lx: not the driver's rings "
                  "(flexos_pvnet_device, at 0x%lx)", gpa, m.pvnet_device);
  const char *err = vmm_net_attach((struct flexos_pvnet *)(v->mem + gpa));
  if (err)
    vm_fail(v, 1, "%s", err);
  m.net_owner = v->index;
}

static const char *exit_name(uint32_t reason) {
  switch (reason) {
  case KVM_EXIT_UNKNOWN: return "unknown (hardware exit reason not known to KVM)";
  case KVM_EXIT_EXCEPTION: return "exception";
  case KVM_EXIT_DEBUG: return "debug";
  case KVM_EXIT_IRQ_WINDOW_OPEN: return "interrupt window open";
  case KVM_EXIT_NMI: return "NMI";
  case KVM_EXIT_TPR_ACCESS: return "TPR access";
  case KVM_EXIT_SYSTEM_EVENT: return "system event (reset or shutdown request)";
  case KVM_EXIT_X86_RDMSR: return "RDMSR";
  case KVM_EXIT_X86_WRMSR: return "WRMSR";
  }
  return "unhandled exit reason";
}

/* Handle one port I/O exit of v.  A gate trap sets *is_trap and *value
 * (the trap value); anything else is handled here and v resumes. */
void handle_io(struct vm *v, int *is_trap, uint64_t *value) {
  struct kvm_run *run = v->run;
  uint8_t *data = (uint8_t *)run + run->io.data_offset;
  uint16_t port = run->io.port;
  *is_trap = 0;
  if (port >= FLEXOS_COM1_PORT && port < FLEXOS_COM1_PORT + 8) {
    uart(v, run, data);
    return;
  }
  if (run->io.direction == KVM_EXIT_IO_OUT && run->io.count == 1) {
    uint32_t val = 0;
    memcpy(&val, data, run->io.size <= 4 ? run->io.size : 4);
    if (port == FLEXOS_EXIT_PORT) {
      /* Success is main's to declare; any VM may end the run failing,
       * with a status the process can carry whole (not 256: 0). */
      if (val == 0 && v->index != (int)m.default_index)
        vm_fail(v, 1, "compartment %s tried to end the run with success; "
                      "only the default compartment may", v->name);
      if (val > 127)
        vm_fail(v, 1, "compartment %s ended the run with status %u, which "
                      "is not a status (0-127)", v->name, val);
      pthread_mutex_lock(&m.lock);
      finish((int)val);
    }
    if (port == FLEXOS_EPT_PORT && run->io.size == 4) {
      *is_trap = 1;
      *value = val;
      return;
    }
    if (port == FLEXOS_PVNET_PORT_SETUP && run->io.size == 4) {
      net_setup(v, val);
      return;
    }
    if (port == FLEXOS_PVNET_PORT_KICK && run->io.size == 4) {
      if (v->index != m.net_owner)
        vm_fail(v, 1, "network kick from compartment %s, which does not own "
                      "the network device", v->name);
      const char *err = vmm_net_kick();
      if (err)
        vm_fail(v, 1, "%s", err);
      return;
    }
  }
  vm_fail(v, 1, "unexpected port I/O: %s of %u byte(s) at port 0x%x",
          run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read",
          run->io.size, port);
}

void handle_mmio(struct vm *v) {
  uint64_t gpa = v->run->mmio.phys_addr;
  const char *what = "no memory";
  if (gpa < m.span)
    what = owner_name(m.owner[gpa / PAGE]);
  vm_fail(v, FLEXOS_EXIT_FAULT,
          "fault: %s of %u bytes at guest-physical 0x%lx, which is not mapped "
          "in this VM (%s%s)",
          v->run->mmio.is_write ? "write" : "read", v->run->mmio.len, gpa,
          gpa < m.span && m.owner[gpa / PAGE] >= 0 ? "private memory of compartment "
                                                    : "",
          what);
}

/* The guests' clock (abi.h, flexos_ept_info.ticks): 100 Hz since start. */
static uint64_t ticks_now(void) {
  static struct timespec start;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (!start.tv_sec && !start.tv_nsec)
    start = now;
  return (uint64_t)(((now.tv_sec - start.tv_sec) * 1000000000l + now.tv_nsec -
                     start.tv_nsec) / 10000000);
}

/* Run v until it traps through a gate; returns the trap value. */
uint64_t run_until_trap(struct vm *v) {
  for (;;) {
    info_of(v)->ticks = ticks_now();
    int r = ioctl(v->vcpu, KVM_RUN, 0);
    if (r < 0) {
      if (errno == EINTR && m.stop_signal)
        vm_fail(v, 128 + m.stop_signal, "stopped by signal %d", m.stop_signal);
      if (errno == EINTR && m.timed_out)
        vm_fail(v, EXIT_TIMEOUT, "timeout (--timeout)");
      if (errno == EINTR || errno == EAGAIN)
        continue;
      vm_fail(v, EXIT_MONITOR_ERROR, "KVM_RUN: %s", strerror(errno));
    }
    v->exits++;
    struct kvm_run *run = v->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO: {
      int is_trap;
      uint64_t value;
      handle_io(v, &is_trap, &value);
      if (is_trap)
        return value;
      break;
    }
    case KVM_EXIT_MMIO:
      handle_mmio(v);
    case KVM_EXIT_HLT:
      vm_fail(v, 1, "halted (no thread can run and no interrupt will come)");
    case KVM_EXIT_SHUTDOWN:
      vm_fail(v, FLEXOS_EXIT_FAULT, "shutdown (triple fault)");
    case KVM_EXIT_FAIL_ENTRY:
      vm_fail(v, EXIT_MONITOR_ERROR, "VM entry failed (hardware reason 0x%llx)",
              (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    case KVM_EXIT_INTERNAL_ERROR:
      vm_fail(v, EXIT_MONITOR_ERROR, "KVM internal error (suberror %u)",
              run->internal.suberror);
    case KVM_EXIT_INTR:
      break; /* a signal: just resume */
    default:
      vm_fail(v, EXIT_MONITOR_ERROR, "unexpected exit %u: %s", run->exit_reason,
              exit_name(run->exit_reason));
    }
  }
}
