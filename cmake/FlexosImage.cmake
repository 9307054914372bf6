# FILE: cmake/FlexosImage.cmake
# DESCRIPTION:
#   Kernel images.  flexos_add_image() compiles each library of an image
#   with the flexos plugin (so gates and section placement follow the
#   configuration; a plain call into another compartment's library is a
#   gate too, from the list of which library defines what), generates the image's linker script and configuration
#   table from `flexos-config --list` (cmake/FlexosImageGen.cmake), links
#   the objects with the runtime and the gates using ld.lld, and scans the
#   result with flexos-scan (both through tools/flexos-link-scan.sh): a
#   real WRPKRU/XRSTOR instruction outside the gate range fails the build
#   and leaves no image behind; such bytes inside other instructions (a
#   displacement, a call offset) make it relink with another layout.
#   flexos_add_image_test() boots an image in QEMU through
#   tools/run-image.sh.
# USAGE:
#   include(FlexosImage)
#   flexos_add_image(three CONFIG flexos.yaml
#                    LIBRARY app app.c
#                    LIBRARY net net.c net_util.c
#                    LIBRARY z z1.c z2.c -DZ_OPT=1  # -...: its own flags
#                    [SOURCES extra.S]   # no plugin, default compartment
#                    [NO_PLUGIN] [DEFINES X=1] [OPTIONS -mfoo]
#                    [HEAP_KB n] [SHARED_HEAP_KB n]  # default 1024 each
#                    [UNTRUSTED warn|error|off]      # every library
#                    [UNTRUSTED <library>=warn|error|off]  # one library
#                    [SHARES flexos.shares]  # `flexos share`'s decisions
#                    [FILES a.txt data/b.db=/db/b.db]  # packed, read-only
#                    [RING0]  # compartments in ring 0 (see below)
#                    [EXCLUDE_FROM_ALL])
#   Compartments run in ring 3 over the ring-0 core (in each VM under
#   vm-ept), unless RING0 is given (docs/runtime.md, "Ring choice"); a KVM test
#   of a ring-3 image skips under kvm_pvm, saying why (tools/kvm-ring3.sh).
#   UNTRUSTED sets what the compiler does with careless uses of values
#   from untrusted compartments (docs/untrusted-values.md); default warn.
#   FILES packs files into the image's read-only tree (docs/libc.md):
#   SRC is found at /<name of SRC>, SRC=/PATH at /PATH.
#   Every library compiles against the image libc (musl, runtime/libc) and
#   every compartment but the default one links a copy of its own
#   (tools/flexos-libc-copies.sh).
#   flexos_add_defs(app OUTPUT_VARIABLE defs LIBRARY app a.c LIBRARY net n.c)
#   flexos_add_image_test(three-boots IMAGE three [ACCEL tcg|kvm|kvm-nested] [CPU model]
#                         [APPEND "cmdline"] [MAIN regex] [EXPECT regex...]
#                         [REJECT regex...] [EXIT code] [TIMEOUT s]
#                         [LABELS l...])
# License: MIT (see LICENSE)
include_guard(DIRECTORY) # the variables below are per directory

set(FLEXOS_IMAGE_GEN ${CMAKE_CURRENT_LIST_DIR}/FlexosImageGen.cmake)
set(FLEXOS_CFLAGS_GEN ${CMAKE_CURRENT_LIST_DIR}/FlexosCflags.cmake)
set(FLEXOS_RUN_IMAGE ${CMAKE_CURRENT_LIST_DIR}/../tools/run-image.sh)
set(FLEXOS_KVM_RING3 ${CMAKE_CURRENT_LIST_DIR}/../tools/kvm-ring3.sh)
set(FLEXOS_LINK_SCAN ${CMAKE_CURRENT_LIST_DIR}/../tools/flexos-link-scan.sh)
set(FLEXOS_DEFS_TOOL ${CMAKE_CURRENT_LIST_DIR}/../tools/flexos-defs.sh)
set(FLEXOS_RUNTIME_ENTRIES ${CMAKE_CURRENT_LIST_DIR}/../runtime/gate-entries.txt)
# <flexos.h> and <flexos/*.h>: next to this file in the source tree and in
# an installed one (P/share/flexos).
set(FLEXOS_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/../include)
# The image libc (musl, runtime/libc/build-musl.sh): include/ and
# lib/libc.a.  The build tree sets FLEXOS_LIBC_DIR to where it builds it;
# an installed flexos has it next to this file.
if(NOT FLEXOS_LIBC_DIR)
  set(FLEXOS_LIBC_DIR ${CMAKE_CURRENT_LIST_DIR}/../runtime/libc)
