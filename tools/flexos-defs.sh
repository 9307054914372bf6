#!/bin/sh
# FILE: tools/flexos-defs.sh
# DESCRIPTION:
#   Writes which library of a program defines which function, one
#   "LIBRARY SYMBOL" line each, for automatic gates (passes/AutoGates.cpp).
#   The objects are each library's first, plugin-less compile (bitcode or
#   ELF); llvm-nm lists their defined external functions (T, W).  An
#   entries file adds names a library (e.g. the runtime) offers to other
#   compartments.  The output is replaced only when its text changes, so
#   that an edit that adds no function recompiles nothing else.
# USAGE:
#   flexos-defs.sh --nm llvm-nm -o defs.txt [--entries runtime FILE]
#                  --lib app a.o b.o --lib lwip c.o d.o
# License: MIT (see LICENSE)
set -eu

usage() {
  echo "usage: flexos-defs.sh --nm NM -o OUT [--entries LIB FILE]... --lib LIB OBJ... [--lib LIB OBJ...]..." >&2
  exit 2
}

nm=""
out=""
tmp=""
trap '[ -z "$tmp" ] || rm -f "$tmp"' EXIT
lib=""
body=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nm) [ $# -ge 2 ] || usage; nm=$2; shift 2 ;;
    -o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --entries)
      [ $# -ge 3 ] || usage
      [ -r "$3" ] || { echo "flexos-defs.sh: cannot read entries file $3" >&2; exit 1; }
      body="$body$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e "s/^[[:space:]]*/$2 /" "$3")
"
      shift 3 ;;
    --lib) [ $# -ge 2 ] || usage; lib=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "flexos-defs.sh: unknown option $1" >&2; usage ;;
    *)
      [ -n "$lib" ] || { echo "flexos-defs.sh: object $1 before any --lib" >&2; usage; }
      [ -n "$nm" ] || usage
      syms=$("$nm" --defined-only --extern-only "$1") ||
        { echo "flexos-defs.sh: $nm failed on $1 (library $lib)" >&2; exit 1; }
      body="$body$(printf '%s\n' "$syms" | awk -v lib="$lib" 'NF >= 2 && $(NF-1) ~ /^[TW]$/ { print lib " " $NF }')
"
      shift ;;
  esac
done
[ -n "$out" ] && [ -n "$nm" ] || usage
tmp=$out.tmp.$$
{
  echo "# written by tools/flexos-defs.sh: LIBRARY SYMBOL"
  printf '%s' "$body" | sed '/^$/d' | LC_ALL=C sort -u
} > "$tmp"
if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
  rm -f "$tmp"
else
  mv -f "$tmp" "$out"
fi
tmp=""
