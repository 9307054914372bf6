// MPK gate instances speak SysV only: a callee with another calling
// convention (ms_abi, preserve_most) is rejected by name.
// RUN: not %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.o 2>&1 | FileCheck %s
#include <flexos.h>
__attribute__((ms_abi)) long f(long a, long b, long c, long d, long e);
__attribute__((preserve_most)) long g(long a);
long h(void) { return flexos_gate(lwip, f, 1, 2, 3, 4, 5) + flexos_gate(lwip, g, 6); }
// CHECK: error: flexos: {{.*}}: gate to f uses a calling convention other than the default C one
// CHECK: error: flexos: {{.*}}: gate to g uses a calling convention other than the default C one
