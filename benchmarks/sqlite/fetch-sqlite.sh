#!/bin/bash
# FILE: benchmarks/sqlite/fetch-sqlite.sh
# DESCRIPTION:
#   Puts SQLite's amalgamation (sqlite3.c, sqlite3.h) in DEST/sqlite, built
#   from Debian's source package `sqlite3` without changing a line of it:
#   the upstream tarball (sqlite3_VERSION.orig.tar.xz, SQLite's canonical
#   source tree as released; Debian's patches are NOT applied) is unpacked
#   and its own build makes the amalgamation (`configure`, `make sqlite3.c`,
#   which needs tclsh, make and a C compiler).  tools/fetch-debian-source.sh
#   fetches and unpacks it (DEST/sqlite3, apt state in DEST/apt).
#   Nothing is done when DEST/sqlite already holds an amalgamation and
#   DEST/sqlite.stamp exists.  DEST/sqlite/VERSION says which version and
#   where it came from.  Nothing from SQLite is ever in the repository.
#   Exit status: 0 ok, 1 failure (with a line saying what to do).
# USAGE:
#   benchmarks/sqlite/fetch-sqlite.sh --dest build/_deps
#   benchmarks/sqlite/fetch-sqlite.sh --dest DIR --from-tree DIR2
#     DIR2: an amalgamation (holds sqlite3.c and sqlite3.h) or SQLite's
#     canonical source tree (holds tool/mksqlite3c.tcl), for machines
#     without a Debian mirror
# License: MIT (see LICENSE)
set -u
set -o pipefail

me=$(basename "$0")
dest=""
tree_arg=""

fail() {
  echo "$me: error: $*" >&2
  exit 1
}

say() { echo "$me: $*"; }

while [ $# -gt 0 ]; do
  case $1 in
  -h | --help)
    sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  --dest | --from-tree)
    [ $# -ge 2 ] || fail "$1 needs a directory"
    if [ "$1" = --dest ]; then dest=$2; else tree_arg=$2; fi
    shift 2
    ;;
  *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$dest" ] || fail "no --dest DIR given (see --help)"
mkdir -p "$dest" || fail "cannot create $dest"
dest=$(cd "$dest" && pwd)
out=$dest/sqlite

have_amalgamation() { [ -s "$1/sqlite3.c" ] && [ -s "$1/sqlite3.h" ]; }

if have_amalgamation "$out" && [ -f "$dest/sqlite.stamp" ]; then
  exit 0
fi
rm -f "$dest/sqlite.stamp"

# publish DIR ORIGIN: copies DIR's sqlite3.c/sqlite3.h to DEST/sqlite.
publish() {
  local version
  version=$(sed -n 's/^#define SQLITE_VERSION[[:space:]]*"\([^"]*\)".*/\1/p' "$1/sqlite3.h" | head -n 1)
  [ -n "$version" ] || fail "$1/sqlite3.h defines no SQLITE_VERSION: not SQLite's header"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp" &&
    cp "$1/sqlite3.c" "$1/sqlite3.h" "$out.tmp/" &&
    printf 'SQLite %s, %s\nsha256 of sqlite3.c: %s\n' "$version" "$2" \
      "$(sha256sum "$1/sqlite3.c" | cut -d' ' -f1)" >"$out.tmp/VERSION" &&
    rm -rf "$out" && mv "$out.tmp" "$out" || fail "cannot write $out"
  touch "$dest/sqlite.stamp"
  say "SQLite $version amalgamation in $out ($2)"
}

# amalgamate TREE: builds sqlite3.c/sqlite3.h from a canonical tree, out
# of tree, with SQLite's own tools; prints the build folder.
amalgamate() {
  local src=$1 b=$dest/sqlite-amalgamation-build cc
  [ -f "$src/tool/mksqlite3c.tcl" ] && [ -x "$src/configure" ] ||
    fail "$src is not SQLite's canonical source tree (no tool/mksqlite3c.tcl or configure)"
  command -v tclsh >/dev/null 2>&1 ||
    fail "tclsh is missing: SQLite's amalgamation is made by Tcl scripts; install it (apt-get install tcl, or tools/install-deps.sh)"
  command -v make >/dev/null 2>&1 || fail "make is missing (apt-get install make)"
  cc=${CC_FOR_BUILD:-$(command -v cc || command -v gcc || command -v clang-19 || true)}
  [ -n "$cc" ] || fail "no C compiler for SQLite's build tools (lemon, mkkeywordhash); set CC_FOR_BUILD"
  rm -rf "$b" && mkdir -p "$b" || fail "cannot create $b"
  say "making the amalgamation in $b (configure; make sqlite3.c)" >&2
  (cd "$b" && CC=$cc "$src/configure" --disable-tcl --disable-readline \
    --disable-shared >configure.log 2>&1) ||
    fail "SQLite's configure failed (see $b/configure.log)"
  (cd "$b" && make sqlite3.c >make.log 2>&1) ||
    fail "make sqlite3.c failed (see $b/make.log)"
  have_amalgamation "$b" || fail "make sqlite3.c left no sqlite3.c/sqlite3.h in $b"
  echo "$b"
}

if [ -n "$tree_arg" ]; then
  [ -d "$tree_arg" ] || fail "--from-tree $tree_arg is not a directory"
  tree_arg=$(cd "$tree_arg" && pwd)
  if have_amalgamation "$tree_arg"; then
    publish "$tree_arg" "copied from $tree_arg"
  else
    b=$(amalgamate "$tree_arg") || exit 1
    publish "$b" "amalgamated from $tree_arg"
    rm -rf "$b"
  fi
  exit 0
fi

# Debian's source package: tools/fetch-debian-source.sh unpacks its
# upstream tree (sqlite3_X.orig.tar.*, no Debian patches) in DEST/sqlite3.
"$(dirname "$0")/../../tools/fetch-debian-source.sh" --package sqlite3 --dest "$dest" ||
  fail "could not fetch Debian's sqlite3 source; pass --from-tree (cmake: -DFLEXOS_SQLITE_TREE=DIR) or -DFLEXOS_SQLITE=OFF"
tree=$dest/sqlite3
b=$(amalgamate "$tree") || exit 1
publish "$b" "$(sed -n 's/^from //p' "$tree/.flexos-source"), upstream, no Debian patches"
rm -rf "$b"
