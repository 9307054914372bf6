// A plain call into another compartment that no gate can carry (here a
// variadic function) fails the build at the call's file:line, naming the
// callee; so does a struct passed by value.
// RUN: not %clang_flexos -O1 -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app -fplugin-arg-flexos-defs=%inputs/defs-two.txt -c %s -o /dev/null 2>&1 | FileCheck %s
int lwip_printf(const char *fmt, ...);
struct big { long a, b, c; };
int lwip_poll(struct big b);

int run(void) {
  int r = lwip_printf("%d", 1);
  struct big b = {1, 2, 3};
  return r + lwip_poll(b);
}
// CHECK: AutoGates_error_variadic.c:10: gate to variadic function lwip_printf is not supported
// CHECK: AutoGates_error_variadic.c:12: gate to lwip_poll: argument 1 is passed by value in memory
