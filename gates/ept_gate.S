/*
 * FILE: gates/ept_gate.S
 * DESCRIPTION:
 *   __flexos_ept_trap(uint64_t value): the one way a vm-ept guest leaves its
 *   VM on purpose (docs/vm.md).  `outl %eax, %dx` with dx = FLEXOS_EPT_PORT
 *   and eax = value: an RPC slot's guest-physical address (identity
 *   mapped, below 4 GiB) or a FLEXOS_EPT_TRAP_* code.  Port I/O rather than
 *   vmcall: KVM hands port writes to user space with the value in the
 *   kvm_run page, so the monitor needs no register round trip
 *   (KVM_GET_REGS) per call, and the instruction is the same on Intel and
 *   AMD.  The core's (runtime/ept/ept.c); the gate's logic (waiting,
 *   serving nested calls) is compartment code, runtime/ept/rpc.c.
 * License: MIT (see LICENSE)
 */
#define __ASSEMBLER__ 1
#include <flexos/abi.h>

  .section .text.flexos_gates.ept_trap, "ax", @progbits
  .global __flexos_ept_trap
  .type __flexos_ept_trap, @function
  .p2align 4
__flexos_ept_trap:
  movq %rdi, %rax
  movw $FLEXOS_EPT_PORT, %dx  /* ports above 0xff need %dx */
  outl %eax, %dx
  ret
  .size __flexos_ept_trap, . - __flexos_ept_trap
