; Under mechanism none even a cross-compartment gate is a direct call, and
; no runtime call or marker is left.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-none.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @recv(i32, ptr, i32, i32)

; CHECK-NOT: module asm
; CHECK-LABEL: define i32 @serve(
; CHECK-NEXT: %r = call i32 @recv(i32 %fd, ptr %buf, i32 512, i32 0)
define i32 @serve(i32 %fd, ptr %buf) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %r = call i32 %p(i32 %fd, ptr %buf, i32 512, i32 0)
  ret i32 %r
}
; CHECK-NOT: __flexos_gate_target
; CHECK-NOT: __flexos_ept_call
; CHECK-NOT: __flexos_pku_gate
