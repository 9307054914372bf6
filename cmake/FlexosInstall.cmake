# FILE: cmake/FlexosInstall.cmake
# DESCRIPTION:
#   `cmake --install BUILD --prefix P` and the .deb (`cpack -G DEB` in the
#   build tree): the plugin and tools in P/bin and P/lib, the runtimes in
#   P/lib/flexos, the headers in P/include, and, in P/share/flexos, the
#   CMake functions with the files they use (the source tree's layout:
#   cmake/, include/, runtime/libc/{include,lib} (the image libc),
#   tools/run-image.sh) and the
#   package configuration for find_package(flexos).
# License: MIT (see LICENSE)
install(TARGETS flexos_plugin flexos_pass_plugin LIBRARY DESTINATION lib)
install(TARGETS flexos-config flexos-scan flexos-symtab flexos flexos-vmm flexos-port flexos-share
        RUNTIME DESTINATION bin)
install(TARGETS flexos_runtime flexos_runtime_user flexos_gates flexos_linux
        ARCHIVE DESTINATION lib/flexos)
install(FILES ${FLEXOS_CORE_RING3_OBJECT} DESTINATION lib/flexos) # ring-3 images' core
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION include)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION share/flexos/include)
install(DIRECTORY ${FLEXOS_LIBC_DIR}/include/
        DESTINATION share/flexos/runtime/libc/include)
install(FILES ${FLEXOS_LIBC_DIR}/lib/libc.a ${FLEXOS_LIBC_DIR}/VERSION
        DESTINATION share/flexos/runtime/libc/lib)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/FlexosLibrary.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FlexosImage.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FlexosImageGen.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FlexosCflags.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FlexosExecutable.cmake
              ${PROJECT_SOURCE_DIR}/cmake/flexos-toolchain.cmake
        DESTINATION share/flexos/cmake)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/run-image.sh ${PROJECT_SOURCE_DIR}/tools/host-info.sh
                 ${PROJECT_SOURCE_DIR}/tools/kvm-ring3.sh
                 ${PROJECT_SOURCE_DIR}/tools/flexos-link-scan.sh
                 ${PROJECT_SOURCE_DIR}/tools/flexos-defs.sh
              ${PROJECT_SOURCE_DIR}/tools/flexos-libc-copies.sh
        DESTINATION share/flexos/tools)
install(FILES ${PROJECT_SOURCE_DIR}/runtime/gate-entries.txt
        DESTINATION share/flexos/runtime)

include(CMakePackageConfigHelpers)
configure_file(${PROJECT_SOURCE_DIR}/cmake/install/flexosConfig.cmake.in
               ${PROJECT_BINARY_DIR}/install/flexosConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/install/flexosConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/install/flexosConfig.cmake
              ${PROJECT_BINARY_DIR}/install/flexosConfigVersion.cmake
        DESTINATION share/flexos/cmake)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME flexos)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "flexos developers <flexos@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "build-time choice of OS isolation: Clang plugin, runtimes, tools")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "clang-19, lld-19, llvm-19, cmake, ninja-build, qemu-system-x86, libslirp0")
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # flexos_VERSION_amd64.deb
include(CPack)
