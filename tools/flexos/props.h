/*
 * FILE: tools/flexos/props.h
 * DESCRIPTION:
 *   The component property language (docs/properties.md): the model built
 *   from .flexos files, the parser, and the pairwise compatibility check.
 *   A model holds at most MAX_COMPONENTS components, so that a set of
 *   components fits in one 64-bit mask.
 * USAGE:
 *   #include "props.h"   (tools/flexos only)
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_TOOL_PROPS_H
#define FLEXOS_TOOL_PROPS_H

#include "util.h"

#include <stdint.h>
#include <stdio.h>

#define MAX_COMPONENTS 64
#define MAX_NAME 128

/* A place in a .flexos file; line and col count from 1. */
struct loc {
  const char *file;
  int line, col;
};

/* Hardening options, as bits. */
enum { HARD_STACK_PROTECTOR = 1, HARD_UBSAN = 2, NHARD = 2 };
extern const char *const hardening_names[NHARD];

/* Mechanisms, weakest first: the order is the safety order. */
enum mech { MECH_NONE, MECH_PKU, MECH_EPT, NMECH };
extern const char *const mech_names[NMECH];

/* A set of memory regions: what a component may read (or write), or what
 * a requirement allows.  A component's own memory is "own"; a component
 * name listed here that equals the component itself also means "own". */
struct regions {
  int declared;      /* the section or requirement exists */
  int any;           /* '*' */
  int own, shared;
  char **comps;      /* other components' memory */
  size_t ncomps, capcomps;
  struct loc loc;    /* first Read(...) or Write(...) item */
};

/* One [Call] item: comp::fn, comp::* (fn == NULL) or * (comp == NULL). */
struct call {
  char *comp, *fn;
  struct loc loc;
};

enum req_kind { REQ_READ, REQ_WRITE, REQ_CALL };

/* One [Requires] item: SUBJECT(KIND, ARGS...).  subject NULL means '*'.
 * For REQ_READ/REQ_WRITE, allowed says what co-located components may
 * touch besides their own memory.  For REQ_CALL, fns lists which of this
 * component's functions co-located components may call (any_fn: '*'). */
struct req {
  char *subject;
  enum req_kind kind;
  struct regions allowed;
  char **fns;
  size_t nfns, capfns;
  int any_fn;
  int min_mech;   /* ">= M": breakers must be separated by M (0: any) */
  struct loc loc;
};

struct component {
  char *name, *desc;
  struct loc loc;
  struct regions read, write;   /* [Memory access]; undeclared means '*' */
  int calls_declared;           /* [Call] present; absent means '*' */
  struct call *calls;
  size_t ncalls, capcalls;
  struct loc calls_loc;
  char **api;                   /* [API] */
  struct loc *api_loc;
  size_t napi, capapi, capapi_loc;
  struct req *reqs;             /* [Requires] */
  size_t nreqs, capreqs;
  unsigned hardening;           /* [Hardening]: HARD_* bits it needs */
  struct loc hardening_loc;
};

struct model {
  struct arena arena;           /* owns everything below */
  struct component *comps;
  size_t ncomps, capcomps;
};

/* Parses one file's text into m.  On error prints
 * "FILE:LINE:COL: error: ..." to err and returns -1 (m keeps the
 * components of earlier files and may hold part of this one). */
int props_parse(struct model *m, const char *file, const char *text,
                size_t len, FILE *err);

/* Loads FILE, or every *.flexos file in DIR (sorted by name).  Returns 0,
 * or -1 after printing why. */
int props_load(struct model *m, const char *path);

/* After all files: rejects duplicate component names.  Returns 0 or -1. */
int props_finish(struct model *m, FILE *err);

int model_find(const struct model *m, const char *name);  /* index or -1 */
void model_free(struct model *m);

/* Why two components may not share a compartment: requirement r of
 * component `holder` is broken by `other`'s declaration at `decl`. */
struct conflict {
  int holder, other;
  const struct req *r;
  struct loc decl;
  char what[256];   /* the offending declared behaviour, in words */
};

/* Does x break requirement i of component h?  Returns 1 and fills c. */
int props_req_broken(const struct model *m, int h, size_t i, int x,
                     struct conflict *c);

/* How strongly a and b must be separated: 0 when they may share a
 * compartment, else the weakest gate mechanism allowed between them
 * (MECH_PKU unless a broken requirement says ">= vm-ept").  c receives the
 * requirement that demands the most. */
int props_separation(const struct model *m, int a, int b, struct conflict *c);

/* Finds the first requirement of a on b, or of b on a, that the other
 * breaks.  Returns 1 and fills c when there is one, else 0. */
int props_conflict(const struct model *m, int a, int b, struct conflict *c);

/* Prints "FILE:LINE:COL" for l. */
void loc_print(FILE *f, struct loc l);
/* Prints the requirement in source form, e.g. "*(Write, Shared)". */
void req_print(FILE *f, const struct req *r);
/* Prints a one-line explanation of c (no newline). */
void conflict_print(FILE *f, const struct model *m, const struct conflict *c);

#endif
