// The gate clears the direction flag both ways, and when the caller is
// compiled for AVX it also clears the upper halves of the ymm registers.
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.o
// RUN: llvm-objdump -d --no-show-raw-insn %t.o | FileCheck %s --check-prefix=SSE
// RUN: %clang_flexos -O2 -mavx2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.avx.o
// RUN: llvm-objdump -d --no-show-raw-insn %t.avx.o | FileCheck %s --check-prefix=AVX
#include <flexos.h>
long tick(long x);
long f(long x) { return flexos_gate(lwip, tick, x); }
// SSE: wrpkru
// SSE: cld
// SSE-NOT: vzeroupper
// SSE: wrpkru
// SSE: cld
// SSE-NOT: vzeroupper
// AVX: wrpkru
// AVX: cld
// AVX-NEXT: vzeroupper
// AVX: wrpkru
// AVX: cld
// AVX-NEXT: vzeroupper
