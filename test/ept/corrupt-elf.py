#!/usr/bin/env python3
# FILE: test/ept/corrupt-elf.py
# DESCRIPTION: writes a copy of an image whose first PT_LOAD segment claims
#   an address near 2^64 (p_paddr + p_memsz wraps around), to check that
#   flexos-vmm rejects it instead of writing outside its buffer.
# USAGE: corrupt-elf.py IN.elf OUT.elf
# License: MIT (see LICENSE)
import struct
import sys

data = bytearray(open(sys.argv[1], "rb").read())
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
for i in range(phnum):
    off = phoff + i * phentsize
    p_type, = struct.unpack_from("<I", data, off)
    if p_type == 1:  # PT_LOAD
        struct.pack_into("<Q", data, off + 0x18, 0xFFFFFFFFFFFFF000)  # p_paddr
        struct.pack_into("<Q", data, off + 0x28, 0x2000)              # p_memsz
        break
open(sys.argv[2], "wb").write(data)
