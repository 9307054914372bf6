; vm-ept: each gate also emits the callee's entry (COMDAT, in
; .flexos_ept_entries): identifier, destination compartment, argument
; count, a mask of pointer arguments (bit 1: %buf; bit 3: %p) and an
; unpack function that converts the slot's words back, keeping the sext
; of the call site.  Two gates to one function share one entry.
; RUN: %opt_flexos -passes='flexos-lower-gates<config=%inputs/two-ept.yaml;library=app>,verify' -S %s | FileCheck %s
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
declare ptr @__flexos_gate_target(ptr, ptr)
declare double @mix(i32, ptr, double, ptr, i8)

; CHECK: @__flexos_ept_entry.mix = linkonce_odr hidden constant { i64, i32, i32, i32, i32, ptr } { i64 {{-?[0-9]+}}, i32 1, i32 5, i32 10, i32 0, ptr @__flexos_ept_unpack.mix }, section ".flexos_ept_entries", comdat, align 8
; CHECK-NOT: @__flexos_ept_entry.mix{{.*}}=
; CHECK: @llvm.compiler.used = appending global [1 x ptr] [ptr @__flexos_ept_entry.mix]

define double @twice(i32 %a, ptr %buf, ptr %p) {
  %g = call ptr @__flexos_gate_target(ptr @.lwip, ptr @mix)
  %r1 = call double %g(i32 %a, ptr %buf, double 1.5, ptr %p, i8 signext -3)
  %g2 = call ptr @__flexos_gate_target(ptr @.lwip, ptr @mix)
  %r2 = call double %g2(i32 %a, ptr null, double %r1, ptr %p, i8 signext 1)
  ret double %r2
}

; CHECK-LABEL: define linkonce_odr hidden i64 @__flexos_ept_unpack.mix(ptr %0) #{{[0-9]+}} comdat {
; CHECK: trunc i64 %{{.*}} to i32
; CHECK: inttoptr i64 %{{.*}} to ptr
; CHECK: bitcast i64 %{{.*}} to double
; CHECK: inttoptr i64 %{{.*}} to ptr
; CHECK: trunc i64 %{{.*}} to i8
; CHECK: %[[R:.*]] = call double @mix(i32 %{{.*}}, ptr %{{.*}}, double %{{.*}}, ptr %{{.*}}, i8 signext %{{.*}})
; CHECK: %[[W:.*]] = bitcast double %[[R]] to i64
; CHECK: ret i64 %[[W]]
