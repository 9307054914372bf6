# FILE: cmake/flexos-toolchain.cmake
# DESCRIPTION:
#   Toolchain file for projects outside the flexos tree.  Selects clang-19
#   (C, C++ and assembler), checks that the flexos build tree named by
#   FLEXOS_BUILD_DIR holds the plugin (lib/flexos.so), and makes
#   flexos_library() from FlexosLibrary.cmake available in every project()
#   through CMAKE_PROJECT_INCLUDE.  Safe to re-read in try_compile
#   projects: FLEXOS_BUILD_DIR is forwarded to them.
#   Sets: FLEXOS_BUILD_DIR (cache), FLEXOS_SOURCE_DIR, FLEXOS_PLUGIN,
#   FLEXOS_INCLUDE_DIR, FLEXOS_CLANG.
# USAGE:
#   cmake -G Ninja -S myproject -B build-my \
#     -DCMAKE_TOOLCHAIN_FILE=/path/to/flexos/cmake/flexos-toolchain.cmake \
#     -DFLEXOS_BUILD_DIR=/path/to/flexos/build
#   then in myproject/CMakeLists.txt:
#     flexos_library(net LIBRARY net CONFIG flexos.yaml)
# License: MIT (see LICENSE)

if(NOT FLEXOS_BUILD_DIR AND DEFINED ENV{FLEXOS_BUILD_DIR})
  set(FLEXOS_BUILD_DIR "$ENV{FLEXOS_BUILD_DIR}")
endif()
if(NOT FLEXOS_BUILD_DIR)
  message(FATAL_ERROR
    "flexos-toolchain.cmake: FLEXOS_BUILD_DIR is not set. Pass "
    "-DFLEXOS_BUILD_DIR=/path/to/flexos/build (the directory where flexos "
    "itself was configured and built).")
endif()
get_filename_component(FLEXOS_BUILD_DIR "${FLEXOS_BUILD_DIR}" ABSOLUTE)
set(FLEXOS_BUILD_DIR "${FLEXOS_BUILD_DIR}" CACHE PATH "flexos build tree (holds lib/flexos.so)")
# try_compile projects re-read this file; hand them the build tree too
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FLEXOS_BUILD_DIR)
list(REMOVE_DUPLICATES CMAKE_TRY_COMPILE_PLATFORM_VARIABLES)

get_filename_component(FLEXOS_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(FLEXOS_INCLUDE_DIR "${FLEXOS_SOURCE_DIR}/include")
set(FLEXOS_PLUGIN "${FLEXOS_BUILD_DIR}/lib/flexos.so")
if(NOT EXISTS "${FLEXOS_PLUGIN}")
  message(FATAL_ERROR
    "flexos-toolchain.cmake: ${FLEXOS_PLUGIN} does not exist. "
    "Build flexos first: cmake --build ${FLEXOS_BUILD_DIR}")
endif()

# The plugin is built against LLVM/Clang 19: it only loads into clang 19.
find_program(FLEXOS_CLANG NAMES clang-19
  HINTS /usr/lib/llvm-19/bin PATHS /usr/lib/llvm-19/bin NO_CACHE)
find_program(FLEXOS_CLANGXX NAMES clang++-19
  HINTS /usr/lib/llvm-19/bin PATHS /usr/lib/llvm-19/bin NO_CACHE)
if(NOT FLEXOS_CLANG OR NOT FLEXOS_CLANGXX)
  message(FATAL_ERROR
    "flexos-toolchain.cmake: clang-19/clang++-19 not found; install "
    "clang-19 (apt-get install clang-19) or put it on PATH.")
endif()
set(CMAKE_C_COMPILER "${FLEXOS_CLANG}")
set(CMAKE_CXX_COMPILER "${FLEXOS_CLANGXX}")
set(CMAKE_ASM_COMPILER "${FLEXOS_CLANG}")

set(CMAKE_PROJECT_INCLUDE "${CMAKE_CURRENT_LIST_DIR}/FlexosLibrary.cmake")
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
list(REMOVE_DUPLICATES CMAKE_MODULE_PATH)
