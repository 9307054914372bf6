// A callee renamed with an asm label to something that is not a plain
// symbol cannot be named in the gate's assembly: rejected, not mis-assembled.
// RUN: not %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.o 2>&1 | FileCheck %s
#include <flexos.h>
int f(void) __asm__("net-f");
int h(void) { return flexos_gate(lwip, f); }
// CHECK: error: flexos: {{.*}}: gate target 'net-f' is not a plain symbol name
