/*
 * FILE: gates/ept_gate.S
 * DESCRIPTION:
 *   __flexos_ept_call(struct flexos_rpc_slot *slot): the vm-ept gate's trap
 *   to the monitor (docs/abi.md, "Gate lowering").  The caller has filled
 *   the slot; `outl %eax, %dx` with dx = FLEXOS_EPT_PORT and eax = the slot's
 *   guest-physical address (identity-mapped, below 4 GiB) hands it over.
 *   The monitor runs the call and writes state/ret before resuming us.
 * License: MIT (see LICENSE)
 */
#define __ASSEMBLER__ 1
#include <flexos/abi.h>

  .section .text.flexos_gates.ept_call, "ax", @progbits
  .global __flexos_ept_call
  .type __flexos_ept_call, @function
  .p2align 4
__flexos_ept_call:
  movq %rdi, %rax
  movw $FLEXOS_EPT_PORT, %dx  /* ports above 0xff need %dx */
  outl %eax, %dx
  ret
  .size __flexos_ept_call, . - __flexos_ept_call
