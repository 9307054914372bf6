#!/bin/sh
# FILE: test/port/port-test.sh
# DESCRIPTION:
#   One ctest case of flexos-port (label port), on the fixture library in
#   fixture/: the text and JSON reports against the golden files in
#   expected/, the same report from a compile_commands.json (plugin flags
#   dropped), the configuration skeleton (and that flexos-config accepts
#   it; no overwrite without --force), bad usage (exit 2 naming the
#   option or file), a caller with a syntax error (file:line:col, exit 1),
#   a configuration missing a library, and `flexos port`.
#   Prints "PASS: case" or "FAIL: case: why"; exits 0 or 1.  With
#   UPDATE=1 the golden cases rewrite expected/ instead of comparing.
# USAGE:
#   sh port-test.sh CASE FLEXOS_PORT FLEXOS FLEXOS_CONFIG SRCDIR WORK
# License: MIT (see LICENSE)
set -u
case_name=$1 port=$2 flexos=$3 fconfig=$4 src=$5 work=$6
fx=$src/fixture
exp=$src/expected
rm -rf "$work/$case_name"
mkdir -p "$work/$case_name"
cd "$work/$case_name" || exit 1

fail() { echo "FAIL: $case_name: $*"; exit 1; }

# The fixture's command line: codec (two sources), callers app and cli.
run_port() {
  "$port" --library codec --lib-sources "$fx/codec.c" "$fx/codec_log.c" \
    --caller "app=$fx/app.c" --caller "cli=$fx/cli.c" --root "$fx" "$@"
}

# golden NAME FILE: FILE must equal expected/NAME (UPDATE=1 rewrites it).
golden() {
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$2" "$exp/$1" && echo "updated $exp/$1"
    return
  fi
  cmp -s "$exp/$1" "$2" && return
  diff -u "$exp/$1" "$2"
  fail "$2 differs from expected/$1 (UPDATE=1 ctest -L port rewrites it)"
}

# expect_rc WANT PATTERN ARGS...: flexos-port ARGS exits WANT and its
# stderr matches PATTERN (grep -E).
expect_rc() {
  want=$1 pat=$2
  shift 2
  "$port" "$@" >out.txt 2>err.txt
  rc=$?
  [ "$rc" = "$want" ] || fail "flexos-port $*: exit $rc, expected $want ($(cat err.txt))"
  grep -Eq -- "$pat" err.txt || fail "flexos-port $*: stderr '$(cat err.txt)' lacks '$pat'"
}

case $case_name in
text)
  run_port --config "$fx/flexos.yaml" -- -I"$fx/include" >report.txt 2>err.txt ||
    fail "exit $?: $(cat err.txt)"
  [ -s err.txt ] && fail "unexpected messages: $(cat err.txt)"
  golden report.txt report.txt
  ;;
json)
  run_port --config "$fx/flexos.yaml" --format json -- -I"$fx/include" \
    >report.json 2>err.txt || fail "exit $?: $(cat err.txt)"
  if command -v python3 >/dev/null; then
    python3 -m json.tool report.json >/dev/null || fail "report.json is not JSON"
  fi
  golden report.json report.json
  ;;
compdb)
  # Relative files and include paths, the plugin's flags and a dependency
  # file: flexos-port drops what it must not run or write.
  cat >compile_commands.json <<JSON
[
 {"directory": "$fx", "file": "codec.c",
  "command": "clang-19 -Iinclude -fplugin=/nonexistent/flexos.so -fplugin-arg-flexos-library=codec -fplugin-arg-flexos-config=flexos.yaml -O2 -MD -MF $PWD/codec.d -c codec.c -o $PWD/codec.o"},
 {"directory": "$fx", "file": "codec_log.c",
  "arguments": ["clang-19", "-Iinclude", "-fpass-plugin=/nonexistent/FlexosPasses.so", "-c", "-o", "$PWD/log.o", "codec_log.c"]},
 {"directory": "$fx", "file": "$fx/app.c", "command": "clang-19 -I include -c $fx/app.c"},
 {"directory": "$fx", "file": "cli.c", "command": "clang-19 -Iinclude -c cli.c"}
]
JSON
  run_port --config "$fx/flexos.yaml" -p . >report.txt 2>err.txt ||
    fail "exit $?: $(cat err.txt)"
  golden report.txt report.txt
  ls codec.d codec.o log.o 2>/dev/null && fail "flexos-port wrote compiler outputs"
  # A source the database lacks gets a similar entry's flags (libclang
  # interpolates, as clangd does): here -I include from app.c's.
  cp "$fx/cli.c" extra.c
  "$port" --library codec --lib-sources "$fx/codec.c" --caller "x=extra.c" \
    -p . >extra.txt 2>err.txt || fail "a source missing from the database: exit $?: $(cat err.txt)"
  grep -q "extra.c:13: x: cli_run -> codec_open" extra.txt ||
    fail "a source missing from the database was not read: $(cat extra.txt)"
  ;;
