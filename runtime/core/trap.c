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

static __attribute__((noreturn)) void fatal_exception(struct trapframe *tf) {
  /* A fault while reporting a fault would report itself forever. */
  static int reporting;
  if (reporting++) {
    console_printf("FAULT: another fault (#%s rip=0x%lx) while reporting one\n",
           exc_names[tf->vector < 32 ? tf->vector : 0], tf->rip);
    record_stop(); /* it may have been the record report's */
    flexos_exit(FLEXOS_EXIT_FAULT);
  }
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

void flexos_trap(struct trapframe *tf) {
  /* Only the CPU puts frames on the IST stacks; a jump into the gate with
   * a frame forged on a compartment stack stops here. */
  if ((char *)tf < __kpriv_rw_start || (char *)(tf + 1) > __kpriv_rw_end)
    flexos_panic("trap: frame at %p is not on an IST stack", (void *)tf);
  if (tf->vector < 32 && !record_trap(tf)) /* record mode logs PK faults */
    fatal_exception(tf);
  if (tf->vector >= 32)
    irq(tf->vector);
  /* The exit path WRPKRUs tf->pkru back: only a compartment's own value
   * may come back (or, in record mode, the rights of one logged access),
   * never an arbitrary one left in the frame. */
  if (!mechanism->pkru_valid(tf->pkru) && !record_stepping(tf->pkru))
    flexos_panic("trap: bad saved PKRU 0x%lx", tf->pkru);
}
