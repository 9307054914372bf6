// -fplugin= plus -fpass-plugin= naming the same file, or the pass-only
// plugin, must not run the passes twice: one instance, two WRPKRUs, and the
// same output as -fplugin= alone.
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -S %s -o %t.once.s
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fpass-plugin=%flexos_plugin -S %s -o %t.twice.s
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fpass-plugin=%pass_plugin -S %s -o %t.both.s
// RUN: diff %t.once.s %t.twice.s
// RUN: diff %t.once.s %t.both.s
// RUN: grep -cE '^\s*wrpkru' %t.twice.s | FileCheck %s
// CHECK: 2
#include <flexos.h>
int recv(int fd);
int f(void) { return flexos_gate(lwip, recv, 1); }
