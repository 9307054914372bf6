/*
 * FILE: tools/flexos/fuzz.c
 * DESCRIPTION:
 *   libFuzzer target for the property parser and the compatibility check:
 *   any input must parse or be rejected with a message, never crash, read
 *   out of bounds or leak (built with -fsanitize=fuzzer,address).
 * USAGE:
 *   build-dsl/bin/flexos-parse-fuzz -max_total_time=20 test/dsl/corpus
 * License: MIT (see LICENSE)
 */
#include "props.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *sink;
  struct model m;
  struct conflict c;
  if (!sink)
    sink = fopen("/dev/null", "w");
  memset(&m, 0, sizeof m);
  if (props_parse(&m, "fuzz.flexos", (const char *)data, size, sink) == 0 &&
      props_finish(&m, sink) == 0) {
    for (size_t i = 0; i < m.ncomps; i++)
      for (size_t j = i + 1; j < m.ncomps; j++)
        if (props_conflict(&m, (int)i, (int)j, &c))
          conflict_print(sink, &m, &c);
  }
  model_free(&m);
  return 0;
}
