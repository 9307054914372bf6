# FILE: cmake/FlexosImageGen.cmake
# DESCRIPTION:
#   Build-time half of flexos_add_image(): reads `flexos-config --list` of
#   an image's configuration and writes
#     <image>.ld        the linker script: text, gates (one range for the
#                       scan), then each compartment's read-only and
#                       read-write data page-aligned between
#                       __flexos_c<i>_{ro,rw}_{start,end}, the shared, kernel
#                       private and common ranges; the default compartment
#                       comes last and also takes the runtime's .data/.bss;
#     <image>_config.c  struct flexos_image_config for runtime/.
# USAGE:
#   cmake -DCONFIG_TOOL=flexos-config -DCONFIG=flexos.yaml -DNAME=img
#         -DLD_OUT=img.ld -DC_OUT=img_config.c -P cmake/FlexosImageGen.cmake
# License: MIT (see LICENSE)
cmake_minimum_required(VERSION 3.20)

execute_process(COMMAND ${CONFIG_TOOL} --list ${CONFIG}
                OUTPUT_VARIABLE listing ERROR_VARIABLE errors
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "flexos-config failed on ${CONFIG}:\n${errors}")
endif()

# compartment <index> <name> <mechanism> <default 0|1> <pkru> <polling 0|1>
#             <check-pointers 0|1> <hardening>
set(names "")
set(mechs "")
set(pollings "")
set(checks "")
set(default_index -1)
set(image_mech "")
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  if(line MATCHES "^compartment ([0-9]+) ([A-Za-z0-9_]+) ([a-z-]+) ([01]) [0-9a-fx]+ ([01]) ([01])")
    list(APPEND names ${CMAKE_MATCH_2})
    list(APPEND mechs ${CMAKE_MATCH_3})
    list(APPEND pollings ${CMAKE_MATCH_5})
    list(APPEND checks ${CMAKE_MATCH_6})
    if(CMAKE_MATCH_4 EQUAL 1)
      set(default_index ${CMAKE_MATCH_1})
    endif()
    if(PLATFORM STREQUAL "linux" AND CMAKE_MATCH_3 STREQUAL "vm-ept")
      message(FATAL_ERROR "${CONFIG}: compartment ${CMAKE_MATCH_2} uses vm-ept, "
              "which needs a kernel image (flexos_add_image); a Linux executable "
              "(flexos_add_executable) isolates with intel-pku or none")
    endif()
    if(image_mech STREQUAL "")
      set(image_mech ${CMAKE_MATCH_3})
    elseif(NOT image_mech STREQUAL CMAKE_MATCH_3)
      message(FATAL_ERROR "${CONFIG}: compartment ${CMAKE_MATCH_2} uses "
              "${CMAKE_MATCH_3} but an earlier one uses ${image_mech}; kernel "
              "images and Linux executables need one mechanism for all "
              "compartments (docs/config.md)")
    endif()
  endif()
endforeach()
if(image_mech STREQUAL "intel-pku")
  set(image_mech_c FLEXOS_MECH_PKU)
elseif(image_mech STREQUAL "vm-ept")
  set(image_mech_c FLEXOS_MECH_EPT)
else()
  set(image_mech_c FLEXOS_MECH_NONE)
endif()
if(RING3 AND image_mech STREQUAL "vm-ept")
  # flexos_add_image chose ring 3 from a look at the file's text: it missed
  # a vm-ept compartment written in a way it does not recognize.
  message(FATAL_ERROR "${CONFIG}: a vm-ept image keeps its compartments in ring 0, "
          "but the build chose ring 3; write `mechanism: vm-ept` on one line, "
          "or pass RING0 to flexos_add_image (docs/runtime.md, \"Ring choice\")")
elseif(PLATFORM STREQUAL "image" AND NOT RING3 AND NOT RING0_ASKED
       AND NOT image_mech STREQUAL "vm-ept")
  message(FATAL_ERROR "${CONFIG}: the build chose ring 0 for a vm-ept image, but the "
          "image's mechanism is ${image_mech}; write `mechanism: vm-ept` only where "
          "a compartment has it (docs/runtime.md, \"Ring choice\")")
endif()
list(LENGTH names n)
if(n EQUAL 0 OR default_index EQUAL -1)
  message(FATAL_ERROR "${CONFIG}: no compartments or no default compartment")
endif()

