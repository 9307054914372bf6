; A data pointer that a gate into an untrusted compartment returns is
; checked right after the gate (__flexos_check_gate_result stops the
; program unless it is NULL or shared). Not for a function pointer (called
; below), not for gates from net into the default compartment, which net
; trusts, and not under mechanism none.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s --check-prefix=PKU
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-ept.yaml;library=app>,verify' -S %s | FileCheck %s --check-prefix=EPT
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=lwip>,verify' -S %s | FileCheck %s --check-prefix=TRUSTED
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-none.yaml;library=app>,verify' -S %s | FileCheck %s --check-prefix=TRUSTED
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
@.util = private unnamed_addr constant [5 x i8] c"util\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare ptr @net_buf()
declare ptr @net_handler()
declare ptr @util_buf()

; PKU: @flexos.gate.name = private unnamed_addr constant [{{[0-9]+}} x i8] c"trusted -> net: net_buf\00"
; PKU-LABEL: define ptr @data(
; PKU: %r = call ptr @__flexos_mpk_gate.trusted.net.net_buf()
; PKU-NEXT: call void @__flexos_check_gate_result(ptr %r, ptr @flexos.gate.name)
; EPT-LABEL: define ptr @data(
; EPT: %[[R:.*]] = inttoptr i64 %flexos.rpc.ret to ptr
; EPT-NEXT: call void @__flexos_check_gate_result(ptr %[[R]], ptr @flexos.gate.name)
define ptr @data() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @net_buf)
  %r = call ptr %p()
  ret ptr %r
}

; PKU-LABEL: define void @code(
; PKU-NOT: __flexos_check_gate_result
; PKU: ret void
define void @code() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @net_handler)
  %h = call ptr %p()
  call void %h()
  ret void
}

; TRUSTED-NOT: call void @__flexos_check_gate_result
define ptr @from_net() {
  %p = call ptr @__flexos_gate_target(ptr @.util, ptr @util_buf)
  %r = call ptr %p()
  ret ptr %r
}
