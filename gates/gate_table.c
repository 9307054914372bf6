/*
 * FILE: gates/gate_table.c
 * DESCRIPTION:
 *   Checked indirect calls (docs/untrusted-values.md): a function pointer
 *   that an untrusted compartment handed over is called only through a
 *   gate that some code of the caller's compartment already takes to that
 *   function, found in the gate table the passes leave in every object
 *   (include/flexos/abi.h).  So the pointer can name only a gated entry
 *   point of another compartment, never the caller's own code, and the
 *   call switches rights as a direct gate would.
 *   With automatic gates (passes/IndirectGates.cpp) every call by pointer
 *   is checked, more loosely: __flexos_indirect_call also accepts entry
 *   points (the entry table: functions whose address escaped their file)
 *   and pointers that lead to no other compartment's code.  Linked into images
 *   (runtime/) and processes (platform/linux); runs in any compartment and
 *   reads only read-only data.
 * License: MIT (see LICENSE)
 */
#include <flexos/abi.h>
#include <flexos/runtime.h>

/* Weak: a program without any gate record has no table at all. */
extern const struct flexos_gate_record __start_flexos_gate_table[]
    __attribute__((weak));
extern const struct flexos_gate_record __stop_flexos_gate_table[]
    __attribute__((weak));
extern const struct flexos_gate_record __start_flexos_entry_table[]
    __attribute__((weak));
extern const struct flexos_gate_record __stop_flexos_entry_table[]
    __attribute__((weak));

const void *__flexos_indirect_target(const void *fn, int src, int dst,
                                     const char *file, int line) {
  for (const struct flexos_gate_record *r = __start_flexos_gate_table;
       r < __stop_flexos_gate_table; r++) {
    if (r->target != fn || r->src != (uint32_t)src)
      continue;
    if (dst < 0 ? r->dst != (uint32_t)src : r->dst == (uint32_t)dst)
      return r->via;
  }
  __flexos_untrusted_fault("checked indirect call (no gate from this "
                           "compartment to that function)",
                           file, line, (unsigned long)fn, (unsigned long)dst);
}

/* In [r, end): the record of a gate from src to fn in another
 * compartment; *other_owner: that compartment when only other sources
 * have a gate. */
static const struct flexos_gate_record *
find_record(const struct flexos_gate_record *r,
            const struct flexos_gate_record *end, const void *fn, int src,
            int *other_owner) {
  for (; r < end; r++) {
    if (r->target != fn || r->dst == (uint32_t)src)
      continue;
    if (r->src == (uint32_t)src)
      return r;
    *other_owner = (int)r->dst;
  }
  return 0;
}

/* A function of another compartment that src may call by pointer: one
 * src's code gates (gate table) or an entry point (entry table). */
static const struct flexos_gate_record *entry_record(const void *fn, int src,
                                                     int *other_owner) {
  *other_owner = -1;
  const struct flexos_gate_record *r =
      find_record(__start_flexos_gate_table, __stop_flexos_gate_table, fn, src,
                  other_owner);
  return r ? r : find_record(__start_flexos_entry_table,
                             __stop_flexos_entry_table, fn, src, other_owner);
}

const void *__flexos_indirect_call(const void *fn, int src,
                                   const void **direct,
                                   const struct flexos_gate_record **record,
                                   const char *file, int line) {
  int owner;
  const struct flexos_gate_record *r = entry_record(fn, src, &owner);
  if (r) {
    __atomic_store_n(record, r, __ATOMIC_RELAXED);
    return r->via;
  }
  if (owner < 0)
    owner = __flexos_code_compartment(fn);
  if (owner >= 0 && owner != src)
    __flexos_untrusted_fault("checked indirect call (the pointer leads into "
                             "code of another compartment that is no entry "
                             "point reachable from here; value: the pointer, "
                             "bound: that compartment)",
                             file, line, (unsigned long)fn,
                             (unsigned long)owner);
  __atomic_store_n(direct, fn, __ATOMIC_RELAXED);
  return fn;
}
