# FILE: examples/kvstore/compare-output.cmake
# DESCRIPTION: runs PROGRAM and REFERENCE, fails unless both exit 0, print
#   the same lines, and the output holds the expected results.
# USAGE: cmake -DPROGRAM=a -DREFERENCE=b -P compare-output.cmake
execute_process(COMMAND ${PROGRAM} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
execute_process(COMMAND ${REFERENCE} OUTPUT_VARIABLE ref RESULT_VARIABLE ref_rc)
message("${out}")
if(NOT rc EQUAL 0 OR NOT ref_rc EQUAL 0)
  message(FATAL_ERROR "exit status ${rc} (reference ${ref_rc})")
endif()
if(NOT out STREQUAL ref)
  message(FATAL_ERROR "output differs from the plain build:\n${ref}")
endif()
foreach(expected "get gamma = 300" "get omega -> -1" "evicted 4 entries, sum 1000")
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "missing line: ${expected}")
  endif()
endforeach()
