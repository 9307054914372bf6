#!/bin/bash
# FILE: benchmarks/sqlite/count-gates.sh
# DESCRIPTION:
#   Checks the program's own gate-crossing counters with a debugger: runs
#   bin/sqlite-pku ARGS under gdb (natively with pku, else in the TCG VM
#   of platform/linux/testvm/run-pku.sh, with gdb and a trimmed copy of
#   its Python's standard library), with a counting breakpoint on every
#   MPK gate instance of the program, `__flexos_pku_gate.app.sqlite.*`
#   (entries into SQLite's compartment: the direct gates and the entry
#   gates of SQLite functions whose address escaped) and
#   `__flexos_pku_gate.sqlite.app.*` (SQLite's calls back into the
#   application), sums the hits, and compares them with the totals the
#   program prints ("in all N calls app->sqlite, M calls sqlite->app").
#   Prints "count-gates: ok" when both agree, exits 1 otherwise.  Slow
#   under TCG (every hit stops the program): use small runs.
# USAGE:
#   benchmarks/sqlite/count-gates.sh [--build DIR] -- bench 100 1 exec
#   benchmarks/sqlite/count-gates.sh -- selftest
# License: MIT (see LICENSE)
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build

die() {
  echo "count-gates: error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
  -h | --help) sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --build) [ $# -ge 2 ] || die "--build needs a folder"; build=$2; shift 2 ;;
  --) shift; break ;;
  *) die "unknown argument '$1'; put the program's arguments after -- (see --help)" ;;
  esac
done
[ $# -gt 0 ] || die "no program arguments (e.g. -- bench 100 1 exec)"
build=$(cd "$build" 2>/dev/null && pwd) || die "no build folder (pass --build DIR)"
prog=$build/bin/sqlite-pku
[ -x "$prog" ] || die "$prog is missing: ninja -C $build sqlite-pku"
gdb=$(command -v gdb) || die "gdb is missing (apt-get install gdb)"
command -v nm >/dev/null || command -v llvm-nm-19 >/dev/null || die "nm is missing (binutils)"
nm=$(command -v nm || command -v llvm-nm-19)

n=$("$nm" "$prog" | grep -c ' __flexos_pku_gate\.\(app\.sqlite\|sqlite\.app\)\.')
[ "$n" -gt 0 ] || die "$prog has no MPK gate between app and sqlite: not a pku.yaml build?"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/count-gates.XXXXXX") || die "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/count.gdb" <<EOF
set pagination off
set confirm off
rbreak ^__flexos_pku_gate\\.app\\.sqlite\\.
rbreak ^__flexos_pku_gate\\.sqlite\\.app\\.
commands 1-$n
silent
continue
end
run
info breakpoints
EOF

# gdb embeds Python: in the VM it needs the standard library, found via
# PYTHONHOME (a trimmed copy; gdb's own Python scripts are not needed).
pylib=$(ldd "$gdb" | sed -n 's/.*libpython\(3\.[0-9]*\).*/\1/p' | head -n 1)
vm_opts=(--file "$tmp/count.gdb" --file "$gdb" --file "$prog" --timeout 1200 --mem 1G)
if [ -n "$pylib" ] && [ -d "/usr/lib/python$pylib" ]; then
  mkdir -p "$tmp/py/lib" && cp -a "/usr/lib/python$pylib" "$tmp/py/lib/" ||
    die "cannot copy /usr/lib/python$pylib"
  (cd "$tmp/py/lib/python$pylib" && rm -rf test idlelib tkinter lib2to3 ensurepip \
    pydoc_data dist-packages site-packages config-* &&
    find . -name __pycache__ -prune -exec rm -rf {} +)
  vm_opts+=(--env "PYTHONHOME=$tmp/py" --file "$tmp/py")
fi

"$root/platform/linux/testvm/run-pku.sh" --cache "$build/testvm-cache" "${vm_opts[@]}" \
  -- "$gdb" -batch -nx -x "$tmp/count.gdb" --args "$prog" "$@" >"$tmp/out" 2>&1
status=$?
grep -E '^(run-pku|sqlite):' "$tmp/out"
[ $status -eq 0 ] || { cat "$tmp/out"; die "gdb or the program failed (status $status)"; }

# "info breakpoints": a breakpoint line names its gate, the next line
# (when it was hit) says how often.
read -r into back < <(awk '
  /^[0-9]+ +breakpoint / { dir = ""
    if ($0 ~ /__flexos_pku_gate\.app\.sqlite\./) dir = "into"
    if ($0 ~ /__flexos_pku_gate\.sqlite\.app\./) dir = "back"
    next }
  /breakpoint already hit/ { for (i = 1; i <= NF; i++) if ($i == "hit") h = $(i + 1)
    if (dir == "into") into += h; else if (dir == "back") back += h }
  END { print into + 0, back + 0 }' "$tmp/out")
want_into=$(sed -n 's/.*in all \([0-9]*\) calls app->sqlite.*/\1/p' "$tmp/out" | tail -n 1)
want_back=$(sed -n 's/.*, \([0-9]*\) calls sqlite->app$/\1/p' "$tmp/out" | tail -n 1)
echo "count-gates: gdb counted $into entries app->sqlite and $back sqlite->app on $n gate instances"
echo "count-gates: the program counted ${want_into:-?} calls app->sqlite and ${want_back:-?} sqlite->app"
if [ "$into" = "${want_into:-x}" ] && [ "$back" = "${want_back:-x}" ]; then
  echo "count-gates: ok"
else
  echo "count-gates: MISMATCH"
  exit 1
fi
