/*
 * FILE: runtime/core/console.c
 * DESCRIPTION:
 *   Serial console on COM1 (16550 UART at 0x3f8).  Output polls the line
 *   status register and keeps no state in memory, so any compartment can
 *   print without touching another compartment's pages.
 *   The runtime's own messages (faults, panics, reports) go through
 *   console_printf: formatted on the stack and written at once, never
 *   through a stdio stream whose state the interrupted code may be in the
 *   middle of changing.
 * License: MIT (see LICENSE)
 */
#include <stdarg.h>
#include <stdio.h>

#include "kernel.h"
#include "x86.h"

#define COM1 0x3f8
#define LSR_THR_EMPTY 0x20

/* 115200 baud, 8N1, FIFOs on, interrupts off. */
void console_init(void) {
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x80); /* DLAB: divisor follows */
  outb(COM1 + 0, 0x01);
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03);
  outb(COM1 + 2, 0xc7);
}

void console_putc(char c) {
  if (c == '\n')
    console_putc('\r');
  for (int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THR_EMPTY); i++)
    ;
  outb(COM1, (uint8_t)c);
}

void console_write(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    console_putc(s[i]);
}

void flexos_console_write(const char *s, size_t n) { console_write(s, n); }

void console_vprintf(const char *fmt, va_list ap) {
  char buf[512];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n < 0)
    return;
  console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void console_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  console_vprintf(fmt, ap);
  va_end(ap);
}
