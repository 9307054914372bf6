#!/usr/bin/env python3
# FILE: test/ept/corrupt-elf.py
# DESCRIPTION: writes a broken copy of an image, to check that flexos-vmm
#   refuses it:
#     wrap     the first PT_LOAD segment claims an address near 2^64
#              (p_paddr + p_memsz wraps around): no write outside the buffer
#     abi N    flexos_image_config.abi_version becomes N: an image of
#              another flexos ABI
# USAGE: corrupt-elf.py IN.elf OUT.elf [wrap | abi N]
# License: MIT (see LICENSE)
import struct
import sys


def load_segments(data):
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        off = phoff + i * phentsize
        if struct.unpack_from("<I", data, off)[0] == 1:  # PT_LOAD
            yield off


def symbol(data, name):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    for i in range(shnum):
        sh = shoff + i * shentsize
        if struct.unpack_from("<I", data, sh + 4)[0] != 2:  # SHT_SYMTAB
            continue
        offset, size, link = struct.unpack_from("<QQI", data, sh + 0x18)
        stroff, = struct.unpack_from("<Q", data, shoff + link * shentsize + 0x18)
        for k in range(size // 24):
            st_name, = struct.unpack_from("<I", data, offset + k * 24)
            end = data.index(b"\0", stroff + st_name)
            if data[stroff + st_name:end].decode() == name:
                return struct.unpack_from("<Q", data, offset + k * 24 + 8)[0]
    sys.exit("corrupt-elf: no symbol " + name)


def file_offset(data, addr):
    for ph in load_segments(data):
        p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<QQQQ", data, ph + 8)
        if p_vaddr <= addr < p_vaddr + p_filesz:
            return p_offset + addr - p_vaddr
    sys.exit("corrupt-elf: 0x%x is in no loaded segment" % addr)


data = bytearray(open(sys.argv[1], "rb").read())
mode = sys.argv[3] if len(sys.argv) > 3 else "wrap"
if mode == "wrap":
    ph = next(load_segments(data))
    struct.pack_into("<Q", data, ph + 0x18, 0xFFFFFFFFFFFFF000)  # p_paddr
    struct.pack_into("<Q", data, ph + 0x28, 0x2000)              # p_memsz
elif mode == "abi":
    at = file_offset(data, symbol(data, "flexos_image_config"))
    struct.pack_into("<I", data, at, int(sys.argv[4]))
else:
    sys.exit("corrupt-elf: unknown mode " + mode)
open(sys.argv[2], "wb").write(data)
