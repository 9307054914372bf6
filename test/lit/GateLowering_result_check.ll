; A data pointer that a gate into an untrusted compartment returns is
; checked right after the gate (__flexos_check_gate_result stops the
; program unless it is NULL or shared). Under intel-pku NULL and pages
; whose bit is set in the image's shared-page bitmap pass inline; the call
; is the slow path (and the only path without a bitmap: a weak symbol). Not for a function pointer (called
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
; PKU: @__flexos_shared_page_bits = extern_weak global i8
; PKU-LABEL: define ptr @data(
; PKU: %r = call ptr @__flexos_pku_gate.trusted.net.net_buf()
; PKU-NEXT: %[[A:.*]] = ptrtoint ptr %r to i64
; PKU-NEXT: %[[NULL:.*]] = icmp eq i64 %[[A]], 0
; PKU-NEXT: br i1 %[[NULL]], label %flexos.checked, label %flexos.check.probe
; PKU: flexos.check.probe:
; PKU-NEXT: %[[PAGE:.*]] = lshr i64 %[[A]], 12
; PKU-NEXT: icmp eq ptr @__flexos_shared_page_bits, null
; PKU-NEXT: icmp uge i64 %[[PAGE]], 65536
; PKU: flexos.check.test:
; PKU: load i8, ptr
; PKU: br i1 %{{.*}}, label %flexos.checked, label %flexos.check.slow
; PKU: flexos.check.slow:
; PKU-NEXT: call void @__flexos_check_gate_result(ptr %r, ptr @flexos.gate.name)
; PKU-NEXT: br label %flexos.checked
; PKU: flexos.checked:
; PKU-NEXT: ret ptr %r
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
