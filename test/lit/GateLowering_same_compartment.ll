; A gate between two libraries of the same compartment is a direct call:
; no marker, no gate instance, no module assembly.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.util = private unnamed_addr constant [5 x i8] c"util\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @checksum(ptr, i32)

; CHECK-NOT: module asm
; CHECK-LABEL: define i32 @f(
; CHECK-NEXT: %r = call i32 @checksum(ptr %b, i32 8)
; CHECK-NEXT: ret i32 %r
define i32 @f(ptr %b) {
  %p = call ptr @__flexos_gate_target(ptr @.util, ptr @checksum)
  %r = call i32 %p(ptr %b, i32 8)
  ret i32 %r
}
; CHECK-NOT: __flexos_gate_target
; CHECK-NOT: __flexos_pku_gate
