// flexos_share on a struct field is an error.
// RUN: %clang_flexos -fsyntax-only -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
struct s {
  int a __attribute__((flexos_share)); // expected-error {{'flexos_share' applies to local and global variables, not to a struct field}}
};
