#!/bin/bash
# FILE: libs/lwip/fetch-lwip.sh
# DESCRIPTION:
#   Fetches lwIP 2.1.3 from Debian's source package and unpacks the
#   upstream tarball (lwip_2.1.3+dfsg1.orig.tar.xz: lwIP as released, minus
#   the files Debian removed for its free-software guidelines, none of
#   which the image builds) into DEST/lwip.  Debian's own patches are NOT
#   applied: the image compiles lwIP exactly as upstream released it.
#   tools/fetch-debian-source.sh does the fetching (a private deb-src
#   list; the system's apt state is untouched; apt checks the package's
#   signatures and checksums).  Does nothing when DEST/lwip
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

# Debian's source package: tools/fetch-debian-source.sh unpacks its
# upstream tree in DEST/lwip (apt state in DEST/apt).
"$(dirname "$0")/../../tools/fetch-debian-source.sh" --package lwip --version "$want" \
  --dest "$dest" || die "could not fetch Debian's lwip source; use --from-tree"
v=$(version_of "$dest/lwip")
[ "$v" = "$want" ] || die "Debian's lwip source package holds lwIP '${v:-?}', not $want"
touch "$dest/lwip.stamp"
echo "$prog: lwIP $want in $dest/lwip"