# One compartment's page-aligned ro and rw ranges.
function(comp_ro out i name)
  set(s "  /* compartment ${i}: ${name} (key ${i}+1) */\n")
  string(APPEND s "  . = ALIGN(4096);\n  __flexos_c${i}_ro_start = .;\n")
  string(APPEND s "  .rodata.flexos.${name} : { *(.rodata.flexos.${name} .rodata.flexos.${name}.*) }\n")
  string(APPEND s "  . = ALIGN(4096);\n  __flexos_c${i}_ro_end = .;\n")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()
function(comp_rw out i name extra_data extra_bss)
  set(s "  . = ALIGN(4096);\n  __flexos_c${i}_rw_start = .;\n")
  string(APPEND s "  .data.flexos.${name} : { *(.data.flexos.${name} .data.flexos.${name}.*) ${extra_data} }\n")
  string(APPEND s "  .bss.flexos.${name} (NOLOAD) : { *(.bss.flexos.${name} .bss.flexos.${name}.*) ${extra_bss} }\n")
  string(APPEND s "  . = ALIGN(4096);\n  __flexos_c${i}_rw_end = .;\n")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()
function(range out sym osec inputs)
  set(s "  . = ALIGN(4096);\n  __${sym}_start = .;\n  ${osec} : { ${inputs} }\n")
  string(APPEND s "  . = ALIGN(4096);\n  __${sym}_end = .;\n")
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

# A Linux executable: a fragment that the linker's own layout takes in
# (INSERT): the gates in one range for the scan, then each compartment's
# code, read-only and read-write data page-aligned between
# __flexos_c<i>_{text,ro,rw}_{start,end} (platform/linux/start.c keys
# them), and the shared section.
if(PLATFORM STREQUAL "linux")
  set(ld "/* ${NAME}.ld: generated by cmake/FlexosImageGen.cmake from ${CONFIG}; do not edit */\n")
  string(APPEND ld "SECTIONS {\n  .text.flexos_gates : ALIGN(4096) {\n    __flexos_gates_start = .;\n")
  string(APPEND ld "    KEEP(*(.text.flexos_gates .text.flexos_gates.*))\n    __flexos_gates_end = .;\n  }\n} INSERT BEFORE .text;\n")
  set(text "")
  set(ro "")
  set(rw "")
  math(EXPR last "${n} - 1")
  foreach(i RANGE ${last})
    list(GET names ${i} name)
    string(APPEND text "  .text.flexos.c${i} : ALIGN(4096) { __flexos_c${i}_text_start = .; *(.text.flexos.${name} .text.flexos.${name}.*) __flexos_c${i}_text_end = .; }\n")
    string(APPEND ro "  .rodata.flexos.c${i} : ALIGN(4096) { __flexos_c${i}_ro_start = .; *(.rodata.flexos.${name} .rodata.flexos.${name}.*) . = ALIGN(4096); __flexos_c${i}_ro_end = .; }\n")
    string(APPEND rw "  .data.flexos.c${i} : ALIGN(4096) { __flexos_c${i}_rw_start = .; *(.data.flexos.${name} .data.flexos.${name}.*) *(.bss.flexos.${name} .bss.flexos.${name}.*) . = ALIGN(4096); __flexos_c${i}_rw_end = .; }\n")
  endforeach()
  string(APPEND rw "  .flexos_shared : ALIGN(4096) { __flexos_shared_start = .; *(.data.flexos_shared .data.flexos_shared.*) *(.bss.flexos_shared .bss.flexos_shared.*) . = ALIGN(4096); __flexos_shared_end = .; }\n")
  string(APPEND ld "SECTIONS {\n${text}} INSERT AFTER .text;\n")
  string(APPEND ld "SECTIONS {\n${ro}} INSERT AFTER .rodata;\n")
  string(APPEND ld "SECTIONS {\n${rw}} INSERT AFTER .data;\n")