endif()
set(FLEXOS_LIBC_COPIES ${CMAKE_CURRENT_LIST_DIR}/../tools/flexos-libc-copies.sh)
# Code generation for the image: identity-mapped below 2 GiB, ring 0,
# interrupts on their own (IST) stacks, the image libc's headers only.
# Frame pointers: fault reports name the two callers above the faulting
# function (runtime/core/symbolize.c).
set(FLEXOS_IMAGE_CFLAGS -O2 -g -std=gnu11 -ffreestanding -fno-pic -fno-pie
    -fno-omit-frame-pointer
    -mno-red-zone -mcmodel=small -fno-stack-protector -fstack-clash-protection
    -mstack-protector-guard=global # for compartments hardened with it
    -fno-asynchronous-unwind-tables -fno-unwind-tables -nostdlibinc
    -Wall -Wextra -Wno-unused-parameter
    -I${CMAKE_CURRENT_LIST_DIR}/../include
    -isystem ${FLEXOS_LIBC_DIR}/include)

# What compiling against the image libc waits for: its headers, and in
# the build tree the target that builds it.
macro(_flexos_libc_deps out)
  set(${out} ${FLEXOS_LIBC_DIR}/lib/libc.a)
  if(TARGET flexos_libc)
    list(APPEND ${out} flexos_libc)
  endif()
endmacro()

