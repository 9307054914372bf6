// flexos_share is accepted on locals, globals, static locals, with the
// __flexos_share shorthand and the C23 [[flexos::share]] spelling.
// RUN: %clang_flexos -std=c2x -fsyntax-only -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
// expected-no-diagnostics
#include <flexos.h>
int g __attribute__((flexos_share));
int h __flexos_share = 3;
[[flexos::share]] int k;
int f(void) {
  char buf[16] __attribute__((flexos_share));
  static int s __flexos_share;
  [[flexos::share]] int c = 1;
  return buf[0] + s + c + g + h + k;
}
