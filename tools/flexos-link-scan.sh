#!/bin/bash
# FILE: tools/flexos-link-scan.sh
# DESCRIPTION:
#   Links a kernel image and scans it with flexos-scan (the intel-pku
#   ERIM-style scan); only a clean scan renames the result to the image.
#   A forbidden encoding (WRPKRU, XRSTOR, XRSTORS, WRFSBASE, WRGSBASE)
#   outside the gates is either a real instruction, which fails the build
#   at once, or bytes inside other instructions: a displacement, a call or
#   jump offset, an immediate, or across two instructions.  Displacements
#   and offsets are the linker's, so for those the image is linked again
#   with another layout and scanned again, at most --attempts times:
#   attempt k > 1 pads the start of .text by a varying multiple of 16
#   bytes (the linker script reads __flexos_text_pad, cmake/FlexosImageGen
#   .cmake) and shuffles the code input sections (.text*) with seed k
#   (ld.lld --shuffle-sections), which moves code relative to data, the
#   gates and the boot code, and code sections relative to each other.
#   Shuffling stays inside each output section: the gate range and the
#   boot code keep their places.  An encoding is a real instruction when
#   llvm-objdump, decoding from the start of the symbol (or section) that
#   holds it, finds an instruction with that mnemonic starting at its
#   address or at most 4 prefix bytes before it.  Bytes that stay in every
#   layout were fixed at compile time (the flexos-stray-constants pass
#   rebuilds immediates; a code-generator constant can still slip
#   through): the build fails after the last attempt, naming them.
#   With --symtab TOOL, a clean image is linked once more with its symbol
#   and line table (tools/flexos-symtab.c, section .flexos_symtab, which
#   the linker script places after everything else) and every symbol must
#   keep its address, so the fault reports name functions and lines of
#   this very layout.
#   Exit status: 0 image written, 1 scan failed (no image left), 2 bad
#   usage or the link failed.
# USAGE:
#   tools/flexos-link-scan.sh --scan build/bin/flexos-scan \
#       --objdump llvm-objdump-19 [--attempts N] [--symtab flexos-symtab] \
#       -o img.elf \
#       -- ld.lld -static -T img.ld objs... (without -o)
# License: MIT (see LICENSE)
set -u
prog=flexos-link-scan

usage() {
  sed -n '/^# USAGE:/,/^# License/p' "$0" | sed '1d;$d;s/^#   \{0,1\}//'
  echo "Links (the command after --, plus -o OUT.unscanned), scans, and on"
  echo "stray encodings that are not real instructions relinks with another"
  echo "layout (default 16 attempts).  See the banner of $0."
}

scan="" objdump="llvm-objdump" attempts=16 out="" symtab=""
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --scan) scan=${2:-}; shift 2 || { echo "$prog: error: --scan needs a path" >&2; exit 2; } ;;
    --objdump) objdump=${2:-}; shift 2 || { echo "$prog: error: --objdump needs a path" >&2; exit 2; } ;;
    --attempts) attempts=${2:-}; shift 2 || { echo "$prog: error: --attempts needs a number" >&2; exit 2; } ;;
    --symtab) symtab=${2:-}; shift 2 || { echo "$prog: error: --symtab needs a path" >&2; exit 2; } ;;
    -o) out=${2:-}; shift 2 || { echo "$prog: error: -o needs a path" >&2; exit 2; } ;;
    --) shift; break ;;
    *) echo "$prog: error: unknown option $1; see $prog --help" >&2; exit 2 ;;
  esac
done
if [ -z "$scan" ] || [ -z "$out" ] || [ $# -eq 0 ]; then
  echo "$prog: error: needs --scan FLEXOS-SCAN, -o IMAGE and a link command after --; see --help" >&2
  exit 2
fi
case "$attempts" in ''|*[!0-9]*|0) echo "$prog: error: --attempts wants a positive number, not '$attempts'" >&2; exit 2 ;; esac
unscanned=$out.unscanned
name=$(basename "$out")
rm -f "$out" "$unscanned"

# real VADDR KIND START: 0 when an instruction KIND starts at VADDR or
# up to 4 bytes before it (prefixes: REX.W of XRSTOR64, f3 of WRFSBASE),
# decoding from START.
real() {
  local va=$1 kind=$2 start=$3 mn addrs="" d
  mn=$(echo "$kind" | tr 'A-Z' 'a-z')
  for d in 0 1 2 3 4; do
    [ $((va - d)) -ge $((start)) ] && addrs+="${addrs:+|}$(printf '%x' $((va - d)))"
  done
  "$objdump" -d --no-show-raw-insn --start-address="$start" \
      --stop-address=$(printf '0x%x' $((va + 16))) "$unscanned" 2>/dev/null |
    grep -Eq "^ *(${addrs}):[[:space:]]+${mn}(64|q|l)?([[:space:]]|$)"
}

