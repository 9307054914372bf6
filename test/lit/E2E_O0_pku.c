// At -O0 the passes run as well (they sit at the start of every pipeline):
// the gate is lowered and the WRPKRU check is there.
// RUN: %clang_flexos -O0 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -S %s -o - | FileCheck %s
#include <flexos.h>
void tick(void);
void f(void) { flexos_gate(lwip, tick); }
// CHECK: wrpkru
// CHECK-NEXT: cmpl $1073741774, %eax
// CHECK-LABEL: f:
// CHECK: callq __flexos_pku_gate.trusted.net.tick
// CHECK-NOT: __flexos_gate_target
