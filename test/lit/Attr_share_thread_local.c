// Thread-local data cannot be shared.
// RUN: %clang_flexos -fsyntax-only -Xclang -verify -fplugin-arg-flexos-config=%inputs/two-pku.yaml -fplugin-arg-flexos-library=app %s
_Thread_local int t __attribute__((flexos_share)); // expected-error {{'flexos_share' applies to local and global variables, not to a thread-local variable}}
