; flexos-share-sites matches by the call's debug location: the file path
; component by component from the end (src/app.c in /work/proj matches
; app.c and proj/src/app.c, not /elsewhere/app.c), the line, and the
; function, or the inlined function the location's scope names.
; RUN: printf 'alloc make proj/src/app.c:3\nalloc helper app.c:7\nalloc make /elsewhere/app.c:4\n' > %t.shares
; RUN: %opt_flexos -passes='flexos-share-sites<shares=%t.shares>,verify' -S %s | FileCheck %s
; CHECK-LABEL: define ptr @make(
; CHECK: call ptr @flexos_malloc_shared(i64 8)
; CHECK: call ptr @malloc(i64 9)
; CHECK-LABEL: define ptr @outer(
; CHECK: call ptr @flexos_calloc_shared(i64 1, i64 4)
; CHECK: call ptr @malloc(i64 5)
declare ptr @malloc(i64)
declare ptr @calloc(i64, i64)

define ptr @make() !dbg !5 {
  %p = call ptr @malloc(i64 8), !dbg !8
  %q = call ptr @malloc(i64 9), !dbg !9
  ret ptr %p
}

define ptr @outer() !dbg !10 {
  %p = call ptr @calloc(i64 1, i64 4), !dbg !12
  %q = call ptr @malloc(i64 5), !dbg !14
  ret ptr %p
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}
!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "src/app.c", directory: "/work/proj")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !4)
!4 = !{}
!5 = distinct !DISubprogram(name: "make", scope: !1, file: !1, line: 2, type: !3, spFlags: DISPFlagDefinition, unit: !0)
!8 = !DILocation(line: 3, column: 3, scope: !5)
!9 = !DILocation(line: 4, column: 3, scope: !5)
!10 = distinct !DISubprogram(name: "outer", scope: !1, file: !1, line: 10, type: !3, spFlags: DISPFlagDefinition, unit: !0)
!11 = distinct !DISubprogram(name: "helper", scope: !1, file: !1, line: 6, type: !3, spFlags: DISPFlagDefinition, unit: !0)
!12 = !DILocation(line: 7, column: 3, scope: !11, inlinedAt: !13)
!13 = distinct !DILocation(line: 11, column: 3, scope: !10)
!14 = !DILocation(line: 7, column: 3, scope: !10)
