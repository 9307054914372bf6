/*
 * FILE: runtime/core/boot.S
 * DESCRIPTION:
 *   PVH entry.  QEMU (`-kernel image.elf`) finds the XEN_ELFNOTE_PHYS32_ENTRY
 *   note, loads the ELF at its physical addresses and jumps to _start32 in
 *   32-bit protected mode, paging off, %ebx = physical address of the
 *   hvm_start_info structure.  We identity-map the first 1 GiB with 2 MiB
 *   pages, enter long mode and call kmain(start_info); runtime/core/paging.c
 *   later replaces these tables with 4 KiB pages that carry protection keys.
 * License: MIT (see LICENSE)
 */
#define CR0_PE 0x1
#define CR0_MP 0x2
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define EFER_MSR 0xc0000080
#define EFER_LME 0x100
#define EFER_NXE 0x800

  /* XEN_ELFNOTE_PHYS32_ENTRY (18): where QEMU's PVH loader jumps. */
  .pushsection .note.Xen, "a", @note
  .p2align 2
  .long 4, 8, 18
  .asciz "Xen"
  .p2align 2
  .quad _start32
  .popsection

  .section .text.boot, "ax", @progbits
  .code32
  .global _start32
_start32:
  cli
  movl %ebx, %edi
  movl $boot_stack_top, %esp
  /* pml4[0] -> pdpt, pdpt[0] -> pd, pd[i] = i * 2 MiB (present|rw|ps) */
  movl $boot_pdpt, %eax
  orl $0x3, %eax
  movl %eax, boot_pml4
  movl $boot_pd, %eax
  orl $0x3, %eax
  movl %eax, boot_pdpt
  xorl %ecx, %ecx
1:
  movl %ecx, %eax
  shll $21, %eax
  orl $0x83, %eax
  movl %eax, boot_pd(, %ecx, 8)
  movl $0, boot_pd + 4(, %ecx, 8)
  incl %ecx
  cmpl $512, %ecx
  jne 1b
  /* PAE + SSE state (the gates and compiled code use xmm registers) */
  movl %cr4, %eax
  orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
  movl %eax, %cr4
  movl $boot_pml4, %eax
  movl %eax, %cr3
  movl $EFER_MSR, %ecx
  rdmsr
  orl $(EFER_LME | EFER_NXE), %eax
  wrmsr
  /* WP: read-only pages bind ring 0 too; EM stays clear for SSE */
  movl %cr0, %eax
  andl $~0x4, %eax
  orl $(CR0_PE | CR0_MP | CR0_WP | CR0_PG), %eax
  movl %eax, %cr0
  lgdt boot_gdt_desc
  ljmp $0x08, $start64

  .code64
start64:
  movw $0x10, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  xorl %eax, %eax
  movw %ax, %fs
  movw %ax, %gs
  movq $boot_stack_top, %rsp
  xorl %ebp, %ebp
  movl %edi, %edi
  call kmain
2:
  hlt
  jmp 2b

  /* Boot GDT: null, 64-bit code (0x08), data (0x10).  Accessed bits are
   * preset so the CPU never writes these descriptors. */
  .section .rodata.boot, "a", @progbits
  .p2align 3
boot_gdt:
  .quad 0
  .quad 0x00af9b000000ffff
  .quad 0x00cf93000000ffff
boot_gdt_end:
boot_gdt_desc:
  .word boot_gdt_end - boot_gdt - 1
  .long boot_gdt

  /* Boot page tables and the boot stack (the boot context runs in the
   * default compartment, so they live in its ordinary .bss). */
  .section .bss.boot, "aw", @nobits
  .p2align 12
boot_pml4:
  .skip 4096
boot_pdpt:
  .skip 4096
boot_pd:
  .skip 4096
  .global boot_stack_bottom
boot_stack_bottom:
  .skip 16384
  .global boot_stack_top
boot_stack_top:
