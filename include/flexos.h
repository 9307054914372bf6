/*
 * FILE: include/flexos.h
 * DESCRIPTION:
 *   The public FlexOS API for library authors.
 *
 *     flexos_gate(lib, fn, args...)      call fn, which lives in library lib;
 *                                        an expression of fn's return type
 *     flexos_gate_r(lib, ret, fn, args...)  same, storing the result in ret
 *     __attribute__((flexos_share)), __flexos_share
 *                                        data other compartments may touch
 *
 *   With the plugin (clang -fplugin=flexos.so), a gate becomes a call
 *   through __flexos_gate_target(), which the passes replace by a direct
 *   call, an MPK gate or a VM RPC, depending on the configuration; one they
 *   cannot lower is a compile error. Arguments are type-checked as in a
 *   direct call to fn. Without the plugin (gcc, plain clang) a gate is a
 *   plain call and __flexos_share expands to nothing.
 * USAGE:
 *   #include <flexos.h>
 *   int n = flexos_gate(lwip, recv, fd, buf, sizeof buf, 0);
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_H
#define FLEXOS_H

#ifdef __FLEXOS_PLUGIN__

#ifdef __cplusplus
extern "C"
#endif
void *__flexos_gate_target(const char *library, void *function,
                           const char *file, int line);

/* The call goes through a pointer of fn's own type, so the compiler checks
 * the arguments exactly as for fn(args...). File and line let the passes
 * name the gate in their errors even without debug information. */
#define flexos_gate(lib, fn, ...)                                           \
  ((__typeof__(&(fn)))__flexos_gate_target(#lib, (void *)&(fn), __FILE__,   \
                                           __LINE__))(__VA_ARGS__)
#define __flexos_share __attribute__((flexos_share))

#else /* !__FLEXOS_PLUGIN__ */

#define flexos_gate(lib, fn, ...) ((fn)(__VA_ARGS__))
#define __flexos_share

#endif /* __FLEXOS_PLUGIN__ */

#define flexos_gate_r(lib, ret, fn, ...)                                    \
  ((ret) = flexos_gate(lib, fn, __VA_ARGS__))

#endif /* FLEXOS_H */
