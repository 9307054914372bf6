/*
 * FILE: tools/flexos/measure.h
 * DESCRIPTION:
 *   Benchmark runs and CSV results for `flexos explore` (measure.c).
 * USAGE:
 *   #include "measure.h"   (tools/flexos only)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_TOOL_MEASURE_H
#define FLEXOS_TOOL_MEASURE_H

#include "explore.h"

/* Writes c's flexos.yaml to path; 0 or -1 after printing why. */
int write_yaml_file(const struct space *s, const struct config *c,
                    const char *path, const char *comment);

/* Runs cmd for every configuration, writing DIR/config-N.yaml first.
 * Returns the number of runs that gave no score, -1 on a write error. */
int measure_run(const struct space *s, struct configs *cs, const char *cmd,
                const char *dir);

/* Reads "configuration,score" lines; returns how many matched, -1 on a
 * malformed file. */
int csv_read(const struct space *s, struct configs *cs, const char *path);

/* Writes the measured configurations; 0 or -1. */
int csv_write(const struct space *s, const struct configs *cs,
              const char *path);

#endif
