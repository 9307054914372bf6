; Two shared locals share one block: an i32 at offset 0 and a 64-byte
; aligned buffer at offset 64; the block is 128 bytes aligned to 64. A
; private local stays an alloca, and lifetime markers of moved locals go.
; RUN: %opt_flexos -passes='flexos-shared-locals<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare void @llvm.lifetime.start.p0(i64, ptr)
declare void @use3(ptr, ptr, ptr)

; CHECK-LABEL: define void @f(
; CHECK: %priv = alloca i64
; CHECK-NOT: alloca
; CHECK: sub i64 %{{.*}}, 128
; CHECK: and i64 %{{.*}}, -64
; CHECK: %[[BASE:.*]] = inttoptr i64
; CHECK: %[[N:.*]] = getelementptr i8, ptr %[[BASE]], i64 0
; CHECK: %[[B:.*]] = getelementptr i8, ptr %[[BASE]], i64 64
; CHECK-NOT: llvm.lifetime.start.p0(i64 64, ptr %[[B]])
; CHECK: call void @use3(ptr %[[N]], ptr %[[B]], ptr %priv)
define void @f() {
  %n = alloca i32, align 4
  %big = alloca [64 x i8], align 64
  %priv = alloca i64, align 8
  call void @llvm.var.annotation.p0.p0(ptr %n, ptr @.share, ptr @.file, i32 3, ptr null)
  call void @llvm.var.annotation.p0.p0(ptr %big, ptr @.share, ptr @.file, i32 4, ptr null)
  call void @llvm.lifetime.start.p0(i64 64, ptr %big)
  call void @use3(ptr %n, ptr %big, ptr %priv)
  ret void
}
