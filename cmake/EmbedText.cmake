# Turns a text file into a C++ raw string literal (used to embed
# gates/mpk_gate.inc into the compiler passes).
# Usage: cmake -DIN=file -DOUT=file.inc -P cmake/EmbedText.cmake
file(READ "${IN}" CONTENT)
file(WRITE "${OUT}.tmp" "R\"FLEXOSEMBED(${CONTENT})FLEXOSEMBED\"\n")
file(RENAME "${OUT}.tmp" "${OUT}")