write-config)
  run_port --write-config flexos.yaml -- -I"$fx/include" >/dev/null 2>err.txt ||
    fail "exit $?: $(cat err.txt)"
  golden config.yaml flexos.yaml
  "$fconfig" --check flexos.yaml || fail "flexos-config rejects the skeleton"
  echo "# edited" >>flexos.yaml
  cp flexos.yaml edited.yaml
  expect_rc 2 "flexos.yaml: the file exists; give --force" \
    --library codec --lib-sources "$fx/codec.c" --write-config flexos.yaml
  cmp -s flexos.yaml edited.yaml || fail "an existing file was changed without --force"
  "$port" --library codec --lib-sources "$fx/codec.c" --caller "app=$fx/app.c" \
    --write-config flexos.yaml --force -- -I"$fx/include" >/dev/null 2>err.txt ||
    fail "--force: exit $?: $(cat err.txt)"
  grep -q edited flexos.yaml && fail "--force did not replace the file"
  ls | grep -q tmp && fail "a temporary file was left: $(ls)"
  expect_rc 2 "cannot create a file there" --library codec --lib-sources \
    "$fx/codec.c" --write-config no-such-dir/flexos.yaml -- -I"$fx/include"
  ;;
usage)
  expect_rc 2 "unknown option '--bogus'" --library codec --lib-sources "$fx/codec.c" --bogus
  expect_rc 2 "lib-sources nope.c: cannot read it: No such file" \
    --library codec --lib-sources nope.c
  expect_rc 2 "caller missing.c: cannot read it" \
    --library codec --lib-sources "$fx/codec.c" --caller app=missing.c
  expect_rc 2 "library NAME is missing" --lib-sources "$fx/codec.c"
  expect_rc 2 "lib-sources FILE... is missing" --library codec
  expect_rc 2 "lib-sources needs at least one file" --library codec --lib-sources --force
  expect_rc 2 "format: 'xml' is not text or json" --library codec \
    --lib-sources "$fx/codec.c" --format xml
  expect_rc 2 "caller expects NAME=FILE" --library codec \
    --lib-sources "$fx/codec.c" --caller app
  expect_rc 2 "'my-lib' is not a library name" --library my-lib \
    --lib-sources "$fx/codec.c"
  expect_rc 2 "config needs a value" --library codec --lib-sources "$fx/codec.c" --config
  expect_rc 2 "no readable compile_commands.json" --library codec \
    --lib-sources "$fx/codec.c" -p "$PWD/empty-dir"
  "$port" --help | grep -q '^usage: flexos-port' || fail "--help"
  ;;
syntax-error)
  "$port" --library codec --lib-sources "$fx/codec.c" \
    --caller "broken=$src/inputs/broken.c" --root "$src" -- -I"$fx/include" \
    >report.txt 2>err.txt
  rc=$?
  [ "$rc" = 1 ] || fail "exit $rc, expected 1"
  grep -Eq '^inputs/broken.c:15:[0-9]+: error: ' err.txt ||
    fail "no file:line:col error: $(cat err.txt)"
  grep -q 'inputs/broken.c:13: broken: broken_first -> codec_open' report.txt ||
    fail "the report lost the calls before the error"
  ;;
bad-config)
  run_port --config "$src/inputs/missing-cli.yaml" -- -I"$fx/include" \
    >report.txt 2>err.txt
  rc=$?
  [ "$rc" = 1 ] || fail "exit $rc, expected 1"
  grep -q "library 'cli' is not listed under 'libraries:'" err.txt ||
    fail "no message for the missing library: $(cat err.txt)"
  printf 'compartments:\n  - name: a\n    mechanism: nope\n' >bad.yaml
  run_port --config bad.yaml -- -I"$fx/include" >report.txt 2>err.txt
  rc=$?
  [ "$rc" = 1 ] || fail "a configuration flexos-config rejects: exit $rc, expected 1"
  grep -q "bad.yaml" err.txt || fail "flexos-config's message is missing: $(cat err.txt)"
  ;;
flexos)
  "$flexos" port --help | grep -q '^usage: flexos-port' || fail "flexos port --help"
  "$flexos" --help | grep -q 'flexos port' || fail "flexos --help does not name port"
  "$flexos" port --library codec --lib-sources "$fx/codec.c" "$fx/codec_log.c" \
    --caller "app=$fx/app.c" --caller "cli=$fx/cli.c" --root "$fx" \
    --config "$fx/flexos.yaml" -- -I"$fx/include" >report.txt 2>err.txt ||
    fail "flexos port: exit $?: $(cat err.txt)"
  golden report.txt report.txt
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "PASS: $case_name"
