#!/bin/sh
# FILE: test/hosted-pku/offsets-follow-structs.sh
# DESCRIPTION:
#   The offsets the assembly uses are tied to the C structs: moving a field
#   of struct flexos_tcb (include/flexos/abi.h), struct trapframe
#   (runtime/core/kernel.h) or struct hosted_tcb (platform/linux/linux.h) in a
#   copy of the tree must fail the compile of a file that includes the
#   header, with the header's static assertion, while the unmodified copy
#   compiles.
# USAGE: offsets-follow-structs.sh SOURCE_DIR CC
# License: MIT (see LICENSE)
set -u
src=$1
cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# compile HEADER_IN_TREE [sed expression]: 0 when the include compiles
compile() {
  rm -rf "$tmp/tree"
  mkdir -p "$tmp/tree"
  cp -r "$src/include" "$src/runtime" "$src/platform" "$tmp/tree/"
  if [ -n "${2:-}" ]; then
    sed -i "$2" "$tmp/tree/$1"
    if cmp -s "$src/$1" "$tmp/tree/$1"; then
      echo "FAIL: the edit '$2' changed nothing in $1 (test out of date)"
      exit 1
    fi
  fi
  printf '#include "%s"\n' "$tmp/tree/$1" > "$tmp/t.c"
  "$cc" -fsyntax-only -D_GNU_SOURCE -I"$tmp/tree/include" -I"$tmp/tree/runtime" \
    -I"$tmp/tree/platform/linux" "$tmp/t.c" > "$tmp/out" 2>&1
}

check() { # header, description, sed expression swapping two fields
  if ! compile "$1"; then
    echo "FAIL: $1 does not compile unmodified:"
    cat "$tmp/out"
    fail=1
    return
  fi
  if compile "$1" "$3"; then
    echo "FAIL: $2 moved in $1, and it still compiles"
    fail=1
  elif grep -q "static assert" "$tmp/out"; then
    echo "ok: $2 moved in $1: $(grep -m1 'static assert' "$tmp/out" | sed 's/.*error: //')"
  else
    echo "FAIL: $2 moved in $1, but the compile failed for another reason:"
    cat "$tmp/out"
    fail=1
  fi
}

check include/flexos/abi.h "struct flexos_tcb's shared_stack and rpc_slot" \
  '/^struct flexos_tcb {/,/^};/{s/\(.*\) shared_stack;/\1 shared_stack_MOVED;/;s/\(.*\) rpc_slot;/\1 shared_stack;/;s/ shared_stack_MOVED;/ rpc_slot;/}'
check runtime/core/kernel.h "struct trapframe's rsp and ss" \
  '/^struct trapframe {/,/^};/s/rsp, ss;/ss, rsp;/'
check platform/linux/linux.h "struct hosted_tcb's first two fields" \
  '/^struct hosted_tcb {/,/^};/{/^  [a-z]/{N;s/^\(  [^\n]*\)\n\(  [^\n]*\)$/\2\n\1/}}'
exit $fail
