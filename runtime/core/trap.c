/*
 * FILE: runtime/core/trap.c
 * DESCRIPTION:
 *   C side of every interrupt and exception, entered from the
 *   interrupt-entry gate (gates/interrupt_entry.S) already in the default
 *   compartment's domain.  IRQs are acknowledged and dispatched; every
 *   exception is fatal (except the protection-key faults and their #DB
 *   that record mode takes: runtime/services/record.c) and prints one line that
 *   tests grep:
 *
 *     FAULT: #PF rip=0x... addr=0x... err=0x25 [present user pk] from=net touched=app
 *
 *   `from` is the compartment whose PKRU was live when the fault hit;
 *   `touched` the owner of the protection key of the page at CR2 (or
 *   common / shared / kernel for supervisor pages / unmapped).  Other
 *   exceptions print `FAULT: #GP rip=... err=... from=...`.  Then the
 *   faulting function and line and its two callers (runtime/core/symbolize.c):
 *
 *     FAULT: in crash+0x12 at test/x/lib.c:40 (0x1049a2)
 *     FAULT: called from main+0x30 at test/x/app.c:12 (0x1040f0)
 * License: MIT (see LICENSE)
 */
#include <stdio.h>

#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

#define PIC1_CMD 0x20
#define PIC2_CMD 0xa0
#define PIC_EOI 0x20
#define VEC_IRQ0 32

static const char *const exc_names[32] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS",
    "NP", "SS", "GP", "PF", "RES", "MF", "AC", "MC", "XM", "VE", "CP",
    "RES", "RES", "RES", "RES", "RES", "RES", "HV", "VC", "SX", "RES"};

static const char *from_name(const struct trapframe *tf) {
  return mechanism->interrupted(tf->pkru);
}

static const char *touched_name(uintptr_t addr) {
  int user, key;
  if (!paging_lookup(addr, &user, &key))
    return "unmapped";
  return user ? paging_key_owner(key) : "kernel";
}

/* Page-fault error code: bit 0 present, 1 write, 2 user, 3 reserved bit,
 * 4 instruction fetch, 5 protection key, 6 shadow stack. */
static void report_page_fault(const struct trapframe *tf) {
  static const char *const bits[] = {"present", "write", "user", "rsvd",
                                     "fetch", "pk", "ss"};
  uintptr_t addr = read_cr2();
  char dec[64];
  int n = 0;
  for (int b = 0; b < 7; b++)
    if (tf->error & (1u << b))
      n += snprintf(dec + n, sizeof(dec) - n, "%s%s", n ? " " : "", bits[b]);
  if (!(tf->error & 1))
    n += snprintf(dec + n, sizeof(dec) - n, "%snot-present", n ? " " : "");
  console_printf("FAULT: #PF rip=0x%lx addr=0x%lx err=0x%lx [%s] from=%s touched=%s\n",
         tf->rip, addr, tf->error, dec, from_name(tf), touched_name(addr));
}

#ifdef FLEXOS_RING3
/* The privileged instruction at rip, by name, for the report; 0 when the
 * bytes are none we name.  Compartment code is user code, readable. */
static const char *privileged_name(uint64_t rip) {
  int user, key;
  if (!paging_lookup(rip, &user, &key) || !paging_lookup(rip + 15, &user, &key))
    return 0;
  const uint8_t *b = (const uint8_t *)rip;
  while ((*b >= 0x40 && *b <= 0x4f) || *b == 0x66 || *b == 0xf2 || *b == 0xf3)
    b++; /* REX, operand size, rep */
  switch (b[0]) {
  case 0xfa: return "cli";
  case 0xfb: return "sti";
  case 0xf4: return "hlt";
  case 0xcf: return "iretq";
  case 0xcd: return "int"; /* a vector whose gate has DPL 0 */
  case 0xe4: case 0xe5: case 0xec: case 0xed: return "in";
  case 0xe6: case 0xe7: case 0xee: case 0xef: return "out";
  case 0x0f:
    switch (b[1]) {
    case 0x20: return "mov from a control register";
    case 0x22: return "mov to a control register";
    case 0x21: case 0x23: return "mov to or from a debug register";
    case 0x30: return "wrmsr";
    case 0x32: return "rdmsr";
    case 0x06: return "clts";
    case 0x08: case 0x09: return "invd/wbinvd";
    case 0x00: return ((b[2] >> 3) & 7) == 2 ? "lldt" : ((b[2] >> 3) & 7) == 3 ? "ltr" : 0;
    case 0x01:
      switch ((b[2] >> 3) & 7) {
      case 2: return b[2] >= 0xc0 ? 0 : "lgdt";
      case 3: return b[2] >= 0xc0 ? 0 : "lidt";
      case 6: return "lmsw";
      case 7: return b[2] == 0xf8 ? "swapgs" : "invlpg";
      }
    }
  }
  return 0;
}

