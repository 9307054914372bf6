#!/bin/bash
# FILE: tools/flexos-core-object.sh
# DESCRIPTION:
#   The ring-0 core of ring-3 images (docs/runtime.md, "Ring choice") as one
#   relocatable object: the core's objects are linked (ld.lld -r) with the
#   members of the image libc they use, a copy of the core's own, and their
#   code and data go to sections of their own (.text/.rodata/.data/.bss
#   .flexos_core; the interrupt and service entries, which write PKRU, to
#   .text.flexos_gates.kernel in the gate range) that the image maps as
#   supervisor pages.  Every global
#   symbol is then made local, except those in common memory
#   (.flexos_common, .flexos_roinit: the tables compartment code reads) and
#   the boot entry: compartment code can reach the core only through the
#   service entry (runtime/user/service.c), and a call of any core
#   function by name fails at link time.  The core keeps referring to what
#   the image defines (main, the generated configuration, the gates, and
#   the user-side code where it starts threads: runtime/user,
#   runtime/ept/rpc.c).
# USAGE:
#   tools/flexos-core-object.sh --llvm-bin DIR --libc libc.a -o OUT.o obj...
# License: MIT (see LICENSE)
set -u
set -o pipefail
me=$(basename "$0")
fail() {
  echo "$me: error: $*" >&2
  exit 1
}
bin="" libc="" out=""
objs=()
while [ $# -gt 0 ]; do
  case $1 in
  -h | --help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --llvm-bin | --libc | -o)
    [ $# -ge 2 ] || fail "$1 needs a value (see --help)"
    case $1 in --llvm-bin) bin=$2 ;; --libc) libc=$2 ;; -o) out=$2 ;; esac
    shift 2 ;;
  -*) fail "unknown option '$1' (see --help)" ;;
  *) objs+=("$1"); shift ;;
  esac
done
[ -n "$bin" ] && [ -n "$libc" ] && [ -n "$out" ] || fail "--llvm-bin, --libc and -o are required (see --help)"
[ ${#objs[@]} -gt 0 ] || fail "no core objects given"
[ -f "$libc" ] || fail "no image libc at $libc (build the flexos_libc target)"

script=$out.ld
cat >"$script" <<'LD'
SECTIONS {
  .text.boot : { *(.text.boot) }
  .text.flexos_gates.kernel : { *(.text.flexos_gates.interrupt .text.flexos_gates.kernel) }
  .text.flexos_core : { *(.text .text.*) }
  .rodata.flexos_core : { *(.rodata .rodata.*) }
  .data.flexos_core : { *(.data .data.*) }
  .bss.flexos_core : { *(.bss .bss.* COMMON) }
}
LD
"$bin/llvm-nm" --defined-only -g --format=just-symbols "$libc" 2>/dev/null |
  grep -v ':$' | grep -v '^$' | LC_ALL=C sort -u >"$out.libc-defined" ||
  fail "llvm-nm $libc failed"
force=()
for round in 1 2 3; do
  "$bin/ld.lld" -r -T "$script" "${force[@]}" -o "$out.tmp" "${objs[@]}" "$libc" ||
    fail "partial link of the core with its libc failed"
  # Weak references the libc would satisfy: into this copy, not another's.
  open=$("$bin/llvm-nm" -u --format=just-symbols "$out.tmp" | LC_ALL=C sort -u |
    LC_ALL=C comm -12 - "$out.libc-defined")
  [ -z "$open" ] && break
  [ "$round" = 3 ] && fail "the core's libc copy still refers to libc symbols it does not hold: $(echo $open)"
  for s in $open; do force+=(-u "$s"); done
done
# llvm-objdump -t: "ADDR FLAGS SECTION SIZE NAME"; globals have "g" flags.
"$bin/llvm-objdump" -t "$out.tmp" | awk '
  $2 ~ /^g/ || $2 == "w" {
    sec = $(NF - 2); name = $NF
    if (sec == "*UND*") next
    if (sec == ".flexos_common" || sec == ".flexos_roinit" || name == "_start32") next
    print name
  }' | LC_ALL=C sort -u >"$out.localize" || fail "llvm-objdump -t $out.tmp failed"
"$bin/llvm-objcopy" --localize-symbols="$out.localize" "$out.tmp" "$out" ||
  fail "llvm-objcopy could not make the core's symbols local"
rm -f "$out.tmp" "$out.libc-defined"
