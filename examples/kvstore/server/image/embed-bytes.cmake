# FILE: examples/kvstore/server/image/embed-bytes.cmake
# DESCRIPTION:
#   Writes a C file defining `const unsigned char NAME[]` with the bytes of
#   IN and `const unsigned long NAME_len`: how the image test carries the
#   recorded session and its expected replies (an image has no files).
# USAGE: cmake -DIN=session.resp -DNAME=session -DOUT=session.c -P embed-bytes.cmake
# License: MIT
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by embed-bytes.cmake. */\n"
  "const unsigned char ${NAME}[] = {\n${body}0};\n"
  "const unsigned long ${NAME}_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