/* Ring 3 ran a privileged instruction (#GP) or touched a supervisor page
 * (#PF with the user bit, without the protection-key bit): the core's,
 * whatever the compartment's PKRU.  Returns whether it reported one. */
static int report_privilege(const struct trapframe *tf) {
  if ((tf->cs & 3) != 3)
    return 0;
  if (tf->vector == 13) {
    const char *name = privileged_name(tf->rip);
    console_printf("FAULT: privileged instruction %s in ring 3 rip=0x%lx err=0x%lx from=%s\n",
                   name ? name : "(a #GP)", tf->rip, tf->error, from_name(tf));
    return 1;
  }
  int user, key;
  uintptr_t addr = read_cr2();
  if (tf->vector == 14 && (tf->error & 0x21) == 0x01 &&
      paging_lookup(addr, &user, &key) && !user) {
    report_page_fault(tf);
    console_printf("FAULT: ring 3 %s core memory at 0x%lx from=%s\n",
                   tf->error & 0x10 ? "jumped into" : tf->error & 2 ? "wrote" : "read",
                   addr, from_name(tf));
    return 1;
  }
  return 0;
}
#endif

static __attribute__((noreturn)) void fatal_exception(struct trapframe *tf) {
  /* A fault while reporting a fault would report itself forever. */
  static int reporting;
  if (reporting++) {
    console_printf("FAULT: another fault (#%s rip=0x%lx) while reporting one\n",
           exc_names[tf->vector < 32 ? tf->vector : 0], tf->rip);
    record_stop(); /* it may have been the record report's */
    flexos_exit(FLEXOS_EXIT_FAULT);
  }
#ifdef FLEXOS_RING3
  if (report_privilege(tf)) {
    console_printf("FAULT: rsp=0x%lx rax=0x%lx rdi=0x%lx pkru=0x%lx thread=%lu\n",
                   tf->rsp, tf->rax, tf->rdi, tf->pkru, flexos_thread_id());
    symbolize_report(tf->rip, tf->rbp);
    flexos_exit(FLEXOS_EXIT_PRIVILEGE);
  }
#endif
  if (tf->vector == 14)
    report_page_fault(tf);
  else
    console_printf("FAULT: #%s rip=0x%lx err=0x%lx from=%s\n",
           exc_names[tf->vector], tf->rip, tf->error, from_name(tf));
  console_printf("FAULT: rsp=0x%lx rax=0x%lx rdi=0x%lx pkru=0x%lx thread=%lu\n",
         tf->rsp, tf->rax, tf->rdi, tf->pkru, flexos_thread_id());
  symbolize_report(tf->rip, tf->rbp);
  flexos_exit(FLEXOS_EXIT_FAULT);
}

static void irq(uint64_t vec) {
  if (vec == VEC_IRQ0)
    timer_tick();
  else
    irq_line((int)(vec - VEC_IRQ0));
  if (vec >= VEC_IRQ0 + 8)
    outb(PIC2_CMD, PIC_EOI);
  outb(PIC1_CMD, PIC_EOI);
}

extern char __kpriv_rw_start[], __kpriv_rw_end[];

/* In a ring-3 image, did the interrupt stop the core itself?  A service
 * runs with the caller's and the default compartment's rights together
 * (gates/service_entry.S), a PKRU no compartment runs with. */
static int interrupted_core(const struct trapframe *tf) {
#ifdef FLEXOS_RING3
  return (tf->cs & 3) == 0;
#else
  (void)tf;
  return 0;
#endif
}

void flexos_trap(struct trapframe *tf) {
  /* Only the CPU puts frames on the IST stacks; a jump into the gate with
   * a frame forged on a compartment stack stops here. */
  if ((char *)tf < __kpriv_rw_start || (char *)(tf + 1) > __kpriv_rw_end)
    flexos_panic("trap: frame at %p is not on an IST stack", (void *)tf);
  if (tf->vector < 32 && !record_trap(tf)) /* record mode logs PK faults */
    fatal_exception(tf);
  if (tf->vector >= 32 && tf->vector != FLEXOS_VEC_NULL_INTERRUPT)
    irq(tf->vector);
#ifdef FLEXOS_RING3
  if (tf->vector == VEC_IRQ0)
    tick_upcall(tf); /* the tick hook runs in ring 3 */
#endif
  /* The exit path WRPKRUs tf->pkru back: only a compartment's own value
   * may come back (or, in record mode, the rights of one logged access),
   * never an arbitrary one left in the frame. */
  if (!mechanism->pkru_valid(tf->pkru) && !record_stepping(tf->pkru) &&
      !interrupted_core(tf))
    flexos_panic("trap: bad saved PKRU 0x%lx", tf->pkru);
}
