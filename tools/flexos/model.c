/*
 * FILE: tools/flexos/model.c
 * DESCRIPTION:
 *   Loading .flexos files into a model, and the pairwise compatibility
 *   check: may two components share a compartment?  Semantics (also in
 *   docs/properties.md): requirement SUBJECT(Read|Write, R...) of component
 *   H holds for a co-located component X that SUBJECT names (or any X for
 *   '*') when every region in X's declared Read (Write) set is X's own
 *   memory or listed in R ('*' in R allows anything).  SUBJECT(Call, F...)
 *   holds when every call X declares into H names a function in F.  A
 *   missing [Memory access] or [Call] section means "anything".
 * USAGE:
 *   props_load(&m, "examples/kvstore"); props_finish(&m, stderr);
 *   props_conflict(&m, 0, 1, &c)
 * License: MIT (see LICENSE)
 */
#define _DEFAULT_SOURCE
#include "props.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const hardening_names[NHARD] = {"stack-protector", "ubsan"};
const char *const mech_names[NMECH] = {"none", "intel-pku", "vm-ept"};

static int load_file(struct model *m, const char *path) {
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    warnx_("%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  int rc = props_parse(m, path, text, len, stderr);
  free(text);
  return rc;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.flexos file of dir, in name order so that results (and the
 * default compartment's library) do not depend on readdir order. */
static int load_dir(struct model *m, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    warnx_("%s: cannot open directory: %s", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' && ends_with(e->d_name, ".flexos"))
      *PUSH(&m->arena, names, n, cap) = arena_strdup(&m->arena, e->d_name);
  closedir(d);
  if (n == 0) {
    warnx_("%s: no .flexos files in this directory", dir);
    return -1;
  }
  qsort(names, n, sizeof *names, cmp_names);
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(dir) + strlen(names[i]) + 2;
    char *path = arena_alloc(&m->arena, len);
    snprintf(path, len, "%s/%s", dir, names[i]);
    if (load_file(m, path) != 0)
      rc = -1;
  }
  return rc;
}

int props_load(struct model *m, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    warnx_("%s: %s", path, strerror(errno));
    return -1;
  }
  return S_ISDIR(st.st_mode) ? load_dir(m, path) : load_file(m, path);
}

int model_find(const struct model *m, const char *name) {
  for (size_t i = 0; i < m->ncomps; i++)
    if (!strcmp(m->comps[i].name, name))
      return (int)i;
  return -1;
}

void loc_print(FILE *f, struct loc l) {
  fprintf(f, "%s:%d:%d", l.file, l.line, l.col);
}

int props_finish(struct model *m, FILE *err) {
  int rc = 0;
  for (size_t i = 0; i < m->ncomps; i++) {
    for (size_t j = 0; j < i; j++) {
      if (strcmp(m->comps[i].name, m->comps[j].name))
        continue;
      loc_print(err, m->comps[i].loc);
      fprintf(err, ": error: component '%s' is declared twice (first at ",
              m->comps[i].name);
      loc_print(err, m->comps[j].loc);
      fprintf(err, ")\n");
      rc = -1;
      break;
    }
  }
  return rc;
}

void model_free(struct model *m) {
  arena_free(&m->arena);
  m->comps = NULL;
  m->ncomps = m->capcomps = 0;
}

static int listed(char *const *names, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(names[i], name))
      return 1;
  return 0;
}

/* Checks X's declared regions d against a Read/Write requirement. */
static int regions_break(const struct component *x, const struct regions *d,
                         const struct regions *allowed, const char *verb,
                         struct conflict *c) {
  if (allowed->any)
    return 0;
  if (!d->declared) {
    snprintf(c->what, sizeof c->what,
             "%s has no [Memory access] section, so it may %s anything",
             x->name, verb);
    c->decl = x->loc;
    return 1;
  }
  c->decl = d->loc;
  const char *kw = verb[0] == 'r' ? "Read" : "Write";
  if (d->any) {
    snprintf(c->what, sizeof c->what, "%s declares %s(*)", x->name, kw);
    return 1;
  }
  if (d->shared && !allowed->shared) {
    snprintf(c->what, sizeof c->what, "%s declares %s(Shared)", x->name, kw);
    return 1;
  }
  for (size_t i = 0; i < d->ncomps; i++) {
    const char *r = d->comps[i];
    if (!strcmp(r, x->name) || listed(allowed->comps, allowed->ncomps, r))
      continue;
    snprintf(c->what, sizeof c->what, "%s declares %s(%s)", x->name, kw, r);
    return 1;
  }
  return 0;
}

/* Checks X's declared calls into H against a Call requirement of H. */
static int calls_break(const struct component *x, const struct component *h,
                       const struct req *r, struct conflict *c) {
  if (r->any_fn)
    return 0;
  if (!x->calls_declared) {
    snprintf(c->what, sizeof c->what,
             "%s has no [Call] section, so it may call any function of %s",
             x->name, h->name);
    c->decl = x->loc;
    return 1;
  }
  for (size_t i = 0; i < x->ncalls; i++) {
    const struct call *k = &x->calls[i];
    c->decl = k->loc;
    if (!k->comp) {
      snprintf(c->what, sizeof c->what, "%s declares [Call] *", x->name);
      return 1;
    }
    if (strcmp(k->comp, h->name))
      continue;
    if (!k->fn) {
      snprintf(c->what, sizeof c->what, "%s calls %s::*", x->name, h->name);
      return 1;
    }
    if (!listed(r->fns, r->nfns, k->fn)) {
      snprintf(c->what, sizeof c->what, "%s calls %s::%s", x->name, h->name,
               k->fn);
      return 1;
    }
  }
  return 0;
}

int props_req_broken(const struct model *m, int h, size_t i, int x,
                     struct conflict *c) {
  const struct component *H = &m->comps[h], *X = &m->comps[x];
  const struct req *r = &H->reqs[i];
  int broken;
  if (h == x || (r->subject && strcmp(r->subject, X->name)))
    return 0;
  if (r->kind == REQ_READ)
    broken = regions_break(X, &X->read, &r->allowed, "read", c);
  else if (r->kind == REQ_WRITE)
    broken = regions_break(X, &X->write, &r->allowed, "write", c);
  else
    broken = calls_break(X, H, r, c);
  if (broken) {
    c->holder = h;
    c->other = x;
    c->r = r;
  }
  return broken;
}

/* Does X break one of H's requirements?  Fills c with the first. */
static int breaks(const struct model *m, int h, int x, struct conflict *c) {
  for (size_t i = 0; i < m->comps[h].nreqs; i++)
    if (props_req_broken(m, h, i, x, c))
      return 1;
  return 0;
}

static int separation_by(const struct model *m, int h, int x, int best,
                         struct conflict *c) {
  struct conflict t;
  for (size_t i = 0; i < m->comps[h].nreqs; i++) {
    if (!props_req_broken(m, h, i, x, &t))
      continue;
    int need = t.r->min_mech ? t.r->min_mech : MECH_PKU;
    if (need > best) {
      best = need;
      *c = t;
    }
  }
  return best;
}

int props_separation(const struct model *m, int a, int b, struct conflict *c) {
  return separation_by(m, b, a, separation_by(m, a, b, 0, c), c);
}

int props_conflict(const struct model *m, int a, int b, struct conflict *c) {
  return breaks(m, a, b, c) || breaks(m, b, a, c);
}

static void regions_print(FILE *f, const struct regions *r) {
  const char *sep = "";
  if (r->any)
    fprintf(f, "%s*", sep), sep = ", ";
  if (r->own)
    fprintf(f, "%sOwn", sep), sep = ", ";
  if (r->shared)
    fprintf(f, "%sShared", sep), sep = ", ";
  for (size_t i = 0; i < r->ncomps; i++)
    fprintf(f, "%s%s", sep, r->comps[i]), sep = ", ";
}

void req_print(FILE *f, const struct req *r) {
  static const char *const kinds[] = {"Read", "Write", "Call"};
  fprintf(f, "%s(%s, ", r->subject ? r->subject : "*", kinds[r->kind]);
  if (r->kind != REQ_CALL) {
    regions_print(f, &r->allowed);
  } else {
    const char *sep = "";
    if (r->any_fn)
      fprintf(f, "*"), sep = ", ";
    for (size_t i = 0; i < r->nfns; i++)
      fprintf(f, "%s%s", sep, r->fns[i]), sep = ", ";
  }
  fputc(')', f);
  if (r->min_mech)
    fprintf(f, " >= %s", mech_names[r->min_mech]);
}

void conflict_print(FILE *f, const struct model *m, const struct conflict *c) {
  fprintf(f, "%s requires ", m->comps[c->holder].name);
  req_print(f, c->r);
  fprintf(f, " (");
  loc_print(f, c->r->loc);
  fprintf(f, "), but %s (", c->what);
  loc_print(f, c->decl);
  fputc(')', f);
}
