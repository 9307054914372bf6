/*
 * FILE: test/hosted-pku/three.h
 * DESCRIPTION: the functions each library of the hosted three-compartment
 *   test exports.  net and fs have the same set: their own global, heap
 *   block and stack address (as integers), a read and a write of any
 *   address (what a hostile library does with its own rights), and a
 *   call through a function pointer.
 * License: MIT (see LICENSE)
 */
#ifndef HOSTED_THREE_H
#define HOSTED_THREE_H
long net_global_addr(void);
long net_heap_addr(void);
long net_stack_addr(void);
long net_peek(long addr);
long net_poke(long addr);
long net_call(long fn);
long net_call_raw(long fn);
long net_call3(long fn, long a, long b, long c);
long net_sum8(long a, long b, long c, long d, long e, long f, long g, long h);
long net_fill(char *shared, long n);
long net_work(long i);
long net_tls(void);
long net_libc_pure(void);
long net_leak(long a, long b, long c, long d, long e, long f);
long net_mix(long a, long b, long c, long d, long e, long keys);
long net_relay(long x, long keys);
long net_bad_stack(long addr);
long net_free(long addr);
long net_syscall(long nr, long a, long b, long c, long d, long e);
long net_int80(long nr, long a, long b, long c);
long net_libc_write(void);
long net_open_proc_mem(void);
long net_sigreturn_raw(void);
long net_sigreturn_site(long site);
long net_jump(long target, long eax);
long net_spin(long *seen, long want, long keys);

long fs_global_addr(void);
long fs_heap_addr(void);
long fs_stack_addr(void);
long fs_peek(long addr);
long fs_poke(long addr);
long fs_call(long fn);
long fs_bump(void);
long fs_work(long i);
long fs_free(long addr);
long fs_spin(long *seen, long want, long keys);
#endif
