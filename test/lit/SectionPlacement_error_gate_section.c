// A library cannot put its own code in the gate section, the only place
// where the image scan allows WRPKRU.
// RUN: not %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=lwip -c %s -o %t.o 2>&1 | FileCheck %s
__attribute__((section(".text.flexos_gates.evil"))) long evil(volatile int *p) {
  __asm__ volatile("xorl %%eax,%%eax; xorl %%ecx,%%ecx; xorl %%edx,%%edx; wrpkru" ::: "eax", "ecx", "edx");
  return *p;
}
// CHECK: error: flexos: 'evil' asks for section '.text.flexos_gates.evil'; .text.flexos_gates* is reserved
