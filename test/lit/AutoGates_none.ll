; Without isolation an automatic gate is a plain call, as a hand-written
; one is, plus its gate record; no indirect-call checks.
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-none.yaml;library=app;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s
declare i32 @lwip_recv(i32, ptr, i32, i32)

; CHECK: @__flexos_gate_record.trusted.net.lwip_recv = linkonce_odr hidden constant { ptr, ptr, i32, i32 } { ptr @lwip_recv, ptr @lwip_recv, i32 0, i32 1 }
; CHECK-LABEL: define i32 @serve(
; CHECK-NEXT: %r = call i32 @lwip_recv(i32 %fd, ptr %buf, i32 512, i32 0)
; CHECK-NEXT: %s = call i32 %cb(i32 %r)
define i32 @serve(i32 %fd, ptr %buf, ptr %cb) {
  %r = call i32 @lwip_recv(i32 %fd, ptr %buf, i32 512, i32 0)
  %s = call i32 %cb(i32 %r)
  ret i32 %s
}
; CHECK-NOT: FLEXOS_PKU_GATE
; CHECK-NOT: __flexos_indirect_call