else()
set(ld "/* ${NAME}.ld: generated by cmake/FlexosImageGen.cmake from ${CONFIG}; do not edit */\n")
string(APPEND ld "ENTRY(_start32)\nSECTIONS\n{\n  . = 1M;\n")
string(APPEND ld "  .note.Xen : { KEEP(*(.note.Xen)) }\n  .text.boot : { *(.text.boot) }\n")
string(APPEND ld "  . = ALIGN(4096);\n  __text_start = .;\n")
if(RING3)
  # Ring-3 images: the kernel's gates (interrupt and service entries) and
  # the core's code on supervisor pages of their own, the compartments'
  # gates and code on user pages (runtime/core/paging.c).
  string(APPEND ld "  .text.flexos_gates : {\n    __flexos_gates_start = .;\n")
  string(APPEND ld "    *(.text.flexos_gates.interrupt .text.flexos_gates.kernel)\n    . = ALIGN(4096);\n    __kernel_gates_end = .;\n")
  string(APPEND ld "    *(.text.flexos_gates .text.flexos_gates.*)\n    __flexos_gates_end = .;\n  }\n")
  string(APPEND ld "  . = ALIGN(4096);\n  __core_text_start = .;\n  .text.flexos_core : { *(.text.flexos_core) }\n  . = ALIGN(4096);\n  __core_text_end = .;\n")
else()
string(APPEND ld "  .text.flexos_gates : {\n    __flexos_gates_start = .;\n")
string(APPEND ld "    *(.text.flexos_gates .text.flexos_gates.*)\n    __flexos_gates_end = .;\n  }\n")
endif()
# __flexos_text_pad (ld.lld --defsym, tools/flexos-link-scan.sh) moves the
# code when stray WRPKRU/XRSTOR bytes landed in a displacement or offset.
string(APPEND ld "  .text : { . += DEFINED(__flexos_text_pad) ? __flexos_text_pad : 0; *(.text .text.*) }\n  . = ALIGN(4096);\n  __text_end = .;\n")
math(EXPR last "${n} - 1")
foreach(i RANGE ${last})
  list(GET names ${i} name)
  comp_ro(s ${i} ${name})
  string(APPEND ld "${s}")
  if(NOT i EQUAL default_index)
    comp_rw(s ${i} ${name} "" "")
    string(APPEND ld "${s}")
  endif()
endforeach()
range(s shared .flexos_shared "*(.data.flexos_shared .data.flexos_shared.*) *(.bss.flexos_shared .bss.flexos_shared.*)")
string(APPEND ld "${s}")
range(s kpriv_ro .flexos_kpriv_ro "*(.flexos_kpriv_ro)")
string(APPEND ld "${s}")
range(s kpriv_rw ".flexos_kpriv_rw (NOLOAD)" "*(.flexos_kpriv_rw)")
string(APPEND ld "${s}")
if(RING3)
  range(s core_ro .rodata.flexos_core "*(.rodata.flexos_core)")
  string(APPEND ld "${s}")
  string(APPEND ld "  . = ALIGN(4096);\n  __core_rw_start = .;\n  .data.flexos_core : { *(.data.flexos_core) }\n")
  string(APPEND ld "  .bss.flexos_core (NOLOAD) : { *(.bss.flexos_core) }\n  . = ALIGN(4096);\n  __core_rw_end = .;\n")
endif()
# The vm-ept entry table (docs/abi.md) is read-only data every VM maps.
# So are the gate and entry tables of checked indirect calls
# (gates/gate_table.c), and
# the GOT the linker makes for weak symbols (the gates' reference to the
# shared-page bitmap, include/flexos/abi.h).
range(s common_ro .rodata "*(.flexos_roinit) *(.rodata .rodata.*) . = ALIGN(8); *(.got .got.*) . = ALIGN(8); __flexos_ept_entries_start = .; KEEP(*(.flexos_ept_entries)) __flexos_ept_entries_end = .; . = ALIGN(8); __start_flexos_gate_table = .; KEEP(*(flexos_gate_table)) __stop_flexos_gate_table = .; . = ALIGN(8); __start_flexos_entry_table = .; KEEP(*(flexos_entry_table)) __stop_flexos_entry_table = .;")
string(APPEND ld "${s}")
range(s common_rw .flexos_common "*(.flexos_common)")
string(APPEND ld "${s}")
list(GET names ${default_index} name)
if(image_mech STREQUAL "vm-ept")
  # Each VM gets its own copy of the runtime's data; the default
  # compartment's own data stays in its VM only (tools/flexos-vmm).  The
  # compartment comes first: the linker takes the first rule that
  # matches, and .data.* would match .data.flexos.<name> too.
  comp_rw(s ${default_index} ${name} "" "")
  string(APPEND ld "${s}")
  range(s kernel_rw .flexos_kernel_rw "*(.data .data.*) *(.bss .bss.*) *(COMMON)")
