/*
 * FILE: include/flexos/abi.h
 * DESCRIPTION:
 *   The one binary interface shared by the compiler passes, the gate
 *   trampolines in gates/, the kernel runtime, the hosted runtime
 *   (platform/linux) and the vm-ept monitor (tools/flexos-vmm, which
 *   checks FLEXOS_ABI_VERSION in every image it loads).  docs/abi.md
 *   explains the constants and structures below; the _Static_asserts tie
 *   every offset used from assembly to its C struct.
 *   Plain C11 and usable from assembly (define __ASSEMBLER__).
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_ABI_H
#define FLEXOS_ABI_H

#define FLEXOS_ABI_VERSION 1

/* ---- Compartments and protection keys (intel-pku) ----------------------
 * Compartment i (0-based, in configuration order) owns protection key i+1.
 * Key 0 holds data common to all compartments (thread control blocks, the
 * kernel's read-only data): readable by every compartment, writable only by
 * the default compartment.  Key 15 holds the shared section, the shared
 * heap and the per-thread shared stacks: read/write for everyone. */
#define FLEXOS_MAX_COMPARTMENTS 14
#define FLEXOS_COMMON_KEY 0
#define FLEXOS_SHARED_KEY 15
#define FLEXOS_KEY_OF(compartment) ((compartment) + 1)

/* PKRU bits for key k: AD (access disable) = bit 2k, WD (write disable) =
 * bit 2k+1.  FLEXOS_PKRU(i, is_default) is the PKRU value while code of
 * compartment i runs. */
#define FLEXOS_PKRU_AD(k) (1u << (2 * (k)))
#define FLEXOS_PKRU_WD(k) (1u << (2 * (k) + 1))
#define FLEXOS_PKRU(i, is_default)                                        \
  (0xffffffffu & ~(FLEXOS_PKRU_AD(FLEXOS_KEY_OF(i)) |                     \
                   FLEXOS_PKRU_WD(FLEXOS_KEY_OF(i))) &                    \
   ~(FLEXOS_PKRU_AD(FLEXOS_SHARED_KEY) | FLEXOS_PKRU_WD(FLEXOS_SHARED_KEY)) & \
   ~FLEXOS_PKRU_AD(FLEXOS_COMMON_KEY) &                                   \
   ~((is_default) ? FLEXOS_PKRU_WD(FLEXOS_COMMON_KEY) : 0u))

/* ---- Thread control block, reached through the GS segment base --------
 * Every thread has one TCB; the runtime points GS.base at the running
 * thread's TCB.  Gates and shared-local code address it as %gs:OFFSET. */
#define FLEXOS_TCB_SELF 0x00         /* struct flexos_tcb *: this TCB */
#define FLEXOS_TCB_SHARED_STACK 0x08 /* struct flexos_shared_stack * */
#define FLEXOS_TCB_RPC_SLOT 0x10     /* struct flexos_rpc_slot * (vm-ept) */
#define FLEXOS_TCB_THREAD_ID 0x18    /* uint64_t */
#define FLEXOS_TCB_GATE_SLOT 0x20    /* struct flexos_gate_slot *[16] */
/* Trusted bounds of the shared stack: the stack's own header is shared
 * memory, writable by every compartment, so the code that carves shared
 * locals checks what it reads there against these read-only copies. */
#define FLEXOS_TCB_SHARED_STACK_LIMIT 0xa0 /* lowest usable address */
#define FLEXOS_TCB_SHARED_STACK_BASE 0xa8  /* highest top (the initial one) */
/* vm-ept: the end of the thread's array of FLEXOS_EPT_MAX_DEPTH RPC slots
 * (rpc_slot moves one slot up per nested call the thread serves). */
#define FLEXOS_TCB_RPC_SLOT_END 0xb0
/* Hosted platform: the thread's syscall user dispatch selector (its first
 * byte; Linux reads it on every system call).  The MPK gates write it in
 * the default compartment's domain only: 1 (block) before they leave the
 * default compartment, 0 (allow) once they are back in it, so a thread
 * running any other compartment cannot make a system call.  Images keep
 * it at 0 and ignore it. */
#define FLEXOS_TCB_SYSCALL_BLOCK 0xb8
#define FLEXOS_SYSCALL_ALLOW 0
#define FLEXOS_SYSCALL_BLOCK 1
/* Hosted platform: each compartment's FS base (its own copy of the
 * thread's TLS, so that errno and thread-locals work inside it), loaded by
 * the MPK gates after each switch when not 0.  Images keep 0. */
