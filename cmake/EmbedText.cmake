# Turns a text file into a C++ raw string literal (used to embed
# gates/mpk_gate.inc into the compiler passes). The file's leading banner
# comment, everything before the first ".macro", is left out so that it is
# not repeated in every compiled module.
# Usage: cmake -DIN=file -DOUT=file.inc -P cmake/EmbedText.cmake
file(READ "${IN}" CONTENT)
string(FIND "${CONTENT}" ".macro" FIRST_MACRO)
if(FIRST_MACRO GREATER 0)
  string(SUBSTRING "${CONTENT}" ${FIRST_MACRO} -1 CONTENT)
endif()
file(WRITE "${OUT}.tmp" "R\"FLEXOSEMBED(${CONTENT})FLEXOSEMBED\"\n")
file(RENAME "${OUT}.tmp" "${OUT}")
