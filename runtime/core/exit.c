/*
 * FILE: runtime/core/exit.c
 * DESCRIPTION:
 *   Leaving the image: isa-debug-exit (`-device isa-debug-exit,iobase=0xf4,
 *   iosize=0x04`) makes QEMU exit with status (code << 1) | 1, which
 *   tools/run-image.sh turns back into `code`.  Without the device we halt.
 *   Writes no memory, so every compartment may call it (in record mode it
 *   first prints the record report, which reads only key-0 and shared
 *   memory).
 * License: MIT (see LICENSE)
 */
#include <stdarg.h>
#include <stdio.h>

#include "kernel.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xf4

void flexos_exit(int code) {
  cli();
  record_report(); /* record mode only (runtime/services/record.c) */
  outl(DEBUG_EXIT_PORT, (uint32_t)code);
  for (;;)
    hlt();
}

/* A broken invariant: print "panic: ..." and exit with FLEXOS_EXIT_PANIC. */
void flexos_panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  console_printf("panic: ");
  console_vprintf(fmt, ap);
  console_printf("\n");
  va_end(ap);
  flexos_exit(FLEXOS_EXIT_PANIC);
}
