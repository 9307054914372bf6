/*
 * FILE: runtime/ept/ept.c
 * DESCRIPTION:
 *   The guest half of the vm-ept backend (docs/vm.md).  Under vm-ept every
 *   compartment runs in its own VM created by tools/flexos-vmm from the
 *   same image; this file is what each VM's runtime does differently:
 *     - ept_boot():  read the monitor's info page (which compartment this
 *                    VM is, where its private and shared pages are);
 *     - __flexos_ept_call(): the caller's side of a gate: trap (or ring a
 *                    polling callee's doorbell) and serve the nested
 *                    requests that arrive while waiting;
 *     - serve():     the callee's dispatcher: copy the request out of
 *                    shared memory, accept only identifiers this
 *                    compartment exports (.flexos_ept_entries) with the
 *                    right argument count and, unless check-pointers is
 *                    off, pointer arguments into the shared region; run
 *                    it; write the result back;
 *     - fibers:      threads live in the default VM (its scheduler), and
 *                    several of them may be inside another VM at once,
 *                    each blocked in a call back out (lwIP waiting on a
 *                    semaphore).  So every VM but the default one serves
 *                    each request on a fiber of its own and, when the
 *                    monitor says which call finished, resumes the fiber
 *                    that made it.  The default VM serves on the calling
 *                    thread's own stack: a request always comes from the
 *                    thread that holds the (one) CPU;
 *     - idle and events: the default VM's idle thread asks the monitor to
 *                    wait (FLEXOS_EPT_TRAP_IDLE); device events come back
 *                    as `events` bits, run as interrupt lines.
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

/* gates/ept_gate.S: outl value -> FLEXOS_EPT_PORT */
void __flexos_ept_trap(uint64_t value);

extern const struct flexos_ept_entry __flexos_ept_entries_start[],
    __flexos_ept_entries_end[];
extern char __shared_start[], __shared_end[];

/* A private copy of the info page; `live` is the page itself (the monitor
 * writes `inbox` there). */
static struct flexos_ept_info vm;
static volatile struct flexos_ept_info *live;

/* Polling mode: a caller writes the slot into the callee's doorbell; a
 * VM that waits for a call spins and sets `waiting` so that a polling
 * callee rings its doorbell for callbacks.  Shared memory: any VM may
 * ring any doorbell, which is why serve() trusts nothing it reads. */
__attribute__((section(".bss.flexos_shared")))
static volatile uint64_t doorbell[FLEXOS_MAX_COMPARTMENTS];
__attribute__((section(".bss.flexos_shared")))
static volatile uint64_t waiting[FLEXOS_MAX_COMPARTMENTS];
__attribute__((section(".bss.flexos_shared")))
static volatile uint64_t trapped[FLEXOS_MAX_COMPARTMENTS];

static uint64_t refused; /* requests this VM refused (reports) */

static int ept_active(void) {
  return flexos_image_config.mechanism == FLEXOS_MECH_EPT;
}

static int ept_self(void) { return (int)vm.compartment; }


/* Runs first in kmain, while the low 1 MiB is still mapped. */
static void ept_boot(void) {
  if (!ept_active())
    return;
  const struct flexos_ept_info *info = (const void *)FLEXOS_EPT_INFO_ADDR;
  if ((info->magic & ~0xffull) == (FLEXOS_EPT_MAGIC_BASE & ~0xffull) &&
      info->magic != FLEXOS_EPT_MAGIC)
    flexos_panic("vm-ept: the monitor speaks flexos ABI %d, this image %d: "
                 "build both from the same tree",
                 (int)(info->magic - FLEXOS_EPT_MAGIC_BASE), FLEXOS_ABI_VERSION);
  if (info->magic != FLEXOS_EPT_MAGIC)
    flexos_panic("this image uses vm-ept: run it with tools/flexos-vmm, "
                 "not QEMU (no monitor info page at 0x%x)",
                 FLEXOS_EPT_INFO_ADDR);
  vm = *info;
  if (vm.compartment >= flexos_image_config.ncompartments ||
      vm.ncompartments != flexos_image_config.ncompartments)
    flexos_panic("vm-ept: monitor and image disagree on compartments");
}

/* After paging: allocators on this VM's pools, and the info page mapped
 * again (paging_init leaves the low 1 MiB unmapped). */
