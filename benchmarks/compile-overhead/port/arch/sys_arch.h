/*
 * FILE: benchmarks/compile-overhead/port/arch/sys_arch.h
 * DESCRIPTION:
 *   lwIP OS-port types for the compile-overhead benchmark (NO_SYS=0):
 *   opaque handles only, enough to compile lwIP's API layer; nothing is
 *   linked, so no implementation is needed.
 * USAGE:
 *   included by lwip/sys.h; see port/lwipopts.h
 * License: MIT (see LICENSE)
 */
#ifndef LWIP_ARCH_SYS_ARCH_H
#define LWIP_ARCH_SYS_ARCH_H

typedef struct bench_sem *sys_sem_t;
typedef struct bench_mutex *sys_mutex_t;
typedef struct bench_mbox *sys_mbox_t;
typedef struct bench_thread *sys_thread_t;
typedef int sys_prot_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

#endif /* LWIP_ARCH_SYS_ARCH_H */
