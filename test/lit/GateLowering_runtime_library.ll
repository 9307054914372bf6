; A gate into library `runtime` (not listed in the configuration) goes to
; the default compartment: from net it is an MPK gate net -> app.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/three-pku.yaml;library=lwip>,verify' -S %s | FileCheck %s
@.runtime = private unnamed_addr constant [8 x i8] c"runtime\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @flexos_thread_yield()

; CHECK-LABEL: define void @yield_from_net(
; CHECK: call void @__flexos_pku_gate.net.app.flexos_thread_yield()
define void @yield_from_net() {
  %g = call ptr @__flexos_gate_target(ptr @.runtime, ptr @flexos_thread_yield)
  call void %g()
  ret void
}
