/*
 * FILE: tools/flexos/report.c
 * DESCRIPTION:
 *   Output of `flexos explore`: a table for people, JSON for scripts, and
 *   the Hasse diagram of the safety order as Graphviz DOT (optionally
 *   rendered to SVG by the dot program of Debian's graphviz package).
 * USAGE:
 *   report_table(&r, stdout); report_json(&r, stdout); report_dot(&r, f)
 * License: MIT (see LICENSE)
 */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

static void list_names(FILE *f, const char *const *names, unsigned bits,
                       int n, const char *sep, int json) {
  const char *s = "";
  for (int i = 0; i < n; i++) {
    if (!(bits & (1u << i)))
      continue;
    fputs(s, f);
    if (json)
      json_str(f, names[i]);
    else
      fputs(names[i], f);
    s = sep;
  }
}

static void summary(const struct report *r, FILE *f) {
  const struct space *s = r->s;
  fprintf(f, "libraries (%d):", s->n);
  for (int i = 0; i < s->n; i++)
    fprintf(f, " %s%s", s->m->comps[i].name, i == s->def ? "[default]" : "");
  fprintf(f, "\nmechanisms: ");
  list_names(f, mech_names, s->mechs, NMECH, ", ", 0);
  fprintf(f, "; hardening: ");
  if (!s->hards)
    fprintf(f, "none");
  list_names(f, hardening_names, s->hards, NHARD, ", ", 0);
  fprintf(f, "; at most %d compartments\nincompatible pairs:", s->max_comps);
  int any = 0;
  for (int i = 0; i < s->n; i++)
    for (int j = i + 1; j < s->n; j++)
      if (s->incompat[i] & (1u << j))
        fprintf(f, " %s+%s", s->m->comps[i].name, s->m->comps[j].name),
            any = 1;
  fprintf(f, "%s\n", any ? "" : " none");
  fprintf(f, "partitions: %llu, configurations: %s%llu (counted in %.3f s)\n",
          (unsigned long long)r->partitions,
          r->count == COUNT_SATURATED ? "more than " : "",
          (unsigned long long)r->count, r->count_s);
}

void report_table(const struct report *r, FILE *f) {
  char id[ID_MAX];
  summary(r, f);
  if (!r->cs)
    return;
  if (r->has_budget)
    fprintf(f, "budget %g: %zu starred (the safest configurations scoring "
            "at least %g)\n", r->budget, r->nstarred, r->budget);
  fprintf(f, "%6s  %12s  %s  %s\n", "#", "score", "*", "configuration");
  for (size_t i = 0; i < r->cs->n; i++) {
    const struct config *c = &r->cs->v[i];
    config_id(r->s, c, id, sizeof id);
    char score[32] = "-";
    if (c->measured)
      snprintf(score, sizeof score, "%.6g", c->score);
    fprintf(f, "%6zu  %12s  %s  %s\n", i + 1, score,
            r->starred && r->starred[i] ? "*" : " ", id);
  }
}

static void json_config(const struct report *r, size_t i, FILE *f) {
  const struct space *s = r->s;
  const struct config *c = &r->cs->v[i];
  char id[ID_MAX];
  config_id(s, c, id, sizeof id);
  fprintf(f, "    {\"index\": %zu, \"id\": ", i + 1);
  json_str(f, id);
  fprintf(f, ", \"compartments\": [");
  for (int b = 0; b < c->k; b++) {
    fprintf(f, "%s{\"name\": ", b ? ", " : "");
    json_str(f, s->m->comps[__builtin_ctz(c->block[b])].name);
    fprintf(f, ", \"default\": %s, \"mechanism\": \"%s\", \"hardening\": [",
            b == c->of[s->def] ? "true" : "false", mech_names[c->mech[b]]);
    list_names(f, hardening_names, c->hard[b], NHARD, ", ", 1);
    fprintf(f, "], \"libraries\": [");
    const char *sep = "";
    for (int l = 0; l < s->n; l++)
      if (c->block[b] & (1u << l)) {
        fputs(sep, f);
        json_str(f, s->m->comps[l].name);
        sep = ", ";
      }
    fprintf(f, "]}");
  }
  fprintf(f, "], \"score\": ");
  if (c->measured)
    fprintf(f, "%.17g", c->score);
  else
    fprintf(f, "null");
  fprintf(f, ", \"starred\": %s}", r->starred && r->starred[i] ? "true"
                                                                : "false");
}

