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

/* nothrow: the marker never unwinds, so that in C++ functions with
 * cleanups the call stays a call (the passes replace it). */
#ifdef __cplusplus
extern "C"
#endif
__attribute__((nothrow)) void *__flexos_gate_target(const char *library,
                                                    void *function,
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

/* Checks for values another compartment chose (docs/untrusted-values.md).
 * Each returns its value when the check passes and otherwise stops the
 * image or process with a report naming the file and line:
 *   flexos_check_index(i, n)    i < n (as size_t: negative i fails)
 *   flexos_check_size(len, max) len <= max
 *   flexos_check_shared(p, len) [p, p+len) lies in memory shared with the
 *                               caller (always true without isolation)
 * The compiler treats their results as checked. */
#include <stddef.h>

#ifdef __FLEXOS_PLUGIN__
#ifdef __cplusplus
extern "C" {
#endif
__attribute__((noreturn)) void __flexos_untrusted_fault(const char *check,
                                                       const char *file,
                                                       int line,
                                                       unsigned long value,
                                                       unsigned long bound);
int __flexos_is_shared(const void *p, size_t len);
#ifdef __cplusplus
}
#endif
#define __FLEXOS_UNTRUSTED_FAULT(check, file, line, value, bound)            \
  __flexos_untrusted_fault(check, file, line, value, bound)
#define __FLEXOS_IS_SHARED(p, len) __flexos_is_shared(p, len)
#else
#define __FLEXOS_UNTRUSTED_FAULT(check, file, line, value, bound)            \
  ((void)(check), (void)(file), (void)(line), (void)(value), (void)(bound), \
   __builtin_trap())
#define __FLEXOS_IS_SHARED(p, len) ((void)(p), (void)(len), 1)
#endif

static inline size_t __flexos_check_index(size_t i, size_t n,
                                          const char *file, int line) {
  if (i < n)
    return i;
  __FLEXOS_UNTRUSTED_FAULT("flexos_check_index", file, line, i, n);
}
static inline size_t __flexos_check_size(size_t len, size_t max,
                                         const char *file, int line) {
  if (len <= max)
    return len;
  __FLEXOS_UNTRUSTED_FAULT("flexos_check_size", file, line, len, max);
}
static inline void *__flexos_check_shared(const void *p, size_t len,
                                          const char *file, int line) {
  if (__FLEXOS_IS_SHARED(p, len))
    return (void *)p;
  __FLEXOS_UNTRUSTED_FAULT("flexos_check_shared", file, line,
                           (unsigned long)p, len);
}
#define flexos_check_index(i, n)                                            \
  __flexos_check_index((i), (n), __FILE__, __LINE__)
#define flexos_check_size(len, max)                                         \
  __flexos_check_size((len), (max), __FILE__, __LINE__)
#define flexos_check_shared(p, len)                                         \
  __flexos_check_shared((p), (len), __FILE__, __LINE__)

#endif /* FLEXOS_H */
