/*
 * FILE: tools/flexos/report.h
 * DESCRIPTION:
 *   What `flexos explore` found, and its table, JSON and DOT forms
 *   (report.c).
 * USAGE:
 *   #include "report.h"   (tools/flexos only)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_TOOL_REPORT_H
#define FLEXOS_TOOL_REPORT_H

#include "explore.h"

struct report {
  const struct space *s;
  uint64_t partitions, count;
  double count_s;              /* time taken to count */
  const struct configs *cs;    /* NULL when only counted */
  const char *starred;         /* per configuration, NULL without budget */
  size_t nstarred;
  int has_budget;
  double budget;
  const size_t *edges;         /* Hasse diagram, NULL when not computed */
  size_t nedges;
};

void report_table(const struct report *r, FILE *f);
void report_json(const struct report *r, FILE *f);
void report_dot(const struct report *r, FILE *f);
/* Renders the DOT through `dot -Tsvg`; 0 or -1 after printing why. */
int report_svg(const struct report *r, const char *path);

#endif
