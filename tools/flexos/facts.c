/*
 * FILE: tools/flexos/facts.c
 * DESCRIPTION:
 *   `flexos check --facts`: holds the facts that the compiler plugin
 *   emitted (passes/FactsEmission.cpp; format there) against the declared
 *   [Call] and [Memory access] of each library.
 *   - A gate, or a direct call to a function that another library defines
 *     (or exports in its [API]), must be covered by [Call].
 *   - A load (store) of another library's global needs Read (Write) of that
 *     library; of a flexos_share global, Read (Write) of Shared.
 *   - What the facts cannot show is reported as unverified, not as a
 *     contradiction: indirect calls when [Call] lists specific functions,
 *     inline assembly when [Memory access] is not Read(*); Write(*), and
 *     global addresses that escape into calls or memory.  Calls to
 *     functions no library defines (libc, the runtime) are counted.
 *   Stores through pointers are not tracked at all (docs/properties.md).
 * USAGE:
 *   flexos check examples/kvstore --facts build/test/dsl/facts
 * License: MIT (see LICENSE)
 */
#define _DEFAULT_SOURCE
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum fkind { F_DEFN, F_DEFG, F_GATE, F_CALL, F_GLOBAL, F_INDIRECT, F_ASM };

static const char *const fkind_names[] = {
    "define-function", "define-global", "gate", "call", "global",
    "indirect-call", "inline-asm"};
static const int fkind_fields[] = {3, 4, 5, 4, 5, 3, 3};

struct fact {
  enum fkind kind;
  const char *lib;       /* the library whose code this is */
  const char *f[4];      /* the fields after the kind */
};

struct facts {
  struct arena arena;
  struct fact *v;
  size_t n, cap;
};

/* Splits line at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **field, int max) {
  int n = 0;
  char *p = line;
  while (n < max) {
    field[n++] = p;
    p = strchr(p, '\t');
    if (!p)
      break;
    *p++ = 0;
  }
  return p ? max + 1 : n;
}

/* Is this fact already known?  Facts repeat when a file is given twice or
 * two translation units of a library share an inline function. */
static int seen(const struct facts *fs, enum fkind k, const char *lib,
                char **field, int n) {
  for (size_t i = 0; i < fs->n; i++) {
    const struct fact *f = &fs->v[i];
    int same = f->kind == k && !strcmp(f->lib, lib);
    for (int j = 0; same && j < n; j++)
      same = !strcmp(f->f[j], field[j]);
    if (same)
      return 1;
  }
  return 0;
}

static int parse_line(struct facts *fs, const char *path, int lineno,
                      char *line, const char **lib) {
  char *field[8];
  int n = split_tabs(line, field, 7);
  if (n == 2 && !strcmp(field[0], "library")) {
    *lib = arena_strdup(&fs->arena, field[1]);
    return 0;
  }
  for (size_t k = 0; k < sizeof fkind_names / sizeof *fkind_names; k++) {
    if (strcmp(field[0], fkind_names[k]))
      continue;
    if (n != fkind_fields[k] || !*lib)
      break;
    if (seen(fs, (enum fkind)k, *lib, field + 1, n - 1))
      return 0;   /* the same file given twice, or a header's inline copy */
    struct fact *f = PUSH(&fs->arena, fs->v, fs->n, fs->cap);
    f->kind = (enum fkind)k;
    f->lib = *lib;
    for (int i = 1; i < n; i++)
      f->f[i - 1] = arena_strdup(&fs->arena, field[i]);
    return 0;
  }
  fprintf(stderr, "%s:%d: error: not a facts line (written by "
          "-fplugin-arg-flexos-facts=FILE; format in "
          "passes/FactsEmission.cpp)\n", path, lineno);
  return -1;
}

static int load_facts_file(struct facts *fs, const char *path) {
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    warnx_("%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  if (strncmp(text, "flexos-facts 1\n", 15) != 0 || memchr(text, 0, len)) {
    fprintf(stderr, "%s:1: error: not a flexos facts file (expected "
            "'flexos-facts 1')\n", path);
    free(text);
    return -1;
  }
  const char *lib = NULL;
  int lineno = 1, rc = 0;
  for (char *p = text + 15, *nl; *p && rc == 0; p = nl + 1) {
    lineno++;
    nl = strchr(p, '\n');
    if (!nl)
      nl = p + strlen(p) - 1;
    else
      *nl = 0;
    if (*p)
      rc = parse_line(fs, path, lineno, p, &lib);
  }
  free(text);
  return rc;
}

