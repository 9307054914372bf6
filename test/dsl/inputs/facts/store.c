#include <flexos.h>
long store_count;
char store_shared_buf[64] __flexos_share;
int store_put(const char *k, long v) { store_count += v; return k[0]; }
