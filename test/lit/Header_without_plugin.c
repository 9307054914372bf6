// Without the plugin, <flexos.h> still compiles with clang and gcc (also
// with -Wextra), gates are plain calls, the check helpers check (a failed
// one traps) and the program runs.
// RUN: %clang_plain -Wall -Wextra -Werror %s -o %t.clang && %t.clang | FileCheck %s
// RUN: gcc -Wall -Wextra -Werror -I%srcroot/include %s -o %t.gcc && %t.gcc | FileCheck %s
// RUN: %clang_plain -DFAIL -Wall -Wextra -Werror %s -o %t.fail && not --crash %t.fail
#include <flexos.h>
#include <stdio.h>
static int add(int a, int b) { return a + b; }
static void hello(void) { printf("hello\n"); }
int main(void) {
  int buf[2] __flexos_share = {40, 2};
  int r = flexos_gate(lib, add, buf[0], buf[1]);
  int s;
  flexos_gate_r(lib, s, add, r, 1);
  flexos_gate(lib, hello);
  printf("%d %d\n", r, s);
  size_t i = flexos_check_index((size_t)r - 41, 2);
  size_t n = flexos_check_size((size_t)s, 64);
  int *p = flexos_check_shared(buf, sizeof buf);
  printf("%zu %zu %d\n", i, n, p[0]);
#ifdef FAIL
  flexos_check_index((size_t)r, 2);
#endif
  return 0;
}
// CHECK: hello
// CHECK-NEXT: 42 43
// CHECK-NEXT: 1 43 40
