/*
 * FILE: tools/port/analyze.c
 * DESCRIPTION:
 *   Turns what scan.c recorded into the report's findings: the ported
 *   library's exports, the calls across its boundary (both ways), function
 *   pointers and globals that cross it, struct pointers in its interface,
 *   what cannot be gated and, with a configuration, which calls cross a
 *   compartment.  Findings are sorted by section, kind, file, line and
 *   column, so the report is stable.
 * USAGE:
 *   analyze(&facts, &report)   (report.libs, .nlibs and .cfg set before)
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"

#include <stdlib.h>
#include <string.h>

/* The order of kinds inside a section (and the names JSON gives). */
static const char *const kinds[] = {
    "export", "call-in", "call-out", "fnptr-param", "fnptr-return",
    "fnptr-call", "fnptr-callback", "fnptr-taken", "fnptr-out", "fnptr-taken-by-lib",
    "global-escapes", "global-shared", "struct-param", "struct-return",
    "nogate-def", "nogate-call", "crossing", NULL};

static const struct def **by_usr;
static size_t nby_usr;

static int cmp_def(const void *a, const void *b) {
  const struct def *x = *(const struct def *const *)a,
                   *y = *(const struct def *const *)b;
  int c = strcmp(x->usr, y->usr);
  return c ? c : x->lib - y->lib;
}

static void index_defs(const struct facts *fx) {
  by_usr = xmalloc(fx->ndefs * sizeof *by_usr);
  for (size_t i = 0; i < fx->ndefs; i++)
    by_usr[i] = &fx->defs[i];
  nby_usr = fx->ndefs;
  qsort(by_usr, nby_usr, sizeof *by_usr, cmp_def);
}

