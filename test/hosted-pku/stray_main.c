/*
 * FILE: test/hosted-pku/stray_main.c
 * DESCRIPTION: the default compartment of the stray-WRPKRU program.
 * License: MIT (see LICENSE)
 */
#include <flexos.h>
long net_work(long i);
int main(void) { return (int)flexos_gate(net, net_work, 0); }
