/* test/untrusted: what the hostile library offers its caller. */
#ifndef UNTRUSTED_TEST_H
#define UNTRUSTED_TEST_H
#include <stdint.h>

/* How hostile_pointer answers. */
#define ANSWER_SHARED 0  /* its flexos_share buffer: fine */
#define ANSWER_NULL 1    /* NULL: fine */
#define ANSWER_CALLER 2  /* the address it was told: the caller's secret */
#define ANSWER_OWN 3     /* its own private data */
#define ANSWER_STRADDLE 4 /* the shared buffer's last byte, for a long read */

/* How hostile_callback answers. */
#define CALLBACK_GATED 0   /* hostile_entry, which app also gates: fine */
#define CALLBACK_UNGATED 1 /* hostile_other, which app never gates */
#define CALLBACK_CALLER 2  /* the address it was told: app's own function */

typedef long (*callback_fn)(long);
char *hostile_pointer(int answer, uintptr_t hint);
callback_fn hostile_callback(int answer, uintptr_t hint);
long hostile_entry(long x);
long hostile_other(long x);
long hostile_length(void);
#endif
