// A zero-initialised global goes to bss; when the optimizer evaluates a
// constructor at compile time and gives it a value, placement moves it to
// data instead of failing ("SHT_NOBITS section cannot have non-zero
// initializers").
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/three-pku.yaml -fplugin-arg-flexos-library=tls -c %s -o %t.o
// RUN: llvm-objdump -t %t.o | FileCheck %s
static long n;
__attribute__((constructor)) static void init(void) { n = 1; }
long inc(void) { return ++n; }
// CHECK: .data.flexos.crypto{{.*}} n
