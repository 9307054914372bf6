# FILE: test/ept/expect-vmm-error.cmake
# DESCRIPTION: runs flexos-vmm on IMAGE and expects exit status 4 (monitor
#   error) with EXPECT in its message, naming the image.
# USAGE: cmake -DVMM=flexos-vmm -DIMAGE=x -DEXPECT=text -P expect-vmm-error.cmake
# License: MIT (see LICENSE)
execute_process(COMMAND ${VMM} ${IMAGE} RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 4)
  message(FATAL_ERROR "expected exit status 4, got ${rc}")
endif()
string(FIND "${err}" "flexos-vmm: ${IMAGE}: error: ${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected 'flexos-vmm: ${IMAGE}: error: ${EXPECT}'")
endif()
