# FILE: cmake/FlexosLibrary.cmake
# DESCRIPTION:
#   flexos_library(<target> LIBRARY <name> CONFIG <yaml>
#                  [UNTRUSTED warn|error|off]): compiles an
#   existing C/C++ target as flexos library <name> under configuration
#   <yaml>: adds -fplugin=<flexos.so>, -fplugin-arg-flexos-config=<yaml>
#   and -fplugin-arg-flexos-library=<name> to its compile options, the
#   flexos include directory (for <flexos.h>) to its usage requirements,
#   the compartment's hardening flags (`flexos-config --cflags`, as a
#   response file), and makes its objects depend on the plugin file and
#   the configuration so a rebuilt plugin or an edited configuration
#   recompiles them.
#   Works in the flexos tree itself (target flexos_plugin) and in outside
#   projects configured with cmake/flexos-toolchain.cmake.
# USAGE:
#   add_library(net STATIC net.c)
#   flexos_library(net LIBRARY net CONFIG ${CMAKE_CURRENT_SOURCE_DIR}/flexos.yaml)
#   (call it after all sources of the target are added)
# License: MIT (see LICENSE)
include_guard(GLOBAL)

# Where the plugin comes from: the in-tree target, or FLEXOS_BUILD_DIR.
function(_flexos_plugin_location out_file out_target)
  if(TARGET flexos_plugin)
    set(${out_file} "$<TARGET_FILE:flexos_plugin>" PARENT_SCOPE)
    set(${out_target} flexos_plugin PARENT_SCOPE)
  elseif(FLEXOS_PLUGIN AND EXISTS "${FLEXOS_PLUGIN}")
    set(${out_file} "${FLEXOS_PLUGIN}" PARENT_SCOPE)
    set(${out_target} "" PARENT_SCOPE)
  elseif(FLEXOS_BUILD_DIR AND EXISTS "${FLEXOS_BUILD_DIR}/lib/flexos.so")
    set(${out_file} "${FLEXOS_BUILD_DIR}/lib/flexos.so" PARENT_SCOPE)
    set(${out_target} "" PARENT_SCOPE)
  else()
    message(FATAL_ERROR
      "flexos_library: no flexos plugin. Configure with "
      "-DCMAKE_TOOLCHAIN_FILE=<flexos>/cmake/flexos-toolchain.cmake "
      "-DFLEXOS_BUILD_DIR=<flexos build>, and build flexos first: "
      "cmake --build <flexos build>")
  endif()
endfunction()