static void entries_init(void);

static void ept_pools(void) {
  page_alloc_init(vm.private_pool_start, vm.private_pool_end);
  page_alloc_init_shared(vm.shared_slice_start, vm.shared_slice_end);
  page_alloc_pools_are_zero(); /* the monitor's memory starts zeroed */
  paging_map(FLEXOS_EPT_INFO_ADDR, 1, paging_default_key(), 1);
  live = (volatile struct flexos_ept_info *)FLEXOS_EPT_INFO_ADDR;
  entries_init();
}

/* Before ept_pools the info page is read through the boot copy. */
static uint64_t ept_ticks(void) { return live ? live->ticks : vm.ticks; }

extern char __text_start[], __text_end[];

/* Which shared region holds a: 1 the shared section, 2 the monitor's
 * shared pool, 0 neither. */
static int shared_region(uint64_t a) {
  if (a >= (uintptr_t)__shared_start && a < (uintptr_t)__shared_end)
    return 1;
  return a >= vm.shared_pool_start && a < vm.shared_pool_end ? 2 : 0;
}

static int in_shared(uint64_t a) { return shared_region(a) != 0; }

static int ept_is_shared(uintptr_t a, size_t len) {
  if (len == 0)
    len = 1;
  if (a + len < a)
    return 0;
  int r = shared_region(a);
  return r && r == shared_region(a + len - 1);
}



/* This compartment's entries, hashed by identifier at boot (open
 * addressing): a request costs one or two probes, not a scan.  The table
 * is this VM's private memory. */
#define ENTRY_TABLE 256
static const struct flexos_ept_entry *entry_table[ENTRY_TABLE];
static int any_polling; /* some compartment polls: keep doorbell state */
static int fibers_on;   /* this VM serves on fibers (set at boot) */

static void entries_init(void) {
  size_t n = 0;
  for (const struct flexos_ept_entry *e = __flexos_ept_entries_start;
       e < __flexos_ept_entries_end; e++) {
    if (e->compartment != vm.compartment)
      continue;
    if (++n > ENTRY_TABLE / 2)
      flexos_panic("vm-ept: more than %d gate entries in compartment %s",
                   ENTRY_TABLE / 2, flexos_compartment_name(ept_self()));
    size_t h = e->fn_id % ENTRY_TABLE;
    while (entry_table[h])
      h = (h + 1) % ENTRY_TABLE;
    entry_table[h] = e;
  }
  for (uint32_t i = 0; i < flexos_image_config.ncompartments; i++)
    any_polling |= flexos_image_config.comp[i].polling != 0;
  fibers_on = ept_self() != (int)flexos_image_config.default_index &&
              !vm.polling;
}

static const struct flexos_ept_entry *lookup(uint64_t fn_id) {
  for (size_t h = fn_id % ENTRY_TABLE; entry_table[h]; h = (h + 1) % ENTRY_TABLE)
    if (entry_table[h]->fn_id == fn_id)
      return entry_table[h];
  return 0;
}

static void refuse(struct flexos_rpc_slot *s, uint64_t fn_id, const char *why,
                   uint64_t detail) {
  refused++;
  console_printf("flexos: compartment %s refused call 0x%lx: %s (0x%lx)\n",
         flexos_compartment_name(ept_self()), fn_id, why, detail);
  s->ret[0] = ~0ull;
  __atomic_store_n(&s->state, FLEXOS_RPC_STATE_ERROR, __ATOMIC_RELEASE);
}

/* The thread's RPC slot while it serves: nested calls made by the callee
 * must not overwrite the slot of the call that is still in progress. */
static struct flexos_tcb *tcb(void) {
  uint64_t self;
  __asm__ volatile("movq %%gs:%c1, %0" : "=r"(self) : "i"(FLEXOS_TCB_SELF));
  return (struct flexos_tcb *)self;
}

/* What the monitor left in the info page when it resumed us. */
struct message {
  uint64_t serve, done;
  int from; /* the compartment that sent `serve` (the monitor says) */
};

/* A request that came by doorbell: the sender is not known. */
#define FROM_UNKNOWN (-1)

static struct message take_message(void) {
  struct message msg = {live->inbox, live->done, (int)live->from};
  live->inbox = 0;
  live->done = 0;
  return msg;
}

