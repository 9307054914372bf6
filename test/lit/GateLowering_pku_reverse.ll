; A gate from net back into the default compartment uses net's PKRU as the
; source and trusted's as the destination.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=lwip>,verify' -S %s | FileCheck %s
@.app = private unnamed_addr constant [4 x i8] c"app\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @on_packet(ptr, i32)

; CHECK: FLEXOS_PKU_GATE __flexos_pku_gate.net.trusted.on_packet, on_packet, 1, 0, 0x3fffffce, 0x3ffffff0, 2, 0, 0, 0, 0
; CHECK-LABEL: define void @input(
; CHECK-NEXT: call void @__flexos_pku_gate.net.trusted.on_packet(ptr %p, i32 %n)
define void @input(ptr %p, i32 %n) {
  %g = call ptr @__flexos_gate_target(ptr @.app, ptr @on_packet)
  call void %g(ptr %p, i32 %n)
  ret void
}
