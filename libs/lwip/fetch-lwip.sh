#!/bin/bash
# FILE: libs/lwip/fetch-lwip.sh
# DESCRIPTION:
#   Fetches lwIP 2.1.3 from Debian's source package and unpacks the
#   upstream tarball (lwip_2.1.3+dfsg1.orig.tar.xz: lwIP as released, minus
#   the files Debian removed for its free-software guidelines, none of
#   which the image builds) into DEST/lwip.  Debian's own patches are NOT
#   applied: the image compiles lwIP exactly as upstream released it.
#   apt runs on a private deb-src list derived from
#   /etc/apt/sources.list.d/debian.sources, with lists and downloads under
#   DEST/apt, so the system's apt state is untouched; apt checks the
#   package's signatures and checksums.  Does nothing when DEST/lwip
#   already holds lwIP 2.1.3.  Writes DEST/lwip.stamp when done.
#   Exit status: 0 ok, 1 failure (with a message saying what to do).
# USAGE:
#   libs/lwip/fetch-lwip.sh --dest build/_deps
#   libs/lwip/fetch-lwip.sh --dest DIR --from-tree /path/to/lwip-2.1.3
# License: MIT (see LICENSE)
set -u
set -o pipefail

prog=$(basename "$0")
want=2.1.3
dest="" from_tree=""

usage() {
  cat <<EOF2
usage: $prog --dest DIR [--from-tree LWIP_DIR]
Puts lwIP $want's source tree in DIR/lwip (from Debian's source package,
upstream tarball, no patches) and touches DIR/lwip.stamp.
  --dest DIR            where lwip/ and the private apt state go
  --from-tree LWIP_DIR  copy an lwIP $want tree you already have instead
                        of downloading (for machines without a mirror)
EOF2
}

die() {
  echo "$prog: error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
  -h | --help) usage; exit 0 ;;
  --dest) [ $# -ge 2 ] || die "--dest needs a directory"; dest=$2; shift ;;
  --from-tree) [ $# -ge 2 ] || die "--from-tree needs a directory"; from_tree=$2; shift ;;
  *) die "unknown argument '$1'; see --help" ;;
  esac
  shift
done
[ -n "$dest" ] || die "no destination; pass --dest DIR (see --help)"
mkdir -p "$dest" || die "cannot create $dest"
dest=$(cd "$dest" && pwd)

# version_of DIR: prints the lwIP version of a source tree (e.g. 2.1.3).
version_of() {
  sed -n 's/^#define LWIP_VERSION_\(MAJOR\|MINOR\|REVISION\)[[:space:]]*\([0-9]*\).*/\2/p' \
    "$1/src/include/lwip/init.h" 2>/dev/null | paste -sd. -
}

# install_tree DIR: checks DIR is lwIP $want and moves or copies it to DEST/lwip.
install_tree() {
  local v
  v=$(version_of "$1")
  [ "$v" = "$want" ] || die "$1 holds lwIP '${v:-?}', not $want"
  rm -rf "$dest/lwip.tmp" && cp -a "$1" "$dest/lwip.tmp" &&
    rm -rf "$dest/lwip" && mv "$dest/lwip.tmp" "$dest/lwip" ||
    die "cannot install $1 as $dest/lwip"
}

if [ "$(version_of "$dest/lwip")" = "$want" ]; then
  touch "$dest/lwip.stamp"
  exit 0
fi
if [ -n "$from_tree" ]; then
  install_tree "$from_tree"
  touch "$dest/lwip.stamp"
  echo "$prog: lwIP $want copied from $from_tree to $dest/lwip"
  exit 0
fi

src_list=/etc/apt/sources.list.d/debian.sources
a=$dest/apt
command -v apt-get >/dev/null ||
  die "apt-get not found; use --from-tree with an lwIP $want tree"
[ -f "$src_list" ] ||
  die "$src_list not found: cannot derive a deb-src entry; use --from-tree"
mkdir -p "$a/sources.list.d" "$a/lists/partial" "$a/cache/archives/partial" \
  "$a/download" || die "cannot create $a"
: >"$a/sources.list"
sed 's/^Types:.*$/Types: deb-src/' "$src_list" >"$a/sources.list.d/debian-src.sources"
opts=(-o "Dir::Etc::SourceList=$a/sources.list"
  -o "Dir::Etc::SourceParts=$a/sources.list.d"
  -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
  -o "APT::Sandbox::User=$(id -un)")
echo "$prog: apt-get update on a private deb-src list ($a)"
apt-get -q "${opts[@]}" update >"$a/update.log" 2>&1 ||
  die "apt-get update failed (see $a/update.log); is the Debian mirror reachable? Otherwise use --from-tree"
echo "$prog: apt-get source --download-only lwip"
rm -f "$a"/download/lwip_*
(cd "$a/download" && apt-get -q "${opts[@]}" source --download-only lwip) \
  >"$a/source.log" 2>&1 ||
  die "apt-get source --download-only lwip failed (see $a/source.log)"
orig=$(find "$a/download" -maxdepth 1 -name "lwip_${want}*.orig.tar.*" | head -n 1)
[ -n "$orig" ] || die "Debian's lwip source package is not version $want (see $a/download)"
rm -rf "$a/unpack" && mkdir -p "$a/unpack" && tar -xf "$orig" -C "$a/unpack" ||
  die "cannot unpack $orig"
tree=$(find "$a/unpack" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$tree" ] || die "$orig holds no directory"
install_tree "$tree"
rm -rf "$a/unpack"
touch "$dest/lwip.stamp"
echo "$prog: lwIP $want in $dest/lwip (from $(basename "$orig"))"
