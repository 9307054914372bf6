; Every gate lowered into another compartment leaves one record in the
; gate table for checked indirect calls: {target, what to call, src, dst}.
; intel-pku calls the gate instance; none the function itself; a gate
; within the compartment leaves none. One record per function however
; many gates name it.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s --check-prefix=PKU
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-none.yaml;library=app>,verify' -S %s | FileCheck %s --check-prefix=NONE
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
@.util = private unnamed_addr constant [5 x i8] c"util\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare i64 @recv(i64)
declare i64 @helper(i64)

; PKU: @__flexos_gate_record.trusted.net.recv = linkonce_odr hidden constant { ptr, ptr, i32, i32 } { ptr @recv, ptr @__flexos_pku_gate.trusted.net.recv, i32 0, i32 1 }, section "flexos_gate_table", comdat, align 8
; PKU-NOT: @__flexos_gate_record.trusted.net.recv =
; PKU-NOT: @__flexos_gate_record.trusted.trusted
; NONE: @__flexos_gate_record.trusted.net.recv = linkonce_odr hidden constant { ptr, ptr, i32, i32 } { ptr @recv, ptr @recv, i32 0, i32 1 }, section "flexos_gate_table", comdat, align 8
; PKU: @llvm.compiler.used = {{.*}}@__flexos_gate_record.trusted.net.recv
define i64 @twice(i64 %x) {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %a = call i64 %p(i64 %x)
  %q = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %b = call i64 %q(i64 %a)
  %h = call ptr @__flexos_gate_target(ptr @.util, ptr @helper)
  %c = call i64 %h(i64 %b)
  ret i64 %c
}
