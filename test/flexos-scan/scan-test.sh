#!/bin/sh
# FILE: test/flexos-scan/scan-test.sh
# DESCRIPTION:
#   Driver for the flexos-scan tests: builds the inputs of one case from
#   test/flexos-scan/inputs with clang (assemble, or link with lld), runs
#   the scanner and checks its exit status, the number of reports and the
#   exact report text.  Prints PASS/FAIL lines; exits 1 on any mismatch.
# USAGE:
#   sh test/flexos-scan/scan-test.sh build/bin/flexos-scan \
#     /usr/lib/llvm-19/bin test/flexos-scan/inputs gates /tmp/scan stray
# License: MIT (see LICENSE)

set -u
if [ $# -ne 6 ]; then
  echo "usage: $0 SCANNER LLVM_BIN_DIR INPUTS_DIR GATES_DIR WORK_DIR CASE" >&2
  exit 2
fi
SCAN=$1 LLVM=$2 IN=$3 GATES=$4 WORK=$5 CASE=$6
CLANG=$LLVM/clang
failures=0
mkdir -p "$WORK/$CASE" || exit 2
W=$WORK/$CASE

# asm NAME: assemble inputs/NAME.s into $W/NAME.o, or stop the test.
asm() {
  "$CLANG" -c -I "$GATES" "$IN/$1.s" -o "$W/$1.o" ||
    { echo "FAIL: cannot assemble $IN/$1.s"; exit 1; }
}

# link OUT ARGS...: link a program with lld, or stop the test.
link() {
  out=$1; shift
  "$CLANG" -fuse-ld=lld "$@" -o "$W/$out" ||
    { echo "FAIL: cannot link $out"; exit 1; }
}

# scan ARGS...: runs the scanner, keeps its output and exit status.
scan() {
  echo "+ flexos-scan $*"
  output=$("$SCAN" "$@" 2>&1)
  status=$?
  printf '%s\n' "$output"
}

expect_status() {
  if [ "$status" -eq "$1" ]; then
    echo "PASS: exit status $status"
  else
    echo "FAIL: exit status $status, expected $1"
    failures=$((failures + 1))
  fi
}

# expect_reports N: exactly N "outside the gate section" reports.
expect_reports() {
  n=$(printf '%s\n' "$output" | grep -c 'outside the gate section$')
  if [ "$n" -eq "$1" ]; then
    echo "PASS: $n report(s)"
  else
    echo "FAIL: $n report(s), expected $1"
    failures=$((failures + 1))
  fi
}

# expect_line ERE: some output line matches the extended regex.
expect_line() {
  if printf '%s\n' "$output" | grep -Eq -- "$1"; then
    echo "PASS: output matches /$1/"
  else
    echo "FAIL: no output line matches /$1/"
    failures=$((failures + 1))
  fi
}

R='at offset 0x[0-9a-f]+ \(vaddr'
case $CASE in
stray)
  asm stray
  scan "$W/stray.o"
  expect_status 1
  expect_reports 1
  expect_line "stray\.o: error: WRPKRU \(0f 01 ef\) $R 0x1, section \.text, in symbol stray\+0x1\) outside the gate section$"
  ;;
unaligned)
  asm unaligned
  scan "$W/unaligned.o"
  expect_status 1
  expect_reports 1
  expect_line "WRPKRU \(0f 01 ef\) $R 0x2, section \.text, in symbol hidden\+0x2\)"
  ;;
xrstor)
  asm xrstor
  scan "$W/xrstor.o"
  expect_status 1
  expect_reports 3
  expect_line "XRSTOR \(0f ae 2f\) $R 0x0, section \.text, in symbol restore\+0x0\)"
  expect_line "XRSTOR \(0f ae 2f\) $R 0x4, section \.text, in symbol restore\+0x4\)"
  expect_line "XRSTORS \(0f c7 1f\) $R 0x7, section \.text, in symbol restore\+0x7\)"
  ;;
list)
  # --list: one "VADDR KIND START SYMBOL" line per hit, no error lines
  # (tools/flexos-link-scan.sh reads them)
  asm xrstor
  scan --list "$W/xrstor.o"
  expect_status 1
  expect_reports 0
  expect_line "^0x0 XRSTOR 0x0 restore$"
  expect_line "^0x4 XRSTOR 0x0 restore$"
  expect_line "^0x7 XRSTORS 0x0 restore$"
  asm lookalikes
  scan --list "$W/lookalikes.o"
  expect_status 0
  expect_line "lookalikes\.o: ok: "
  ;;