#define FLEXOS_TCB_FS_BASE 0xc0 /* uint64_t[16] */
#define FLEXOS_TCB_SIZE 0x140

/* struct flexos_gate_slot: one per (thread, compartment), stored in the
 * compartment's own memory so that only that compartment can move its own
 * stack pointer. */
#define FLEXOS_GATE_SLOT_STACK_TOP 0x00
#define FLEXOS_GATE_SLOT_STACK_LIMIT 0x08

/* struct flexos_shared_stack: per-thread stack for flexos_share locals, in
 * shared memory.  Grows down from `top`; `limit` is the lowest usable
 * address (informative: the checks use the TCB's copies). */
#define FLEXOS_SHARED_STACK_TOP 0x00
#define FLEXOS_SHARED_STACK_LIMIT 0x08

/* ---- Trap frame --------------------------------------------------------
 * What gates/interrupt_entry.S pushes on an interrupt and runtime/core/trap.c
 * reads as struct trapframe (runtime/core/kernel.h, which asserts these): the
 * CPU's ss, rsp, rflags, cs, rip at the top, then error code and vector,
 * the 15 general registers, and the interrupted PKRU at the bottom. */
#define FLEXOS_TRAPFRAME_PKRU 0
#define FLEXOS_TRAPFRAME_VECTOR 128
#define FLEXOS_TRAPFRAME_RSP 168 /* the interrupted stack pointer */
#define FLEXOS_TRAPFRAME_SIZE 184

/* ---- vm-ept remote procedure call slot --------------------------------- */
#define FLEXOS_RPC_MAX_ARGS 12
#define FLEXOS_RPC_STATE_IDLE 0
#define FLEXOS_RPC_STATE_REQUEST 1
#define FLEXOS_RPC_STATE_DONE 2
#define FLEXOS_RPC_STATE_ERROR 3
#define FLEXOS_RPC_STATE 0x00
#define FLEXOS_RPC_FN_ID 0x08
#define FLEXOS_RPC_NARGS 0x10
#define FLEXOS_RPC_DST 0x14
#define FLEXOS_RPC_ARGS 0x18
#define FLEXOS_RPC_RET (FLEXOS_RPC_ARGS + 8 * FLEXOS_RPC_MAX_ARGS)
#define FLEXOS_RPC_THREAD (FLEXOS_RPC_RET + 16)
#define FLEXOS_RPC_SLOT_SIZE (FLEXOS_RPC_THREAD + 8)
/* The guest traps to the monitor (tools/flexos-vmm) with `outl %eax, %dx`,
 * dx = FLEXOS_EPT_PORT.  eax is the guest-physical address of the RPC slot
 * whose state the guest just set (REQUEST: a new call; DONE/ERROR: the
 * call it served is finished; slots live below 4 GiB), or one of the
 * FLEXOS_EPT_TRAP_* codes below (all below the first page, never a slot).
 * When the monitor resumes a VM it leaves in the VM's info page either
 * `inbox` = a slot to serve, or `done` = the slot of one of the VM's own
 * calls that is now finished (calls of different threads may finish in
 * any order), or both 0 (after READY/IDLE: look at `events`). */
#define FLEXOS_EPT_PORT 0x0f10
#define FLEXOS_EPT_TRAP_READY 0x0 /* booted: give me work */
#define FLEXOS_EPT_TRAP_NULL 0x1  /* null hypercall (benchmarks) */
/* The default VM has no thread to run: wait until `idle_ns` nanoseconds
 * have passed (0: no limit) or an event (a received frame) arrives. */
#define FLEXOS_EPT_TRAP_IDLE 0x2
/* isa-debug-exit's port, used by the monitor too: writing N exits with N. */
#define FLEXOS_EXIT_PORT 0xf4
/* The null interrupt: `int $FLEXOS_VEC_NULL_INTERRUPT` enters the
 * interrupt entry and returns at once, from any ring (its IDT gate has
 * DPL 3): the interrupt round trip of benchmarks/gate-latency. */
#define FLEXOS_VEC_NULL_INTERRUPT 0x81
/* Console: the 16550 data register at 0x3f8 (the monitor prints bytes
 * written there; other UART registers read 0 / 0x60 and ignore writes). */
#define FLEXOS_COM1_PORT 0x3f8

/* ---- vm-ept: the monitor's boot information page ----------------------
 * Each VM gets, at guest-physical FLEXOS_EPT_INFO_ADDR (private to it), a
 * struct flexos_ept_info the monitor fills before the first instruction
 * and a PVH hvm_start_info at FLEXOS_EPT_START_INFO_ADDR, so that the same
 * boot path serves QEMU and the monitor. */
