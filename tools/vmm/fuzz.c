/*
 * FILE: tools/vmm/fuzz.c
 * DESCRIPTION:
 *   libFuzzer harness for the vm-ept monitor's exit handlers: the
 *   monitor's own exits.c, gates.c, monitor.c and net.c, driven without
 *   KVM.  A hostile VM controls every register and every byte of
 *   its guest memory at each exit, so each input is a sequence of what a
 *   VM can do: write its memory (RPC slots, its info page, the network
 *   rings), trap through a gate with any value, do port I/O and MMIO,
 *   and let the monitor poll the network.  Three compartments (0 default,
 *   1 owning the network driver's rings, 2 polling) share one synthetic
 *   guest-physical layout; every buffer the monitor reads or writes is an
 *   exact-size heap block, so ASan catches any access outside guest memory.
 *   Checks beyond "no crash": a request is only ever handed to a callee
 *   when its slot lies in shared memory, its destination exists, is not
 *   the caller and does not poll, the callee learns the true caller, and
 *   no more calls than MAX_CALLS are in progress.  A run that the monitor
 *   ends (a VM fault, a protocol error, the exit port) ends the input:
 *   this file's vmm_end goes back to the harness instead of exiting.
 * USAGE:
 *   build/bin/flexos-vmm-fuzz -max_total_time=60 CORPUS_DIR SEED_DIR
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define FUZZ_PAGES 160ul
#define SHARED_FIRST 8ul   /* .flexos_shared: pages 8..15 */
#define SHARED_LAST 16ul
#define NET_FIRST 16ul     /* compartment 1's own pages: the network rings */
#define POOL_FIRST 96ul    /* the shared page pool: 96.. */

static jmp_buf fuzz_end;
static int fuzz_ending;

void vmm_end(int status) {
  (void)status;
  fuzz_ending = 1;
  longjmp(fuzz_end, 1);
}

static void fail(const char *what) {
  fprintf(stderr, "flexos-vmm-fuzz: %s\n", what);
  abort();
}

static uint8_t *run_pages[FLEXOS_MAX_COMPARTMENTS];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE); /* ends skip unlocks */
  pthread_mutex_init(&m.lock, &a);
  m.path = "fuzz.elf";
  /* the monitor's reports and the guests' console: not needed here */
  m.reports = getenv("FLEXOS_VMM_FUZZ_VERBOSE") ? stderr : fopen("/dev/null", "w");
  if (!m.reports || !freopen("/dev/null", "w", stdout))
    fail("cannot open /dev/null");
  m.n = 3;
  m.default_index = 0;
  m.span = FUZZ_PAGES * PAGE;
  m.image_end = POOL_FIRST * PAGE;
  m.shared_start = SHARED_FIRST * PAGE;
  m.shared_end = SHARED_LAST * PAGE;
  m.shared_pool_start = POOL_FIRST * PAGE;
  m.pvnet_device = NET_FIRST * PAGE;
  m.owner = malloc(FUZZ_PAGES);
  m.shared = malloc(m.span);
  for (uint64_t p = 0; p < FUZZ_PAGES; p++)
    m.owner[p] = p < 2 ? OWNER_PRIVATE : p < SHARED_FIRST ? OWNER_TEXT
               : p < SHARED_LAST ? OWNER_SHARED : p < POOL_FIRST ? 1 : OWNER_SHARED;
  static const char *names[] = {"app", "net", "poller"};
  for (uint32_t i = 0; i < m.n; i++) {
    struct vm *v = &m.vms[i];
    v->index = (int)i;
    v->name = names[i];
    v->fd = v->vcpu = -1;
    v->mem = malloc(m.span);
    run_pages[i] = malloc(PAGE);
    v->run = (struct kvm_run *)run_pages[i];
    v->polling = i == 2;
  }
  /* user networking, as with --net: the rings reach libslirp */
  if (vmm_net_add_forward("0:7") || vmm_net_start())
    fail("cannot start user networking");
  return 0;
}

/* The input, read as a stream; zeros when it runs out. */
struct input {
  const uint8_t *p;
  size_t left;
};

static uint64_t take(struct input *in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) {
    v |= (uint64_t)(in->left ? *in->p : 0) << (8 * i);
    if (in->left) {
      in->p++;
      in->left--;
    }
  }
  return v;
}

static struct chain main_chain, poll_chain;
static int idled; /* an idle trap waits a millisecond: one per input */

static void reset(void) {
  memset(m.shared, 0, m.span);
  for (uint32_t i = 0; i < m.n; i++) {
    struct vm *v = &m.vms[i];
    memset(v->mem, 0, m.span);
    memset(run_pages[i], 0, PAGE);
    v->owner = 0;
    v->refs = 0;
    v->is_root = 0;
    v->uart_lcr = 0;
    v->at_line_start = 1;
  }
  memset(&main_chain, 0, sizeof main_chain);
  memset(&poll_chain, 0, sizeof poll_chain);
  m.vms[0].owner = &main_chain;
  m.vms[0].is_root = 1;
  m.vms[2].owner = &poll_chain;
  m.vms[2].is_root = 1;
  /* the driver's rings stay registered from an earlier input (the device
   * is registered once per run; a second registration is refused) */
  m.net_owner = vmm_net_attached() ? 1 : -1;
  m.idle_timeout_ns = 0;
  m.idle_since_ns = 0;
  idled = 0;
}

