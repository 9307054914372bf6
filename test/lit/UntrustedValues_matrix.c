// Every source of untrusted values against every use: exactly one report
// per pair, naming the use and the source.
// RUN: mkdir -p %t.d && for src in GATE SHARED_GLOBAL HANDED_OUT SHARED_LOCAL SHARED_HEAP; do \
// RUN:   for use in SIZE ALLOC LOOP INDEX DEREF PASSED CALL; do \
// RUN:     %clang_flexos -S -emit-llvm -o /dev/null -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -DSRC_$src -DUSE_$use %s > %t.d/$src.$use 2>&1 || exit 1; \
// RUN:     test "$(grep -c 'warning: flexos: untrusted value' %t.d/$src.$use)" = 1 || { echo "$src x $use: not exactly one report"; cat %t.d/$src.$use; exit 1; }; \
// RUN:     FileCheck %s --check-prefix=$use < %t.d/$src.$use || exit 1; \
// RUN:     FileCheck %s --check-prefix=$src < %t.d/$src.$use || exit 1; \
// RUN:   done; done
// SIZE: untrusted value used as the size argument of memcpy
// ALLOC: untrusted value used as an allocation size (malloc)
// LOOP: untrusted value used as a loop bound
// INDEX: untrusted value used as an array index
// DEREF: untrusted value used as a pointer that is dereferenced
// PASSED: untrusted value used as a pointer passed to consume
// CALL: untrusted value used as an indirect-call target
// GATE: it is the result of the gate to net_long (compartment 'net', not trusted by 'trusted')
// SHARED_GLOBAL: it is a load from flexos_share object 'shared_obj'
// HANDED_OUT: it is a load from memory the gate to net_fill ({{.*}}) may have written
// SHARED_LOCAL: it is a load from a flexos_share local (declared at {{.*}}) after a gate may have run
// SHARED_HEAP: it is a load from shared heap memory (allocated at {{.*}}) after a gate may have run
#include <flexos.h>
#include <flexos/runtime.h>
#include <stdlib.h>
#include <string.h>

struct obj { long n; char *p; };
struct obj shared_obj __flexos_share;
long net_long(void);
void net_fill(void *to);
void consume(char *p);
char tab[64], dst[64];

long f(struct obj *mine) {
#if defined(SRC_GATE)
  long v = flexos_gate(lwip, net_long);
  char *q = (char *)flexos_gate(lwip, net_long);
#elif defined(SRC_SHARED_GLOBAL)
  long v = shared_obj.n;
  char *q = shared_obj.p;
#elif defined(SRC_HANDED_OUT)
  flexos_gate(lwip, net_fill, mine);
  long v = mine->n;
  char *q = mine->p;
#elif defined(SRC_SHARED_LOCAL)
  struct obj o __flexos_share;
  flexos_gate(lwip, net_fill, (void *)0);
  long v = o.n;
  char *q = o.p;
#elif defined(SRC_SHARED_HEAP)
  struct obj *h = flexos_malloc_shared(sizeof *h);
  flexos_gate(lwip, net_fill, (void *)0);
  long v = h->n;
  char *q = h->p;
#endif
  long s = 0;
  (void)v;
  (void)q;
#if defined(USE_SIZE)
  memcpy(dst, tab, v);
#elif defined(USE_ALLOC)
  s = (long)malloc(v);
#elif defined(USE_LOOP)
  for (long i = 0; i < v; i++)
    s += tab[i & 63];
#elif defined(USE_INDEX)
  s = tab[v];
#elif defined(USE_DEREF)
  s = *q;
#elif defined(USE_PASSED)
  consume(q);
#elif defined(USE_CALL)
  ((void (*)(void))q)();
#endif
  return s;
}
