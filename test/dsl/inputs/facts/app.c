#include <flexos.h>
#include <string.h>
extern int store_put(const char *k, long v);
extern long store_count;            /* store's private global */
extern char store_shared_buf[64];   /* store's shared global */
int (*hook)(int);
int main(void) {
  char key[8] __flexos_share;
  strcpy(key, "a");
  int rc = flexos_gate(store, store_put, key, 1);
  rc += store_count;                 /* read of store's memory */
  store_shared_buf[0] = 'x';         /* write to Shared */
  rc += hook ? hook(1) : 0;          /* indirect call */
  __asm__ volatile("" ::: "memory");
  return rc + store_put("b", 2);     /* direct call bypassing the gate */
}
