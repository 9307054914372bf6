/*
 * FILE: test/sched-image/sched_image.h
 * DESCRIPTION:
 *   What sched-image's app calls in its worker library (through gates).
 * USAGE:
 *   #include "sched_image.h"
 * License: MIT (see LICENSE)
 */
#ifndef SCHED_IMAGE_H
#define SCHED_IMAGE_H

int worker_run(int n);

#endif
