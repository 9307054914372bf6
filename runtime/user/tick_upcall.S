/*
 * FILE: runtime/user/tick_upcall.S
 * DESCRIPTION:
 *   Where a tick upcall of a ring-3 image lands (runtime/core/tick_upcall.c):
 *   default compartment code, on the hook's own 16-byte aligned stack,
 *   with the tick in rdi, the hook in rsi and every other register clear.
 *   It calls hook(tick) and hands the thread back to the core, which
 *   resumes the code the tick interrupted; that service never returns.
 * License: MIT (see LICENSE)
 */
#include <flexos/service.h>

  .text
  .global flexos_tick_upcall
  .type flexos_tick_upcall, @function
flexos_tick_upcall:
  call *%rsi
  movl $FLEXOS_SVC_TICK_RETURN, %eax
  syscall
  ud2
  .size flexos_tick_upcall, . - flexos_tick_upcall
