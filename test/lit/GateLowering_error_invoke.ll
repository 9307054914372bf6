; A gate reached through invoke (C++ code that may unwind) is rejected with
; a message about exceptions, not about how the gate is called.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare void @callee()
declare i32 @__gxx_personality_v0(...)
define void @caller() personality ptr @__gxx_personality_v0 {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  invoke void %p() to label %ok unwind label %lp
ok:
  ret void
lp:
  %l = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %l
}
; CHECK: error: {{.*}}flexos: the gate to callee may unwind (C++ exceptions)
