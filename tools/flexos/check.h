/*
 * FILE: tools/flexos/check.h
 * DESCRIPTION:
 *   `flexos check`: pairwise compatibility, configuration check (through
 *   flexos-config --list) and the comparison of declared properties with
 *   the facts the compiler plugin emits (facts.c).
 * USAGE:
 *   #include "check.h"   (tools/flexos only)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_TOOL_CHECK_H
#define FLEXOS_TOOL_CHECK_H

#include "props.h"

/* A configuration as flexos-config --list prints it. */
struct ycomp {
  char *name;
  int mech;
  unsigned hard;
};
struct ylib {
  char *name;
  int comp;   /* index in comps, -1 if unknown */
};
struct yconfig {
  struct arena arena;
  struct ycomp *comps;
  size_t ncomps, capcomps;
  struct ylib *libs;
  size_t nlibs, caplibs;
};

void yconfig_add_line(struct yconfig *cfg, const char *line);
const char *find_flexos_config(const char *given);

/* Prints, for every pair, whether it may share a compartment. */
void check_pairs(const struct model *m, FILE *out);

/* Checks the configuration at path; returns 0 accepted, 1 rejected,
 * 2 when it could not be checked. */
int check_config(const struct model *m, const char *path, const char *tool,
                 FILE *out);

/* Compares facts files (or directories of *.facts) with the model.
 * Returns 0 when nothing contradicts the declarations, 1 when something
 * does, 2 on unreadable or malformed facts. */
int check_facts(const struct model *m, char **paths, size_t npaths,
                FILE *out);

#endif
