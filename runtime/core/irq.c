/*
 * FILE: runtime/core/irq.c
 * DESCRIPTION:
 *   Device interrupts for drivers that run in threads.  A driver thread
 *   calls flexos_irq_wait(line, deadline); the handler of legacy PIC line
 *   `line` masks the line, notes it pending and unparks the waiter.  The
 *   driver then acknowledges its device (which lowers a level-triggered
 *   line) and calls flexos_irq_wait again, which unmasks the line.  So the
 *   handler itself never touches the device and stays tiny, and a level
 *   interrupt cannot storm while the driver runs.  Line 0 is the timer,
 *   line 2 the cascade; lines 1 and 3..15 may be waited on, one waiter
 *   each.
 * License: MIT (see LICENSE)
 */
#include "kernel.h"
#include "mechanism.h"
#include "x86.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define NLINES 16
#define CASCADE_LINE 2

/* Written by the waiter (thread) and by the handler (interrupts off). */
static struct {
  volatile uint64_t waiter; /* thread id, 0 = none */
  volatile int pending;     /* fired since the last wait consumed it */
} lines[NLINES];

/* A mechanism without interrupts has no PIC: its lines fire as events a
 * monitor raises (mechanism->take_events), which need no masking. */
static void pic_set_mask(int line, int masked) {
  if (!mechanism->interrupts)
    return;
  uint16_t port = line < 8 ? PIC1_DATA : PIC2_DATA;
  uint8_t bit = (uint8_t)(1u << (line & 7));
  uint8_t imr = inb(port);
  outb(port, masked ? imr | bit : imr & ~bit);
  if (line >= 8 && !masked) /* the slave reaches the CPU through line 2 */
    outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << CASCADE_LINE));
}

/* From flexos_trap (interrupts off), for every line but the timer's. */
void irq_line(int line) {
  pic_set_mask(line, 1);
  lines[line].pending = 1;
  if (lines[line].waiter)
    flexos_thread_unpark(lines[line].waiter);
}

/* Returns 1 once the line has fired (then masked until the next call),
 * 0 when the deadline (a tick, 0 = none) passed first.  Panics for the
 * timer and cascade lines and for a second waiter on one line. */
int flexos_irq_wait(int line, uint64_t deadline) {
  if (line <= 0 || line == CASCADE_LINE || line >= NLINES)
    flexos_panic("irq_wait: line %d cannot be waited on", line);
  uint64_t self = flexos_thread_id();
  if (lines[line].waiter && lines[line].waiter != self)
    flexos_panic("irq_wait: line %d already has waiter %lu", line,
                 lines[line].waiter);
  lines[line].waiter = self;
  for (;;) {
    cli(); /* the handler must not run between the test and the unmask */
    if (lines[line].pending) {
      lines[line].pending = 0;
      sti();
      return 1;
    }
    pic_set_mask(line, 0);
    sti();
    if (flexos_thread_park(deadline) < 0 && !lines[line].pending)
      return 0;
  }
}
