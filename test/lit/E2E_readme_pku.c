// The README example under intel-pku: the object holds a gate instance in
// its own COMDAT section whose WRPKRU is followed by the ERIM check, both
// ways; serve() calls the instance, carves its buffer from the shared stack
// and lives in .text.flexos.trusted.
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -S %s -o %t.s
// RUN: FileCheck %s < %t.s
// RUN: FileCheck %s --check-prefix=GATE < %t.s
// RUN: %clang_flexos -O2 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -c %s -o %t.o
// RUN: llvm-readelf -S %t.o | FileCheck %s --check-prefix=SECTIONS
// RUN: llvm-objdump -d --no-show-raw-insn %t.o | FileCheck %s --check-prefix=DISASM
#include <flexos.h>
int recv(int fd, void *buf, int len, int flags);      /* defined in library lwip */

int serve(int connfd) {
    char buf[512] __attribute__((flexos_share));
    int rc = flexos_gate(lwip, recv, connfd, buf, 512, 0);
    int n;
    flexos_gate_r(lwip, n, recv, connfd, buf, 512, 0);
    return rc + n;
}
// CHECK: .section .text.flexos.trusted
// CHECK-LABEL: serve:
// CHECK: movq %gs:8,
// CHECK: callq __flexos_mpk_gate.trusted.net.recv
// CHECK: callq __flexos_mpk_gate.trusted.net.recv
// CHECK-NOT: __flexos_gate_target
// GATE: .section .text.flexos_gates.__flexos_mpk_gate.trusted.net.recv,"axG",@progbits,__flexos_mpk_gate.trusted.net.recv,comdat
// GATE: __flexos_mpk_gate.trusted.net.recv:
// GATE: movl $1073741774, %eax
// GATE-NEXT: xorl %ecx, %ecx
// GATE-NEXT: xorl %edx, %edx
// GATE-NEXT: wrpkru
// GATE-NEXT: cmpl $1073741774, %eax
// GATE-NEXT: jne
// GATE: callq recv@PLT
// GATE: movl $1073741808, %eax
// GATE-NEXT: xorl %ecx, %ecx
// GATE-NEXT: xorl %edx, %edx
// GATE-NEXT: wrpkru
// GATE-NEXT: cmpl $1073741808, %eax
// GATE-NEXT: jne
// SECTIONS: .group
// SECTIONS: .text.flexos_gates.__flexos_mpk_gate.trusted.net.recv PROGBITS {{.*}} AXG
// SECTIONS: .text.flexos.trusted PROGBITS
// DISASM: wrpkru
// DISASM-NEXT: cmpl $0x3fffffce, %eax
// DISASM: wrpkru
// DISASM-NEXT: cmpl $0x3ffffff0, %eax
