/*
 * FILE: test/autogates/app.c
 * DESCRIPTION:
 *   Library "app" (the default compartment) of the automatic-gate tests:
 *   calls the codec plainly (the build gates each call) and gives it a
 *   sink that writes app's own globals, which only works when the codec's
 *   call through the pointer really enters app's compartment.  Modes:
 *     functional   encode three times, sort; prints "autogates: ok"
 *     forge        the codec calls into the middle of the sink: refused
 *                  (hosted: FLEXOS_EXIT_UNTRUSTED) or faults (images,
 *                  where code addresses name no compartment)
 *   argv[1] is the mode (images: the first word of the command line).
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
#include <flexos/runtime.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"

static int received;        /* app's own state: the default key */
static char last[16];

static int app_sink(const char *buf, int n) {
  received += n;
  memcpy(last, buf, n < 15 ? (size_t)n : 15);
  return received;
}

static int functional(void) {
  char *in = flexos_malloc_shared(16), *out = flexos_malloc_shared(16);
  int *v = flexos_malloc_shared(5 * sizeof(int));
  if (!in || !out || !v) {
    printf("autogates: no shared memory\n");
    return 1;
  }
  codec_set_sink(app_sink);
  int total = 0;
  for (int i = 0; i < 3; i++) {
    memcpy(in, "hello", 6);
    total = codec_encode(in, 5, out);
  }
  printf("autogates: sink ran in app: received %d, last '%s'\n", total, last);
  int init[5] = {5, 3, 9, 1, 7};
  memcpy(v, init, sizeof init);
  codec_sort(v, 5);
  printf("autogates: sorted %d %d %d %d %d\n", v[0], v[1], v[2], v[3], v[4]);
  if (total != 15 || strcmp(last, "HELLO") || v[0] != 1 || v[4] != 9)
    return 1;
  printf("autogates: ok\n");
  return 0;
}

static int forge(void) {
  codec_set_sink(app_sink);
  printf("autogates: forge: the codec calls app_sink+4\n");
  int r = codec_forge_sink(4);
  printf("autogates: forge: NOT STOPPED (%d)\n", r);
  return 1;
}

static int run(const char *mode) {
  if (!strcmp(mode, "functional"))
    return functional();
  if (!strcmp(mode, "forge"))
    return forge();
  printf("autogates: unknown mode '%s' (functional or forge)\n", mode);
  return 2;
}

int main(int argc, char **argv) {
  return run(argc > 1 ? argv[1] : "functional");
}
