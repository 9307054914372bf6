#!/bin/sh
# FILE: test/stray-bytes/check-build.sh
# DESCRIPTION:
#   The checks of test/stray-bytes that are more than "build it" or "boot
#   it".  `object`: app.c compiled plainly holds WRPKRU/XRSTOR bytes in
#   immediates (flexos-scan refuses the object), compiled with the flexos
#   plugin it does not.  `image`: rebuilds the image from scratch and
#   checks that the first layout had stray bytes in stray_disp and
#   stray_call (tools/flexos-link-scan.sh says so), that the link was
#   redone, and that flexos-scan finds the final image clean.  `link`:
#   tools/flexos-link-scan.sh alone on small static links (no QEMU):
#   layout.S relinks until clean; a real WRPKRU, WRFSBASE or XRSTOR64
#   fails at once; bad usage exits 2.
# USAGE:
#   check-build.sh object FLEXOS-SCAN CLANG PLUGIN SRCDIR WORKDIR
#   check-build.sh image FLEXOS-SCAN CMAKE BUILDDIR TARGET IMAGE
#   check-build.sh link FLEXOS-SCAN LLVM-BIN LINK-SCAN SRCDIR WORKDIR
# License: MIT (see LICENSE)
set -u
fail() { echo "check-build: FAILED: $*"; exit 1; }
mode=$1 scan=$2
case "$mode" in
object)
  clang=$3 plugin=$4 src=$5 work=$6/object-scan
  mkdir -p "$work"
  # FLEXOS_LIBC_INCLUDE: the image libc's headers (the test's environment).
  flags="-O2 -ffreestanding -fno-pic -nostdlibinc -I$src/../../include -isystem $FLEXOS_LIBC_INCLUDE"
  $clang $flags -c "$src/app.c" -o "$work/plain.o" || fail "plain compile"
  "$scan" "$work/plain.o" > "$work/plain.log" 2>&1
  [ $? -eq 1 ] || { cat "$work/plain.log"; fail "plain object scanned clean; the test lost its stray immediates"; }
  grep -q "XRSTOR (0f ae 28) .*in symbol main" "$work/plain.log" || { cat "$work/plain.log"; fail "no XRSTOR in main's immediate"; }
  grep -q "WRPKRU (0f 01 ef) .*in symbol main" "$work/plain.log" || { cat "$work/plain.log"; fail "no WRPKRU in main's immediate"; }
  $clang $flags -fplugin="$plugin" -fplugin-arg-flexos-config="$src/pku.yaml" \
      -fplugin-arg-flexos-library=app -c "$src/app.c" -o "$work/flexos.o" || fail "plugin compile"
  "$scan" "$work/flexos.o" || fail "the plugin's object still holds stray bytes"
  echo "check-build: object: ok" ;;
image)
  cmake=$3 build=$4 target=$5 image=$6
  rm -f "$image"
  out=$("$cmake" --build "$build" --target "$target" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 0 ] || fail "the image did not build"
  echo "$out" | grep -q "stray encoding(s) inside other instructions:.*XRSTOR@0x[0-9a-f]*(stray_disp).*XRSTOR@0x[0-9a-f]*(stray_call)" ||
    fail "the first layout did not have the displacement and call offset of layout.S"
  echo "$out" | grep -q "clean after [0-9]* layouts" || fail "no relink reported"
  [ -f "$image" ] || fail "no image at $image"
  "$scan" "$image" || fail "the final image does not scan clean"
  echo "check-build: image: ok" ;;
link)
  llvm=$3 ls=$4 src=$5 work=$6/link-scan
  mkdir -p "$work"
  "$llvm/clang" -c "$src/layout.S" -o "$work/layout.o" || fail "assemble layout.S"
  out=$("$ls" --scan "$scan" --objdump "$llvm/llvm-objdump" -o "$work/layout.elf" -- \
        "$llvm/ld.lld" -static -e stray_call "$work/layout.o" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 0 ] || fail "layout.S did not link clean"
  echo "$out" | grep -q "2 stray encoding(s) inside other instructions" || fail "no stray bytes in the first layout"
  "$scan" "$work/layout.elf" || fail "the result does not scan clean"
  [ ! -e "$work/layout.elf.unscanned" ] || fail "the unscanned file was left behind"
  printf '  .text\n  .globl _start\n_start:\n  xorl %%eax, %%eax\n  wrpkru\n  wrfsbase %%rax\n  xrstor64 (%%rax)\n  ret\n' > "$work/real.s"
  "$llvm/clang" -c "$work/real.s" -o "$work/real.o" || fail "assemble real.s"
  out=$("$ls" --scan "$scan" --objdump "$llvm/llvm-objdump" -o "$work/real.elf" -- \
        "$llvm/ld.lld" -static "$work/real.o" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 1 ] || fail "a real WRPKRU gave exit status $rc, not 1"
  for kind in WRPKRU WRFSBASE XRSTOR; do # the last two after a prefix byte
    echo "$out" | grep -q "error: real $kind instruction at vaddr 0x[0-9a-f]* in _start;" || fail "no clear message for $kind"
  done
  echo "$out" | grep -q "attempt 2" && fail "a real WRPKRU was relinked"
  [ ! -e "$work/real.elf" ] && [ ! -e "$work/real.elf.unscanned" ] || fail "a file was left behind"
  "$ls" --bogus > "$work/usage.log" 2>&1
  [ $? -eq 2 ] && grep -q "unknown option --bogus" "$work/usage.log" || fail "bad option"
  "$ls" --help | grep -q "flexos-link-scan" || fail "--help"
  echo "check-build: link: ok" ;;
*) fail "unknown mode $mode" ;;
esac
