// A struct returned by value, or passed by value, cannot cross an MPK gate:
// each is rejected with an error that names the gate's file and line and
// the callee, even without debug information.
// RUN: not %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.o 2>&1 | FileCheck %s
#include <flexos.h>
struct pair { long a, b; };
struct big { long a[8]; };
struct pair mk(int x);
int take(struct big b);
long f(void) {
  struct pair p = flexos_gate(lwip, mk, 1);
  return p.a;
}
int g(struct big *b) { return flexos_gate(lwip, take, *b); }
// CHECK: error: flexos: {{.*}}Gate_struct_by_value.c:11: gate to mk returns { i64, i64 }
// CHECK: error: flexos: {{.*}}Gate_struct_by_value.c:14: gate to take: argument 1 is passed by value in memory
