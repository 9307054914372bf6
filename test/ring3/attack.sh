#!/bin/bash
# FILE: test/ring3/attack.sh
# DESCRIPTION:
#   Runs a ring-3 image whose library attacks a core address: looks up
#   SYMBOL[+OFFSET] or SYMBOL-OFFSET in the image's symbol table (core symbols are local,
#   still listed) and boots the image with "ATTACK 0xADDR" through
#   tools/run-image.sh and the rest of the arguments.
# USAGE: attack.sh LLVM_NM IMAGE.elf SYMBOL[+-OFFSET] ATTACK RUN_IMAGE ARGS...
# License: MIT (see LICENSE)
set -u
nm=$1 image=$2 symbol=$3 attack=$4 run=$5
shift 5
offset=0
case $symbol in
  *+*) offset=$((${symbol#*+})); symbol=${symbol%%+*} ;;
  *-*) offset=$((-${symbol#*-})); symbol=${symbol%%-*} ;;
esac
addr=$("$nm" "$image" | awk -v s="$symbol" '$3 == s { print $1; exit }')
[ -n "$addr" ] || { echo "attack.sh: no symbol $symbol in $image" >&2; exit 1; }
addr=$(printf '0x%x' $((16#$addr + offset)))
echo "attack.sh: $attack at $symbol+$offset = $addr"
exec "$run" "$@" --append "$attack $addr" "$image"
