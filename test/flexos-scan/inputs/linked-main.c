/*
 * FILE: test/flexos-scan/inputs/linked-main.c
 * DESCRIPTION:
 *   Host program for the linked-executable scan tests: references the
 *   gate in gate-ok.s so the linker keeps it.  Never run by the tests;
 *   only its image is scanned.
 * USAGE:
 *   clang-19 -fuse-ld=lld linked-main.c gate-ok.s -Wl,-T,linked-gates.lds
 * License: MIT (see LICENSE)
 */
void gate_x(void);

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 99)
    gate_x();
  return 0;
}
