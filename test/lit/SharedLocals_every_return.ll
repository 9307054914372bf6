; The shared block is released on every exit path: the early return, the
; return after the loop, and nothing is allocated inside the loop.
; RUN: %opt_flexos -passes='flexos-shared-locals<config=%inputs/two-pku.yaml;library=app>,verify' -S %s | FileCheck %s
@.share = private unnamed_addr constant [13 x i8] c"flexos_share\00", section "llvm.metadata"
@.file = private unnamed_addr constant [4 x i8] c"a.c\00", section "llvm.metadata"
declare void @llvm.var.annotation.p0.p0(ptr, ptr, ptr, i32, ptr)
declare i32 @fill(ptr)

; CHECK-LABEL: define i32 @f(
; CHECK: %[[SAVED:flexos.sstack.saved]] = load i64
; CHECK-COUNT-1: sub i64 %[[SAVED]]
; CHECK: early:
; CHECK-NEXT: store i64 %[[SAVED]], ptr
; CHECK-NEXT: ret i32 -1
; CHECK: loop:
; CHECK-NOT: sub i64 %[[SAVED]]
; CHECK: done:
; CHECK-NEXT: store i64 %[[SAVED]], ptr
; CHECK-NEXT: ret i32 %n
define i32 @f(i32 %k) {
  %buf = alloca [64 x i8], align 8
  call void @llvm.var.annotation.p0.p0(ptr %buf, ptr @.share, ptr @.file, i32 3, ptr null)
  %z = icmp eq i32 %k, 0
  br i1 %z, label %early, label %loop
early:
  ret i32 -1
loop:
  %i = phi i32 [ 0, %0 ], [ %i1, %loop ]
  %n = call i32 @fill(ptr %buf)
  %i1 = add i32 %i, 1
  %c = icmp ult i32 %i1, %k
  br i1 %c, label %loop, label %done
done:
  ret i32 %n
}