#define FLEXOS_EPT_INFO_ADDR 0x1000
#define FLEXOS_EPT_START_INFO_ADDR 0x2000
/* "FLEXVM0" and the ABI version's digit: "FLEXVM01" for version 1. */
#define FLEXOS_EPT_MAGIC_BASE 0x464c4558564d3030ull
#define FLEXOS_EPT_MAGIC (FLEXOS_EPT_MAGIC_BASE + FLEXOS_ABI_VERSION)
/* Each VM's private page pool and its slice of the shared pool (heaps,
 * stacks, RPC slots): every VM allocates shared pages only from its own
 * slice, so no allocator state is shared between VMs. */
/* At least these; more when the image's heaps need it (tools/flexos-vmm
 * adds 8 MiB for stacks to HEAP_KB and SHARED_HEAP_KB). */
#define FLEXOS_EPT_PRIVATE_POOL (16ul << 20)
#define FLEXOS_EPT_SHARED_SLICE (8ul << 20)
#define FLEXOS_EPT_MAX_DEPTH 16 /* nested calls served per thread */

/* ---- vm-ept: the monitor's paravirtual network device ------------------
 * One device per run (tools/flexos-vmm --net), owned by the VM that
 * registers it: its driver (libs/lwip/netif/pvnet.c) writes the
 * guest-physical address of its page-aligned struct flexos_pvnet, the
 * global `flexos_pvnet_device` in its own compartment's memory, to
 * FLEXOS_PVNET_PORT_SETUP (outl); the monitor accepts no other address.
 * It then writes the MAC.  Rings of FLEXOS_PVNET_SLOTS frames with
 * free-running 32-bit indices (slot = index % FLEXOS_PVNET_SLOTS):
 *   rx: the monitor writes frames and advances rx_head; the driver reads
 *       them and advances rx_tail;
 *   tx: the driver writes frames and advances tx_head, then writes any
 *       value to FLEXOS_PVNET_PORT_KICK (outl); the monitor sends them and
 *       advances tx_tail before the outl returns.
 * A kick also tells the monitor that rx slots were freed.  When frames
 * arrive the monitor sets bit FLEXOS_PVNET_IRQ of the default VM's
 * `events`; that VM's runtime treats it as a device interrupt on that
 * line, which the driver waits for with flexos_irq_wait. */
#define FLEXOS_PVNET_PORT_SETUP 0x0f20
#define FLEXOS_PVNET_PORT_KICK 0x0f24
#define FLEXOS_PVNET_SLOTS 64
#define FLEXOS_PVNET_FRAME_MAX 1514 /* Ethernet without FCS */
#define FLEXOS_PVNET_IRQ 11

/* One exported gate entry (section .flexos_ept_entries, one per callee
 * function; the pass emits it beside each vm-ept gate).  `unpack` calls
 * the function with the slot's arguments converted back to their types
 * and returns the result as 64 bits. */
#define FLEXOS_EPT_ENTRY_SECTION ".flexos_ept_entries"
/* The runtime's own entry in every VM: args = (entry, a, b), starts a
 * thread of the default VM's scheduler there (runtime/ept/ept.c). */
#define FLEXOS_EPT_THREAD_START_ID 0x1ull
#define FLEXOS_EPT_ENTRY_SIZE 32

/* ---- Gate table: checked indirect calls -------------------------------
 * Every gate the passes lower from compartment src into another
 * compartment dst (intel-pku, or none) leaves one record in this section
 * (read-only data every compartment reads): the target function and what
 * a call to it from src must go through (the MPK gate instance, or the
 * function itself under none).  A call through a function pointer from
 * an untrusted compartment looks the pointer up here (gates/gate_table.c)
 * and goes through the record's gate; a pointer without a record from
 * the caller's compartment is refused.  A C identifier, so that the
 * linker brackets it with __start_/__stop_ symbols. */
#define FLEXOS_GATE_TABLE_SECTION "flexos_gate_table"
/* The same records for entry points (passes/AutoGates.cpp): functions
 * whose address escaped, reachable through calls by pointer only. */
#define FLEXOS_ENTRY_TABLE_SECTION "flexos_entry_table"
#define FLEXOS_GATE_RECORD_SIZE 24

