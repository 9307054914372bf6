/*
 * FILE: tools/flexos/check.c
 * DESCRIPTION:
 *   `flexos check`: for every pair of components, may they share a
 *   compartment (and if not, which requirement which declaration breaks);
 *   with --config, whether a flexos.yaml co-locates an incompatible pair.
 *   The configuration is read through `flexos-config --list`, the
 *   toolchain's own parser, so that this check and the build never
 *   disagree on what a file means.  Two libraries are co-located when they
 *   share a compartment, or when both of their compartments use mechanism
 *   none (gates between them are plain calls); a requirement marked
 *   ">= vm-ept" also needs a vm-ept end between the two compartments.
 * USAGE:
 *   flexos check examples/kvstore --config examples/kvstore/pku.yaml
 * License: MIT (see LICENSE)
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A requirement whose subject names no component never applies; that is
 * usually a typo, so say so. */
static void note_unknown_subjects(const struct model *m, FILE *out) {
  for (size_t i = 0; i < m->ncomps; i++)
    for (size_t r = 0; r < m->comps[i].nreqs; r++) {
      const struct req *q = &m->comps[i].reqs[r];
      if (!q->subject || model_find(m, q->subject) >= 0)
        continue;
      loc_print(out, q->loc);
      fprintf(out, ": note: requirement names '%s', which is not among the "
              "components read; it applies to nothing here\n", q->subject);
    }
}

/* Prints every requirement of h that x breaks, one per line. */
static void print_broken(const struct model *m, int h, int x, FILE *out) {
  struct conflict c;
  for (size_t i = 0; i < m->comps[h].nreqs; i++) {
    if (!props_req_broken(m, h, i, x, &c))
      continue;
    fprintf(out, "  ");
    conflict_print(out, m, &c);
    fputc('\n', out);
  }
}

void check_pairs(const struct model *m, FILE *out) {
  struct conflict c;
  note_unknown_subjects(m, out);
  fprintf(out, "%zu components:", m->ncomps);
  for (size_t i = 0; i < m->ncomps; i++)
    fprintf(out, " %s", m->comps[i].name);
  fputc('\n', out);
  for (int i = 0; i < (int)m->ncomps; i++) {
    for (int j = i + 1; j < (int)m->ncomps; j++) {
      fprintf(out, "%s + %s: ", m->comps[i].name, m->comps[j].name);
      if (!props_conflict(m, i, j, &c)) {
        fprintf(out, "may share a compartment\n");
        continue;
      }
      fprintf(out, "may NOT share a compartment:\n");
      print_broken(m, i, j, out);
      print_broken(m, j, i, out);
    }
  }
}

/* The flexos-config program: --flexos-config, $FLEXOS_CONFIG_TOOL, the
 * directory of this executable, then $PATH. */
const char *find_flexos_config(const char *given) {
  static char buf[PATH_MAX];
  if (given)
    return given;
  const char *env = getenv("FLEXOS_CONFIG_TOOL");
  if (env && *env)
    return env;
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 32);
  if (n > 0) {
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash) {
      strcpy(slash + 1, "flexos-config");
      if (access(buf, X_OK) == 0)
        return buf;
    }
  }
  return "flexos-config";
}

/* Runs "TOOL --list PATH" and parses its line format into cfg.  Returns
 * 0; 1 when flexos-config rejects the file (its messages are already on
 * stderr); 2 when the tool cannot run. */
static int list_config(const char *tool, const char *path, struct yconfig *cfg) {
  char *const argv[] = {(char *)tool, "--list", (char *)path, NULL};
  int fd;
  int pid = spawn_reading(argv, NULL, NULL,
                          "build it (target flexos-config) or pass "
                          "--flexos-config PATH", &fd);
  FILE *f = fdopen(fd, "r");
  char line[1024];
  while (f && fgets(line, sizeof line, f))
    yconfig_add_line(cfg, line);
  if (f)
    fclose(f);
  else
    close(fd);
  int st = wait_exit(pid);
  if (st < 0 || st == 127)
    return 2;
  return st ? 1 : 0;
}

/* "compartment IDX NAME MECH DEFAULT PKRU POLLING CHECKPTRS HARDENING" and
 * "library NAME COMPARTMENT", as printed by flexos-config --list. */
void yconfig_add_line(struct yconfig *cfg, const char *line) {
  char a[MAX_NAME + 1], b[MAX_NAME + 1], c[MAX_NAME + 1];
  int idx;
  if (sscanf(line, "compartment %d %128s %128s", &idx, a, b) == 3) {
    struct ycomp *y = PUSH(&cfg->arena, cfg->comps, cfg->ncomps, cfg->capcomps);
    y->name = arena_strdup(&cfg->arena, a);
    y->mech = MECH_NONE;
    for (int m = 0; m < NMECH; m++)
      if (!strcmp(b, mech_names[m]))
        y->mech = m;
    const char *last = strrchr(line, ' ');
    for (int h = 0; last && h < NHARD; h++)
      if (strstr(last, hardening_names[h]))
        y->hard |= 1u << h;
  } else if (sscanf(line, "library %128s %128s", a, c) == 2) {
    struct ylib *l = PUSH(&cfg->arena, cfg->libs, cfg->nlibs, cfg->caplibs);
    l->name = arena_strdup(&cfg->arena, a);
    l->comp = -1;
    for (size_t i = 0; i < cfg->ncomps; i++)
      if (!strcmp(cfg->comps[i].name, c))
        l->comp = (int)i;
  }
}

