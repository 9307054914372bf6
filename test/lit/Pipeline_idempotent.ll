; The whole pipeline twice gives the same module as once: a second copy of
; the plugin (-fplugin plus -fpass-plugin) can never lower a gate twice.
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-pku.yaml;library=app>' -S %s -o %t.once.ll
; RUN: %opt_flexos -passes='flexos<config=%inputs/two-pku.yaml;library=app>,flexos<config=%inputs/two-pku.yaml;library=app>' -S %s -o %t.twice.ll
; RUN: diff %t.once.ll %t.twice.ll
; RUN: FileCheck %s < %t.once.ll
; CHECK-COUNT-1: module asm "FLEXOS_PKU_GATE __flexos_pku_gate.trusted.net.recv,
; CHECK: define i32 @serve(i32 %fd) section ".text.flexos.trusted"
; CHECK: call i32 @__flexos_pku_gate.trusted.net.recv(
@.lwip = private unnamed_addr constant [5 x i8] c"lwip\00"
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare ptr @__flexos_gate_target(ptr, ptr)
declare i32 @recv(i32, ptr, i32, i32)
define i32 @serve(i32 %fd) {
  %buf = alloca [512 x i8], align 16
  call void @llvm.var.annotation.p0.p0(ptr %buf, ptr @.share, ptr @.file, i32 3, ptr null)
  %p = call ptr @__flexos_gate_target(ptr @.lwip, ptr @recv)
  %r = call i32 %p(i32 %fd, ptr %buf, i32 512, i32 0)
  ret i32 %r
}
