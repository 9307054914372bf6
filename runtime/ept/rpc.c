/*
 * FILE: runtime/ept/rpc.c
 * DESCRIPTION:
 *   The compartment's half of the vm-ept backend (docs/vm.md): in a
 *   ring-3 image this is compartment code in ring 3, like the libc; the
 *   core's half is runtime/ept/ept.c, reached through runtime/ept/rpc.h.
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
 *                    thread that holds the (one) CPU.
 * License: MIT (see LICENSE)
 */
#include <flexos/runtime.h>

#include "kernel.h"
#include "mechanism.h"
#include "rpc.h"

extern const struct flexos_ept_entry __flexos_ept_entries_start[],
    __flexos_ept_entries_end[];
extern char __text_start[], __text_end[];

static uint64_t refused; /* requests this VM refused (reports) */

static int ept_self(void) { return (int)flexos_ept_vm.compartment; }

static int in_shared(uint64_t a) { return flexos_space_is_shared(a, 1); }

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

/* This compartment's entries, hashed by identifier at boot (open
 * addressing): a request costs one or two probes, not a scan.  The table
 * is this VM's private memory. */
#define ENTRY_TABLE 256
static const struct flexos_ept_entry *entry_table[ENTRY_TABLE];
static int any_polling; /* some compartment polls: keep doorbell state */
static int fibers_on;   /* this VM serves on fibers (set at boot) */

static void rpc_init(void) {
  size_t n = 0;
  for (const struct flexos_ept_entry *e = __flexos_ept_entries_start;
       e < __flexos_ept_entries_end; e++) {
    if (e->compartment != flexos_ept_vm.compartment)
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
              !flexos_ept_vm.polling;
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

/* A request that came by doorbell: the sender is not known. */
#define FROM_UNKNOWN (-1)

static __attribute__((noreturn)) void protocol_error(const char *what,
                                                     struct ept_message msg) {
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
  if (!flexos_space_is_shared(slot_addr, sizeof(*s))) {
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
    tcb()->thread_id = s->thread;
  uint32_t nargs = s->nargs, dst = s->dst;
  uint64_t args[FLEXOS_RPC_MAX_ARGS];
  if (dst != flexos_ept_vm.compartment)
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
  if (flexos_image_config.comp[flexos_ept_vm.compartment].check_pointers)
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
    struct ept_message msg;
    ept_trap(value, &msg);
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
  uint64_t thread; /* its id */
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
  ept_fiber_switch(f->thread);
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
  if (!(f->thread = ept_fiber_create(fiber_main, f)))
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
  struct ept_message msg;
  ept_trap(value, &msg);
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
  if (flexos_ept_vm.polling)
    trapped[self]++;
  trap_and_serve((uint64_t)s, (uint64_t)s);
  if (flexos_ept_vm.polling)
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
  if (flexos_ept_vm.polling) {
    trap_and_serve(FLEXOS_EPT_TRAP_READY, 0);
    poll_forever();
  }
  struct fiber *f = &fibers[nfibers++];
  f->thread = ept_fiber_self();
  current_fiber = f;
  f->request = fiber_trap(FLEXOS_EPT_TRAP_READY, 0, &f->from);
  f->busy = 1;
  fiber_loop(f);
}

/* A thread of the default VM that runs in another VM's compartment:
 * its first call there never returns (the callee serves it on a fiber
 * of its own for good), so this thread serves the nested calls that
 * thread makes back here. */
void ept_remote_entry(void *start, void *unused) {
  (void)unused;
  const struct remote_start *r = start;
  int compartment = r->compartment;
  if (any_polling)
    flexos_panic("vm-ept: no thread can start in compartment %s: threads in "
                 "other VMs need `polling: false` in every compartment",
                 flexos_compartment_name(compartment));
  struct flexos_rpc_slot *s = (struct flexos_rpc_slot *)tcb()->rpc_slot;
  s->fn_id = FLEXOS_EPT_THREAD_START_ID;
  s->nargs = 3;
  s->dst = (uint32_t)compartment;
  s->args[0] = (uint64_t)r->entry;
  s->args[1] = (uint64_t)r->a;
  s->args[2] = (uint64_t)r->b;
  __flexos_ept_call(s);
  flexos_panic("thread %lu: its start in compartment %s was refused or "
               "returned", flexos_thread_id(), flexos_compartment_name(compartment));
}

/* Benchmarks: one VM exit and entry, nothing else. */
void flexos_ept_null_hypercall(void) {
  struct ept_message msg;
  ept_trap(FLEXOS_EPT_TRAP_NULL, &msg);
}

uint64_t flexos_ept_refused(void) { return refused; }

extern int main(int argc, char **argv);

/* Every VM's boot thread: only main's VM runs main; the others serve gate
 * calls. */
int ept_main_or_serve(int argc, char **argv) {
  rpc_init();
  if (ept_self() == (int)flexos_image_config.default_index)
    return main(argc, argv);
  return ept_serve_forever(argc, argv);
}

#ifdef FLEXOS_RING3
/* Ring-3 images: the core's half is a service call away
 * (include/flexos/service.h; checked in runtime/core/service.c). */
#include <flexos/service.h>

void ept_trap(uint64_t value, struct ept_message *msg) {
  uint64_t out[3];
  flexos_service_call(FLEXOS_SVC_MONITOR_TRAP, value, (uint64_t)out, 0, 0);
  msg->serve = out[0];
  msg->done = out[1];
  msg->from = (int64_t)out[2];
}

uint64_t ept_fiber_create(void (*fn)(void *), void *arg) {
  return flexos_service_call(FLEXOS_SVC_FIBER_CREATE, (uint64_t)fn, (uint64_t)arg, 0, 0);
}

uint64_t ept_fiber_self(void) {
  return flexos_service_call(FLEXOS_SVC_FIBER_SELF, 0, 0, 0, 0);
}

void ept_fiber_switch(uint64_t id) {
  flexos_service_call(FLEXOS_SVC_FIBER_SWITCH, id, 0, 0, 0);
}
#endif