static __attribute__((noreturn)) void protocol_error(const char *what,
                                                     struct message msg) {
  flexos_panic("vm-ept: compartment %s: %s (request 0x%lx, finished 0x%lx)",
               flexos_compartment_name(ept_self()), what, msg.serve, msg.done);
}

/* The runtime's own entry, in the VMs that serve on fibers: start a
 * thread of the default VM's scheduler here (flexos_ctx_create of another
 * VM's compartment).  Only the default VM, which owns the threads, may
 * ask (the monitor names the sender), and the entry must be code.  It
 * never returns (it ends the thread with a gate into sched), so the fiber
 * serving it is the thread's for good. */
static void thread_start_here(struct flexos_rpc_slot *s, const uint64_t *args,
                              int from) {
  if (!fibers_on || any_polling)
    return refuse(s, FLEXOS_EPT_THREAD_START_ID,
                  "no threads start in this VM (the default one, or polling)",
                  (uint64_t)from);
  if (from != (int)flexos_image_config.default_index)
    return refuse(s, FLEXOS_EPT_THREAD_START_ID,
                  "thread starts come from the default compartment only",
                  (uint64_t)from);
  if (args[0] < (uintptr_t)__text_start || args[0] >= (uintptr_t)__text_end)
    return refuse(s, FLEXOS_EPT_THREAD_START_ID, "thread entry is not code",
                  args[0]);
  ((void (*)(void *, void *))args[0])((void *)args[1], (void *)args[2]);
  flexos_panic("vm-ept: thread %lu: its entry 0x%lx returned",
               flexos_thread_id(), args[0]);
}

static void serve(uint64_t slot_addr, int from) {
  struct flexos_rpc_slot *s = (struct flexos_rpc_slot *)slot_addr;
  if (!in_shared(slot_addr) || !in_shared(slot_addr + sizeof(*s) - 1)) {
    refused++;
    console_printf("flexos: compartment %s: request slot 0x%lx is not shared\n",
           flexos_compartment_name(ept_self()), slot_addr);
    return;
  }
  /* Copy once: the caller (or anyone) may rewrite shared memory. */
  uint64_t fn_id = s->fn_id;
  /* A fiber carries its caller's thread id (a hint: wake-ups it asks for
   * name that thread); the default VM's threads keep their own. */
  if (fibers_on)
    thread_fiber_set_id(s->thread);
  uint32_t nargs = s->nargs, dst = s->dst;
  uint64_t args[FLEXOS_RPC_MAX_ARGS];
  if (dst != vm.compartment)
    return refuse(s, fn_id, "addressed to another compartment", dst);
  if (fn_id == FLEXOS_EPT_THREAD_START_ID && nargs == 3) {
    for (uint32_t i = 0; i < nargs; i++)
      args[i] = s->args[i];
    return thread_start_here(s, args, from);
  }
  const struct flexos_ept_entry *e = lookup(fn_id);
  if (!e)
    return refuse(s, fn_id, "not a gate entry of this compartment", fn_id);
  if (nargs != e->nargs)
    return refuse(s, fn_id, "wrong argument count", nargs);
  for (uint32_t i = 0; i < nargs; i++)
    args[i] = s->args[i];
  if (flexos_image_config.comp[vm.compartment].check_pointers)
    for (uint32_t i = 0; i < nargs; i++)
      if ((e->pointer_mask >> i & 1) && args[i] && !in_shared(args[i]))
        return refuse(s, fn_id, "pointer argument outside the shared region",
                      args[i]);
  /* Calls the callee makes use the thread's next slot: the one it called
   * out with may still be in progress. */
  struct flexos_tcb *t = tcb();
  uint64_t outer = t->rpc_slot;
  if (outer + 2 * sizeof(struct flexos_rpc_slot) > t->rpc_slot_end)
    return refuse(s, fn_id, "calls nested too deeply", FLEXOS_EPT_MAX_DEPTH);
  t->rpc_slot = outer + sizeof(struct flexos_rpc_slot);
  uint64_t r = e->unpack(args);
  t->rpc_slot = outer;
  s->ret[0] = r;
  __atomic_store_n(&s->state, FLEXOS_RPC_STATE_DONE, __ATOMIC_RELEASE);
}

/* The default VM and polling VMs: trap with `value` and serve what the
 * monitor hands us, on this stack, until it says that `mine` finished
 * (mine = 0: until it resumes us with nothing). */
