/*
 * FILE: tools/port/report.c
 * DESCRIPTION:
 *   Prints flexos-port's findings: a text report in six numbered sections
 *   with counts and a summary (what will be gated, what probably needs
 *   sharing), or the same as one JSON object for tools.  Both are in the
 *   order analyze.c sorted them, with paths relative to --root.
 * USAGE:
 *   report_text(&report, stdout); report_json(&report, stdout)
 * License: MIT (see LICENSE)
 */
#include "port.h"

#include <string.h>

static const char *const titles[NSECTIONS + 1] = {
    NULL,
    "Exported functions of %s",
    "Calls across the boundary (each becomes a gate)",
    "Function pointers crossing the boundary",
    "Globals that probably need sharing (flexos_share or a record run)",
    "Structures passed by pointer (the memory must be reachable from both sides)",
    "Calls the build cannot gate",
};

static void sources_line(const struct lib *l, FILE *out) {
  fprintf(out, "%s (%zu source%s)", l->name, l->nfiles,
          l->nfiles == 1 ? "" : "s");
}

static size_t fnptrs(const struct report *r) { return r->count[SEC_FNPTRS]; }

void report_text(const struct report *r, FILE *out) {
  fputs("flexos port: library ", out);
  sources_line(&r->libs[0], out);
  fputs(", callers: ", out);
  for (size_t l = 1; l < r->nlibs; l++) {
    fputs(l > 1 ? ", " : "", out);
    sources_line(&r->libs[l], out);
  }
  fputs(r->nlibs == 1 ? "none\n" : "\n", out);
  size_t i = 0;
  for (int s = 1; s <= NSECTIONS; s++) {
    fprintf(out, "\n%d. ", s);
    fprintf(out, titles[s], r->libs[0].name);
    fprintf(out, ": %zu\n", r->count[s]);
    for (; i < r->n && (int)r->f[i].section == s; i++) {
      if (!strcmp(r->f[i].kind, "crossing") &&
          (i == 0 || strcmp(r->f[i - 1].kind, "crossing")))
        fprintf(out, "  compartments (%s):\n", r->cfg->path);
      if (!strcmp(r->f[i].kind, "crossing"))
        fprintf(out, "    %s\n", r->f[i].text);
      else if (*r->f[i].loc.file)
        fprintf(out, "  %s:%u: %s\n", r->f[i].loc.file, r->f[i].loc.line,
                r->f[i].text);
      else
        fprintf(out, "  %s\n", r->f[i].text);
    }
    if (s == SEC_NOGATE && !r->cfg)
      fputs("  (no --config: every call above is taken to cross a "
            "compartment)\n", out);
  }
  fprintf(out, "\nsummary: %zu calls will be gated, %zu stay plain calls, "
          "%zu cannot be gated; %zu function pointers cross (calls through "
          "them are checked); %zu global uses probably need sharing; %zu "
          "struct pointers cross\n", r->gated, r->plain, r->nogate_calls,
          fnptrs(r), r->count[SEC_GLOBALS], r->count[SEC_STRUCTS]);
}

static void json_str(const char *s, FILE *out) {
  if (!s) {
    fputs("null", out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", out);
    else if (c < 0x20)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

static void json_finding(const struct finding *f, FILE *out) {
  fprintf(out, "    {\"section\": %d, \"kind\": ", (int)f->section);
  json_str(f->kind, out);
  fputs(", \"file\": ", out);
  json_str(*f->loc.file ? f->loc.file : NULL, out);
  fprintf(out, ", \"line\": %u, \"col\": %u, \"library\": ", f->loc.line,
          f->loc.col);
  json_str(f->lib, out);
  fputs(", \"function\": ", out);
  json_str(f->func, out);
  fputs(", \"symbol\": ", out);
  json_str(f->symbol, out);
  fputs(", \"text\": ", out);
  json_str(f->text, out);
  fputs("}", out);
}

void report_json(const struct report *r, FILE *out) {
  fputs("{\n  \"library\": ", out);
  json_str(r->libs[0].name, out);
  fputs(",\n  \"libraries\": [", out);
  for (size_t l = 0; l < r->nlibs; l++) {
    fputs(l ? ", {\"name\": " : "{\"name\": ", out);
    json_str(r->libs[l].name, out);
    fputs(", \"sources\": [", out);
    for (size_t i = 0; i < r->libs[l].nfiles; i++) {
      fputs(i ? ", " : "", out);
      json_str(display_path(r->libs[l].files[i]), out);
    }
    fputs("]}", out);
  }
  fputs("],\n  \"config\": ", out);
  json_str(r->cfg ? r->cfg->path : NULL, out);
  fputs(",\n  \"findings\": [\n", out);
  for (size_t i = 0; i < r->n; i++) {
    json_finding(&r->f[i], out);
    fputs(i + 1 < r->n ? ",\n" : "\n", out);
  }
  fprintf(out, "  ],\n  \"summary\": {\"gated\": %zu, \"plain\": %zu, "
          "\"cannot_gate\": %zu, \"function_pointers\": %zu, \"globals\": "
          "%zu, \"structs\": %zu},\n  \"errors\": %d\n}\n", r->gated,
          r->plain, r->nogate_calls, fnptrs(r), r->count[SEC_GLOBALS],
          r->count[SEC_STRUCTS], r->parse_errors + r->cfg_errors);
}