# add_symtab LINK-COMMAND...: links $unscanned again with its own symbol
# and line table; every symbol but the table's must keep its address.
add_symtab() {
  local bin work=$out.symtab
  bin=$(dirname "$objdump")
  mkdir -p "$work" || return 1
  "$bin/llvm-nm" -n --defined-only --print-size "$unscanned" >"$work/nm.txt" &&
    "$bin/llvm-dwarfdump" --debug-line "$unscanned" >"$work/lines.txt" &&
    "$symtab" --nm "$work/nm.txt" --lines "$work/lines.txt" -o "$work/symtab.bin" &&
    (cd "$work" && "$bin/llvm-objcopy" -I binary -O elf64-x86-64 \
      --rename-section .data=.flexos_symtab,alloc,load,readonly,data,contents \
      --set-section-alignment .flexos_symtab=8 --strip-all symtab.bin symtab.o) || {
    echo "$prog: $name: error: could not make the symbol table (in $work)" >&2
    return 1
  }
  "$bin/llvm-nm" -n "$unscanned" | grep -v -e __flexos_symtab -e __image_end >"$work/before.txt"
  "$@" "$work/symtab.o" -o "$unscanned" || {
    echo "$prog: $name: error: the link with the symbol table failed" >&2
    return 1
  }
  "$bin/llvm-nm" -n "$unscanned" | grep -v -e __flexos_symtab -e __image_end >"$work/after.txt"
  if ! cmp -s "$work/before.txt" "$work/after.txt"; then
    echo "$prog: $name: error: the symbol table moved the image's symbols (diff $work/before.txt $work/after.txt)" >&2
    return 1
  fi
  "$scan" "$unscanned" >/dev/null || {
    echo "$prog: $name: error: the image with its symbol table does not scan clean" >&2
    return 1
  }
}

for ((k = 1; k <= attempts; k++)); do
  extra=()
  if [ "$k" -gt 1 ]; then
    pad=$(( (k - 1) * 0x2d0 % 0x1000 ))
    extra=(--defsym=__flexos_text_pad=$pad "--shuffle-sections=.text*=$k")
    echo "$prog: $name: attempt $k of $attempts: .text padded by $(printf '0x%x' $pad)," \
         "sections shuffled with seed $k"
  fi
  if ! "$@" "${extra[@]}" -o "$unscanned"; then
    echo "$prog: $name: error: the link failed (command: $*)" >&2
    rm -f "$unscanned"
    exit 2
  fi
  list=$("$scan" --list "$unscanned" 2>/dev/null)
  rc=$?
  if [ $rc -eq 0 ]; then
    if [ -n "$symtab" ] && ! add_symtab "$@" "${extra[@]}"; then
      rm -f "$unscanned"
      exit 2
    fi
    echo "$list" | sed "s|$unscanned|$out|"
    mv -f "$unscanned" "$out"
    [ "$k" -gt 1 ] && echo "$prog: $name: clean after $k layouts"
    exit 0
  fi
  if [ $rc -ne 1 ]; then
    "$scan" "$unscanned" >&2
    rm -f "$unscanned"
    exit 2
  fi
  nreal=0 nstray=0 stray=""
  while read -r va kind start sym; do
    [ -n "$va" ] || continue
    if real "$va" "$kind" "$start"; then
      echo "$prog: $name: error: real $kind instruction at vaddr $va in $sym;" \
           "only the gate section may change PKRU or the FS/GS base (see docs/abi.md)" >&2
      nreal=$((nreal + 1))
    else
      nstray=$((nstray + 1))
      stray+=" $kind@$va($sym)"
    fi
  done <<<"$list"
  if [ "$nreal" -gt 0 ]; then
    "$scan" "$unscanned" # its own messages name offset, section and symbol
    rm -f "$unscanned"
    exit 1
  fi
  echo "$prog: $name: $nstray stray encoding(s) inside other instructions:$stray"
done
"$scan" "$unscanned"
echo "$prog: $name: error: stray encodings remain after $attempts layouts, so they do" \
     "not move with the layout (bytes fixed at compile time: see docs/toolchain.md," \
     "\"Image scan\"); no image written" >&2
rm -f "$unscanned"
exit 1
