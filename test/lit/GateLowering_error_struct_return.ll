; Two-register struct returns are rejected with the type named.
; RUN: not %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>' -disable-output %s 2>&1 | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare { i64, i64 } @callee()

define void @caller() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @callee)
  %r = call { i64, i64 } %p()
  ret void
}
; CHECK: error: {{.*}}in function caller {{.*}}flexos: gate to callee returns { i64, i64 }
