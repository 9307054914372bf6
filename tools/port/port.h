/*
 * FILE: tools/port/port.h
 * DESCRIPTION:
 *   Shared declarations of flexos-port, the porting assistant: the
 *   libraries and their sources (struct lib), what the libclang walk
 *   records (definitions and references, struct facts), what the analysis
 *   concludes (struct finding) and the configuration it reads.
 *   main.c: options; scan.c: libclang; analyze.c: facts to findings;
 *   report.c: text and JSON; config.c: flexos.yaml in and out; util.c.
 * USAGE:
 *   #include "port.h"
 * License: MIT (see LICENSE)
 */
#ifndef FLEXOS_PORT_H
#define FLEXOS_PORT_H

#include <stddef.h>
#include <stdio.h>

/* Grows a (pointer, count, capacity) array by one; returns the new slot,
 * zeroed. */
#define PUSH(v, n, cap)                                                      \
  ((n) == (cap) ? (void)((cap) = (cap) ? 2 * (cap) : 16,                     \
                         (v) = xrealloc((v), (cap) * sizeof *(v)))           \
                : (void)0,                                                   \
   memset(&(v)[(n)], 0, sizeof *(v)), &(v)[(n)++])

/* A source position; file is the path as printed (relative to --root). */
struct loc {
  const char *file;
  unsigned line, col;
};

/* A library and its sources.  libs[0] is the library being ported; the
 * others are its callers. */
struct lib {
  const char *name;
  const char **files;   /* absolute paths */
  size_t nfiles, cap;
};

/* A function or global defined in one of the given sources. */
struct def {
  const char *usr, *name;
  int lib;              /* index in libs */
  int external;         /* external linkage */
  int is_var;
  struct loc loc;
  const char *nogate;   /* functions of libs[0]: why no gate fits, or NULL */
};

/* Where a reference ends up (the nearest use above the expression). */
enum use {
  USE_CALLEE,           /* f(...): a direct call (functions only) */
  USE_ARG,              /* an argument of a call */
  USE_RETURN,           /* returned */
  USE_STORE_LOCAL,      /* assigned to / initializes a local variable */
  USE_STORE_GLOBAL,     /* initializes or is assigned to a global */
  USE_STORE_OUT,        /* stored through a parameter or another pointer */
  USE_OTHER
};

/* A call, or a reference to a function or global, in a given source. */
struct ref {
  int lib;              /* the library of the source it is in */
  struct loc loc;
  const char *func;     /* the enclosing function, or "(file scope)" */
  int func_external;    /* the enclosing function has external linkage */
  const char *usr, *name;   /* what is called or referenced */
  int addr;             /* a global's address is taken (&g, array decay) */
  enum use use;
  const char *callee_usr, *callee_name; /* USE_ARG: the call's callee */
  int callee_system;    /* ... declared in a system header (libc) */
  int indirect;         /* USE_ARG: the call is through a pointer */
};

/* Report sections, in order. */
enum section {
  SEC_EXPORTS = 1, SEC_CALLS, SEC_FNPTRS, SEC_GLOBALS, SEC_STRUCTS, SEC_NOGATE,
  NSECTIONS = SEC_NOGATE
};

/* One line of the report. */
struct finding {
  enum section section;
  const char *kind;     /* a stable name, e.g. "call-in" (report.c lists them) */
  struct loc loc;
  const char *lib;      /* the library whose code it is in */
  const char *func;     /* the enclosing function, when there is one */
  const char *symbol;   /* the function, global or struct concerned */
  const char *text;     /* the sentence printed after "file:line: " */
};

struct facts {
  struct def *defs;
  size_t ndefs, capdefs;
  struct ref *calls, *fnrefs, *varrefs;
  size_t ncalls, capcalls, nfnrefs, capfnrefs, nvarrefs, capvarrefs;
  struct ref *icalls;   /* calls through pointers in libs[0]'s code */
  size_t nicalls, capicalls;
  struct finding *sig;  /* signature findings of libs[0]'s exports */
  size_t nsig, capsig;
};

/* The configuration, as flexos-config --list prints it. */
struct comp {
  const char *name, *mech;
};
struct cfglib {
  const char *name, *comp;
};
struct config {
  const char *path;     /* as given */
  struct comp *comps;
  size_t ncomps, capcomps;
  struct cfglib *libs;
  size_t nlibs, caplibs;
};

struct report {
  struct lib *libs;
  size_t nlibs;
  struct finding *f;
  size_t n, cap;
  size_t count[NSECTIONS + 1];
  size_t gated, plain, nogate_calls;   /* summary numbers */
  const struct config *cfg;            /* NULL without --config */
  int cfg_errors;                      /* libraries missing from it */
  int parse_errors;
};

/* util.c */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void set_root(const char *dir);
const char *display_path(const char *abs);
char *absolute_path(const char *path);
const char *self_dir(void);

/* scan.c */
struct flags {
  const char *compdb_dir;       /* -p, or NULL */
  char **extra;                 /* after -- */
  int nextra;
};
int scan_all(struct lib *libs, size_t nlibs, const struct flags *fl,
             struct facts *out);

/* analyze.c */
const struct def *find_def(const struct facts *fx, const char *usr);
void analyze(const struct facts *fx, struct report *r);

/* report.c */
void report_text(const struct report *r, FILE *out);
void report_json(const struct report *r, FILE *out);

/* config.c */
int config_read(const char *path, const char *tool, struct config *cfg);
const char *config_comp_of(const struct config *cfg, const char *lib);
const char *config_mech_of(const struct config *cfg, const char *comp);
int config_write(const char *path, int force, const struct lib *libs,
                 size_t nlibs);

#endif