/* ---- Shared-page bitmap: the fast path of a gate's result check -------
 * Images under intel-pku keep one bit per 4 KiB page below
 * FLEXOS_SHARED_PAGE_LIMIT, set when the page has the shared key, in
 * __flexos_shared_page_bits (common memory: every compartment reads it,
 * runtime/core/paging.c writes it).  A lowered intel-pku gate that returns a
 * data pointer tests that bit inline and calls __flexos_check_gate_result
 * only when it is clear; a program without the bitmap (a hosted process:
 * the symbol is weak and absent) always calls. */
#define FLEXOS_SHARED_PAGE_BITS "__flexos_shared_page_bits"
#define FLEXOS_SHARED_PAGE_LIMIT (256ul << 20)

/* ---- Section names (the linker script keys pages by these) ------------ */
#define FLEXOS_GATE_SECTION ".text.flexos_gates"

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
#define FLEXOS_STATIC_ASSERT static_assert
#else
#define FLEXOS_STATIC_ASSERT _Static_assert
#endif

struct flexos_gate_slot {
  uint64_t stack_top;   /* IN/OUT: saved stack pointer of this compartment */
  uint64_t stack_limit; /* IN: lowest address of the stack (for reports) */
};

struct flexos_shared_stack {
  uint64_t top;   /* IN/OUT: current top, 16-byte aligned */
  uint64_t limit; /* IN: lowest usable address */
};

struct flexos_tcb {
  uint64_t self;
  uint64_t shared_stack; /* struct flexos_shared_stack * */
  uint64_t rpc_slot;     /* struct flexos_rpc_slot * */
  uint64_t thread_id;
  uint64_t gate_slot[16]; /* struct flexos_gate_slot *, by compartment */
  uint64_t shared_stack_limit; /* copies of the shared stack's bounds */
  uint64_t shared_stack_base;
  uint64_t rpc_slot_end; /* vm-ept: end of the thread's slot array */
  uint64_t syscall_block; /* hosted: FLEXOS_SYSCALL_* in the first byte */
  uint64_t fs_base[16];   /* hosted: TLS of each compartment, or 0 */
};

struct flexos_rpc_slot {
  uint64_t state;   /* IN/OUT: FLEXOS_RPC_STATE_* */
  uint64_t fn_id;   /* IN: FNV-1a 64 of the callee's symbol name */
  uint32_t nargs;   /* IN: number of used args[] entries */
  uint32_t dst;     /* IN: destination compartment index */
  uint64_t args[FLEXOS_RPC_MAX_ARGS]; /* IN: zero/sign-extended or bit-cast */
  uint64_t ret[2];  /* OUT: return value (rax, rdx or xmm0 bits) */
  uint64_t thread;  /* IN: the caller's thread id (flexos_thread_id()) */
};

struct flexos_ept_info {
  uint64_t magic;        /* FLEXOS_EPT_MAGIC */
  uint32_t compartment;  /* this VM's compartment index */
  uint32_t ncompartments;
  uint64_t private_pool_start, private_pool_end; /* this VM only */
  uint64_t shared_pool_start, shared_pool_end;   /* every VM's slices */
  uint64_t shared_slice_start, shared_slice_end; /* this VM's slice */
  uint64_t polling;      /* 1: this VM spins on its doorbell (own thread) */
  volatile uint64_t inbox; /* OUT (monitor): 0 or a slot to serve */
  volatile uint64_t from;  /* OUT (monitor): the compartment that sent it */
  volatile uint64_t done;  /* OUT (monitor): 0 or one of our finished calls */
  volatile uint64_t events; /* OUT (monitor): device lines that fired */
  uint64_t idle_ns;        /* IN: FLEXOS_EPT_TRAP_IDLE's time limit */
  /* OUT (monitor): 100 Hz ticks since the run began, written before
   * every entry into the VM.  The guest's clock, rather than the TSC:
   * rdtsc exits under nested KVM and costs microseconds; time that moves
   * only at exits is enough, since every wait for time is an exit. */
  volatile uint64_t ticks;
};

struct flexos_pvnet_frame {
  uint32_t len; /* bytes of data[] in use, at most FLEXOS_PVNET_FRAME_MAX */
  uint8_t data[1532];
};

struct flexos_pvnet {
  uint8_t mac[6];     /* OUT (monitor, at setup) */
  uint16_t reserved0;
  volatile uint32_t rx_head, rx_tail, tx_head, tx_tail;
  uint8_t reserved[40];
  struct flexos_pvnet_frame rx[FLEXOS_PVNET_SLOTS];
  struct flexos_pvnet_frame tx[FLEXOS_PVNET_SLOTS];
};

