#!/bin/bash
# FILE: test/run-image/no-final-newline.sh
# DESCRIPTION: tools/run-image.sh must pass a guest whose last serial line
#   has no newline and that exits through isa-debug-exit with code 0 (QEMU
#   status 1): a stand-in qemu-system-x86_64 on PATH prints exactly that.
# USAGE: no-final-newline.sh RUN_IMAGE_SH
# License: MIT
set -u
run_image=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/qemu-system-x86_64" <<'Q'
#!/bin/sh
printf 'hello\nlast line without newline'
exit 1
Q
chmod +x "$dir/qemu-system-x86_64"
: > "$dir/image.elf"
out=$(PATH="$dir:$PATH" "$run_image" --expect "without newline" "$dir/image.elf")
rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -q '^PASS:' <<<"$out"
