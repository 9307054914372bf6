# FILE: cmake/FlexosExecutable.cmake
# DESCRIPTION:
#   Hosted executables: the same libraries, annotations and configuration
#   as a kernel image (flexos_add_image, same arguments), built into an
#   ordinary static Linux program in which each intel-pku compartment is
#   a protection key (docs/hosted.md).  Each library is compiled with the
#   plugin, which also gates plain calls into another compartment's
#   library (the list of which library defines what, as for images); the link takes a generated linker-script fragment that keeps
#   each compartment's code and data page-aligned, the hosted runtime
#   (platform/linux) and wraps pthread_create.  The program is then
#   scanned: WRPKRU/XRSTOR only inside the gates, with glibc's two
#   lazy-binding trampolines (which a static program never runs) turned
#   into traps.  A failed scan deletes the program.
# USAGE:
#   include(FlexosExecutable)
#   flexos_add_executable(server CONFIG flexos.yaml
#                         LIBRARY app main.c
#                         LIBRARY parser parser.c
#                         [SOURCES plain.c]   # no plugin, default compartment
#                         [DEFINES X=1] [OPTIONS -O3] [LINK m]
#                         [UNTRUSTED [<library>=]warn|error|off]
#                         [SHARES flexos.shares]  # docs/porting.md
#                         [EXCLUDE_FROM_ALL])
# License: MIT (see LICENSE)
include_guard(DIRECTORY)
include(FlexosImage) # _flexos_image_parse, FLEXOS_IMAGE_GEN, FLEXOS_CFLAGS_GEN

function(flexos_add_executable name)
  set(links "")
  set(args "")
  set(in_link OFF)
  foreach(a IN ITEMS ${ARGN})
    if(a STREQUAL "LINK")
      set(in_link ON)
    elseif(in_link AND a MATCHES "^(CONFIG|LIBRARY|SOURCES|DEFINES|OPTIONS|UNTRUSTED|SHARES)$")
      set(in_link OFF)
      list(APPEND args ${a})
    elseif(in_link)
      list(APPEND links ${a})
    else()
      list(APPEND args ${a})
    endif()
  endforeach()
  _flexos_image_parse(${args})
  if(IMG_FILES)
    message(FATAL_ERROR "flexos_add_executable(${name}): FILES packs files into "
            "a kernel image; a Linux program opens the host's files")
  endif()
  if(NOT IMG_CONFIG)
    message(FATAL_ERROR "flexos_add_executable(${name}): CONFIG is required")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}.dir)
  file(MAKE_DIRECTORY ${dir})
  set(ld ${dir}/${name}.ld)
  set(cfg_c ${dir}/${name}_config.c)
  _flexos_gen_config(${name} ${ld} ${cfg_c} linux)

  # Which library defines which function (automatic gates): the same
  # flags as the libraries below, the directory's include paths and
  # definitions included, without the plugin.
  get_directory_property(dir_incs INCLUDE_DIRECTORIES)
  get_directory_property(dir_defs COMPILE_DEFINITIONS)
  set(defs_flags -fno-pie ${IMG_DEFINES} -I${FLEXOS_INCLUDE_DIR})
  foreach(i IN LISTS dir_incs)
    list(APPEND defs_flags -I${i})
  endforeach()
  foreach(d IN LISTS dir_defs)
    list(APPEND defs_flags -D${d})
  endforeach()
  _flexos_gen_defs(defs ${name} ${dir} ${FLEXOS_CLANG} "${defs_flags}" "")

  set(objs "")
  foreach(lib IN LISTS IMG_LIBS)
    set(cflags ${dir}/${lib}.cflags)
    _flexos_gen_cflags(${lib} ${cflags})
    set(t ${name}.lib.${lib})
    # Compiles need the built plugin and the flags file, not just their
    # targets' objects: a generated source of the target orders them.
    set(stamp ${dir}/${lib}.ready)
    add_custom_command(OUTPUT ${stamp}
      COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
      DEPENDS flexos_plugin ${cflags} ${defs} ${IMG_SHARES} VERBATIM)
    set_source_files_properties(${stamp} PROPERTIES HEADER_FILE_ONLY ON)
    # ...and a new plugin (a changed gate, pass or configuration) recompiles
    # them: the stamp is newer then.  APPEND: the same source may belong to
    # several executables.
    set_property(SOURCE ${IMG_SRC_${lib}} APPEND PROPERTY OBJECT_DEPENDS ${stamp})
    add_library(${t} OBJECT ${IMG_SRC_${lib}} ${stamp})
    if(IMG_EXCLUDE)
      set_target_properties(${t} PROPERTIES EXCLUDE_FROM_ALL ON)
    endif()
    _flexos_untrusted_flag(untrusted ${lib})
    target_compile_options(${t} PRIVATE -fno-pie ${IMG_DEFINES} ${IMG_OPT_${lib}}
      -fplugin=$<TARGET_FILE:flexos_plugin>
      -fplugin-arg-flexos-config=${IMG_CONFIG}
      -fplugin-arg-flexos-library=${lib} -fplugin-arg-flexos-defs=${defs}
      ${IMG_SHARES_FLAG} ${untrusted} @${cflags})
    target_include_directories(${t} PRIVATE ${FLEXOS_INCLUDE_DIR})
    add_dependencies(${t} flexos_plugin)
    list(APPEND objs $<TARGET_OBJECTS:${t}>)
  endforeach()

  add_executable(${name} ${objs} ${IMG_SOURCES} ${cfg_c})
  if(IMG_EXCLUDE)
    set_target_properties(${name} PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
  target_compile_options(${name} PRIVATE -fno-pie ${IMG_DEFINES})
  target_include_directories(${name} PRIVATE ${FLEXOS_INCLUDE_DIR})
  target_link_libraries(${name} PRIVATE flexos_linux ${links})
  target_link_options(${name} PRIVATE -static -pthread -fuse-ld=lld
    -Wl,-T,${ld} -Wl,--wrap=pthread_create -Wl,--wrap=sigaction -Wl,--wrap=signal -Wl,--wrap=sigaltstack -Wl,-z,noexecstack)
  set_target_properties(${name} PROPERTIES LINK_DEPENDS ${ld})
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND sh -c "'$<TARGET_FILE:flexos-scan>' --trap-in _dl_runtime_resolve_xsave --trap-in _dl_runtime_resolve_xsavec '$<TARGET_FILE:${name}>' || { rm -f '$<TARGET_FILE:${name}>'; exit 1; }"
    COMMENT "flexos: scanning ${name}" VERBATIM)
  add_dependencies(${name} flexos-scan)
endfunction()