function(flexos_library target)
  cmake_parse_arguments(PARSE_ARGV 1 FL "" "LIBRARY;CONFIG;UNTRUSTED" "")
  if(FL_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "flexos_library(${target}): unexpected arguments "
                        "'${FL_UNPARSED_ARGUMENTS}'; usage: "
                        "flexos_library(<target> LIBRARY <name> CONFIG <yaml> "
                        "[UNTRUSTED warn|error|off])")
  endif()
  if(FL_UNTRUSTED AND NOT FL_UNTRUSTED MATCHES "^(warn|error|off)$")
    message(FATAL_ERROR "flexos_library(${target}): UNTRUSTED wants warn, "
                        "error or off, not '${FL_UNTRUSTED}'")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "flexos_library: '${target}' is not a target; call "
                        "add_library/add_executable first")
  endif()
  if(NOT FL_LIBRARY OR NOT FL_CONFIG)
    message(FATAL_ERROR "flexos_library(${target}): LIBRARY and CONFIG are "
                        "required: flexos_library(<target> LIBRARY <name> CONFIG <yaml>)")
  endif()
  if(NOT FL_LIBRARY MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "flexos_library(${target}): library name "
                        "'${FL_LIBRARY}' is not an identifier")
  endif()
  get_filename_component(config "${FL_CONFIG}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${config}")
    message(FATAL_ERROR "flexos_library(${target}): configuration "
                        "${config} does not exist")
  endif()
  foreach(lang C CXX)
    if(CMAKE_${lang}_COMPILER_LOADED AND NOT
       (CMAKE_${lang}_COMPILER_ID MATCHES "Clang" AND
        CMAKE_${lang}_COMPILER_VERSION VERSION_GREATER_EQUAL 19 AND
        CMAKE_${lang}_COMPILER_VERSION VERSION_LESS 20))
      message(FATAL_ERROR "flexos_library(${target}): the ${lang} compiler is "
        "${CMAKE_${lang}_COMPILER_ID} ${CMAKE_${lang}_COMPILER_VERSION}; the "
        "plugin needs clang 19. Configure with "
        "-DCMAKE_TOOLCHAIN_FILE=<flexos>/cmake/flexos-toolchain.cmake")
    endif()
  endforeach()
  _flexos_plugin_location(plugin plugin_target)
  get_filename_component(flexos_include "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../include" ABSOLUTE)

  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C,CXX>:-fplugin=${plugin}>
    $<$<COMPILE_LANGUAGE:C,CXX>:-fplugin-arg-flexos-config=${config}>
    $<$<COMPILE_LANGUAGE:C,CXX>:-fplugin-arg-flexos-library=${FL_LIBRARY}>)
  if(FL_UNTRUSTED)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:C,CXX>:-fplugin-arg-flexos-untrusted=${FL_UNTRUSTED}>)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    message(FATAL_ERROR "flexos_library(${target}): an INTERFACE library has no sources to compile")
  endif()
  target_include_directories(${target} PUBLIC "${flexos_include}")
  set_target_properties(${target} PROPERTIES
    FLEXOS_LIBRARY "${FL_LIBRARY}" FLEXOS_CONFIG "${config}")

  # The compartment's hardening (docs/config.md) as a response file,
  # written at build time by flexos-config --cflags.
  if(TARGET flexos-config)
    set(config_tool "$<TARGET_FILE:flexos-config>")
    set(config_tool_target flexos-config)
  elseif(FLEXOS_BUILD_DIR AND EXISTS "${FLEXOS_BUILD_DIR}/bin/flexos-config")
    set(config_tool "${FLEXOS_BUILD_DIR}/bin/flexos-config")
    set(config_tool_target "")
  else()
    message(FATAL_ERROR "flexos_library(${target}): no flexos-config; build "
                        "flexos first (cmake --build <flexos build>)")
  endif()
  set(cflags "${CMAKE_CURRENT_BINARY_DIR}/${target}.flexos.cflags")
  add_custom_command(OUTPUT "${cflags}"
    COMMAND ${CMAKE_COMMAND} -DCONFIG_TOOL=${config_tool} -DCONFIG=${config}
            -DLIBRARY=${FL_LIBRARY} -DOUT=${cflags}
            -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/FlexosCflags.cmake"
    DEPENDS "${config}" ${config_tool_target}
    COMMENT "flexos: hardening flags of ${FL_LIBRARY}" VERBATIM)
  add_custom_target(${target}_flexos_cflags DEPENDS "${cflags}")
  add_dependencies(${target} ${target}_flexos_cflags)
  target_compile_options(${target} PRIVATE
    "$<$<COMPILE_LANGUAGE:C,CXX>:@${cflags}>")

  # Recompile when the plugin or the configuration changes.
  if(plugin_target)
    add_dependencies(${target} ${plugin_target})
  endif()
  get_target_property(sources ${target} SOURCES)
  foreach(src IN LISTS sources)
    if(src MATCHES "\\.(c|cc|cpp|cxx)$")
      set_property(SOURCE "${src}" TARGET_DIRECTORY ${target} APPEND
                   PROPERTY OBJECT_DEPENDS "${config}" "${cflags}")
      if(NOT plugin_target)
        set_property(SOURCE "${src}" TARGET_DIRECTORY ${target} APPEND
                     PROPERTY OBJECT_DEPENDS "${plugin}")
      endif()
    endif()
  endforeach()
endfunction()
