#include <flexos.h>
long store_count;
char store_shared_buf[64] __flexos_share;
static long store_last __flexos_share;   /* static, but in the shared region */
int store_put(const char *k, long v) {
  store_count += v;
  store_last = v;
  return k[0];
}
