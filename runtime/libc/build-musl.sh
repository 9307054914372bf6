#!/bin/bash
# FILE: runtime/libc/build-musl.sh
# DESCRIPTION:
#   Builds the image libc: musl, from the upstream tree that
#   tools/fetch-debian-source.sh unpacked, with our files laid over it
#   (runtime/libc/musl: the system call and thread pointer headers of
#   arch/x86_64, the libc's kernel in src/flexos, an unbuffered stdout).
#   musl's own configure and Makefile compile it, for code linked below
#   2 GiB without PIC or a red zone, and without vector registers except
#   in floating-point code (-mno-implicit-float: integer-only functions
#   such as printf("%d") run where SSE does not, as under this project's
#   KVM).  The archive leaves out what the runtime provides instead:
#   musl's malloc (runtime/services/heap.c serves every compartment from its own
#   heap) and its stack-protector (runtime/core/stack_chk.c).
#   Writes OUT/include (the headers), OUT/lib/libc.a and OUT/VERSION;
#   OUT/work is the build tree.
# USAGE:
#   runtime/libc/build-musl.sh --src build/_deps/musl --overlay runtime/libc/musl
#       --include include --out build/_deps/musl-image --cc clang-19
#       --ar llvm-ar [--jobs N]
# License: MIT (see LICENSE)
set -u
set -o pipefail

me=$(basename "$0")
src="" overlay="" out="" cc="" ar="" inc="" jobs=$(nproc 2>/dev/null || echo 2)

fail() {
  echo "$me: error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
  -h | --help)
    sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  --src | --overlay | --out | --cc | --ar | --include | --jobs)
    [ $# -ge 2 ] || fail "$1 needs a value (see --help)"
    case $1 in
    --src) src=$2 ;; --overlay) overlay=$2 ;; --out) out=$2 ;;
    --cc) cc=$2 ;; --ar) ar=$2 ;; --include) inc=$2 ;; --jobs) jobs=$2 ;;
    esac
    shift 2
    ;;
  *) fail "unknown argument '$1' (see --help)" ;;
  esac
done
for v in src overlay out cc ar inc; do
  [ -n "${!v}" ] || fail "--$v is required (see --help)"
done
[ -f "$src/VERSION" ] && [ -f "$src/src/stdio/printf.c" ] ||
  fail "$src is not a musl source tree (no VERSION, src/stdio/printf.c)"
version=$(cat "$src/VERSION")
[ "$version" = 1.2.3 ] ||
  fail "musl $version in $src; runtime/libc/musl is written against musl 1.2.3"
inc=$(cd "$inc" && pwd) || fail "no directory $inc"
overlay=$(cd "$overlay" && pwd) || fail "no directory $overlay"
mkdir -p "$out" && out=$(cd "$out" && pwd) || fail "cannot create $out"

work=$out/work
log=$out/build.log
rm -rf "$work" "$out/include" "$out/lib" "$out/VERSION"
cp -a "$src" "$work" && cp -a "$overlay/." "$work/" || fail "cannot copy the tree to $work"
cd "$work" || exit 1

flags="-O2 -g0 -fno-pic -mcmodel=small -mno-red-zone -mno-implicit-float"
flags="$flags -fno-omit-frame-pointer -fno-stack-protector -I$inc"
echo "$me: configuring musl $version (log: $log)"
CC=$cc AR=$ar RANLIB="$ar s" CFLAGS="$flags" ./configure --target=x86_64 \
  --disable-shared --prefix=/ >"$log" 2>&1 || fail "musl's configure failed (see $log)"
# printf's floating-point half (fmt_fp) stays a function of its own, so
# that printf's integer conversions execute no vector instruction.
echo 'obj/src/stdio/vfprintf.o obj/src/stdio/vfwprintf.o: CFLAGS_ALL += -fno-inline-functions' >>config.mak
echo "$me: compiling musl $version with $jobs jobs"
make -j"$jobs" AR="$ar" RANLIB="$ar s" lib/libc.a >>"$log" 2>&1 ||
  fail "musl's build failed (see $log)"
make install-headers DESTDIR="$out" includedir=/include >>"$log" 2>&1 ||
  fail "installing musl's headers failed (see $log)"

# The archive, without musl's malloc and stack-protector (see above).
mkdir -p "$out/lib"
find obj/src -name '*.o' | LC_ALL=C sort |
  grep -v -e '^obj/src/malloc/' -e '^obj/src/env/__stack_chk_fail\.o$' \
    >"$out/objects.txt"
echo obj/src/malloc/reallocarray.o >>"$out/objects.txt"
[ -s obj/src/malloc/reallocarray.o ] || fail "no obj/src/malloc/reallocarray.o (see $log)"
"$ar" rcs "$out/lib/libc.a.tmp" $(cat "$out/objects.txt") ||
  fail "$ar could not write $out/lib/libc.a"
mv "$out/lib/libc.a.tmp" "$out/lib/libc.a"
printf 'musl %s (%s), %s objects\n' "$version" \
  "$(sed -n 's/^from //p' "$src/.flexos-source" 2>/dev/null)" \
  "$(wc -l <"$out/objects.txt")" >"$out/VERSION"
echo "$me: $(cat "$out/VERSION") in $out/lib/libc.a"
