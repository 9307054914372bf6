/*
 * FILE: runtime/user/thread_start.c
 * DESCRIPTION:
 *   Where threads of a ring-3 image begin: the core's first frame for a
 *   thread (runtime/core/thread.c, frame_create_user) iretqs here, in
 *   ring 3, on the stack of the compartment the thread runs in.
 * License: MIT (see LICENSE)
 */
#include <flexos/runtime.h>

void __flexos_user_thread_exit(void); /* service.c */

__attribute__((noreturn)) void __flexos_user_thread_start(void (*fn)(void *),
                                                          void *arg) {
  fn(arg);
  __flexos_user_thread_exit();
  __builtin_unreachable();
}

__attribute__((noreturn)) void __flexos_user_main_start(int (*main_fn)(int, char **),
                                                        int argc, char **argv) {
  flexos_exit(main_fn(argc, argv));
}

/* Where an entry of flexos_ctx_create returns to (the top of its stack):
 * such threads end with flexos_ctx_exit instead. */
__attribute__((noreturn)) void __flexos_user_ctx_returned(void) {
  flexos_panic("thread %lu: its entry returned (threads of "
               "flexos_ctx_create end with flexos_ctx_exit)",
               flexos_thread_id());
}