void report_json(const struct report *r, FILE *f) {
  const struct space *s = r->s;
  fprintf(f, "{\n  \"libraries\": [");
  for (int i = 0; i < s->n; i++) {
    fputs(i ? ", " : "", f);
    json_str(f, s->m->comps[i].name);
  }
  fprintf(f, "],\n  \"default_library\": ");
  json_str(f, s->m->comps[s->def].name);
  fprintf(f, ",\n  \"mechanisms\": [");
  list_names(f, mech_names, s->mechs, NMECH, ", ", 1);
  fprintf(f, "],\n  \"hardening\": [");
  list_names(f, hardening_names, s->hards, NHARD, ", ", 1);
  fprintf(f, "],\n  \"max_compartments\": %d,\n  \"incompatible\": [",
          s->max_comps);
  const char *sep = "";
  for (int i = 0; i < s->n; i++)
    for (int j = i + 1; j < s->n; j++)
      if (s->incompat[i] & (1u << j)) {
        fprintf(f, "%s[", sep);
        json_str(f, s->m->comps[i].name);
        fputs(", ", f);
        json_str(f, s->m->comps[j].name);
        fputc(']', f);
        sep = ", ";
      }
  fprintf(f, "],\n  \"partitions\": %llu,\n  \"count\": %llu,\n"
          "  \"count_saturated\": %s,\n  \"count_seconds\": %.6f",
          (unsigned long long)r->partitions, (unsigned long long)r->count,
          r->count == COUNT_SATURATED ? "true" : "false", r->count_s);
  if (r->has_budget)
    fprintf(f, ",\n  \"budget\": %.17g,\n  \"starred\": %zu", r->budget,
            r->nstarred);
  if (r->cs) {
    fprintf(f, ",\n  \"configurations\": [\n");
    for (size_t i = 0; i < r->cs->n; i++) {
      json_config(r, i, f);
      fputs(i + 1 < r->cs->n ? ",\n" : "\n", f);
    }
    fprintf(f, "  ]");
  }
  if (r->edges) {
    fprintf(f, ",\n  \"hasse\": [");
    for (size_t e = 0; e < r->nedges; e++)
      fprintf(f, "%s[%zu, %zu]", e ? ", " : "", r->edges[2 * e] + 1,
              r->edges[2 * e + 1] + 1);
    fprintf(f, "]");
  }
  fprintf(f, "\n}\n");
}

void report_dot(const struct report *r, FILE *f) {
  char id[ID_MAX];
  fprintf(f, "// flexos explore: safety order (an edge points to a safer "
          "configuration; starred: the safest within the budget)\n"
          "digraph flexos {\n  rankdir=BT;\n"
          "  node [shape=box, fontname=\"monospace\", fontsize=10];\n");
  for (size_t i = 0; i < r->cs->n; i++) {
    const struct config *c = &r->cs->v[i];
    config_id(r->s, c, id, sizeof id);
    fprintf(f, "  c%zu [label=\"#%zu %s", i + 1, i + 1, id);
    if (c->measured)
      fprintf(f, "\\nscore %.6g", c->score);
    fprintf(f, "\"%s];\n", r->starred && r->starred[i]
                               ? ", style=filled, fillcolor=gold, peripheries=2"
                               : "");
  }
  for (size_t e = 0; e < r->nedges; e++)
    fprintf(f, "  c%zu -> c%zu;\n", r->edges[2 * e] + 1,
            r->edges[2 * e + 1] + 1);
  fprintf(f, "}\n");
}

int report_svg(const struct report *r, const char *path) {
  char cmd[4200];
  /* Quote the path for sh: ' becomes '\''. */
  size_t o = (size_t)snprintf(cmd, sizeof cmd, "dot -Tsvg -o '");
  for (const char *p = path; *p && o + 8 < sizeof cmd; p++) {
    if (*p == '\'') {
      memcpy(cmd + o, "'\\''", 4);
      o += 4;
    } else {
      cmd[o++] = *p;
    }
  }
  snprintf(cmd + o, sizeof cmd - o, "'");
  FILE *p = popen(cmd, "w");
  if (!p) {
    warnx_("cannot run dot: %s", strerror(errno));
    return -1;
  }
  report_dot(r, p);
  int st = pclose(p);
  if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    warnx_("dot failed (status %d) writing %s; is graphviz installed? "
           "(apt-get install graphviz)", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
           path);
    return -1;
  }
  return 0;
}
