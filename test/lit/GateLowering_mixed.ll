; Mixed mechanisms: a gate takes the stronger mechanism of its two ends.
; From `none` (trusted) into intel-pku (keyed) is an MPK gate, into vm-ept
; (vm) an RPC; from keyed into vm also an RPC.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/mixed.yaml;library=app>,verify' -S %s | FileCheck %s
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/mixed.yaml;library=util>,verify' -S %s | FileCheck %s --check-prefix=KEYED
@.util = private unnamed_addr constant [5 x i8] c"util\00"
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @hash(i32)
declare i32 @recv(i32)

; CHECK-LABEL: define i32 @to_keyed(
; CHECK: call i32 @__flexos_pku_gate.trusted.keyed.hash(i32 %x)
; KEYED-LABEL: define i32 @to_keyed(
; KEYED: call i32 @hash(i32 %x)
define i32 @to_keyed(i32 %x) {
  %p = call ptr @__flexos_gate_target(ptr @.util, ptr @hash)
  %r = call i32 %p(i32 %x)
  ret i32 %r
}

; CHECK-LABEL: define i32 @to_vm(
; CHECK: call void @__flexos_ept_call(
; KEYED-LABEL: define i32 @to_vm(
; KEYED: call void @__flexos_ept_call(
define i32 @to_vm(i32 %x) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %r = call i32 %p(i32 %x)
  ret i32 %r
}