static int load_facts(struct facts *fs, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    warnx_("%s: %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return load_facts_file(fs, path);
  DIR *d = opendir(path);
  if (!d) {
    warnx_("%s: %s", path, strerror(errno));
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 6, ".facts"))
      continue;
    char *p = arena_alloc(&fs->arena, strlen(path) + n + 2);
    sprintf(p, "%s/%s", path, e->d_name);
    if (load_facts_file(fs, p) != 0)
      rc = -1;
  }
  closedir(d);
  return rc;
}

/* The library that defines function or global `name` (kind F_DEFN or
 * F_DEFG), else NULL.  For functions, an [API] entry also counts. */
static const char *owner(const struct facts *fs, const struct model *m,
                         enum fkind kind, const char *name,
                         const char **shared) {
  for (size_t i = 0; i < fs->n; i++)
    if (fs->v[i].kind == kind && !strcmp(fs->v[i].f[0], name)) {
      if (shared)
        *shared = fs->v[i].f[1];
      return fs->v[i].lib;
    }
  for (size_t c = 0; kind == F_DEFN && c < m->ncomps; c++)
    for (size_t a = 0; a < m->comps[c].napi; a++)
      if (!strcmp(m->comps[c].api[a], name))
        return m->comps[c].name;
  return NULL;
}

static int call_covered(const struct component *c, const char *lib,
                        const char *fn) {
  if (!c->calls_declared)
    return 1;
  for (size_t i = 0; i < c->ncalls; i++) {
    const struct call *k = &c->calls[i];
    if (!k->comp ||
        (!strcmp(k->comp, lib) && (!k->fn || !strcmp(k->fn, fn))))
      return 1;
  }
  return 0;
}

/* May c touch the memory of `lib` (NULL: the shared region) this way? */
static int region_covered(const struct component *c, const struct regions *r,
                          const char *lib) {
  if (!r->declared || r->any)
    return 1;
  if (!lib)
    return r->shared;
  if (!strcmp(lib, c->name))
    return 1;
  for (size_t i = 0; i < r->ncomps; i++)
    if (!strcmp(r->comps[i], lib))
      return 1;
  return 0;
}

struct tally {
  int contradictions, unverified, checked;
  FILE *out;
};

static void contradiction(struct tally *t, const struct fact *f,
                          const char *loc, const char *section,
                          struct loc decl, const char *fmt, const char *a,
                          const char *b) {
  fprintf(stderr, "%s: error: %s ", loc, f->lib);
  fprintf(stderr, fmt, a, b);
  fprintf(stderr, ", but its %s (", section);
  loc_print(stderr, decl);
  fprintf(stderr, ") does not allow it\n");
  t->contradictions++;
}

static void check_call(const struct facts *fs, const struct model *m,
                       const struct component *c, const struct fact *f,
                       struct tally *t) {
  const char *lib = f->kind == F_GATE ? f->f[0] : NULL;
  const char *fn = f->kind == F_GATE ? f->f[1] : f->f[0];
  const char *loc = f->kind == F_GATE ? f->f[2] : f->f[1];
  if (!lib)
    lib = owner(fs, m, F_DEFN, fn, NULL);
  if (!lib || !strcmp(lib, f->lib))
    return;   /* not a call that leaves the library */
  t->checked++;
  if (!call_covered(c, lib, fn))
    contradiction(t, f, loc, "[Call]", c->calls_loc,
                  f->kind == F_GATE ? "calls %s::%s through a gate"
                                    : "calls %s::%s directly (no gate)",
                  lib, fn);
}

static void check_global(const struct facts *fs, const struct model *m,
                         const struct component *c, const struct fact *f,
                         struct tally *t) {
  const char *shared = NULL, *kind = f->f[1], *loc = f->f[2];
  const char *lib = owner(fs, m, F_DEFG, f->f[0], &shared);
  int is_shared = shared && !strcmp(shared, "shared");
  if (!lib || (!is_shared && !strcmp(lib, f->lib)))
    return;   /* unknown owner (libc, runtime) or own private memory */
  const char *region = is_shared ? NULL : lib;
  const char *what = is_shared ? "Shared" : lib;
  t->checked++;
  int r = region_covered(c, &c->read, region);
  int w = region_covered(c, &c->write, region);
  if (!strcmp(kind, "read") && !r)
    contradiction(t, f, loc, "[Memory access]", c->read.loc, "reads %s (global %s)", what,
                  f->f[0]);
  else if (!strcmp(kind, "write") && !w)
    contradiction(t, f, loc, "[Memory access]", c->write.loc, "writes %s (global %s)", what,
                  f->f[0]);
  else if (!strcmp(kind, "address") && !(r && w)) {
    fprintf(t->out, "%s: unverified: %s passes on the address of %s's "
            "global %s; what the receiver does with it is not visible\n",
            loc, f->lib, is_shared ? "the shared region" : lib, f->f[0]);
    t->unverified++;
  }
}