/* A gate trap, checked against what the monitor may do with it. */
static void trap(struct vm *v, uint64_t value) {
  struct chain *c = v->owner ? v->owner : &main_chain;
  int before = c->depth;
  if (value == FLEXOS_EPT_TRAP_IDLE) {
    if (idled++)
      return;
    info_of(v)->idle_ns = 1000; /* the guest's own sleep is not the monitor's bug */
  }
  struct vm *next = gate_trap(c, v, value);
  if (c->depth > MAX_CALLS)
    fail("more calls in progress than MAX_CALLS");
  if (c->depth == before + 1) {
    struct call *call = &c->calls[c->depth - 1];
    if (!slot_is_shared(call->slot))
      fail("a request whose slot is not in shared memory was served");
    if (call->callee < 0 || call->callee >= (int)m.n || call->callee == call->caller ||
        m.vms[call->callee].polling)
      fail("a request went to a destination that should have been refused");
    if (next != &m.vms[call->callee] || info_of(next)->inbox != call->slot ||
        info_of(next)->from != (uint64_t)call->caller)
      fail("the callee was not told the request and its true caller");
  }
}

static const uint16_t ports[] = {FLEXOS_COM1_PORT,        FLEXOS_COM1_PORT + 3,
                                 FLEXOS_COM1_PORT + 5,    FLEXOS_EPT_PORT,
                                 FLEXOS_PVNET_PORT_SETUP, FLEXOS_PVNET_PORT_KICK,
                                 FLEXOS_EXIT_PORT,        0x80};

static void port_io(struct vm *v, struct input *in, int out) {
  struct kvm_run *run = v->run;
  uint8_t kind = (uint8_t)take(in, 1);
  run->exit_reason = KVM_EXIT_IO;
  run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
  run->io.port = kind & 0x80 ? (uint16_t)take(in, 2) : ports[kind % 8];
  run->io.size = (uint8_t)(1u << (take(in, 1) % 3));
  run->io.count = 1 + (uint32_t)(take(in, 1) % 2);
  run->io.data_offset = 1024;
  uint32_t value = (uint32_t)take(in, 4);
  if (run->io.port == FLEXOS_PVNET_PORT_SETUP && (kind & 0x40))
    value = (uint32_t)m.pvnet_device; /* the right address, often */
  memcpy(run_pages[v->index] + 1024, &value, 4);
  int is_trap = 0;
  uint64_t trap_value = 0;
  handle_io(v, &is_trap, &trap_value);
  if (is_trap)
    trap(v, trap_value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct input in = {data, size};
  reset();
  fuzz_ending = 0;
  if (setjmp(fuzz_end))
    return 0; /* the monitor ended the run: a refusal it reported */
  for (int step = 0; step < 64 && in.left; step++) {
    struct vm *v = &m.vms[take(&in, 1) % m.n];
    uint8_t op = (uint8_t)take(&in, 1) % 9;
    switch (op) {
    case 0: { /* a gate trap with a slot in the shared section, or raw */
      uint64_t value = take(&in, 1) & 1 ? m.shared_start + 8 * (take(&in, 2) % 1024)
                                        : take(&in, 4);
      trap(v, value);
      break;
    }
    case 1: { /* finish one of the calls in progress (or pretend to) */
      struct chain *c = v->owner ? v->owner : &main_chain;
      uint64_t value = c->depth ? c->calls[take(&in, 1) % c->depth].slot : take(&in, 4);
      trap(v, value);
      break;
    }
    case 2: { /* write an RPC slot in shared memory */
      uint64_t off = m.shared_start + 8 * (take(&in, 2) % 1024);
      if (off + sizeof(struct flexos_rpc_slot) <= m.shared_end) {
        struct flexos_rpc_slot *s = slot_ptr(off);
        s->state = take(&in, 1) % 4;
        s->dst = (uint32_t)(take(&in, 1) % 4);
        s->nargs = (uint32_t)take(&in, 1);
        s->fn_id = take(&in, 8);
        s->args[0] = take(&in, 8);
      }
      break;
    }
    case 3:
      port_io(v, &in, 1);
      break;
    case 4:
      port_io(v, &in, 0);
      break;
    case 5: /* touch memory that is not mapped in this VM */
      v->run->exit_reason = KVM_EXIT_MMIO;
      v->run->mmio.phys_addr = take(&in, 4);
      v->run->mmio.len = (uint32_t)(1 + take(&in, 1) % 8);
      v->run->mmio.is_write = (uint8_t)(take(&in, 1) & 1);
      handle_mmio(v);
    case 6: { /* write any 8 bytes of this VM's memory or of shared memory */
      uint64_t off = take(&in, 4) % (m.span - 8);
      uint64_t val = take(&in, 8);
      uint8_t *base = m.owner[off / PAGE] == OWNER_SHARED ? m.shared : v->mem;
      memcpy(base + off, &val, 8);
      break;
    }
    case 7: { /* a frame in the driver's transmit ring, then head/tail */
      struct flexos_pvnet *dev = (struct flexos_pvnet *)(m.vms[1].mem + m.pvnet_device);
      uint32_t slot = (uint32_t)take(&in, 1) % FLEXOS_PVNET_SLOTS;
      uint32_t len = (uint32_t)take(&in, 2);
      dev->tx[slot].len = len;
      for (uint32_t i = 0; i < 64 && i < sizeof dev->tx[slot].data; i++)
        dev->tx[slot].data[i] = (uint8_t)take(&in, 1);
      dev->tx_head = (uint32_t)take(&in, 4);
      dev->tx_tail = (uint32_t)take(&in, 4);
      dev->rx_head = (uint32_t)take(&in, 4);
      dev->rx_tail = (uint32_t)take(&in, 4);
      break;
    }
    case 8: { /* the host side of the network runs (fills the receive ring) */
      static const volatile int never;
      vmm_net_poll(0, &never);
      break;
    }
    }
  }
  return 0;
}
