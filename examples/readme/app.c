/*
 * FILE: examples/readme/app.c
 * DESCRIPTION: the README example. tools/demo.sh compiles it under the
 *   none, intel-pku and vm-ept configurations and shows each gate.
 * License: MIT
 */
#include <flexos.h>
int recv(int fd, void *buf, int len, int flags);      /* defined in library lwip */

int serve(int connfd) {
    char buf[512] __attribute__((flexos_share));
    int rc = flexos_gate(lwip, recv, connfd, buf, 512, 0);   /* yields recv's return value */
    int n;
    flexos_gate_r(lwip, n, recv, connfd, buf, 512, 0);       /* FlexOS-compatible form */
    return rc + n;
}