fsgsbase)
  asm fsgsbase
  scan "$W/fsgsbase.o"
  expect_status 1
  expect_reports 4
  expect_line "WRGSBASE \(0f ae d8\) $R 0x2, section \.text, in symbol bases\+0x2\)"
  expect_line "WRFSBASE \(0f ae d7\) $R 0x6, section \.text, in symbol bases\+0x6\)"
  expect_line "WRGSBASE \(0f ae d9\) $R 0xb, section \.text, in symbol bases\+0xb\)"
  expect_line "WRGSBASE \(0f ae d9\) $R 0x15, section \.text, in symbol bases\+0x15\)"
  ;;
lookalikes)
  asm lookalikes
  scan "$W/lookalikes.o"
  expect_status 0
  expect_reports 0
  expect_line "lookalikes\.o: ok: [0-9]+ executable bytes in 1 section\(s\), 0 "
  ;;
gate-section)
  asm gate-ok
  scan "$W/gate-ok.o"
  expect_status 0
  expect_reports 0
  expect_line "gate-ok\.o: ok: [0-9]+ executable bytes in 2 section\(s\), 1 "
  ;;
pku-gate-macro)
  asm pku-gate
  scan "$W/pku-gate.o"
  expect_status 0
  expect_line "pku-gate\.o: ok: .* 4 WRPKRU"
  ;;
allow-section)
  asm trusted
  scan "$W/trusted.o"
  expect_status 1
  expect_reports 1
  expect_line "section \.text\.trusted, in symbol set_pkru\+0x6\)"
  scan --allow-section .text.trusted "$W/trusted.o"
  expect_status 0
  expect_reports 0
  scan --allow-section .text.other "$W/trusted.o"
  expect_status 1
  ;;
linked-range)
  link prog "$IN/linked-main.c" "$IN/gate-ok.s" -Wl,-T,"$IN/linked-gates.lds"
  scan "$W/prog"
  expect_status 0
  expect_line "prog: ok: .*, 1 WRPKRU"
  ;;
linked-stray)
  link prog "$IN/linked-main.c" "$IN/gate-ok.s" "$IN/stray.s" \
    -Wl,-T,"$IN/linked-gates.lds"
  scan "$W/prog"
  expect_status 1
  expect_reports 1
  expect_line "WRPKRU \(0f 01 ef\) $R 0x[0-9a-f]+, section \.text, in symbol stray\+0x1\)"
  ;;
linked-no-range)
  # without the linker script the gate is merged into .text and the
  # image has no __flexos_gates_start/end: the WRPKRU is no longer legal
  link prog "$IN/linked-main.c" "$IN/gate-ok.s"
  scan "$W/prog"
  expect_status 1
  expect_reports 1
  expect_line "section \.text, in symbol gate_x\+0x4\)"
  ;;
straddle)
  asm straddle
  scan "$W/straddle.o"
  expect_status 0
  link straddle -nostdlib -static -Wl,-T,"$IN/straddle.lds" "$IN/straddle.s"
  scan "$W/straddle"
  expect_status 1
  expect_reports 1
  expect_line "section \.text\.sa, in symbol _start\+0x9\)"
  ;;
segments-only)
  # no section headers: no gate range symbols and no section names, so
  # the gate's WRPKRU is reported as well as the stray one
  link prog "$IN/linked-main.c" "$IN/gate-ok.s" "$IN/stray.s" \
    -Wl,-T,"$IN/linked-gates.lds"
  "$LLVM/llvm-objcopy" --strip-sections "$W/prog" "$W/prog.nosections" ||
    { echo "FAIL: llvm-objcopy --strip-sections"; exit 1; }
  scan "$W/prog.nosections"
  expect_status 1
  expect_reports 2
  expect_line "segment PT_LOAD\[[0-9]+\], in no symbol\)"
  ;;
bad-input)
  scan "$W/does-not-exist.elf"
  expect_status 2
  expect_line "does-not-exist\.elf: error: cannot open"
  printf 'not an elf file\n' >"$W/text.elf"
  scan "$W/text.elf"
  expect_status 2
  expect_line "text\.elf: error: not an ELF file"
  asm stray
  head -c 100 "$W/stray.o" >"$W/truncated.o"
  scan "$W/truncated.o"
  expect_status 2
  expect_line "truncated\.o: error: truncated"
  head -c 20 "$W/stray.o" >"$W/short.o"
  scan "$W/short.o"
  expect_status 2
  expect_line "short\.o: error: truncated"
  scan
  expect_status 2
  expect_line "error: no input file"
  scan --allow-section
  expect_status 2
  expect_line "--allow-section needs a section name"
  scan --help
  expect_status 0
  expect_line "^usage: flexos-scan "
  ;;
*)
  echo "unknown case $CASE" >&2
  exit 2
  ;;
esac

if [ "$failures" -ne 0 ]; then
  echo "$CASE: $failures check(s) failed"
  exit 1
fi
echo "$CASE: all checks passed"
