; A function with a shared local that ends in a musttail call: the release
; goes before the call, which must stay right before its ret.
; RUN: %opt_flexos -passes='flexos-shared-locals<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare void @use(ptr)
declare i32 @tgt(i32)

; CHECK-LABEL: define i32 @f(
; CHECK: call void @use(
; CHECK-NEXT: store i64 %flexos.sstack.saved, ptr
; CHECK-NEXT: %r = musttail call i32 @tgt(i32 %x)
; CHECK-NEXT: ret i32 %r
define i32 @f(i32 %x) {
  %buf = alloca [32 x i8], align 16
  call void @llvm.var.annotation.p0.p0(ptr %buf, ptr @.share, ptr @.file, i32 3, ptr null)
  call void @use(ptr %buf)
  %r = musttail call i32 @tgt(i32 %x)
  ret i32 %r
}
