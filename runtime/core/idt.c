/*
 * FILE: runtime/core/idt.c
 * DESCRIPTION:
 *   The IDT: 32 exception vectors, 16 legacy PIC IRQs (32..47) and the
 *   null interrupt (0x81, the only one ring 3 may raise), each an
 *   interrupt gate (IF cleared on entry) pointing at an entry of the
 *   interrupt-entry gate in gates/interrupt_entry.S, which switches PKRU
 *   to the runtime's domain before any C runs.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"

#define NVECTORS 49 /* 0..47, then the null interrupt (include/flexos/abi.h) */
#define NULL_INTERRUPT_SLOT 48
#define IST_IRQ 1
#define IST_EXCEPTION 2
#define IST_CRITICAL 3 /* #DF, NMI: never share a stack with a live frame */

struct idt_entry {
  uint16_t off0, sel;
  uint8_t ist, type;
  uint16_t off1;
  uint32_t off2, zero;
} __attribute__((packed));

extern const uint64_t flexos_isr_table[NVECTORS]; /* gates/interrupt_entry.S */
SECTION_KPRIV_RO __attribute__((aligned(16))) static struct idt_entry idt[256];

static int ist_for(int vec) {
  if (vec == 2 || vec == 8)
    return IST_CRITICAL;
  return vec < 32 ? IST_EXCEPTION : IST_IRQ;
}

void idt_init(void) {
  for (int v = 0; v < NVECTORS; v++) {
    uint64_t h = flexos_isr_table[v];
    int vec = v == NULL_INTERRUPT_SLOT ? FLEXOS_VEC_NULL_INTERRUPT : v;
    /* present, interrupt gate; DPL 0 (ring 3 cannot raise it), DPL 3 for
     * the null interrupt */
    uint8_t type = v == NULL_INTERRUPT_SLOT ? 0xee : 0x8e;
    idt[vec] = (struct idt_entry){(uint16_t)h, 0x08, (uint8_t)ist_for(vec), type,
                                  (uint16_t)(h >> 16), (uint32_t)(h >> 32), 0};
  }
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } desc = {sizeof(idt) - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" : : "m"(desc));
}