# Split ARGN of flexos_add_image into IMG_CONFIG, IMG_LIBS (names),
# IMG_SRC_<lib>, IMG_SOURCES, IMG_DEFINES and flags.
macro(_flexos_image_parse)
  set(mode "")
  set(IMG_LIBS "")
  set(IMG_SOURCES "")
  set(IMG_DEFINES "")
  set(IMG_NO_PLUGIN OFF)
  set(IMG_RING0 OFF)
  set(IMG_HEAP_KB 0)
  set(IMG_SHARED_HEAP_KB 0)
  set(IMG_EXCLUDE OFF)
  set(IMG_UNTRUSTED "")
  set(IMG_SHARES "")
  set(IMG_SHARES_FLAG "")
  set(IMG_FILES "")
  foreach(a IN ITEMS ${ARGN})
    if(a MATCHES "^(CONFIG|SOURCES|DEFINES|OPTIONS|HEAP_KB|SHARED_HEAP_KB|UNTRUSTED|SHARES|FILES)$")
      set(mode ${a})
    elseif(a STREQUAL "LIBRARY")
      set(mode LIBNAME)
    elseif(a STREQUAL "NO_PLUGIN")
      set(IMG_NO_PLUGIN ON)
    elseif(a STREQUAL "RING0")
      set(IMG_RING0 ON)
    elseif(a STREQUAL "RING3")
      message(FATAL_ERROR "flexos_add_image: RING3 is gone: images are ring 3 "
              "by default; RING0 builds a ring-0 image (docs/runtime.md, \"Ring choice\")")
    elseif(a STREQUAL "EXCLUDE_FROM_ALL")
      set(IMG_EXCLUDE ON)
    elseif(mode STREQUAL "CONFIG")
      get_filename_component(IMG_CONFIG ${a} ABSOLUTE)
    elseif(mode STREQUAL "SHARES")
      get_filename_component(IMG_SHARES ${a} ABSOLUTE)
      set(IMG_SHARES_FLAG -fplugin-arg-flexos-shares=${IMG_SHARES})
    elseif(mode STREQUAL "LIBNAME")
      list(APPEND IMG_LIBS ${a})
      set(IMG_SRC_${a} "")
      set(IMG_OPT_${a} "")
      set(cur_lib ${a})
      set(mode LIBSRC)
    elseif(mode STREQUAL "LIBSRC" AND a MATCHES "^-")
      list(APPEND IMG_OPT_${cur_lib} ${a}) # that library's own compile flag
    elseif(mode STREQUAL "LIBSRC")
      list(APPEND IMG_SRC_${cur_lib} ${a})
    elseif(mode STREQUAL "SOURCES")
      list(APPEND IMG_SOURCES ${a})
    elseif(mode STREQUAL "FILES")
      list(APPEND IMG_FILES ${a})
    elseif(mode STREQUAL "DEFINES")
      list(APPEND IMG_DEFINES -D${a})
    elseif(mode STREQUAL "OPTIONS")
      list(APPEND IMG_DEFINES ${a})
    elseif(mode STREQUAL "UNTRUSTED")
      if(a MATCHES "^(warn|error|off)$")
        set(IMG_UNTRUSTED ${a})
      elseif(a MATCHES "^([A-Za-z_][A-Za-z0-9_]*)=(warn|error|off)$")
        set(IMG_UNTRUSTED_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
      else()
        message(FATAL_ERROR "flexos_add_image: UNTRUSTED wants warn, error or off, "
                "or <library>=warn|error|off, not '${a}'")
      endif()
    elseif(mode MATCHES "^(HEAP_KB|SHARED_HEAP_KB)$")
      if(NOT a MATCHES "^[0-9]+$")
        message(FATAL_ERROR "flexos_add_image: ${mode} wants a number of KiB, not '${a}'")
      endif()
      set(IMG_${mode} ${a})
    else()
      message(FATAL_ERROR "flexos_add_image: unexpected argument '${a}'")
    endif()
  endforeach()
  foreach(lib IN LISTS IMG_LIBS)
    if(NOT DEFINED IMG_UNTRUSTED_${lib})
      set(IMG_UNTRUSTED_${lib} ${IMG_UNTRUSTED})
    endif()
  endforeach()
endmacro()

# -fplugin-arg-flexos-untrusted=<mode> for library ${lib}, if one was set.
function(_flexos_untrusted_flag out lib)
  # (not if(VAR): "off" is one of the values, and CMake reads it as false)
  if(NOT "${IMG_UNTRUSTED_${lib}}" STREQUAL "")
    set(${out} -fplugin-arg-flexos-untrusted=${IMG_UNTRUSTED_${lib}} PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# Compile one source into ${outdir}; append the object to ${objs_var}.
function(_flexos_compile objs_var outdir src flags depends)
  get_filename_component(abs ${src} ABSOLUTE)
  get_filename_component(base ${src} NAME)
  set(obj ${outdir}/${base}.o)
  if(obj IN_LIST ${objs_var})
    message(FATAL_ERROR "flexos_add_image: two sources named ${base} in one "
            "library; rename one")
  endif()
  _flexos_libc_deps(libc_deps)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${FLEXOS_CLANG} ${FLEXOS_IMAGE_CFLAGS} ${flags} -MD -MF ${obj}.d
            -c ${abs} -o ${obj}
    DEPENDS ${abs} ${depends} ${libc_deps} DEPFILE ${obj}.d
    COMMENT "flexos: compiling ${base}" COMMAND_EXPAND_LISTS VERBATIM)
  set(${objs_var} ${${objs_var}} ${obj} PARENT_SCOPE)
endfunction()

# Automatic gates (passes/AutoGates.cpp) need to know, while compiling
# one library, which library defines each function of the program.  A
# first compile of every source without the plugin (bitcode at -O0: only
# its symbols matter) and tools/flexos-defs.sh give ${dir}/defs.txt
# ("LIBRARY SYMBOL" lines), plus the names in ${entries} as library
# runtime.  ${flags}: the sources' compile flags, without the plugin.
# The file changes only when a library gains or loses a function, so only
# then does every library compile again.
function(_flexos_gen_defs out_var name dir compiler flags entries)
  set(args "")
  set(all "")
  foreach(lib IN LISTS IMG_LIBS)
    list(APPEND args --lib ${lib})
    foreach(src IN LISTS IMG_SRC_${lib})
      get_filename_component(abs ${src} ABSOLUTE)
      get_filename_component(base ${src} NAME)
      set(obj ${dir}/defs/${lib}/${base}.bc)
      set(kind -emit-llvm)
      if(NOT abs MATCHES "\\.(c|cc|cpp|cxx)$")
        set(kind "") # assembly: an ordinary object
      endif()
      _flexos_libc_deps(libc_deps)
      add_custom_command(OUTPUT ${obj}
        COMMAND ${compiler} ${flags} ${IMG_OPT_${lib}} -O0 -g0 -w ${kind} -MD -MF ${obj}.d
                -c ${abs} -o ${obj}
        DEPENDS ${abs} ${libc_deps} DEPFILE ${obj}.d
        COMMENT "flexos: listing the functions of ${base}"
        COMMAND_EXPAND_LISTS VERBATIM)
      list(APPEND args ${obj})
      list(APPEND all ${obj})
    endforeach()
  endforeach()
  if(entries)
    list(APPEND args --entries runtime ${entries})
  endif()
  set(defs ${dir}/defs.txt)
  add_custom_command(OUTPUT ${dir}/defs.stamp BYPRODUCTS ${defs}
    COMMAND ${FLEXOS_DEFS_TOOL} --nm ${FLEXOS_LLVM_BIN}/llvm-nm -o ${defs} ${args}
    COMMAND ${CMAKE_COMMAND} -E touch ${dir}/defs.stamp
    DEPENDS ${all} ${FLEXOS_DEFS_TOOL} ${entries}
    COMMENT "flexos: which library defines which function in ${name}"
    COMMAND_EXPAND_LISTS VERBATIM)
  # A target holds the rule (the compiles depend on its byproduct only).
  # What the program's target waits for (add_dependencies: a fetched
  # library whose headers these sources include) it waits for too, once
  # the directory has said it all.
  add_custom_target(${name}.defs DEPENDS ${dir}/defs.stamp)
  # (A deferred call reads its variables when it runs: pass the name now.)
  cmake_language(EVAL CODE "cmake_language(DEFER CALL _flexos_defs_follow [[${name}]])")
  set(${out_var} ${defs} PARENT_SCOPE)
endfunction()

function(_flexos_defs_follow name)
  if(NOT TARGET ${name})
    return()
  endif()
  get_target_property(deps ${name} MANUALLY_ADDED_DEPENDENCIES)
  if(deps)
    add_dependencies(${name}.defs ${deps})
  endif()
endfunction()

# For programs built with their own compile rules (flexos_library and
# plain targets): flexos_add_defs(<name> OUTPUT_VARIABLE <var>
# LIBRARY <lib> <src>... [OPTIONS <flag>...] [DEFINES X=1]) writes the
# same list for these libraries and sources and sets <var> to its path;
# compile each library with -fplugin-arg-flexos-defs=<path> and make its
# objects depend on the path.
function(flexos_add_defs name)
  cmake_parse_arguments(PARSE_ARGV 1 AD "" "OUTPUT_VARIABLE" "")
  if(NOT AD_OUTPUT_VARIABLE)
    message(FATAL_ERROR "flexos_add_defs(${name}): OUTPUT_VARIABLE <var> is required")
  endif()
  _flexos_image_parse(${AD_UNPARSED_ARGUMENTS})
  if(NOT IMG_LIBS)
    message(FATAL_ERROR "flexos_add_defs(${name}): no LIBRARY given")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir)
  file(MAKE_DIRECTORY ${dir})
  _flexos_gen_defs(defs ${name} ${dir} ${FLEXOS_CLANG} "${IMG_DEFINES}" "")
  set(${AD_OUTPUT_VARIABLE} ${defs} PARENT_SCOPE)
