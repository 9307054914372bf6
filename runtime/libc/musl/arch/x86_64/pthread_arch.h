/*
 * FILE: runtime/libc/musl/arch/x86_64/pthread_arch.h
 * DESCRIPTION:
 *   Replaces musl's x86_64 thread-pointer header for the image libc.  The
 *   thread pointer is not %fs: each compartment links its own copy of the
 *   libc, and each copy keeps, in that compartment's memory, one thread
 *   descriptor per image thread (errno, locale), which
 *   __flexos_libc_tp (src/flexos/thread.c) finds from the running
 *   thread's TCB.  So errno written in one compartment never touches
 *   another's pages, and no gate has to switch a segment base.
 * License: MIT (see LICENSE)
 */
hidden uintptr_t __flexos_libc_tp(void);

static inline uintptr_t __get_tp()
{
	return __flexos_libc_tp();
}

#define MC_PC gregs[REG_RIP]