else()
  # The runtime's data lives in the default compartment here.
  string(APPEND ld "  __kernel_rw_start = .;\n  __kernel_rw_end = .;\n")
  comp_rw(s ${default_index} ${name} "*(.data .data.*)" "*(.bss .bss.*) *(COMMON)")
endif()
# The fault reports' symbol and line table (include/flexos/symtab.h):
# last, so that the second link that adds it moves nothing else
# (tools/flexos-link-scan.sh --symtab).  Default key, read by the trap
# handler.
string(APPEND ld "${s}  . = ALIGN(4096);\n  .flexos_symtab : { __flexos_symtab_start = .; KEEP(*(.flexos_symtab)) __flexos_symtab_end = .; }\n  __image_end = .;\n")
# Debug information is not loaded; every other section must be named above
# (the image links with --orphan-handling=error, so that nothing ends up
# unkeyed or executable by accident).
foreach(dbg info abbrev line line_str str str_offsets addr rnglists loclists
            frame aranges ranges loc names pubnames pubtypes)
  string(APPEND ld "  .debug_${dbg} 0 : { *(.debug_${dbg}) }\n")
endforeach()
string(APPEND ld "  .symtab 0 : { *(.symtab) }\n  .strtab 0 : { *(.strtab) }\n  .shstrtab 0 : { *(.shstrtab) }\n")
string(APPEND ld "  /DISCARD/ : { *(.eh_frame*) *(.comment) *(.note.GNU-stack) *(.llvm_addrsig) }\n}\n")
endif()
file(WRITE ${LD_OUT}.tmp "${ld}")
file(RENAME ${LD_OUT}.tmp ${LD_OUT})

set(c "/* ${NAME}_config.c: generated by cmake/FlexosImageGen.cmake from ${CONFIG}; do not edit */\n")
string(APPEND c "#include <flexos/abi.h>\n#include <flexos/runtime.h>\n\n")
set(table "")
foreach(i RANGE ${last})
  list(GET names ${i} name)
  list(GET mechs ${i} mech)
  foreach(r ro rw)
    string(APPEND c "extern char __flexos_c${i}_${r}_start[], __flexos_c${i}_${r}_end[];\n")
  endforeach()
  list(GET pollings ${i} polling)
  list(GET checks ${i} check)
  if(mech STREQUAL "intel-pku")
    set(m FLEXOS_MECH_PKU)
  elseif(mech STREQUAL "vm-ept")
    set(m FLEXOS_MECH_EPT)
  else()
    set(m FLEXOS_MECH_NONE)
  endif()
  if(i EQUAL default_index)
    set(d 1)
  else()
    set(d 0)
  endif()
  string(APPEND table "    {\"${name}\", ${m}, ${d},\n")
  string(APPEND table "     (uintptr_t)__flexos_c${i}_ro_start, (uintptr_t)__flexos_c${i}_ro_end,\n")
  string(APPEND table "     (uintptr_t)__flexos_c${i}_rw_start, (uintptr_t)__flexos_c${i}_rw_end,\n")
  string(APPEND table "     ${polling}, ${check}},\n")
endforeach()
string(APPEND c "\nconst struct flexos_image_config flexos_image_config = {\n")
if(NOT HEAP_KB)
  set(HEAP_KB 0)
endif()
if(NOT SHARED_HEAP_KB)
  set(SHARED_HEAP_KB 0)
endif()
string(APPEND c "  FLEXOS_ABI_VERSION, \"${NAME}\", ${n}, ${default_index}, ${image_mech_c}, ${HEAP_KB}, ${SHARED_HEAP_KB},\n  {\n${table}  }};\n")
if(PLATFORM STREQUAL "linux")
  string(APPEND c "\nconst uintptr_t flexos_hosted_text[14][2] = {\n")
  foreach(i RANGE ${last})
    string(APPEND c "  {(uintptr_t)__flexos_c${i}_text_start, (uintptr_t)__flexos_c${i}_text_end},\n")
  endforeach()
  string(APPEND c "};\n")
  set(decl "")
  foreach(i RANGE ${last})
    string(APPEND decl "extern char __flexos_c${i}_text_start[], __flexos_c${i}_text_end[];\n")
  endforeach()
  string(REPLACE "#include <flexos/runtime.h>\n" "#include <flexos/runtime.h>\n${decl}" c "${c}")
endif()
file(WRITE ${C_OUT}.tmp "${c}")
file(RENAME ${C_OUT}.tmp ${C_OUT})
