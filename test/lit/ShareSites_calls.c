// flexos-share-sites through the plugin, without -g (the plugin tracks
// locations when given a shares file): the malloc, calloc and realloc
// calls on the named lines of the named functions use the shared heap;
// the same line in another function, another line, and strdup stay.
// RUN: printf 'alloc fill %%s:16\nalloc fill ShareSites_calls.c:17\nalloc grow %%s:22\n' %s %s > %t.shares
// RUN: %clang_flexos -O0 -S -emit-llvm -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-shares=%t.shares %s -o - | FileCheck %s
#include <stdlib.h>
#include <string.h>
char *keep;
// CHECK-LABEL: define {{.*}} @fill(
// CHECK: call {{.*}}ptr @flexos_malloc_shared(i64 noundef 16)
// CHECK: call {{.*}}ptr @flexos_calloc_shared(i64 noundef 4, i64 noundef 8)
// CHECK: call {{.*}}ptr @malloc(i64 noundef 32)
// CHECK: call {{.*}}ptr @strdup(
void fill(char **a, char **b) {
  *a = malloc(16);
  *b = calloc(4, 8);
  keep = malloc(32); keep = strdup("x");
}
// CHECK-LABEL: define {{.*}} @grow(
// CHECK: call {{.*}}ptr @flexos_realloc_shared(ptr noundef {{.*}}, i64 noundef 64)
char *grow(char *p) { return realloc(p, 64); }
// CHECK-LABEL: define {{.*}} @other(
// CHECK: call {{.*}}ptr @malloc(i64 noundef 16)
char *other(void) {
  return malloc(16);
}
