/*
 * FILE: tools/vmm/monitor.h
 * DESCRIPTION:
 *   The vm-ept monitor's shared state and the functions its files call
 *   in one another (docs/vm.md).  One monitor, `m`: the image's layout,
 *   the owner of every guest-physical page, and one struct vm per
 *   compartment.  A struct chain holds the calls in progress on one host
 *   thread.  The files:
 *     main.c     flexos-vmm: options, --timeout, threads, the run's end
 *     image.c    the image ELF: layout, page owners, compartments
 *     kvm.c      KVM and guest memory: one VM per compartment
 *     exits.c    running a vCPU and handling its exits
 *     gates.c    the gate protocol: calls between VMs, idle
 *     monitor.c  the state (m) and the reports that end a run
 *     net.c      the network device (net.h, libslirp)
 *     fuzz.c     flexos-vmm-fuzz: the exit handlers without KVM
 *   Every report goes to m.reports; every end of the run goes through
 *   vmm_end, which main.c (exit) and fuzz.c (the next input) define.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_VMM_MONITOR_H
#define FLEXOS_VMM_MONITOR_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <flexos/abi.h>

#define PAGE 4096ul
#define LOW_END (1ul << 20)        /* images are linked at 1 MiB */
#define EXIT_MONITOR_ERROR 4
#define EXIT_TIMEOUT 124
#define MAX_CALLS 1024 /* calls in progress per host thread, all threads */

/* Page owners (values >= 0 are compartment indices). */
#define OWNER_PRIVATE (-1)
#define OWNER_TEXT (-2)
#define OWNER_SHARED (-3)

struct vm {
  int index;            /* compartment */
  const char *name;
  int fd, vcpu;
  struct kvm_run *run;
  uint8_t *mem;         /* this VM's private pages (span bytes) */
  int polling;
  int at_line_start;    /* console: prefix the next byte with the name */
  int uart_lcr;         /* console: line control (DLAB) */
  struct chain *owner;  /* the call chain (host thread) using it, or 0 */
  int refs;             /* calls into it on its owner's stack */
  int is_root;          /* owned for good: main's VM, polling VMs */
  uint64_t exits;
};

struct call {
  int caller, callee;
  uint64_t slot;
};

/* The calls in progress on one host thread: the main thread's chain
 * starts at main; each polling compartment's thread has its own. */
struct chain {
  struct call calls[MAX_CALLS];
  int depth;
};

struct monitor {
  const char *path;
  FILE *reports;        /* where every report goes: stderr, or the fuzzer's */
  int kvm;
  size_t run_size;
  uint64_t entry;
  size_t span;          /* guest-physical bytes: image + pools */
  uint8_t *image;       /* the ELF's loaded contents (span bytes) */
  uint8_t *shared;      /* the one copy of text and shared pages */
  int8_t *owner;        /* per page: OWNER_* or a compartment */
  uint64_t shared_start, shared_end, image_end;
  uint64_t symtab_start, symtab_end; /* the image's .flexos_symtab, or 0 */
  uint64_t private_pool_start, shared_pool_start;
  uint64_t private_pool_size, shared_slice_size; /* per VM */
  uint64_t pvnet_device; /* the driver's rings (symbol), 0: no driver */
  uint32_t n, default_index;
  struct vm vms[FLEXOS_MAX_COMPARTMENTS];
  const char *append;
  int stats;
  int net_owner;  /* the VM that registered the network device, or -1 */
  int64_t idle_timeout_ns; /* --idle-timeout: 0 = none */
  int64_t idle_since_ns;   /* first idle trap since the last frame, or 0 */
  /* --timeout: set by the SIGALRM handler (main.c); the signal interrupts
   * KVM_RUN on the thread it lands on, which then reports where its VM
   * was. */
  volatile int timed_out;   /* --timeout ran out, or a stop signal came */
  volatile int stop_signal; /* SIGTERM or SIGINT that stopped the run, or 0 */
  pthread_mutex_t lock; /* console and exit, shared with polling threads */
};
extern struct monitor m;

/* monitor.c: reports, and the end of the run. */
__attribute__((noreturn)) void vmm_end(int status); /* main.c, fuzz.c */
__attribute__((noreturn)) void finish(int status);  /* --stats, vmm_end */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* Something a VM did that ends the run: say which VM, where, and why. */
__attribute__((noreturn, format(printf, 3, 4))) void vm_fail(struct vm *v, int status,
                                                            const char *fmt, ...);
const char *owner_name(int owner);

/* image.c */
void load_image(const char *path);

/* kvm.c: the shared copy of text and shared pages, and every VM. */
void create_vms(void);

/* exits.c */
uint64_t run_until_trap(struct vm *v); /* returns the gate trap's value */
void handle_io(struct vm *v, int *is_trap, uint64_t *value);
__attribute__((noreturn)) void handle_mmio(struct vm *v);

/* gates.c */
volatile struct flexos_ept_info *info_of(struct vm *v);
struct vm *gate_trap(struct chain *c, struct vm *v, uint64_t value);
void raise_net_event(void);
int slot_is_shared(uint64_t slot);
struct flexos_rpc_slot *slot_ptr(uint64_t slot);

#endif