static void trap_and_serve(uint64_t value, uint64_t mine) {
  for (;;) {
    __flexos_ept_trap(value);
    struct message msg = take_message();
    if (!msg.serve) {
      if (msg.done != mine)
        protocol_error("the monitor finished a call this thread is not "
                       "waiting for", msg);
      return;
    }
    serve(msg.serve, msg.from);
    value = msg.serve; /* the next trap reports this call as finished */
  }
}

/* ---- fibers: every VM but the default one ------------------------------ */

#define MAX_FIBERS 160 /* the runtime's thread limit (runtime/core/thread.c) */

struct fiber {
  struct flexos_thread *thread;
  uint64_t request; /* the slot it serves (set by whoever starts it) */
  int from;         /* the compartment that sent the request */
  uint64_t waits_on; /* the slot of its call in progress, 0 = none */
  int busy;
};

static struct fiber fibers[MAX_FIBERS];
static int nfibers;
static struct fiber *current_fiber;

static void run_fiber(struct fiber *f) {
  struct fiber *self = current_fiber;
  current_fiber = f;
  thread_fiber_switch(f->thread);
  current_fiber = self; /* someone ran us again */
}

static void fiber_main(void *arg);

/* A fiber with nothing to do, made when all are busy. */
static struct fiber *fiber_idle(void) {
  for (int i = 0; i < nfibers; i++)
    if (!fibers[i].busy)
      return &fibers[i];
  if (nfibers == MAX_FIBERS)
    flexos_panic("vm-ept: compartment %s: more than %d calls in progress",
                 flexos_compartment_name(ept_self()), MAX_FIBERS);
  struct fiber *f = &fibers[nfibers];
  if (!(f->thread = thread_fiber_create(fiber_main, f)))
    flexos_panic("vm-ept: compartment %s: no thread slot or memory for "
                 "fiber %d (fibers count against the runtime's 160 threads)",
                 flexos_compartment_name(ept_self()), nfibers + 1);
  nfibers++;
  return f;
}

static struct fiber *fiber_waiting_on(uint64_t slot) {
  for (int i = 0; i < nfibers; i++)
    if (fibers[i].busy && fibers[i].waits_on == slot)
      return &fibers[i];
  return 0;
}

/* Trap with `value`, then pass on what the monitor hands us until
 * something is for the calling fiber: a request goes to an idle fiber (or
 * to the caller, when it is idle itself: mine = 0), a finished call to
 * the fiber that made it.  Returns when the caller's call `mine` has
 * finished, or, for an idle caller, the request it is to serve. */
static uint64_t fiber_trap(uint64_t value, uint64_t mine, int *from) {
  struct fiber *self = current_fiber;
  __flexos_ept_trap(value);
  struct message msg = take_message();
  struct fiber *next;
  if (msg.serve) {
    if (!mine) {
      *from = msg.from;
      return msg.serve;
    }
    next = fiber_idle();
    next->request = msg.serve;
    next->from = msg.from;
    next->busy = 1;
  } else if (msg.done && msg.done == mine) {
    return 0;
  } else if (!msg.done || !(next = fiber_waiting_on(msg.done))) {
    protocol_error("the monitor finished a call no fiber waits for", msg);
  }
  /* We are run again when our own call finished, or, idle, with a
   * request in self->request. */
  run_fiber(next);
  if (!mine)
    *from = self->from;
  return mine ? 0 : self->request;
}

static void fiber_serve(struct fiber *f) { serve(f->request, f->from); }

/* A fiber's life: serve, report, wait idle for the next request. */
static __attribute__((noreturn)) void fiber_loop(struct fiber *f) {
  for (;;) {
    fiber_serve(f);
    f->busy = 0;
    f->request = fiber_trap(f->request, 0, &f->from);
    f->busy = 1;
  }
}

static void fiber_main(void *arg) { fiber_loop(arg); }

/* Spin until the slot leaves REQUEST, serving our own doorbell meanwhile
 * (a polling callee rings it for callbacks).  The caller has set
 * waiting[self]. */