/* The definition with this USR (the ported library's first), or NULL. */
const struct def *find_def(const struct facts *fx, const char *usr) {
  (void)fx;
  size_t lo = 0, hi = nby_usr;
  if (!usr)
    return NULL;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (strcmp(by_usr[mid]->usr, usr) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < nby_usr && !strcmp(by_usr[lo]->usr, usr) ? by_usr[lo] : NULL;
}

static const struct def *lib_fn(const struct facts *fx, const char *usr) {
  const struct def *d = find_def(fx, usr);
  return d && d->lib == 0 && !d->is_var ? d : NULL;
}

static struct finding *add(struct report *r, enum section s, const char *kind,
                           struct loc loc, int lib, const char *func,
                           const char *symbol, char *text) {
  struct finding *f = PUSH(r->f, r->n, r->cap);
  f->section = s;
  f->kind = kind;
  f->loc = loc;
  f->lib = lib >= 0 ? r->libs[lib].name : NULL;
  f->func = func;
  f->symbol = symbol;
  f->text = text;
  r->count[s] += strcmp(kind, "crossing") != 0;
  return f;
}

/* Where the value goes, for the report's sentences. */
static char *use_desc(const struct ref *x) {
  switch (x->use) {
  case USE_ARG:
    return x->indirect ? xstrdup("passes it through a function pointer")
                       : xasprintf("passes it to %s", x->callee_name);
  case USE_RETURN: return xstrdup("returns it");
  case USE_STORE_LOCAL: return xstrdup("stores it in a local variable");
  case USE_STORE_GLOBAL: return xstrdup("stores it in a global");
  case USE_STORE_OUT: return xstrdup("stores it through a pointer");
  default: return xstrdup("uses it");
  }
}

/* A value of the library leaves it: passed to code outside it (not libc),
 * returned by an exported function, or stored through a pointer. */
static int leaves_library(const struct facts *fx, const struct ref *x) {
  if (x->use == USE_ARG)
    return x->indirect || (!lib_fn(fx, x->callee_usr) && !x->callee_system);
  if (x->use == USE_RETURN)
    return x->func_external;
  return x->use == USE_STORE_OUT;
}

static const char *owner(struct report *r, const struct def *d) {
  return d ? r->libs[d->lib].name : "not in the given sources";
}

/* 1: exports, with who calls them. */
static void exports(const struct facts *fx, struct report *r) {
  size_t *per = xmalloc(r->nlibs * sizeof *per);
  for (size_t i = 0; i < fx->ndefs; i++) {
    const struct def *d = &fx->defs[i];
    if (d->lib != 0 || d->is_var || !d->external || lib_fn(fx, d->usr) != d)
      continue;
    memset(per, 0, r->nlibs * sizeof *per);
    for (size_t c = 0; c < fx->ncalls; c++)
      if (fx->calls[c].lib != 0 && !strcmp(fx->calls[c].usr, d->usr))
        per[fx->calls[c].lib]++;
    char *who = NULL;
    for (size_t l = 1; l < r->nlibs; l++) {
      if (!per[l])
        continue;
      char *old = who;
      who = xasprintf("%s%s%s (%zu)", old ? old : "", old ? ", " : "",
                      r->libs[l].name, per[l]);
      free(old);
    }
    add(r, SEC_EXPORTS, "export", d->loc, 0, NULL, d->name,
        who ? xasprintf("%s: called from %s", d->name, who)
            : xasprintf("%s: not called by the given callers", d->name));
    free(who);
  }
  free(per);
}

/* Whether calls between libs[0] and libs[l] cross a compartment (always,
 * without a configuration). */
static int crosses(const struct report *r, int l) {
  if (!r->cfg)
    return 1;
  const char *a = config_comp_of(r->cfg, r->libs[0].name),
             *b = config_comp_of(r->cfg, r->libs[l].name);
  return !a || !b || strcmp(a, b);
}

/* 2 and 6: calls across the boundary; which cannot be gated. */
static void calls(const struct facts *fx, struct report *r) {
  for (size_t i = 0; i < fx->ncalls; i++) {
    const struct ref *c = &fx->calls[i];
    const struct def *d = find_def(fx, c->usr);
    if (!d || d->is_var)
      continue;
    if (c->lib != 0 && d->lib == 0 && d->external) {
      add(r, SEC_CALLS, "call-in", c->loc, c->lib, c->func, c->name,
          xasprintf("%s: %s -> %s%s", r->libs[c->lib].name, c->func, c->name,
                    crosses(r, c->lib) ? "" : " (same compartment: plain)"));
      if (d->nogate)
        add(r, SEC_NOGATE, "nogate-call", c->loc, c->lib, c->func, c->name,
            xasprintf("%s: %s -> %s: %s", r->libs[c->lib].name, c->func,
                      c->name, d->nogate));
    } else if (c->lib == 0 && d->lib != 0) {
      add(r, SEC_CALLS, "call-out", c->loc, 0, c->func, c->name,
          xasprintf("%s: %s -> %s (%s)%s", r->libs[0].name, c->func, c->name,
                    r->libs[d->lib].name,
                    crosses(r, d->lib) ? "" : " (same compartment: plain)"));
    }
  }
}

static void fnref_in_caller(const struct facts *fx, struct report *r,
                            const struct ref *x) {
  const struct def *t = find_def(fx, x->usr);
  const char *L = r->libs[x->lib].name;
  if (t && t->lib == 0) {
    char *how = use_desc(x);
    add(r, SEC_FNPTRS, "fnptr-taken", x->loc, x->lib, x->func, x->name,
        xasprintf("%s: %s takes the address of %s (%s) and %s", L, x->func,
                  x->name, r->libs[0].name, how));
    free(how);
  } else if (x->use == USE_ARG && !x->indirect &&
             lib_fn(fx, x->callee_usr) && lib_fn(fx, x->callee_usr)->external) {
    add(r, SEC_FNPTRS, "fnptr-callback", x->loc, x->lib, x->func, x->name,
        xasprintf("%s: %s passes %s (%s) to %s: a callback, an entry "
                  "point %s reaches through a gate", L, x->func, x->name,
                  owner(r, t), x->callee_name, r->libs[0].name));
  }
}

static void fnref_in_library(const struct facts *fx, struct report *r,
                             const struct ref *x) {
  const struct def *t = find_def(fx, x->usr);
  const char *L = r->libs[0].name;
  if (t && t->lib == 0 && !t->is_var && leaves_library(fx, x)) {
    char *how = use_desc(x);
    add(r, SEC_FNPTRS, "fnptr-out", x->loc, 0, x->func, x->name,
        xasprintf("%s: %s takes the address of %s and %s", L, x->func,
                  x->name, how));
    free(how);
  } else if (t && t->lib != 0 && !t->is_var) {
    char *how = use_desc(x);
    add(r, SEC_FNPTRS, "fnptr-taken-by-lib", x->loc, 0, x->func, x->name,
        xasprintf("%s: %s takes the address of %s (%s) and %s", L, x->func,
                  x->name, r->libs[t->lib].name, how));
    free(how);
  }
}

/* 3: function pointers crossing the boundary (the signatures' come from
 * sig.c). */
static void fnptrs(const struct facts *fx, struct report *r) {
  for (size_t i = 0; i < fx->nicalls; i++) {
    const struct ref *x = &fx->icalls[i];
    add(r, SEC_FNPTRS, "fnptr-call", x->loc, 0, x->func, x->name,
        *x->name ? xasprintf("%s: %s calls through the pointer %s: "
                             "checked, gated if it holds another library's "
                             "entry point",
                             r->libs[0].name, x->func, x->name)
                 : xasprintf("%s: %s calls through a pointer: checked, "
                             "gated if it holds another library's entry point",
                             r->libs[0].name, x->func));
  }
  for (size_t i = 0; i < fx->nfnrefs; i++) {
    if (fx->fnrefs[i].lib != 0)
      fnref_in_caller(fx, r, &fx->fnrefs[i]);
    else
      fnref_in_library(fx, r, &fx->fnrefs[i]);
  }
}

/* 4: the library's globals whose address leaves it, and those that other
 * libraries name directly. */
static void globals(const struct facts *fx, struct report *r) {
  for (size_t i = 0; i < fx->nvarrefs; i++) {
    const struct ref *x = &fx->varrefs[i];
    const struct def *t = find_def(fx, x->usr);
    if (!t || t->lib != 0 || !t->is_var)
      continue;
    if (x->lib == 0 && x->addr && leaves_library(fx, x)) {
      char *how = use_desc(x);
      add(r, SEC_GLOBALS, "global-escapes", x->loc, 0, x->func, x->name,
          xasprintf("%s: %s takes the address of %s and %s",
                    r->libs[0].name, x->func, x->name, how));
      free(how);
    } else if (x->lib != 0) {
      add(r, SEC_GLOBALS, "global-shared", x->loc, x->lib, x->func, x->name,
          xasprintf("%s: %s %s %s directly (defined at %s:%u)",
                    r->libs[x->lib].name, x->func,
                    x->addr ? "takes the address of" : "uses", x->name,
                    t->loc.file, t->loc.line));
    }
  }
}

static int mech_rank(const char *m) {
  return !m ? -1 : !strcmp(m, "vm-ept") ? 2 : !strcmp(m, "intel-pku") ? 1 : 0;
}

/* The summary's numbers: gated, plain and ungateable calls. */
static void count_calls(const struct facts *fx, struct report *r) {
  for (size_t i = 0; i < fx->ncalls; i++) {
    const struct ref *c = &fx->calls[i];
    const struct def *d = find_def(fx, c->usr);
    if (!d || d->is_var || (c->lib == 0) == (d->lib == 0) ||
        (c->lib != 0 && !d->external))
      continue;
    int other = c->lib ? c->lib : d->lib;
    if (!crosses(r, other))
      r->plain++;
    else if (c->lib != 0 && d->nogate)
      r->nogate_calls++;
    else
      r->gated++;
  }
}

/* 6, with a configuration: per caller, whether its calls cross. */
static void crossings(const struct facts *fx, struct report *r) {
  const char *lc = config_comp_of(r->cfg, r->libs[0].name);
  for (size_t l = 0; l < r->nlibs; l++) {
    if (!config_comp_of(r->cfg, r->libs[l].name)) {
      warn_("%s: library '%s' is not listed under 'libraries:'; add "
            "'%s: COMPARTMENT' (docs/config.md)", r->cfg->path,
            r->libs[l].name, r->libs[l].name);
      r->cfg_errors++;
    }
  }
  for (size_t l = 1; l < r->nlibs && lc; l++) {
    const char *cc = config_comp_of(r->cfg, r->libs[l].name);
    size_t in = 0, out = 0, bad = 0;
    for (size_t i = 0; i < fx->ncalls; i++) {
      const struct def *d = find_def(fx, fx->calls[i].usr);
      if (!d || d->is_var)
        continue;
      int call_in = fx->calls[i].lib == (int)l && d->lib == 0 && d->external;
      in += call_in;
      bad += call_in && d->nogate;
      out += fx->calls[i].lib == 0 && d->lib == (int)l;
    }
    if (!cc || (!in && !out))
      continue;
    const char *m1 = config_mech_of(r->cfg, cc), *m0 = config_mech_of(r->cfg, lc);
    const char *m = mech_rank(m1) > mech_rank(m0) ? m1 : m0;
    struct loc none = {"", 0, 0};
    add(r, SEC_NOGATE, "crossing", none, (int)l, NULL, r->libs[l].name,
        !strcmp(cc, lc)
            ? xasprintf("%s and %s share compartment %s: %zu calls in, %zu "
                        "out, all plain calls", r->libs[l].name,
                        r->libs[0].name, cc, in, out)
            : xasprintf("%s (compartment %s) and %s (compartment %s): %zu "
                        "calls in (%zu cannot be gated), %zu out, through %s "
                        "gates", r->libs[l].name, cc, r->libs[0].name, lc,
                        in, bad, out, m));
  }
}

static int kind_rank(const char *k) {
  int i;
  for (i = 0; kinds[i] && strcmp(kinds[i], k); i++)
    ;
  return i;
}

static int cmp_finding(const void *a, const void *b) {
  const struct finding *x = a, *y = b;
  int c;
  if (x->section != y->section)
    return x->section < y->section ? -1 : 1;
  if ((c = kind_rank(x->kind) - kind_rank(y->kind)))
    return c;
  if ((c = strcmp(x->loc.file, y->loc.file)))
    return c;
  if (x->loc.line != y->loc.line)
    return x->loc.line < y->loc.line ? -1 : 1;
  if (x->loc.col != y->loc.col)
    return x->loc.col < y->loc.col ? -1 : 1;
  return strcmp(x->text, y->text);
}

/* Drops repeated lines (a library source parsed twice, a macro). */
static void dedupe(struct report *r) {
  size_t w = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (w && !cmp_finding(&r->f[w - 1], &r->f[i])) {
      r->count[r->f[i].section]--;
      continue;
    }
    r->f[w++] = r->f[i];
  }
  r->n = w;
}

void analyze(const struct facts *fx, struct report *r) {
  index_defs(fx);
  exports(fx, r);
  calls(fx, r);
  fnptrs(fx, r);
  globals(fx, r);
  for (size_t i = 0; i < fx->nsig; i++) {
    struct finding *f = PUSH(r->f, r->n, r->cap);
    *f = fx->sig[i];
    f->lib = r->libs[0].name;
    r->count[f->section]++;
  }
  if (r->cfg)
    crossings(fx, r);
  count_calls(fx, r);
  qsort(r->f, r->n, sizeof *r->f, cmp_finding);
  dedupe(r);
}
