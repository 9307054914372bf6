# Turns a text file into a C++ raw string literal (used to embed
# gates/pku_gate.inc into the compiler passes). A leading /* ... */ banner
# is left out so that it is not repeated in every compiled module.
# Usage: cmake -DIN=file -DOUT=file.inc -P cmake/EmbedText.cmake
file(READ "${IN}" CONTENT)
string(FIND "${CONTENT}" "/*" BANNER_START)
if(BANNER_START EQUAL 0)
  string(FIND "${CONTENT}" "*/" BANNER_END)
  math(EXPR BANNER_END "${BANNER_END} + 2")
  string(SUBSTRING "${CONTENT}" ${BANNER_END} -1 CONTENT)
endif()
file(WRITE "${OUT}.tmp" "R\"FLEXOSEMBED(${CONTENT})FLEXOSEMBED\"\n")
file(RENAME "${OUT}.tmp" "${OUT}")
