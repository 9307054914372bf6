; A field index of a struct GEP is no array index: it was scaled as one
; (an assertion failure with LLVM assertions on, a meaningless product
; without). Field indices are never replaced and are left as they are; an
; array index whose byte offset holds WRPKRU's bytes still is.
; RUN: %opt_flexos -passes='flexos-stray-constants,verify' -S %s | FileCheck %s
%struct.s = type { i64, [4 x i8], i32 }

; CHECK-LABEL: define ptr @field(
; CHECK-NEXT: %f = getelementptr %struct.s, ptr %p, i64 0, i32 2
define ptr @field(ptr %p) {
  %f = getelementptr %struct.s, ptr %p, i64 0, i32 2
  ret ptr %f
}

; 0xef010f: the bytes 0f 01 ef (WRPKRU) in the displacement.
; CHECK-LABEL: define ptr @element(
; CHECK: call i64 asm
; CHECK-NOT: i64 15663375
define ptr @element(ptr %p) {
  %e = getelementptr i8, ptr %p, i64 15663375
  ret ptr %e
}
