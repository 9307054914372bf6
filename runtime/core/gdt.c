/*
 * FILE: runtime/core/gdt.c
 * DESCRIPTION:
 *   The final GDT and the TSS.  The GDT holds ring-0 and ring-3 code and
 *   data segments (ring-3 images run compartments in ring 3: docs/runtime.md,
 *   "Ring choice"); the TSS exists only for its interrupt stack table:
 *   IST1 for IRQs, IST2 for exceptions, IST3 for #DF and NMI.  Every IDT
 *   entry names an IST stack, so the CPU never takes RSP0, from any ring.  The IST stacks are supervisor pages, which
 *   protection keys do not govern, so the CPU can push an interrupt frame
 *   whatever PKRU the interrupted compartment had.  GDT and TSS go to a
 *   supervisor page that paging.c maps read-only after LTR has set the busy
 *   bit (the CPU writes nothing there afterwards).
 * License: MIT (see LICENSE)
 */
#include "kernel.h"

#define IST_SIZE 16384

struct tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "tss layout");

SECTION_KPRIV_RO __attribute__((aligned(16))) static struct tss tss;
/* null, code64 0x08, data 0x10, TSS 0x18 (two slots), user data 0x28,
 * user code64 0x30 (in the order SYSRET wants them: runtime/core/service.c);
 * accessed bits set */
SECTION_KPRIV_RO __attribute__((aligned(16))) static uint64_t gdt[7] = {
    0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0, 0,
    0x00cff3000000ffffull, 0x00affb000000ffffull};
SECTION_KPRIV_RW __attribute__((aligned(16))) static uint8_t ist_stacks[3][IST_SIZE];

static void gdt_set_tss(void) {
  uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
  /* available 64-bit TSS (type 9), present, DPL 0 */
  gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[4] = base >> 32;
}

void gdt_init(void) {
  for (int i = 0; i < 3; i++)
    tss.ist[i] = (uint64_t)&ist_stacks[i][IST_SIZE];
  tss.rsp[0] = tss.ist[1]; /* never used: every IDT entry has an IST */
  tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 owns no port */
  gdt_set_tss();
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } desc = {sizeof(gdt) - 1, (uint64_t)gdt};
  __asm__ volatile("lgdt %0\n"
                   "pushq $0x08\n"
                   "leaq 1f(%%rip), %%rax\n"
                   "pushq %%rax\n"
                   "lretq\n"
                   "1: movw $0x10, %%ax\n"
                   "movw %%ax, %%ds\n"
                   "movw %%ax, %%es\n"
                   "movw %%ax, %%ss\n"
                   "movw $0x18, %%ax\n"
                   "ltr %%ax\n"
                   :
                   : "m"(desc)
                   : "rax", "memory");
}
