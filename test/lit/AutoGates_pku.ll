; A plain call from app (trusted) to lwIP's lwip_recv (net) becomes the
; flexos_gate() marker and then the intel-pku gate instance, exactly as a
; hand-written gate; calls within the compartment (util, own library) and
; to functions no library defines (libc) stay plain calls.
; RUN: %opt_flexos -passes='flexos-auto-gates<config=%inputs/two-pku.yaml;library=app;defs=%inputs/defs-two.txt>' -S %s | FileCheck %s --check-prefix=MARKER
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-pku.yaml;library=app;defs=%inputs/defs-two.txt>,verify' -S %s | FileCheck %s
declare i32 @lwip_recv(i32, ptr, i32, i32)
declare i32 @util_hash(ptr)
declare i64 @strlen(ptr)

; MARKER: @flexos.auto.lib = private unnamed_addr constant [5 x i8] c"lwip\00"
; MARKER-LABEL: define i32 @serve(
; MARKER-NEXT: %flexos.auto.gate = call ptr @__flexos_gate_target(ptr @flexos.auto.lib, ptr @lwip_recv, ptr @flexos.auto.file, i32 0)
; MARKER-NEXT: %r = call i32 %flexos.auto.gate(i32 %fd, ptr %buf, i32 512, i32 0)
; MARKER-NEXT: %h = call i32 @util_hash(ptr %buf)
; MARKER-NEXT: %n = call i64 @strlen(ptr %buf)

; CHECK: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.lwip_recv, lwip_recv, 0, 1, 0x3ffffff0, 0x3fffffce, 4, 0, 0, 1, 0, 0"
; CHECK-LABEL: define i32 @serve(
; CHECK-NEXT: %r = call i32 @__flexos_pku_gate.trusted.net.lwip_recv(i32 %fd, ptr %buf, i32 512, i32 0)
; CHECK-NEXT: %h = call i32 @util_hash(ptr %buf)
; CHECK-NEXT: %n = call i64 @strlen(ptr %buf)
define i32 @serve(i32 %fd, ptr %buf) {
  %r = call i32 @lwip_recv(i32 %fd, ptr %buf, i32 512, i32 0)
  %h = call i32 @util_hash(ptr %buf)
  %n = call i64 @strlen(ptr %buf)
  ret i32 %r
}
; CHECK-NOT: __flexos_gate_target