endfunction()

# The linker script and configuration table of ${name}, from IMG_CONFIG
# (platform: image or linux; cmake/FlexosImageGen.cmake).
function(_flexos_gen_config name ld cfg_c platform)
  add_custom_command(OUTPUT ${ld} ${cfg_c}
    COMMAND ${CMAKE_COMMAND} -DCONFIG_TOOL=$<TARGET_FILE:flexos-config>
            -DCONFIG=${IMG_CONFIG} -DNAME=${name} -DLD_OUT=${ld}
            -DC_OUT=${cfg_c} -DHEAP_KB=${IMG_HEAP_KB}
            -DSHARED_HEAP_KB=${IMG_SHARED_HEAP_KB} -DPLATFORM=${platform}
            -DRING3=${IMG_RING3} -DEPT_SEEN=${IMG_EPT}
            -P ${FLEXOS_IMAGE_GEN}
    DEPENDS ${IMG_CONFIG} ${FLEXOS_IMAGE_GEN} flexos-config
    COMMENT "flexos: linker script for ${name}" VERBATIM)
endfunction()

# The hardening flags of library ${lib}'s compartment, as a response file.
function(_flexos_gen_cflags lib cflags)
  add_custom_command(OUTPUT ${cflags}
    COMMAND ${CMAKE_COMMAND} -DCONFIG_TOOL=$<TARGET_FILE:flexos-config>
            -DCONFIG=${IMG_CONFIG} -DLIBRARY=${lib} -DOUT=${cflags}
            -P ${FLEXOS_CFLAGS_GEN}
    DEPENDS ${IMG_CONFIG} ${FLEXOS_CFLAGS_GEN} flexos-config
    COMMENT "flexos: hardening flags of ${lib}" VERBATIM)