/* Line and column of "NAME:" under "libraries:" in the YAML text, so that
 * a rejection points at the library's own line; 1:1 when not found. */
static struct loc library_loc(const char *path, const char *text,
                              const char *name) {
  struct loc l = {path, 1, 1};
  int line = 1, in_libs = 0;
  size_t n = strlen(name);
  for (const char *p = text; p && *p; line++) {
    const char *s = p;
    while (*s == ' ' || *s == '\t')
      s++;
    if (s == p)
      in_libs = !strncmp(s, "libraries:", 10);
    else if (in_libs && !strncmp(s, name, n) && s[n] == ':') {
      l.line = line;
      l.col = (int)(s - p) + 1;
      return l;
    }
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return l;
}

/* Reports the library's missing [Hardening] options; returns how many. */
static int judge_hardening(const struct model *m, const struct yconfig *cfg,
                           const struct ylib *l, int a, const char *path,
                           const char *text) {
  int bad = 0;
  unsigned missing = m->comps[a].hardening & ~cfg->comps[l->comp].hard;
  for (int h = 0; h < NHARD; h++) {
    if (!(missing & (1u << h)))
      continue;
    loc_print(stderr, library_loc(path, text, l->name));
    fprintf(stderr, ": error: %s needs hardening %s ([Hardening] at ",
            l->name, hardening_names[h]);
    loc_print(stderr, m->comps[a].hardening_loc);
    fprintf(stderr, "), which compartment '%s' does not list\n",
            cfg->comps[l->comp].name);
    bad++;
  }
  return bad;
}

/* Is the pair separated as strongly as its requirements need?  The gate
 * between two compartments uses the stronger end; the same compartment,
 * or two `none` compartments, is no separation at all. */
static int judge_pair(const struct model *m, const struct yconfig *cfg,
                      const struct ylib *li, int a, const struct ylib *lj,
                      int b, const char *path, const char *text) {
  struct conflict c;
  int need = props_separation(m, a, b, &c);
  const struct ycomp *ca = &cfg->comps[li->comp], *cb = &cfg->comps[lj->comp];
  int gate = li->comp == lj->comp ? MECH_NONE
             : ca->mech > cb->mech ? ca->mech : cb->mech;
  if (!need || gate >= need)
    return 0;
  loc_print(stderr, library_loc(path, text, lj->name));
  if (li->comp == lj->comp)
    fprintf(stderr, ": error: compartment '%s' holds both %s and %s: ",
            ca->name, li->name, lj->name);
  else if (gate == MECH_NONE)
    fprintf(stderr, ": error: %s and %s are not separated (compartments "
            "'%s' and '%s' both use mechanism none): ", li->name, lj->name,
            ca->name, cb->name);
  else
    fprintf(stderr, ": error: %s and %s are separated only by %s "
            "(compartments '%s' and '%s'): ", li->name, lj->name,
            mech_names[gate], ca->name, cb->name);
  conflict_print(stderr, m, &c);
  fputc('\n', stderr);
  return 1;
}

/* Reports every pair separated less than its requirements need and every
 * missing hardening option; returns the number of problems. */
static int judge(const struct model *m, const struct yconfig *cfg,
                 const char *path, const char *text) {
  int bad = 0;
  for (size_t i = 0; i < cfg->nlibs; i++) {
    const struct ylib *li = &cfg->libs[i];
    int a = model_find(m, li->name);
    if (a < 0 || li->comp < 0)
      continue;
    bad += judge_hardening(m, cfg, li, a, path, text);
    for (size_t j = i + 1; j < cfg->nlibs; j++) {
      const struct ylib *lj = &cfg->libs[j];
      int b = model_find(m, lj->name);
      if (b >= 0 && lj->comp >= 0)
        bad += judge_pair(m, cfg, li, a, lj, b, path, text);
    }
  }
  return bad;
}

int check_config(const struct model *m, const char *path, const char *tool,
                 FILE *out) {
  struct yconfig cfg;
  memset(&cfg, 0, sizeof cfg);
  int rc = list_config(find_flexos_config(tool), path, &cfg);
  if (rc != 0) {
    if (rc == 1)
      fprintf(stderr, "flexos: %s: rejected by flexos-config (above)\n", path);
    arena_free(&cfg.arena);
    return rc;
  }
  size_t len;
  char *text = read_file(path, &len);
  /* flexos-config also lists the reserved library "runtime" (the kernel
   * runtime, in the default compartment), which no .flexos describes. */
  for (size_t i = 0; i < cfg.nlibs; i++)
    if (model_find(m, cfg.libs[i].name) < 0 &&
        strcmp(cfg.libs[i].name, "runtime"))
      fprintf(out, "%s: note: library '%s' has no .flexos description; "
              "not checked\n", path, cfg.libs[i].name);
  int bad = judge(m, &cfg, path, text ? text : "");
  free(text);
  if (bad)
    fprintf(stderr, "%s: configuration rejected (%d problem%s)\n", path, bad,
            bad == 1 ? "" : "s");
  else
    fprintf(out, "%s: configuration accepted\n", path);
  arena_free(&cfg.arena);
  return bad ? 1 : 0;
}
