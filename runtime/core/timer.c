/*
 * FILE: runtime/core/timer.c
 * DESCRIPTION:
 *   100 Hz tick from the PIT (channel 0, mode 2) through the legacy 8259
 *   PICs, remapped to vectors 32..47 with every line but IRQ0 masked.
 *   The tick counter lives in common memory (key 0): every compartment can
 *   read it, only the default compartment (the IRQ handler) writes it.
 *   flexos_ticks() asks the mechanism (runtime/core/mechanism.h): one without
 *   interrupts has no PIT, and its monitor keeps the count.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

#define PIT_HZ 1193182
#define TICK_HZ 100

SECTION_COMMON static volatile uint64_t ticks;
SECTION_ROINIT static uint64_t boot_epoch; /* RTC at boot, s since 1970 */
#ifndef FLEXOS_RING3
/* Called on every tick from the interrupt handler, in the default
 * compartment; it may take gates (see gates/interrupt_entry.S).  Ring-3
 * images run the hook in ring 3 instead (tick_upcall.c). */
SECTION_COMMON static void (*tick_hook)(uint64_t tick);
#endif

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

/* CMOS RTC register `reg`, BCD or binary as status register B says. */
static unsigned rtc_reg(uint8_t reg, int bcd) {
  outb(0x70, reg);
  unsigned v = inb(0x71);
  return bcd ? (v & 0x0f) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d) {
  if (m <= 2) {
    y--;
    m += 12;
  }
  uint64_t era_days = 365ull * y + y / 4 - y / 100 + y / 400;
  return era_days + (153 * (m - 3) + 2) / 5 + d - 1 - 719468;
}

void timer_read_rtc(void) {
  for (int i = 0; i < 100000; i++) { /* wait out an update in progress */
    outb(0x70, 0x0a);
    if (!(inb(0x71) & 0x80))
      break;
  }
  outb(0x70, 0x0b);
  int bcd = !(inb(0x71) & 0x04);
  unsigned s = rtc_reg(0x00, bcd), mi = rtc_reg(0x02, bcd);
  unsigned h = rtc_reg(0x04, bcd) & 0x7f, d = rtc_reg(0x07, bcd);
  unsigned mo = rtc_reg(0x08, bcd), y = 2000 + rtc_reg(0x09, bcd);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return; /* no sensible RTC: the epoch stays 0 */
  boot_epoch = days_since_epoch(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

uint64_t flexos_boot_epoch(void) { return boot_epoch; }

void timer_tick(void) {
  ticks++;
#ifndef FLEXOS_RING3
  if (tick_hook)
    tick_hook(ticks);
#endif
}

#ifndef FLEXOS_RING3
void flexos_set_tick_hook(void (*hook)(uint64_t tick)) { tick_hook = hook; }
#endif

uint64_t timer_ticks(void) { return ticks; }

/* The mechanism's clock: this PIT's ticks, or the count a monitor keeps
 * for all address spaces. */
uint64_t flexos_ticks(void) { return mechanism->ticks(); }