endfunction()

# FILES of ${name}: an assembly file (written at configure time, when its
# text changes) that packs them with .incbin into common read-only memory
# as the table flexos_packed_files (include/flexos/runtime.h).
function(_flexos_pack_files out_s out_deps name dir)
  set(blobs "")
  set(paths "")
  set(table "")
  set(deps "")
  set(seen "")
  set(i 0)
  foreach(f IN LISTS IMG_FILES)
    if(f MATCHES "^([^=]+)=(/[^=]+)$")
      set(src ${CMAKE_MATCH_1})
      set(path ${CMAKE_MATCH_2})
    else()
      set(src ${f})
      get_filename_component(base ${f} NAME)
      set(path /${base})
    endif()
    get_filename_component(src ${src} ABSOLUTE)
    if(NOT EXISTS ${src} OR IS_DIRECTORY ${src})
      message(FATAL_ERROR "flexos_add_image(${name}): FILES ${f}: ${src} is not a file")
    endif()
    if(NOT path MATCHES "^(/[A-Za-z0-9_+.-]+)+$" OR path MATCHES "/\\.\\.?(/|$)")
      message(FATAL_ERROR "flexos_add_image(${name}): FILES ${f}: '${path}' is "
              "not a canonical path (/dir/name of letters, digits, _+.-; no . or ..)")
    endif()
    if(path IN_LIST seen)
      message(FATAL_ERROR "flexos_add_image(${name}): FILES: two files at ${path}")
    endif()
    list(APPEND seen ${path})
    string(APPEND blobs ".balign 16\nflexos_file_${i}: .incbin \"${src}\"\nflexos_file_${i}_end:\n")
    string(APPEND paths "flexos_path_${i}: .asciz \"${path}\"\n")
    string(APPEND table "  .quad flexos_path_${i}, flexos_file_${i}, flexos_file_${i}_end - flexos_file_${i}\n")
    list(APPEND deps ${src})
    math(EXPR i "${i} + 1")
  endforeach()
  set(text "/* ${name}: files packed by flexos_add_image FILES; generated, do not edit */
.section .rodata.flexos_files,\"a\"
${blobs}${paths}.balign 8
flexos_packed_file_table:
${table}.globl flexos_packed_files
.balign 8
flexos_packed_files:
  .quad ${i}, flexos_packed_file_table
.section .note.GNU-stack,\"\",@progbits
")
  set(s ${dir}/${name}_files.S)
  set(old "")
  if(EXISTS ${s})
    file(READ ${s} old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE ${s} "${text}")
  endif()
  set(${out_s} ${s} PARENT_SCOPE)
  set(${out_deps} ${deps} PARENT_SCOPE)
endfunction()

# IMG_RING3: compartments in ring 3 over the core (the default), unless
# RING0 was asked for.  IMG_EPT: the configuration names vm-ept (a VM per
# compartment; cmake/FlexosImageGen.cmake checks it again against the
# parsed configuration): the runtime's entries stay gates into the
# default compartment's VM, which owns the threads.
macro(_flexos_image_ring)
  set(IMG_RING3 ON)
  file(STRINGS ${IMG_CONFIG} ept_lines REGEX "^[^#]*mechanism[ \t]*:[ \t]*[\"']?vm-ept")
  set(IMG_EPT OFF)
  if(ept_lines)
    set(IMG_EPT ON)
  endif()
  if(IMG_RING0)
    set(IMG_RING3 OFF)
  else()
    list(APPEND IMG_DEFINES -DFLEXOS_PORT_SERVICE) # <flexos/x86.h>
  endif()
endmacro()

function(flexos_add_image name)
  _flexos_image_parse(${ARGN})
  if(NOT IMG_CONFIG)
    message(FATAL_ERROR "flexos_add_image(${name}): CONFIG is required")
  endif()
  if(NOT EXISTS ${IMG_CONFIG})
    message(FATAL_ERROR "flexos_add_image(${name}): no configuration file ${IMG_CONFIG}")
  endif()
  _flexos_image_ring()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir)
  file(MAKE_DIRECTORY ${dir})
  set(ld ${dir}/${name}.ld)
  set(cfg_c ${dir}/${name}_config.c)
  _flexos_gen_config(${name} ${ld} ${cfg_c} image)

  set(defs "")
  if(NOT IMG_NO_PLUGIN)
    # Ring-3 images reach the runtime's entries by service calls from the
    # caller's own compartment (runtime/user/service.c): no gate to them,
    # but under vm-ept, where only the default compartment's VM has the
    # threads.
    set(entries ${FLEXOS_RUNTIME_ENTRIES})
    if(IMG_RING3 AND NOT IMG_EPT)
      set(entries "")
    endif()
    _flexos_gen_defs(defs ${name} ${dir} ${FLEXOS_CLANG}
                     "${FLEXOS_IMAGE_CFLAGS};${IMG_DEFINES}" "${entries}")
  endif()

  set(objs "")
  set(copies_args "")
  foreach(lib IN LISTS IMG_LIBS)
    set(flags ${IMG_DEFINES} ${IMG_OPT_${lib}})
    set(deps "")
    if(NOT IMG_NO_PLUGIN)
      # The compartment's hardening (stack-protector, ubsan) as @FILE.
      set(cflags ${dir}/${lib}.cflags)
      _flexos_gen_cflags(${lib} ${cflags})
      _flexos_untrusted_flag(untrusted ${lib})
      list(APPEND flags -fplugin=$<TARGET_FILE:flexos_plugin>
           -fplugin-arg-flexos-config=${IMG_CONFIG}
           -fplugin-arg-flexos-library=${lib} -fplugin-arg-flexos-defs=${defs}
           ${IMG_SHARES_FLAG} ${untrusted} @${cflags})
      set(deps flexos_plugin ${IMG_CONFIG} ${cflags} ${defs} ${IMG_SHARES})
    endif()
    file(MAKE_DIRECTORY ${dir}/${lib})
    set(lib_objs "")
    foreach(src IN LISTS IMG_SRC_${lib})
      _flexos_compile(lib_objs ${dir}/${lib} ${src} "${flags}" "${deps}")
    endforeach()
    list(APPEND objs ${lib_objs})
    list(APPEND copies_args --lib ${lib} ${lib_objs})
  endforeach()
  set(other_objs "")
  foreach(src IN LISTS IMG_SOURCES ITEMS ${cfg_c})
    _flexos_compile(other_objs ${dir} ${src} "${IMG_DEFINES}" "")
  endforeach()
  if(IMG_FILES)
    _flexos_pack_files(files_s files_deps ${name} ${dir})
    _flexos_compile(other_objs ${dir} ${files_s} "" "${files_deps}")
  endif()
  list(APPEND objs ${other_objs})
  if(other_objs)
    list(APPEND copies_args --other ${other_objs})
  endif()
  # Without the plugin no library's data is in its compartment's sections,
  # so neither is any libc: the whole image links the one archive.
  set(link_objs ${objs})
  set(copies_cmd "")
  if(NOT IMG_NO_PLUGIN)
    set(link_objs @${dir}/link-objects.rsp)
    set(copies_cmd COMMAND ${FLEXOS_LIBC_COPIES}
      --config-tool $<TARGET_FILE:flexos-config> --config ${IMG_CONFIG}
      --libc ${FLEXOS_LIBC_DIR}/lib/libc.a --llvm-bin ${FLEXOS_LLVM_BIN}
      --out-dir ${dir}/libc --rsp ${dir}/link-objects.rsp ${copies_args})
  endif()
  _flexos_libc_deps(libc_deps)
  # Ring 3: compartments in ring 3 over the core object (runtime/CMakeLists.txt)
  if(IMG_RING3)
    set(runtime_link ${FLEXOS_CORE_RING3_OBJECT} $<TARGET_FILE:flexos_runtime_user>)
    set(runtime_deps flexos_core_ring3 ${FLEXOS_CORE_RING3_OBJECT} flexos_runtime_user)
  else()
    set(runtime_link $<TARGET_FILE:flexos_runtime>)
    set(runtime_deps flexos_runtime)
  endif()

  # Link to an unscanned file; only a clean scan renames it to the image
  # (stray bytes inside other instructions: relinked with another layout).
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(OUTPUT ${elf}
    ${copies_cmd}
    COMMAND ${FLEXOS_LINK_SCAN} --scan $<TARGET_FILE:flexos-scan>
            --objdump ${FLEXOS_LLVM_BIN}/llvm-objdump
            --symtab $<TARGET_FILE:flexos-symtab> -o ${elf} --
            ${FLEXOS_LLVM_BIN}/ld.lld -static -nostdlib --no-pie --orphan-handling=error
            -z noexecstack -T ${ld} ${link_objs} ${runtime_link}
            $<TARGET_FILE:flexos_gates> ${FLEXOS_LIBC_DIR}/lib/libc.a
    DEPENDS ${objs} ${ld} ${runtime_deps} flexos_gates flexos-scan ${FLEXOS_LINK_SCAN}
            ${FLEXOS_LIBC_COPIES} ${libc_deps} flexos-config flexos-symtab
    COMMENT "flexos: linking and scanning ${name}.elf" VERBATIM)
  if(IMG_EXCLUDE)
    add_custom_target(${name} DEPENDS ${elf})
  else()
    add_custom_target(${name} ALL DEPENDS ${elf})
  endif()
  if(IMG_RING3)
    set_target_properties(${name} PROPERTIES FLEXOS_IMAGE ${elf} FLEXOS_RING 3)
  else()
    set_target_properties(${name} PROPERTIES FLEXOS_IMAGE ${elf} FLEXOS_RING 0)
  endif()