static void spin_and_serve(struct flexos_rpc_slot *s) {
  int self = ept_self();
  while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) ==
         FLEXOS_RPC_STATE_REQUEST) {
    uint64_t in = __atomic_exchange_n(&doorbell[self], 0, __ATOMIC_ACQ_REL);
    if (in) {
      waiting[self] = 0; /* serving may trap: no doorbells meanwhile */
      serve(in, FROM_UNKNOWN);
      waiting[self] = 1;
    } else {
      __builtin_ia32_pause();
    }
  }
}

/* Ring dst's doorbell; a doorbell holds one request, so wait (serving our
 * own) while someone else's is pending. */
static void ring(uint32_t dst, struct flexos_rpc_slot *s) {
  int self = ept_self();
  uint64_t idle = 0;
  while (!__atomic_compare_exchange_n(&doorbell[dst], &idle, (uint64_t)s, 0,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    idle = 0;
    uint64_t in = __atomic_exchange_n(&doorbell[self], 0, __ATOMIC_ACQ_REL);
    if (in)
      serve(in, FROM_UNKNOWN);
    else
      __builtin_ia32_pause();
  }
}

/* Called by every vm-ept gate (passes/GateLowering.cpp) with the thread's
 * slot filled in.  The result, or ~0 with state ERROR, is in the slot.
 * A callee that spins (a polling compartment that is not itself trapped
 * in the monitor, or any compartment waiting in spin_and_serve) gets the
 * request through its doorbell; a parked one through the monitor. */
void __flexos_ept_call(struct flexos_rpc_slot *s) {
  s->thread = tcb()->thread_id;
  __atomic_store_n(&s->state, FLEXOS_RPC_STATE_REQUEST, __ATOMIC_RELEASE);
  /* With polling compartments calls stay nested (a VM belongs to one
   * call chain at a time, and sched threads are not supported): a fiber
   * serves what arrives while it waits on its own stack, like the default
   * VM, and may ring doorbells. */
  if (fibers_on && !any_polling) {
    current_fiber->waits_on = (uint64_t)s;
    fiber_trap((uint64_t)s, (uint64_t)s, 0);
    current_fiber->waits_on = 0;
    return;
  }
  if (!any_polling) {
    trap_and_serve((uint64_t)s, (uint64_t)s);
    return;
  }
  uint32_t dst = s->dst;
  int self = ept_self();
  int spins = dst < flexos_image_config.ncompartments &&
              ((flexos_image_config.comp[dst].polling && !trapped[dst]) ||
               waiting[dst]);
  if (spins) {
    /* Waiting is announced before the doorbell rings, so that a callee
     * calling straight back finds us spinning. */
    uint64_t was_waiting = waiting[self];
    waiting[self] = 1;
    ring(dst, s);
    spin_and_serve(s);
    waiting[self] = was_waiting;
    return;
  }
  /* While we are in the monitor nobody may ring our doorbell. */
  uint64_t was_waiting = waiting[self];
  waiting[self] = 0;
  if (vm.polling)
    trapped[self]++;
  trap_and_serve((uint64_t)s, (uint64_t)s);
  if (vm.polling)
    trapped[self]--;
  waiting[self] = was_waiting;
}

/* Polling VMs: spin on our doorbell forever. */
static __attribute__((noreturn)) void poll_forever(void) {
  int self = ept_self();
  for (;;) {
    uint64_t in = __atomic_exchange_n(&doorbell[self], 0, __ATOMIC_ACQ_REL);
    if (in)
      serve(in, FROM_UNKNOWN);
    else
      __builtin_ia32_pause();
  }
}

/* A non-default VM's main thread: report ready, then serve (as the first
 * fiber, or spinning on the doorbell). */
static int ept_serve_forever(int argc, char **argv) {
  (void)argc;
  (void)argv;
  if (vm.polling) {
    trap_and_serve(FLEXOS_EPT_TRAP_READY, 0);
    poll_forever();
  }
  struct fiber *f = &fibers[nfibers++];
  f->thread = thread_fiber_self();
  current_fiber = f;
  f->request = fiber_trap(FLEXOS_EPT_TRAP_READY, 0, &f->from);
  f->busy = 1;
  fiber_loop(f);
}

/* The default VM's idle context: nothing can run until tick `deadline`
 * (0: none) or a device event.  No request can arrive meanwhile: every
 * other VM only runs on behalf of a thread of ours. */
static void ept_take_events(void);

static void ept_idle(uint64_t deadline) {
  uint64_t now = flexos_ticks();
  live->idle_ns = !deadline ? 0 : deadline <= now ? 1 : (deadline - now) * 10000000ull;
  __flexos_ept_trap(FLEXOS_EPT_TRAP_IDLE);
  struct message msg = take_message();
  if (msg.serve || msg.done)
    protocol_error("the monitor handed work to the idle context", msg);
  ept_take_events();
}

/* Device lines the monitor raised while we were stopped. */
static void ept_take_events(void) {
  if (!ept_active() || !live || !live->events)
    return;
  uint64_t ev = __atomic_exchange_n(&live->events, 0, __ATOMIC_ACQ_REL);
  for (int line = 1; line < 16; line++)
    if (ev >> line & 1)
      irq_line(line);
}

static void ept_start_remote(int compartment, void (*entry)(void *, void *),
                             void *a, void *b) {
  if (any_polling)
    flexos_panic("vm-ept: no thread can start in compartment %s: threads in "
                 "other VMs need `polling: false` in every compartment",
                 flexos_compartment_name(compartment));
  struct flexos_rpc_slot *s = (struct flexos_rpc_slot *)tcb()->rpc_slot;
  s->fn_id = FLEXOS_EPT_THREAD_START_ID;
  s->nargs = 3;
  s->dst = (uint32_t)compartment;
  s->args[0] = (uint64_t)entry;
  s->args[1] = (uint64_t)a;
  s->args[2] = (uint64_t)b;
  __flexos_ept_call(s);
}

/* Benchmarks: one VM exit and entry, nothing else. */
void flexos_ept_null_hypercall(void) { __flexos_ept_trap(FLEXOS_EPT_TRAP_NULL); }

uint64_t flexos_ept_refused(void) { return refused; }

/* ---- the mechanism table (runtime/core/mechanism.h) ------------------------ */

extern int main(int argc, char **argv);

static void ept_banner(const struct flexos_image_config *cfg, uint64_t ram_mib) {
  console_printf("flexos: image %s, VM of compartment %s (%u of %u), vm-ept, "
         "%lu MiB RAM\n", cfg->name, flexos_compartment_name(ept_self()),
         ept_self() + 1, cfg->ncompartments, ram_mib);
}

static void ept_memory_init(uintptr_t image_end) {
  (void)image_end; /* the monitor's pools, not the RAM after the image */
  ept_pools();
}

/* No interrupts here: the monitor raises events only while this VM is
 * stopped, so the ready check and the wait need no fencing. */
static void ept_idle_nothing(void) {}

/* Only main's VM runs main; the others serve gate calls. */
static int ept_main_or_serve(int argc, char **argv) {
  if (ept_self() == (int)flexos_image_config.default_index)
    return main(argc, argv);
  return ept_serve_forever(argc, argv);
}

static int ept_has_compartment(int index) { return index == ept_self(); }

/* A VM's protection is its memory view, which the monitor builds: no
 * protection keys inside a VM, so no PKRU is ever written (the interrupt
 * exit writes one only with keys on). */
static void ept_no_protection(void) {}
static uint32_t ept_thread_pkru(int compartment) {
  (void)compartment;
  return 0;
}
static int ept_pkru_valid(uint64_t pkru) {
  (void)pkru;
  return 1;
}
static const char *ept_interrupted(uint64_t pkru) {
  (void)pkru;
  return "none";
}

const struct mechanism mechanism_ept = {
    .boot = ept_boot,
    .banner = ept_banner,
    .protection_init = ept_no_protection,
    .protection_enable = ept_no_protection,
    .memory_init = ept_memory_init,
    .interrupts = 0,
    .ticks = ept_ticks,
    .take_events = ept_take_events,
    .idle_enter = ept_idle_nothing,
    .idle_leave = ept_idle_nothing,
    .idle_wait = ept_idle,
    .rpc_depth = FLEXOS_EPT_MAX_DEPTH,
    .serve = ept_main_or_serve,
    .home_compartment = ept_self,
    .has_compartment = ept_has_compartment,
    .thread_pkru = ept_thread_pkru,
    .pkru_valid = ept_pkru_valid,
    .interrupted = ept_interrupted,
    .is_shared = ept_is_shared,
    .start_remote = ept_start_remote,
    .pkru_compartment = 0, /* no record mode: no protection-key faults */
    .pkru_open = 0,
};
