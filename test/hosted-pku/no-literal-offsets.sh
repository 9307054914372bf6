#!/bin/sh
# FILE: test/hosted-pku/no-literal-offsets.sh
# DESCRIPTION:
#   The MPK gate and the hosted runtime's assembly name every TCB offset
#   (FLEXOS_TCB_* from include/flexos/abi.h, HOSTED_TCB_* from
#   platform/linux/linux.h), never a number: abi.h's static assertions then
#   tie each one to the C struct, and a moved field cannot leave the
#   assembly behind.  Fails on any %gs:/%fs: access with a literal offset.
# USAGE: no-literal-offsets.sh SOURCE_DIR
# License: MIT (see LICENSE)
src=$1
bad=$(grep -nE '%[gf]s:\(?(0x[0-9a-fA-F]+|[0-9]+)' "$src/gates/mpk_gate.inc" "$src"/platform/linux/*.S)
if [ -n "$bad" ]; then
  echo "FAIL: TCB offsets written as numbers (use FLEXOS_TCB_* / HOSTED_TCB_*):"
  printf "%s\n" "$bad"
  exit 1
fi
echo "ok: no literal %gs/%fs offsets in gates/mpk_gate.inc and platform/linux/*.S"
