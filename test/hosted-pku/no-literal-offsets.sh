#!/bin/sh
# FILE: test/hosted-pku/no-literal-offsets.sh
# DESCRIPTION:
#   Assembly that shares structs with C names every offset (FLEXOS_TCB_*,
#   FLEXOS_GATE_SLOT_*, FLEXOS_TRAPFRAME_* from include/flexos/abi.h,
#   HOSTED_TCB_* from platform/linux/linux.h), never a number: the headers'
#   static assertions then tie each one to its C struct, and a moved field
#   cannot leave the assembly behind (test offsets-follow-structs shows
#   the build failing).  Fails on any %gs:/%fs: access with a literal
#   offset in the gates and the hosted runtime, and on any numeric
#   displacement at all in gates/*.S, whose memory operands are all
#   struct fields.
# USAGE: no-literal-offsets.sh SOURCE_DIR
# License: MIT (see LICENSE)
src=$1
bad=$(grep -nE '%[gf]s:\(?(0x[0-9a-fA-F]+|[0-9]+)' "$src/gates/pku_gate.inc" "$src"/gates/*.S "$src"/platform/linux/*.S)
disp=$(grep -nE '(^|[ ,])-?(0x[0-9a-fA-F]+|[0-9]+)\(%' "$src"/gates/*.S | grep -vE '^[^:]+:[0-9]+: *(/\*|\*)')
if [ -n "$bad$disp" ]; then
  echo "FAIL: struct offsets written as numbers (use FLEXOS_TCB_*, FLEXOS_TRAPFRAME_*, HOSTED_TCB_*):"
  printf "%s\n" "$bad" "$disp"
  exit 1
fi
echo "ok: no literal struct offsets in gates/ and platform/linux/*.S"
