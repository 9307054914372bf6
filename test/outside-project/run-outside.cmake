# FILE: test/outside-project/run-outside.cmake
# DESCRIPTION:
#   ctest driver (cmake -P) for the outside-project test.  MODE=build:
#   configures project/ in a fresh WORK directory with only
#   cmake/flexos-toolchain.cmake and FLEXOS_BUILD_DIR, builds it, checks
#   that the plugin placed net's code in .text.flexos.net, runs the program
#   and compares its output.  MODE=no-plugin: configuring against a build
#   tree without lib/flexos.so must fail and say "build flexos first".
#   MODE=installed: `cmake --install` into WORK/prefix, then installed/
#   finds it with find_package(flexos) and builds and runs a program, a
#   hosted program and an image.  MODE=deb: cpack's .deb holds it all.
# USAGE:
#   cmake -DMODE=build -DFLEXOS_SOURCE_DIR=/path/flexos -DFLEXOS_BUILD_DIR=/path/build \
#     -DWORK=/tmp/outside -DREADELF=llvm-readelf-19 -P run-outside.cmake
# License: MIT (see LICENSE)
cmake_minimum_required(VERSION 3.20)
foreach(v MODE FLEXOS_SOURCE_DIR FLEXOS_BUILD_DIR WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run-outside.cmake: pass -D${v}=...")
  endif()
endforeach()
set(project_dir ${FLEXOS_SOURCE_DIR}/test/outside-project/project)
set(toolchain ${FLEXOS_SOURCE_DIR}/cmake/flexos-toolchain.cmake)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

# run(<what> <expect-success> <out-var> command...): runs, checks status.
function(run what expect_ok out_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("+ ${ARGN}\n${out}")
  if(expect_ok AND NOT rc EQUAL 0)
    message(FATAL_ERROR "FAIL: ${what} failed (status ${rc})")
  elseif(NOT expect_ok AND rc EQUAL 0)
    message(FATAL_ERROR "FAIL: ${what} succeeded but should have failed")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "build")
  run("configure" TRUE out ${CMAKE_COMMAND} -G Ninja -S ${project_dir}
      -B ${WORK}/build -DCMAKE_TOOLCHAIN_FILE=${toolchain}
      -DFLEXOS_BUILD_DIR=${FLEXOS_BUILD_DIR})
  run("build" TRUE out ${CMAKE_COMMAND} --build ${WORK}/build --verbose)
  if(NOT out MATCHES "-fplugin=[^ ]*/lib/flexos\\.so -fplugin-arg-flexos-config=[^ ]*flexos\\.yaml -fplugin-arg-flexos-library=net")
    message(FATAL_ERROR "FAIL: net.c was not compiled with the flexos plugin flags")
  endif()
  if(NOT out MATCHES "@[^ ]*net\\.flexos\\.cflags")
    message(FATAL_ERROR "FAIL: net.c was not compiled with its compartment's hardening flags")
  endif()
  file(READ ${WORK}/build/net.flexos.cflags hardening)
  if(NOT hardening STREQUAL "-fsanitize=undefined -fsanitize-trap=undefined\n")
    message(FATAL_ERROR "FAIL: net's hardening flags are '${hardening}'")
  endif()
  run("readelf" TRUE out ${READELF} -S ${WORK}/build/CMakeFiles/net.dir/net.c.o)
  if(NOT out MATCHES "\\.text\\.flexos\\.net")
    message(FATAL_ERROR "FAIL: no .text.flexos.net section in net.c.o: the plugin's passes did not run")
  endif()
  run("app" TRUE out ${WORK}/build/app)
  if(NOT out MATCHES "^checksum=0xb861 calls=2\n$")
    message(FATAL_ERROR "FAIL: unexpected output of app")
  endif()
  message("PASS: outside project built with the flexos toolchain and ran")
elseif(MODE STREQUAL "no-plugin")
  file(MAKE_DIRECTORY ${WORK}/empty-build)
  run("configure without plugin" FALSE out ${CMAKE_COMMAND} -G Ninja
      -S ${project_dir} -B ${WORK}/build -DCMAKE_TOOLCHAIN_FILE=${toolchain}
      -DFLEXOS_BUILD_DIR=${WORK}/empty-build)
  string(REGEX REPLACE "[ \n]+" " " flat "${out}")
  if(NOT flat MATCHES "lib/flexos\\.so does not exist\\. Build flexos first: cmake --build ")
    message(FATAL_ERROR "FAIL: the toolchain did not say to build flexos first")
  endif()
  message("PASS: missing plugin reported")
elseif(MODE STREQUAL "installed")
  # cmake --install into a fresh prefix, then only find_package(flexos).
  run("install" TRUE out ${CMAKE_COMMAND} --install ${FLEXOS_BUILD_DIR} --prefix ${WORK}/prefix)
  find_program(clang NAMES clang-19 REQUIRED)
  run("configure" TRUE out ${CMAKE_COMMAND} -G Ninja
      -S ${FLEXOS_SOURCE_DIR}/test/outside-project/installed -B ${WORK}/build
      -DCMAKE_PREFIX_PATH=${WORK}/prefix -DCMAKE_C_COMPILER=${clang} -DCMAKE_ASM_COMPILER=${clang})
  if(NOT out MATCHES "flexos 0\\.2\\.[0-9]+ from ${WORK}/prefix/share/flexos/cmake")
    message(FATAL_ERROR "FAIL: find_package did not find the installed flexos")
  endif()
  run("build" TRUE out ${CMAKE_COMMAND} --build ${WORK}/build)
  foreach(program app_plain app_hosted)
    run("${program}" TRUE out ${WORK}/build/${program})
    if(NOT out MATCHES "^checksum=0xb861 calls=2\n$")
      message(FATAL_ERROR "FAIL: unexpected output of ${program}")
    endif()
  endforeach()
  run("the image" TRUE out ${WORK}/prefix/share/flexos/tools/run-image.sh
      --expect "^checksum=0xb861 calls=2" ${WORK}/build/app_image.elf)
  message("PASS: an outside project built a program, a hosted program and an image "
          "against the installed flexos, and all three ran")
elseif(MODE STREQUAL "deb")
  run("cpack" TRUE out ${CMAKE_COMMAND} -E chdir ${FLEXOS_BUILD_DIR}
      cpack -G DEB -B ${WORK})
  file(GLOB deb ${WORK}/flexos_*.deb)
  if(NOT deb)
    message(FATAL_ERROR "FAIL: cpack made no .deb in ${WORK}")
  endif()
  run("dpkg-deb" TRUE out dpkg-deb -c ${deb})
  foreach(f ./usr/lib/flexos.so ./usr/bin/flexos-config ./usr/lib/flexos/libflexos_linux.a
            ./usr/share/flexos/cmake/flexosConfig.cmake ./usr/include/flexos.h
            ./usr/share/flexos/runtime/libc/lib/libc.a ./usr/share/flexos/runtime/libc/include/stdio.h
            ./usr/bin/flexos-symtab ./usr/share/flexos/tools/flexos-libc-copies.sh)
    string(REPLACE "." "\\." re "${f}")
    if(NOT out MATCHES " ${re}\n")
      message(FATAL_ERROR "FAIL: the .deb lacks ${f}")
    endif()
  endforeach()
  message("PASS: ${deb} holds the plugin, the tools, the runtimes, the headers and the package configuration")
else()
  message(FATAL_ERROR "run-outside.cmake: unknown MODE ${MODE}")
endif()
