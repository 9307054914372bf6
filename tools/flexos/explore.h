/*
 * FILE: tools/flexos/explore.h
 * DESCRIPTION:
 *   The design space of `flexos explore`: a configuration is a partition of
 *   the libraries into compartments, a mechanism per compartment and a
 *   hardening set per compartment (docs/properties.md, "The design
 *   space").  Enumeration prunes incompatible pairs while it builds each
 *   partition; counting never materializes configurations.
 * USAGE:
 *   #include "explore.h"   (tools/flexos only)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_TOOL_EXPLORE_H
#define FLEXOS_TOOL_EXPLORE_H

#include "props.h"

#include <stdint.h>

#define MAX_EXPLORE 16        /* libraries; counts fit in 64 bits */
#define PKU_MAX_COMPARTMENTS 14 /* include/flexos/abi.h: 16 keys, 2 reserved */
/* Longest configuration id: every library name (MAX_NAME) plus, per
 * compartment, "{}:intel-pku:sp+ubsan ". */
#define ID_MAX (MAX_EXPLORE * (MAX_NAME + 1) + MAX_EXPLORE * 24 + 1)

struct space {
  const struct model *m;
  int n;                        /* libraries (components of m) */
  uint32_t incompat[MAX_EXPLORE]; /* bit j: i and j may not be co-located */
  uint8_t sep[MAX_EXPLORE][MAX_EXPLORE]; /* weakest gate allowed, 0: any */
  int strong_sep;               /* some pair needs vm-ept between them */
  unsigned need_hard[MAX_EXPLORE]; /* [Hardening] of each library */
  unsigned mechs;               /* bit per enum mech that may be used */
  unsigned hards;               /* HARD_* bits that may be used */
  int max_comps;
  int def;                      /* its compartment is the default one */
};

/* One configuration.  Blocks are ordered by their lowest library. */
struct config {
  uint8_t k;                    /* compartments */
  uint8_t of[MAX_EXPLORE];      /* library -> block */
  uint8_t mech[MAX_EXPLORE];    /* block -> enum mech */
  uint8_t hard[MAX_EXPLORE];    /* block -> HARD_* bits */
  uint32_t block[MAX_EXPLORE];  /* block -> libraries */
  int measured;
  double score;
};

struct configs {
  struct config *v;
  size_t n, cap;
};

/* Fills s->incompat from the model's requirements (s->m and s->n set). */
void space_init(struct space *s, const struct model *m);

/* Counts partitions and configurations without storing them.  A count
 * that does not fit in 64 bits is COUNT_SATURATED. */
#define COUNT_SATURATED UINT64_MAX
void space_count(const struct space *s, uint64_t *partitions,
                 uint64_t *configs);

/* Stores every configuration; returns -1 (storing nothing) when there
 * would be more than limit. */
int space_list(const struct space *s, size_t limit, struct configs *out);

/* 1 when a is at least as safe as b: a's partition refines b's, each of
 * a's compartments has a mechanism at least as strong and a hardening
 * superset of the compartment of b that contains it. */
int config_safer_eq(const struct config *a, const struct config *b);

/* Hasse diagram: pairs (lo, hi) where hi covers lo.  Returns the number
 * of edges; *edges is malloc'ed (two size_t per edge). */
size_t hasse(const struct configs *cs, size_t **edges);

/* Marks in starred[] the maximal elements among the measured
 * configurations scoring at least budget; returns how many. */
size_t select_budget(const struct configs *cs, double budget, char *starred);

/* The configuration's stable text form, e.g.
 * "{app store}:intel-pku:sp+ubsan {crypto}:none:-". */
void config_id(const struct space *s, const struct config *c, char *buf,
               size_t n);

/* Writes c as a flexos.yaml (docs/config.md) to f. */
void config_write_yaml(const struct space *s, const struct config *c,
                       FILE *f, const char *comment);

#endif
