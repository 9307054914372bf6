#!/bin/bash
# FILE: tools/flexos-libc-copies.sh
# DESCRIPTION:
#   One libc per compartment (docs/libc.md).  For every compartment but the
#   default one, the objects of its libraries are linked into one
#   relocatable object together with the members of the image libc they
#   need (ld.lld -r), the libc's writable data is renamed into the
#   compartment's sections (.data/.bss.flexos.<compartment>, so it takes
#   the compartment's protection key), and the libc's symbols are made
#   local to that object, so that the compartment's calls bind to its own
#   copy and no other.  The default compartment (and the runtime) link
#   the archive itself.  Writes OUT.rsp: the objects for the image's final
#   link, in place of the libraries' own.  A copy that would still call
#   into the libc outside it (a weak reference the partial link left open)
#   fails the build.
# USAGE:
#   tools/flexos-libc-copies.sh --config-tool flexos-config --config CFG
#       --libc libc.a --llvm-bin DIR --out-dir DIR --rsp OUT.rsp
#       [--other obj...] --lib NAME obj... [--lib NAME obj...]
# License: MIT (see LICENSE)
set -u
set -o pipefail

me=$(basename "$0")
fail() {
  echo "$me: error: $*" >&2
  exit 1
}

tool="" config="" libc="" bin="" outdir="" rsp=""
declare -A lib_objs=()
libs=()
others=()
cur=""
while [ $# -gt 0 ]; do
  case $1 in
  -h | --help)
    sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  --config-tool | --config | --libc | --llvm-bin | --out-dir | --rsp)
    [ $# -ge 2 ] || fail "$1 needs a value (see --help)"
    case $1 in
    --config-tool) tool=$2 ;; --config) config=$2 ;; --libc) libc=$2 ;;
    --llvm-bin) bin=$2 ;; --out-dir) outdir=$2 ;; --rsp) rsp=$2 ;;
    esac
    shift 2
    ;;
  --lib)
    [ $# -ge 2 ] || fail "--lib needs a library name"
    cur=$2
    libs+=("$cur")
    lib_objs[$cur]=""
    shift 2
    ;;
  --other)
    cur=--other
    shift
    ;;
  -*) fail "unknown option '$1' (see --help)" ;;
  *)
    [ -n "$cur" ] || fail "object $1 before any --lib or --other"
    if [ "$cur" = --other ]; then others+=("$1"); else lib_objs[$cur]+=" $1"; fi
    shift
    ;;
  esac
done
for v in tool config libc bin outdir rsp; do
  [ -n "${!v}" ] || fail "a required option is missing: $v (see --help)"
done
[ -f "$libc" ] || fail "no image libc at $libc (build the flexos_libc target)"
mkdir -p "$outdir" || fail "cannot create $outdir"

listing=$("$tool" --list "$config") || fail "flexos-config --list $config failed"
default=$(awk '$1 == "compartment" && $5 == 1 { print $3 }' <<<"$listing")
[ -n "$default" ] || fail "$config: no default compartment in flexos-config --list"
comp_of() { awk -v l="$1" '$1 == "library" && $2 == l { print $3 }' <<<"$listing"; }

# Every symbol the libc defines: what a copy makes local.
"$bin/llvm-nm" --defined-only -g --format=just-symbols "$libc" 2>/dev/null |
  grep -v ':$' | grep -v '^$' | LC_ALL=C sort -u >"$outdir/libc-defined.txt" ||
  fail "llvm-nm $libc failed"

declare -A comp_objs=()
comps=()
: >"$rsp.tmp"
for l in "${libs[@]}"; do
  c=$(comp_of "$l")
  [ -n "$c" ] || fail "$config: library '$l' is in no compartment"
  if [ "$c" = "$default" ]; then
    for o in ${lib_objs[$l]}; do echo "$o" >>"$rsp.tmp"; done
    continue
  fi
  [ -n "${comp_objs[$c]+x}" ] || comps+=("$c")
  comp_objs[$c]+="${lib_objs[$l]}"
done

for c in "${comps[@]}"; do
  script=$outdir/$c.libc.ld
  cat >"$script" <<LD
SECTIONS {
  .data.flexos.$c : { *libc.a:*(.data .data.*) }
  .bss.flexos.$c : { *libc.a:*(.bss .bss.* COMMON) }
}
LD
  out=$outdir/$c.libc.o
  # shellcheck disable=SC2086 # object lists split at spaces
  "$bin/llvm-nm" --defined-only -g --format=just-symbols ${comp_objs[$c]} 2>/dev/null |
    grep -v ':$' | LC_ALL=C sort -u >"$outdir/$c.own.txt"
  force=()
  for round in 1 2 3; do
    # shellcheck disable=SC2086
    "$bin/ld.lld" -r -T "$script" "${force[@]}" -o "$out.tmp" ${comp_objs[$c]} "$libc" ||
      fail "partial link of compartment $c with its libc failed"
    # Undefined (weak) references the libc itself would satisfy: pull them
    # into this copy rather than let them bind to another compartment's.
    open=$("$bin/llvm-nm" -u --format=just-symbols "$out.tmp" | LC_ALL=C sort -u |
      LC_ALL=C comm -12 - "$outdir/libc-defined.txt")
    [ -z "$open" ] && break
    [ "$round" = 3 ] &&
      fail "compartment $c: its libc copy still refers to libc symbols it does not hold: $(echo $open)"
    for s in $open; do force+=(-u "$s"); done
  done
  LC_ALL=C comm -23 "$outdir/libc-defined.txt" "$outdir/$c.own.txt" >"$outdir/$c.localize.txt"
  "$bin/llvm-objcopy" --localize-symbols="$outdir/$c.localize.txt" "$out.tmp" "$out" ||
    fail "llvm-objcopy could not make compartment $c's libc symbols local"
  rm -f "$out.tmp"
  echo "$out" >>"$rsp.tmp"
done
for o in "${others[@]}"; do echo "$o" >>"$rsp.tmp"; done
mv "$rsp.tmp" "$rsp"
