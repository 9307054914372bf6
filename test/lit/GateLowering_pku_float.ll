; intel-pku with SSE arguments and an SSE return: doubles and floats use
; xmm registers (nfp), the 9th SSE argument goes to the stack, retfp 1.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare double @mix(double, float, i32, double, double, double, double, double, double, double)

; CHECK: FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.mix, mix, 0, 1, 0x3ffffff0, 0x3fffffce, 1, 8, 1, 0, 1
define double @f() {
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @mix)
  %r = call double %p(double 1.0, float 2.0, i32 3, double 4.0, double 5.0, double 6.0, double 7.0, double 8.0, double 9.0, double 10.0)
  ret double %r
}