struct flexos_ept_entry {
  uint64_t fn_id;       /* flexos_fn_id(name) */
  uint32_t compartment; /* the callee's compartment */
  uint32_t nargs;
  uint32_t pointer_mask; /* bit i: argument i is a pointer */
  uint32_t reserved;
  uint64_t (*unpack)(const uint64_t *args);
};

struct flexos_gate_record {
  const void *target; /* the function a pointer may name */
  const void *via;    /* what to call instead: gate instance or target */
  uint32_t src, dst;  /* compartment indices */
};

/* The gate to call for function pointer fn, which compartment dst (or,
 * with dst < 0, any compartment other than src) handed to code of src;
 * stops the program (FLEXOS_EXIT_UNTRUSTED) when there is none.  file and
 * line name the call. */
const void *__flexos_indirect_target(const void *fn, int src, int dst,
                                     const char *file, int line);

/* Where a call through fn from code of compartment src goes, with
 * automatic gates (passes/IndirectGates.cpp): the gate to a registered
 * entry point of another compartment, or fn itself when it is no other
 * compartment's code; stops the program (FLEXOS_EXIT_UNTRUSTED) for code
 * of another compartment that is no entry point.  The answer is kept in
 * the call site's caches, *direct (a pointer callable directly) or
 * *record (the gate record used), both in src's memory. */
const void *__flexos_indirect_call(const void *fn, int src,
                                   const void **direct,
                                   const struct flexos_gate_record **record,
                                   const char *file, int line);

/* The compartment whose code holds address pc, or -1 where the platform
 * does not keep code apart (kernel images: one text for all). */
int __flexos_code_compartment(const void *pc);

FLEXOS_STATIC_ASSERT(sizeof(struct flexos_ept_entry) == FLEXOS_EPT_ENTRY_SIZE, "entry");
FLEXOS_STATIC_ASSERT(sizeof(struct flexos_gate_record) == FLEXOS_GATE_RECORD_SIZE, "gate record");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, self) == FLEXOS_TCB_SELF, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, shared_stack) == FLEXOS_TCB_SHARED_STACK, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, rpc_slot) == FLEXOS_TCB_RPC_SLOT, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, thread_id) == FLEXOS_TCB_THREAD_ID, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, gate_slot) == FLEXOS_TCB_GATE_SLOT, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, shared_stack_limit) == FLEXOS_TCB_SHARED_STACK_LIMIT, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, shared_stack_base) == FLEXOS_TCB_SHARED_STACK_BASE, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, rpc_slot_end) == FLEXOS_TCB_RPC_SLOT_END, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, syscall_block) == FLEXOS_TCB_SYSCALL_BLOCK, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_tcb, fs_base) == FLEXOS_TCB_FS_BASE, "tcb");
FLEXOS_STATIC_ASSERT(sizeof(struct flexos_tcb) == FLEXOS_TCB_SIZE, "tcb");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_gate_slot, stack_top) == FLEXOS_GATE_SLOT_STACK_TOP, "slot");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_shared_stack, top) == FLEXOS_SHARED_STACK_TOP, "sstack");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_shared_stack, limit) == FLEXOS_SHARED_STACK_LIMIT, "sstack");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_rpc_slot, fn_id) == FLEXOS_RPC_FN_ID, "rpc");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_rpc_slot, nargs) == FLEXOS_RPC_NARGS, "rpc");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_rpc_slot, dst) == FLEXOS_RPC_DST, "rpc");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_rpc_slot, args) == FLEXOS_RPC_ARGS, "rpc");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_rpc_slot, ret) == FLEXOS_RPC_RET, "rpc");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_rpc_slot, thread) == FLEXOS_RPC_THREAD, "rpc");
FLEXOS_STATIC_ASSERT(sizeof(struct flexos_rpc_slot) == FLEXOS_RPC_SLOT_SIZE, "rpc");
FLEXOS_STATIC_ASSERT(sizeof(struct flexos_pvnet_frame) == 1536, "pvnet");
FLEXOS_STATIC_ASSERT(offsetof(struct flexos_pvnet, rx) == 64, "pvnet");

/* FNV-1a, 64 bit: the function identifier carried by vm-ept RPCs. */
static inline uint64_t flexos_fn_id(const char *name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *name; name++) {
    h ^= (unsigned char)*name;
    h *= 0x100000001b3ull;
  }
  return h;
}
#endif /* !__ASSEMBLER__ */
#endif /* FLEXOS_ABI_H */
