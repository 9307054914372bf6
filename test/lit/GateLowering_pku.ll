; intel-pku: the call goes to a gate instance named after both compartments
; and the callee, instantiated once in module assembly with the PKRU values
; of trusted (0x3ffffff0) and net (0x3fffffce) and 4 integer arguments.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @recv(i32, ptr, i32, i32)

; CHECK: module asm ".macro FLEXOS_PKU_GATE name, target, src, dst, src_pkru, dst_pkru, nint, nfp, nstack, retint, retfp, avx=0"
; CHECK: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.recv, recv, 0, 1, 0x3ffffff0, 0x3fffffce, 4, 0, 0, 1, 0, 0"
; CHECK-LABEL: define i32 @serve(
; CHECK-NEXT: %r = call i32 @__flexos_pku_gate.trusted.net.recv(i32 %fd, ptr %buf, i32 512, i32 0)
define i32 @serve(i32 %fd, ptr %buf) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %r = call i32 %p(i32 %fd, ptr %buf, i32 512, i32 0)
  ret i32 %r
}
; CHECK: declare hidden i32 @__flexos_pku_gate.trusted.net.recv(i32, ptr, i32, i32)
; CHECK-NOT: __flexos_gate_target
