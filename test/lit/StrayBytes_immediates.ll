; flexos-stray-constants rebuilds integer constants whose bytes hold (part
; of) WRPKRU or XRSTOR through an opaque identity, so that they never
; become immediates; harmless constants and operands that must stay
; constant are left alone.
; RUN: %opt_flexos -passes=flexos-stray-constants -S %s -o %t.ll
; RUN: FileCheck %s < %t.ll
; RUN: %opt_flexos -passes=flexos-stray-constants -S %t.ll -o %t.twice.ll
; RUN: grep -v ModuleID %t.ll > %t.a && grep -v ModuleID %t.twice.ll > %t.b
; RUN: diff %t.a %t.b

; 0x0528ae0f: bytes 0f ae 28 05 (XRSTOR [rax]); 0x1234ef010f5678: WRPKRU.
; CHECK-LABEL: define i32 @imm32(
; CHECK: %[[H:.*]] = call i32 asm "", "=r,0"(i32 1601369173)
; CHECK: %[[U:.*]] = xor i32 %[[H]], 1515870810
; CHECK: add i32 %x, %[[U]]
define i32 @imm32(i32 %x) {
  %r = add i32 %x, 86552079
  ret i32 %r
}

; CHECK-LABEL: define i64 @imm64(
; CHECK: call i64 asm "", "=r,0"(i64
; CHECK: xor i64 %x, %
define i64 @imm64(i64 %x) {
  %r = xor i64 %x, 5124750700402296
  ret i64 %r
}

; A store of the constant; ends with 0f 01 (the next byte may complete it).
; CHECK-LABEL: define void @store_edge(
; CHECK: call i32 asm "", "=r,0"
; CHECK: store i32 %
define void @store_edge(ptr %p) {
  store i32 17760256, ptr %p  ; 0x010f0000: 00 00 0f 01
  ret void
}

; CHECK-LABEL: define i32 @harmless(
; CHECK-NOT: asm
; CHECK: mul i32 %x, 12345
; CHECK: add i32 %m, 287454020
define i32 @harmless(i32 %x) {
  %m = mul i32 %x, 12345
  %r = add i32 %m, 287454020
  ret i32 %r
}

; A phi takes the rebuilt value from the end of its incoming block, once
; per block even over two edges.
; CHECK-LABEL: define i32 @phi(
; CHECK: yes:
; CHECK-NEXT: %[[P:.*]] = call i32 asm "", "=r,0"
; CHECK-NEXT: %[[Q:.*]] = xor i32 %[[P]],
; CHECK-NEXT: switch
; CHECK: phi i32 [ %[[Q]], %yes ], [ %[[Q]], %yes ], [ 7, %entry ]
define i32 @phi(i32 %c) {
entry:
  %t = icmp ne i32 %c, 0
  br i1 %t, label %yes, label %done
yes:
  switch i32 %c, label %done [ i32 86552079, label %done ]
done:
  %v = phi i32 [ 15663375, %yes ], [ 15663375, %yes ], [ 7, %entry ]
  ret i32 %v
}

; A byte offset of 0x28ae0f as an array index becomes a displacement.
; CHECK-LABEL: define i8 @index(
; CHECK: call i64 asm "", "=r,0"
; CHECK: getelementptr i8, ptr %p, i64 %
define i8 @index(ptr %p) {
  %q = getelementptr i8, ptr %p, i64 2665999
  %v = load i8, ptr %q
  ret i8 %v
}

; Left alone: switch cases, struct indices, alloca sizes, immarg
; arguments and inline asm operands.
; CHECK-LABEL: define void @must_stay(
; CHECK-NOT: asm ""
; CHECK: switch i32 %c, label %out [
; CHECK-NEXT: i32 86552079, label %out
%big = type { [86552080 x i8], i32 }
define void @must_stay(i32 %c, ptr %s) {
  %a = alloca i8, i32 86552079
  call void @llvm.memset.p0.i64(ptr %a, i8 0, i64 16, i1 false)
  call void asm sideeffect "# $0", "i"(i32 86552079)
  switch i32 %c, label %out [ i32 86552079, label %out ]
out:
  ret void
}
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1 immarg)
