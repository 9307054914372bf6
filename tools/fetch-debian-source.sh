#!/bin/bash
# FILE: tools/fetch-debian-source.sh
# DESCRIPTION:
#   Puts the upstream source of a Debian source package in DEST/NAME: the
#   package's .orig tarball, unpacked, without Debian's patches.  apt runs
#   on a private deb-src list derived from
#   /etc/apt/sources.list.d/debian.sources, with its lists and downloads
#   under DEST/apt (the system's apt state is left alone; apt checks
#   signatures and checksums).  When the newest version cannot be fetched
#   (a security mirror that is not reachable), older versions the lists
#   know are tried, newest first.  DEST/NAME/.flexos-source says which
#   version it is.  Nothing is done when that file exists and names a
#   version that starts with --version, if given.  Nothing fetched is ever
#   part of the repository.
#   Exit status: 0 ok, 1 failure (with a line saying what to do).
# USAGE:
#   tools/fetch-debian-source.sh --package musl --dest build/_deps [--version 1.2.3]
#   tools/fetch-debian-source.sh --package musl --dest DIR --from-tree TREE
#     (a machine without a Debian mirror: copy an unpacked tree instead)
# License: MIT (see LICENSE)
set -u
set -o pipefail

me=$(basename "$0")
package=""
dest=""
want=""
tree=""

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
  --package | --dest | --version | --from-tree)
    [ $# -ge 2 ] || fail "$1 needs a value (see --help)"
    case $1 in
    --package) package=$2 ;;
    --dest) dest=$2 ;;
    --version) want=$2 ;;
    --from-tree) tree=$2 ;;
    esac
    shift 2
    ;;
  *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
[ -n "$package" ] || fail "no --package NAME given (see --help)"
[ -n "$dest" ] || fail "no --dest DIR given (see --help)"
mkdir -p "$dest" || fail "cannot create $dest"
dest=$(cd "$dest" && pwd)
out=$dest/$package

if [ -f "$out/.flexos-source" ] &&
  grep -q "^version ${want}" "$out/.flexos-source"; then
  exit 0
fi

# publish DIR VERSION ORIGIN: DIR becomes DEST/NAME.
publish() {
  rm -rf "$out.tmp" && cp -a "$1" "$out.tmp" &&
    printf 'version %s\nfrom %s\n' "$2" "$3" >"$out.tmp/.flexos-source" &&
    rm -rf "$out" && mv "$out.tmp" "$out" || fail "cannot write $out"
  say "$package $2 in $out ($3)"
}

if [ -n "$tree" ]; then
  [ -d "$tree" ] || fail "--from-tree $tree is not a directory"
  publish "$tree" "${want:-unknown}" "the tree $tree"
  exit 0
fi

sources=/etc/apt/sources.list.d/debian.sources
command -v apt-get >/dev/null || fail "apt-get not found: pass --from-tree TREE"
[ -f "$sources" ] || fail "$sources not found: no Debian mirror to derive a deb-src entry from; pass --from-tree TREE"
apt=$dest/apt
mkdir -p "$apt/etc/sources.list.d" "$apt/lists/partial" \
  "$apt/cache/archives/partial" "$apt/download" || fail "cannot create $apt"
: >"$apt/etc/sources.list"
sed -e 's/^Types:.*/Types: deb-src/' "$sources" >"$apt/etc/sources.list.d/debian-src.sources" ||
  fail "cannot write $apt/etc"
opts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list"
  -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
  -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
  -o "APT::Sandbox::User=$(id -un)")
if [ ! -f "$apt/lists.stamp" ]; then
  say "apt-get update (private deb-src list in $apt)"
  apt-get -q "${opts[@]}" update >"$apt/update.log" 2>&1 ||
    fail "apt-get update failed (see $apt/update.log); is the Debian mirror reachable? Otherwise pass --from-tree TREE"
  touch "$apt/lists.stamp"
fi

# Versions the lists know, newest first.
mapfile -t versions < <(apt-cache "${opts[@]}" showsrc "$package" 2>/dev/null |
  sed -n 's/^Version: //p' | sort -u -r -V)
[ ${#versions[@]} -gt 0 ] || fail "Debian has no source package '$package' (apt-cache showsrc)"
dl=$apt/download/$package
for v in "${versions[@]}"; do
  upstream=${v#*:}
  upstream=${upstream%-*}
  case $upstream in "$want"*) ;; *) continue ;; esac
  rm -rf "$dl" && mkdir -p "$dl"
  say "apt-get source --download-only $package=$v"
  if ! (cd "$dl" && apt-get -q "${opts[@]}" source --download-only "$package=$v") \
    >"$dl.log" 2>&1; then
    say "could not fetch $package $v (see $dl.log); trying an older version"
    continue
  fi
  orig=$(find "$dl" -maxdepth 1 -name "${package}_*.orig.tar.*" ! -name '*.asc' | head -n 1)
  [ -n "$orig" ] || fail "$package $v has no .orig tarball (see $dl)"
  rm -rf "$dl/unpack" && mkdir -p "$dl/unpack" && tar -xf "$orig" -C "$dl/unpack" ||
    fail "cannot unpack $orig"
  top=$(find "$dl/unpack" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  [ -n "$top" ] || fail "$orig holds no directory"
  publish "$top" "$upstream" "Debian source package $package $v, $(basename "$orig")"
  rm -rf "$dl/unpack"
  exit 0
done
fail "no version of $package${want:+ starting with $want} could be fetched (see $apt/download/*.log); pass --from-tree TREE"