endfunction()

function(flexos_add_image_test test)
  cmake_parse_arguments(T "SLOW" "IMAGE;ACCEL;CPU;MEM;APPEND;MAIN;EXIT;TIMEOUT"
                        "EXPECT;REJECT;LABELS" ${ARGN})
  if(NOT T_ACCEL)
    set(T_ACCEL tcg)
  endif()
  if(NOT T_EXIT)
    set(T_EXIT 0)
  endif()
  if(NOT T_TIMEOUT AND T_ACCEL MATCHES "^kvm")
    set(T_TIMEOUT 600) # a safety net: KVM under kvm_pvm can be 40x slower than TCG (docs/hosts.md)
  elseif(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  set(args --accel ${T_ACCEL} --exit ${T_EXIT} --timeout ${T_TIMEOUT})
  if(T_CPU)
    list(APPEND args --cpu ${T_CPU})
  endif()
  if(T_SLOW)
    list(APPEND args --slow)
  endif()
  if(T_MEM)
    list(APPEND args --mem ${T_MEM})
  endif()
  if(T_MAIN)
    list(APPEND args --main "${T_MAIN}")
  endif()
  if(DEFINED T_APPEND)
    list(APPEND args --append "${T_APPEND}")
  endif()
  foreach(e IN LISTS T_EXPECT)
    list(APPEND args --expect "${e}")
  endforeach()
  foreach(r IN LISTS T_REJECT)
    list(APPEND args --reject "${r}")
  endforeach()
  # A ring-3 image under kvm_pvm skips, saying why (tools/kvm-ring3.sh).
  set(guard "")
  get_target_property(ring ${T_IMAGE} FLEXOS_RING)
  if(T_ACCEL STREQUAL kvm AND ring EQUAL 3)
    set(guard ${FLEXOS_KVM_RING3})
  endif()
  add_test(NAME ${test} COMMAND ${guard} ${FLEXOS_RUN_IMAGE} ${args}
           $<TARGET_PROPERTY:${T_IMAGE},FLEXOS_IMAGE>)
  math(EXPR ctest_timeout "${T_TIMEOUT} + 30")
  set_tests_properties(${test} PROPERTIES SKIP_RETURN_CODE 77
                       TIMEOUT ${ctest_timeout} LABELS "${T_LABELS}")
  if(T_ACCEL STREQUAL kvm-nested AND FLEXOS_TESTVM_CACHE)
    set_tests_properties(${test} PROPERTIES
                         ENVIRONMENT FLEXOS_TESTVM_CACHE=${FLEXOS_TESTVM_CACHE})
  endif()
endfunction()
