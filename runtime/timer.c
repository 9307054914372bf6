/*
 * FILE: runtime/timer.c
 * DESCRIPTION:
 *   100 Hz tick from the PIT (channel 0, mode 2) through the legacy 8259
 *   PICs, remapped to vectors 32..47 with every line but IRQ0 masked.
 *   The tick counter lives in common memory (key 0): every compartment can
 *   read it, only the default compartment (the IRQ handler) writes it.
 *   flexos_ticks() asks the mechanism (runtime/mechanism.h): one without
 *   interrupts has no PIT, and its monitor keeps the count.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

#define PIT_HZ 1193182
#define TICK_HZ 100

SECTION_COMMON static volatile uint64_t ticks;
/* Called on every tick from the interrupt handler, in the default
 * compartment; it may take gates (see gates/interrupt_entry.S). */
SECTION_COMMON static void (*tick_hook)(uint64_t tick);

/* ICW1..ICW4: cascade, vector bases 32 and 40, 8086 mode. */
static void pic_init(void) {
  outb(0x20, 0x11);
  outb(0xa0, 0x11);
  outb(0x21, 32);
  outb(0xa1, 40);
  outb(0x21, 4);
  outb(0xa1, 2);
  outb(0x21, 0x01);
  outb(0xa1, 0x01);
  outb(0x21, 0xfe); /* only IRQ0 */
  outb(0xa1, 0xff);
}

void timer_init(void) {
  uint16_t div = PIT_HZ / TICK_HZ;
  pic_init();
  outb(0x43, 0x34); /* channel 0, lo/hi byte, mode 2 (rate generator) */
  outb(0x40, div & 0xff);
  outb(0x40, div >> 8);
}

void timer_tick(void) {
  ticks++;
  if (tick_hook)
    tick_hook(ticks);
}

void flexos_set_tick_hook(void (*hook)(uint64_t tick)) { tick_hook = hook; }

uint64_t timer_ticks(void) { return ticks; }

/* The mechanism's clock: this PIT's ticks, or the count a monitor keeps
 * for all address spaces. */
uint64_t flexos_ticks(void) { return mechanism->ticks(); }
