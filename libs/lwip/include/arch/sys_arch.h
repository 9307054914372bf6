/*
 * FILE: libs/lwip/include/arch/sys_arch.h
 * DESCRIPTION:
 *   lwIP's OS port types (NO_SYS=0) over library sched's cooperative
 *   threads: semaphores and mailboxes are objects on lwIP's heap, reached
 *   through a pointer that is NULL while invalid; mutexes are binary
 *   semaphores (LWIP_COMPAT_MUTEX in lwipopts.h).  The code is in
 *   libs/lwip/port/sys_arch.c (lwIP's compartment).
 * USAGE:
 *   Found by lwIP's <lwip/sys.h> through -I libs/lwip/include.
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_LWIP_ARCH_SYS_ARCH_H
#define FLEXOS_LWIP_ARCH_SYS_ARCH_H

#include <stdint.h>

struct sys_sem;
struct sys_mbox;
typedef struct sys_sem *sys_sem_t;
typedef struct sys_mbox *sys_mbox_t;
typedef uint64_t sys_thread_t; /* thread id (libs/sched) */

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

#define sys_sem_valid(s) ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s) do { if (s) *(s) = NULL; } while (0)
#define sys_mbox_valid(m) ((m) != NULL && *(m) != NULL)
#define sys_mbox_set_invalid(m) do { if (m) *(m) = NULL; } while (0)

#endif
