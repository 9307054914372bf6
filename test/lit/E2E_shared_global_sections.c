// Globals land in the compartment's sections, flexos_share globals in the
// shared ones, functions in .text.flexos.<compartment>.
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/three-pku.yaml -fplugin-arg-flexos-library=tls -c %s -o %t.o
// RUN: llvm-objdump -t %t.o | FileCheck %s
#include <flexos.h>
int session_count;
int key_schedule[4] = {1, 2, 3, 4};
const int sbox[2] = {5, 6};
char tx_ring[256] __flexos_share;
int rx_len __flexos_share = 1;
int rekey(int i) { session_count++; tx_ring[i] = (char)sbox[i & 1]; return key_schedule[i & 3] + rx_len; }
// CHECK-DAG: .bss.flexos.crypto{{.*}} session_count
// CHECK-DAG: .data.flexos.crypto{{.*}} key_schedule
// CHECK-DAG: .rodata.flexos.crypto{{.*}} sbox
// CHECK-DAG: .bss.flexos_shared{{.*}} tx_ring
// CHECK-DAG: .data.flexos_shared{{.*}} rx_len
// CHECK-DAG: .text.flexos.crypto{{.*}} rekey
