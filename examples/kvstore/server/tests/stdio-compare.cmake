# FILE: examples/kvstore/server/tests/stdio-compare.cmake
# DESCRIPTION:
#   Feeds INPUT (a client's byte stream: RESP arrays, inline commands,
#   errors, a 70 kB value, QUIT) to PROGRAM --stdio whole and in chunks of
#   1, 7 and 4096 bytes, and to REFERENCE --stdio; every reply stream must
#   equal EXPECTED byte for byte. PROGRAM is the plugin build, REFERENCE
#   the same sources without the plugin; the chunked runs check that the
#   incremental parser does not depend on how input is split.
# USAGE:
#   cmake -DPROGRAM=kvstore -DREFERENCE=kvstore-server-plain
#         -DINPUT=session.resp -DEXPECTED=session.expected
#         -P stdio-compare.cmake
# License: MIT
file(READ ${EXPECTED} expected HEX)
foreach(run "${PROGRAM}" "${PROGRAM};--chunk;1" "${PROGRAM};--chunk;7"
            "${PROGRAM};--chunk;4096" "${REFERENCE}")
  execute_process(COMMAND ${run} --stdio INPUT_FILE ${INPUT}
                  OUTPUT_FILE ${CMAKE_CURRENT_BINARY_DIR}/stdio-out.bin
                  RESULT_VARIABLE rc)
  file(READ ${CMAKE_CURRENT_BINARY_DIR}/stdio-out.bin out HEX)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${run} --stdio: exit status ${rc}")
  endif()
  if(NOT out STREQUAL expected)
    message(FATAL_ERROR "${run} --stdio: replies differ from ${EXPECTED}; "
                        "see ${CMAKE_CURRENT_BINARY_DIR}/stdio-out.bin")
  endif()
  message(STATUS "${run}: replies match")
endforeach()
