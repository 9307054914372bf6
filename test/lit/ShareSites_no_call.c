// A shares file naming a line of a function defined here that holds no
// malloc, calloc or realloc call is an error at the shares file's line:
// the source changed since the record run (or the allocator is another).
// RUN: printf '# shares\nalloc make %%s:11\n' %s > %t.shares
// RUN: not %clang_flexos -O0 -c -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-shares=%t.shares %s -o /dev/null 2>&1 | FileCheck %s
// CHECK: error: {{.*}}.shares:2: flexos: no malloc, calloc or realloc call at {{.*}}ShareSites_no_call.c:11 in make
#include <stdlib.h>
#include <string.h>
char *make(void) {
  char *p = malloc(8);
  return p ? strcpy(p, "x") : strdup("y");
}
