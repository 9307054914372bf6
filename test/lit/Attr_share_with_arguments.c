// flexos_share takes no arguments.
// RUN: %clang_flexos -fsyntax-only -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
int g __attribute__((flexos_share(1))); // expected-error {{'flexos_share' attribute takes no arguments}}