static void check_opaque(const struct component *c, const struct fact *f,
                         struct tally *t) {
  const char *loc = f->f[0], *fn = f->f[1];
  if (f->kind == F_INDIRECT) {
    if (call_covered(c, "", ""))   /* [Call] * or no [Call]: claims all */
      return;
    fprintf(t->out, "%s: unverified: indirect call in %s(); %s's [Call] "
            "lists specific functions and this target is unknown\n", loc,
            fn, f->lib);
  } else {
    int claims_all = (!c->read.declared || c->read.any) &&
                     (!c->write.declared || c->write.any);
    if (claims_all)
      return;
    fprintf(t->out, "%s: unverified: inline assembly in %s(); %s's "
            "[Memory access] cannot be checked against it\n", loc, fn,
            f->lib);
  }
  t->unverified++;
}

/* Calls of f->lib to a function no library defines (libc, the runtime). */
static int outside(const struct facts *fs, const struct model *m,
                   const struct fact *f, const char *lib) {
  return f->kind == F_CALL && !strcmp(f->lib, lib) &&
         !owner(fs, m, F_DEFN, f->f[0], NULL);
}

/* One note naming each such function once. */
static void note_outside(const struct facts *fs, const struct model *m,
                         const char *lib, FILE *out) {
  int n = 0;
  for (size_t i = 0; i < fs->n; i++) {
    if (!outside(fs, m, &fs->v[i], lib))
      continue;
    int dup = 0;
    for (size_t j = 0; j < i && !dup; j++)
      dup = outside(fs, m, &fs->v[j], lib) &&
            !strcmp(fs->v[j].f[0], fs->v[i].f[0]);
    if (dup)
      continue;
    if (n++ == 0)
      fprintf(out, "%s: note: calls outside the described libraries, not "
              "checked:", lib);
    fprintf(out, " %s", fs->v[i].f[0]);
  }
  if (n)
    fputc('\n', out);
}

static void check_library(const struct facts *fs, const struct model *m,
                          const char *lib, struct tally *t) {
  int ci = model_find(m, lib);
  if (ci < 0) {
    fprintf(t->out, "note: library '%s' has facts but no .flexos "
            "description; not checked\n", lib);
    return;
  }
  const struct component *c = &m->comps[ci];
  for (size_t i = 0; i < fs->n; i++) {
    const struct fact *f = &fs->v[i];
    if (strcmp(f->lib, lib))
      continue;
    if (f->kind == F_GATE || f->kind == F_CALL)
      check_call(fs, m, c, f, t);
    else if (f->kind == F_GLOBAL)
      check_global(fs, m, c, f, t);
    else if (f->kind == F_INDIRECT || f->kind == F_ASM)
      check_opaque(c, f, t);
  }
  note_outside(fs, m, lib, t->out);
}

int check_facts(const struct model *m, char **paths, size_t npaths,
                FILE *out) {
  struct facts fs;
  memset(&fs, 0, sizeof fs);
  int rc = 0;
  for (size_t i = 0; i < npaths; i++)
    if (load_facts(&fs, paths[i]) != 0)
      rc = 2;
  struct tally t = {0, 0, 0, out};
  const char **libs = NULL;
  size_t nlibs = 0, cap = 0;
  for (size_t i = 0; rc == 0 && i < fs.n; i++) {
    size_t j = 0;
    while (j < nlibs && strcmp(libs[j], fs.v[i].lib))
      j++;
    if (j == nlibs) {
      *PUSH(&fs.arena, libs, nlibs, cap) = fs.v[i].lib;
      check_library(&fs, m, fs.v[i].lib, &t);
    }
  }
  if (rc == 0)
    fprintf(out, "facts: %zu libraries, %d cross-library uses checked, %d "
            "contradiction%s, %d unverified\n", nlibs, t.checked,
            t.contradictions, t.contradictions == 1 ? "" : "s",
            t.unverified);
  arena_free(&fs.arena);
  if (rc)
    return rc;
  return t.contradictions ? 1 : 0;
}
