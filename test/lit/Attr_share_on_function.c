// flexos_share on a function is an error: functions are reached by gates.
// RUN: %clang_flexos -fsyntax-only -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
int f(void) __attribute__((flexos_share)); // expected-error {{'flexos_share' applies to local and global variables, not to a function}}
