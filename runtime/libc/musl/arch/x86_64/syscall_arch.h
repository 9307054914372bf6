/*
 * FILE: runtime/libc/musl/arch/x86_64/syscall_arch.h
 * DESCRIPTION:
 *   Replaces musl's x86_64 system call header when the image libc is built
 *   (runtime/libc/build-musl.sh).  An image has no kernel below it: every
 *   system call musl makes is an ordinary call of __flexos_syscall
 *   (src/flexos/syscall.c), which runs in the calling compartment with its
 *   rights and its copy of the libc state.  No vDSO.
 * License: MIT (see LICENSE)
 */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

hidden long __flexos_syscall(long n, long a1, long a2, long a3, long a4,
                             long a5, long a6);

static __inline long __syscall0(long n)
{
	return __flexos_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long __syscall1(long n, long a1)
{
	return __flexos_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long __syscall2(long n, long a1, long a2)
{
	return __flexos_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
	return __flexos_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	return __flexos_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4,
                                long a5)
{
	return __flexos_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4,
                                long a5, long a6)
{
	return __flexos_syscall(n, a1, a2, a3, a4, a5, a6);
}

#define IPC_64 0
