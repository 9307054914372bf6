// Without the plugin, <flexos.h> still compiles with clang and gcc, gates are
// plain calls and the program runs.
// RUN: %clang_plain -Wall -Werror %s -o %t.clang && %t.clang | FileCheck %s
// RUN: gcc -Wall -Werror -I%srcroot/include %s -o %t.gcc && %t.gcc | FileCheck %s
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
  return 0;
}
// CHECK: hello
// CHECK-NEXT: 42 43
