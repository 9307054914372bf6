/*
 * FILE: runtime/libc/musl/src/flexos/thread.c
 * DESCRIPTION:
 *   The image libc's thread pointer (arch/x86_64/pthread_arch.h).  Every
 *   compartment links its own copy of this file, so the table below and
 *   the descriptors it points to are that compartment's memory.  A
 *   thread's slot is its TCB's index in the runtime's TCB array (GS.base,
 *   common memory that every compartment may read); a slot whose thread id
 *   changed belongs to a new thread and starts afresh (errno 0, the C
 *   locale).  Code that runs before the first thread (boot) uses slot 0.
 * License: MIT (see LICENSE)
 */
#include <flexos/abi.h>
#include <flexos/runtime.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libc.h"
#include "pthread_impl.h"

struct libc_thread {
	struct pthread pt;    /* first: the thread pointer points here */
	uint64_t thread_id;   /* the image thread it was made for */
};

static struct libc_thread boot_thread;
static struct libc_thread *slots[FLEXOS_MAX_THREADS];

static void thread_reset(struct libc_thread *t, uint64_t id)
{
	memset(t, 0, sizeof *t);
	t->pt.self = &t->pt;
	t->pt.tid = (int)id;
	t->pt.locale = &libc.global_locale;
	t->pt.robust_list.head = &t->pt.robust_list.head;
	t->thread_id = id;
}

uintptr_t __flexos_libc_tp(void)
{
	uint64_t tcb, id;
	__asm__ ("movq %%gs:%c1, %0" : "=r"(tcb) : "i"(FLEXOS_TCB_SELF));
	if (!tcb) {
		/* Before the runtime made its first thread. */
		if (!boot_thread.pt.self)
			thread_reset(&boot_thread, 0);
		return (uintptr_t)&boot_thread;
	}
	__asm__ ("movq %%gs:%c1, %0" : "=r"(id) : "i"(FLEXOS_TCB_THREAD_ID));
	size_t slot = (size_t)(tcb / FLEXOS_TCB_SIZE) % FLEXOS_MAX_THREADS;
	struct libc_thread *t = slots[slot];
	if (t && t->thread_id == id)
		return (uintptr_t)t;
	if (!t) {
		t = malloc(sizeof *t);
		if (!t)
			flexos_panic("libc: no memory for thread %lu's descriptor",
			             (unsigned long)id);
		slots[slot] = t;
	}
	thread_reset(t, id);
	return (uintptr_t)t;
}
