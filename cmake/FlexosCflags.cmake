# FILE: cmake/FlexosCflags.cmake
# DESCRIPTION:
#   Build-time half of a library's hardening flags: writes
#   `flexos-config --cflags LIBRARY CONFIG` (docs/config.md, `hardening`)
#   to a clang response file that the library's compile commands read as
#   @FILE, so that changing a compartment's hardening in the configuration
#   recompiles exactly its libraries.
# USAGE:
#   cmake -DCONFIG_TOOL=flexos-config -DCONFIG=flexos.yaml -DLIBRARY=net
#         -DOUT=net.cflags -P cmake/FlexosCflags.cmake
# License: MIT (see LICENSE)
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND ${CONFIG_TOOL} --cflags ${LIBRARY} ${CONFIG}
                OUTPUT_VARIABLE flags ERROR_VARIABLE errors RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "flexos-config --cflags ${LIBRARY} failed:\n${errors}")
endif()
string(STRIP "${flags}" flags)
# Rewrite only on change: the objects depend on this file.
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL "${flags}\n")
  file(WRITE ${OUT}.tmp "${flags}\n")
  file(RENAME ${OUT}.tmp ${OUT})
endif()
