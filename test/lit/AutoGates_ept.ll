; vm-ept: an automatic gate is marshalled into the thread's RPC slot like a
; hand-written one, and the callee's unpack entry is emitted.
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-ept.yaml;library=app;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s
declare i32 @lwip_recv(i32, ptr, i32, i32)

; CHECK: @__flexos_ept_entry.lwip_recv = linkonce_odr hidden constant
; CHECK-LABEL: define i32 @serve(
; CHECK: call void @__flexos_ept_call(ptr %flexos.rpc.slot)
; CHECK-NOT: call i32 @lwip_recv
; CHECK: define linkonce_odr hidden i64 @__flexos_ept_unpack.lwip_recv(
; CHECK: call i32 @lwip_recv(
define i32 @serve(i32 %fd, ptr %buf) {
  %r = call i32 @lwip_recv(i32 %fd, ptr %buf, i32 512, i32 0)
  ret i32 %r
}
