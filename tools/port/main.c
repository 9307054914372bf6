/*
 * FILE: tools/port/main.c
 * DESCRIPTION:
 *   flexos-port (also `flexos port`), the porting assistant: given a
 *   library's sources, its callers' sources and their compile flags, it
 *   parses everything with libclang and reports what isolating the
 *   library involves: its exports, the calls that become gates, function
 *   pointers and globals that cross, struct pointers in its interface,
 *   and what cannot be gated (with --config: which calls cross a
 *   compartment at all).  --write-config writes a configuration skeleton.
 *   Exit status: 0 fine, 1 a source did not parse (the report lists what
 *   could be read) or the configuration is rejected or incomplete, 2 bad
 *   usage or unreadable input.
 * USAGE:
 *   flexos-port --library codec --lib-sources codec.c --caller app=app.c \
 *     [--config flexos.yaml] [-p BUILD] [--root DIR] [--format json] \
 *     [--write-config FILE [--force]] [-- CLANG-FLAGS...]
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: flexos-port --library NAME --lib-sources FILE... [options]\n"
    "                   [-- CLANG-FLAGS...]\n"
    "  Reads a library's sources and its callers' with libclang and reports\n"
    "  what isolating the library involves: its exported functions, every\n"
    "  call across its boundary (each becomes a gate), function pointers and\n"
    "  globals that cross it, structures passed by pointer, and calls no\n"
    "  gate can carry (variadic, structs by value).\n"
    "  --library NAME          the library to isolate\n"
    "  --lib-sources FILE...   its sources (every argument up to the next\n"
    "                          option)\n"
    "  --caller NAME=FILE,...  another library and its sources (repeatable)\n"
    "  --config FILE           a flexos.yaml (docs/config.md): also say which\n"
    "                          calls cross a compartment and which stay plain\n"
    "  --flexos-config PATH    the program that reads it (default: next to\n"
    "                          this one, then $PATH)\n"
    "  -p DIR                  take each source's flags from\n"
    "                          DIR/compile_commands.json (-fplugin* dropped)\n"
    "  --root DIR              print paths relative to DIR (default: .)\n"
    "  --format text|json      the report's format (default: text)\n"
    "  --write-config FILE     write a configuration skeleton: one intel-pku\n"
    "                          compartment per library, the first caller's\n"
    "                          the default\n"
    "  --force                 let --write-config replace an existing file\n"
    "  -- CLANG-FLAGS...       flags for every source (after -p's)\n"
    "  --help, --version\n"
    "  Exit status: 0 fine; 1 a source did not parse (errors are printed as\n"
    "  file:line:col; the report lists what could be read) or the\n"
    "  configuration is rejected or lacks a library; 2 bad usage.\n";

struct opts {
  struct lib *libs;
  size_t nlibs, caplibs;
  const char *config, *tool, *compdb, *root, *write_config;
  int json, force, have_lib_sources;
  char **extra;
  int nextra;
};

static int bad_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...) {
  va_list ap;
  fputs("flexos-port: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\n(flexos-port --help lists the options)\n", stderr);
  return 2;
}

static int is_name(const char *s) {
  if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
    return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_')
      return 0;
  return 1;
}

static struct lib *lib_named(struct opts *o, const char *name) {
  for (size_t i = 0; i < o->nlibs; i++)
    if (!strcmp(o->libs[i].name, name))
      return &o->libs[i];
  struct lib *l = PUSH(o->libs, o->nlibs, o->caplibs);
  l->name = name;
  return l;
}

/* Adds a source after checking it can be read; 2 when it cannot. */
static int add_source(struct lib *l, const char *opt, const char *file) {
  if (access(file, R_OK) != 0) {
    fprintf(stderr, "flexos-port: %s %s: cannot read it: %s\n", opt, file,
            strerror(errno));
    return 2;
  }
  char *abs = absolute_path(file);
  for (size_t i = 0; i < l->nfiles; i++)
    if (!strcmp(l->files[i], abs))
      return 0;
  *(const char **)PUSH(l->files, l->nfiles, l->cap) = abs;
  return 0;
}

/* --caller NAME=FILE,FILE... */
static int add_caller(struct opts *o, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg || !eq[1])
    return bad_usage("--caller expects NAME=FILE[,FILE...], not '%s'", arg);
  char *name = strndup(arg, (size_t)(eq - arg));
  if (!is_name(name))
    return bad_usage("--caller: '%s' is not a library name (letters, digits "
                     "and _, as in flexos.yaml)", name);
  struct lib *l = lib_named(o, name);
  if (l == &o->libs[0])
    return bad_usage("--caller %s: that is the library being ported "
                     "(--library)", name);
  char *files = xstrdup(eq + 1), *save = NULL;
  for (char *f = strtok_r(files, ",", &save); f; f = strtok_r(NULL, ",", &save))
    if (add_source(l, "--caller", f))
      return 2;
  return 0;
}

/* The value of an option: "--opt=value" or the next argument. */
static const char *value(int argc, char **argv, int *i, const char *opt) {
  size_t n = strlen(opt);
  if (!strncmp(argv[*i], opt, n) && argv[*i][n] == '=')
    return argv[*i] + n + 1;
  if (*i + 1 >= argc) {
    bad_usage("%s needs a value", opt);
    return NULL;
  }
  return argv[++*i];
}

static int is_opt(const char *arg, const char *opt) {
  size_t n = strlen(opt);
  return !strncmp(arg, opt, n) && (arg[n] == 0 || arg[n] == '=');
}

/* --lib-sources FILE...: every argument up to the next option. */
static int lib_sources(struct opts *o, int argc, char **argv, int *i) {
  int n = 0;
  if (!strncmp(argv[*i], "--lib-sources=", 14)) {
    if (add_source(&o->libs[0], "--lib-sources", argv[*i] + 14))
      return 2;
    n++;
  }
  while (*i + 1 < argc && argv[*i + 1][0] != '-') {
    if (add_source(&o->libs[0], "--lib-sources", argv[++*i]))
      return 2;
    n++;
  }
  if (!n)
    return bad_usage("--lib-sources needs at least one file");
  o->have_lib_sources = 1;
  return 0;
}

static int one_option(struct opts *o, int argc, char **argv, int *i) {
  const char *a = argv[*i], *v;
#define VALUE(opt) if (!(v = value(argc, argv, i, opt))) return 2
  if (is_opt(a, "--lib-sources"))
    return lib_sources(o, argc, argv, i);
  if (is_opt(a, "--caller")) {
    VALUE("--caller");
    return add_caller(o, v);
  }
  if (is_opt(a, "--config")) { VALUE("--config"); o->config = v; return 0; }
  if (is_opt(a, "--flexos-config")) { VALUE("--flexos-config"); o->tool = v; return 0; }
  if (is_opt(a, "-p")) { VALUE("-p"); o->compdb = v; return 0; }
  if (is_opt(a, "--root")) { VALUE("--root"); o->root = v; return 0; }
  if (is_opt(a, "--write-config")) { VALUE("--write-config"); o->write_config = v; return 0; }
  if (!strcmp(a, "--force")) { o->force = 1; return 0; }
  if (is_opt(a, "--format")) {
    VALUE("--format");
    if (strcmp(v, "text") && strcmp(v, "json"))
      return bad_usage("--format: '%s' is not text or json", v);
    o->json = !strcmp(v, "json");
    return 0;
  }
#undef VALUE
  if (a[0] == '-')
    return bad_usage("unknown option '%s'", a);
  return bad_usage("unexpected argument '%s' (library sources go after "
                   "--lib-sources, callers' after --caller NAME=)", a);
}

/* --library first, so that sources can be given before it. */
static int find_library(struct opts *o, int argc, char **argv) {
  for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    if (!is_opt(argv[i], "--library"))
      continue;
    const char *v = value(argc, argv, &i, "--library");
    if (!v)
      return 2;
    if (!is_name(v))
      return bad_usage("--library: '%s' is not a library name (letters, "
                       "digits and _, as in flexos.yaml)", v);
    if (o->nlibs)
      return bad_usage("--library given twice ('%s' and '%s')",
                       o->libs[0].name, v);
    lib_named(o, v);
  }
  if (!o->nlibs)
    return bad_usage("--library NAME is missing");
  return 0;
}

static int parse_args(struct opts *o, int argc, char **argv) {
  int rc = find_library(o, argc, argv);
  for (int i = 1; i < argc && !rc; i++) {
    if (!strcmp(argv[i], "--")) {
      o->extra = argv + i + 1;
      o->nextra = argc - i - 1;
      break;
    }
    if (is_opt(argv[i], "--library")) {
      i += !strchr(argv[i], '=');
      continue;
    }
    rc = one_option(o, argc, argv, &i);
  }
  if (!rc && !o->have_lib_sources)
    rc = bad_usage("--lib-sources FILE... is missing");
  if (!rc && o->write_config && !o->force && access(o->write_config, F_OK) == 0)
    rc = bad_usage("--write-config %s: the file exists; give --force to "
                   "replace it", o->write_config);
  return rc;
}

int main(int argc, char **argv) {
  struct opts o = {0};
  struct config cfg;
  struct report r = {0};
  struct facts fx = {0};
  int rc = 0;
  for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
      return fputs(usage, stdout), 0;
    if (!strcmp(argv[i], "--version"))
      return printf("flexos-port %s\n", FLEXOS_VERSION), 0;
  }
  if (parse_args(&o, argc, argv))
    return 2;
  set_root(o.root ? o.root : ".");
  if (o.config) {
    int c = config_read(o.config, o.tool, &cfg);
    cfg.path = display_path(absolute_path(o.config));
    if (c == 2)
      return 2;
    rc = c;
    r.cfg = c == 0 ? &cfg : NULL;
  }
  struct flags fl = {o.compdb, o.extra, o.nextra};
  r.parse_errors = scan_all(o.libs, o.nlibs, &fl, &fx);
  if (r.parse_errors < 0)
    return 2;
  r.libs = o.libs;
  r.nlibs = o.nlibs;
  analyze(&fx, &r);
  o.json ? report_json(&r, stdout) : report_text(&r, stdout);
  fflush(stdout);
  if (r.parse_errors || r.cfg_errors)
    rc = 1;
  if (o.write_config && config_write(o.write_config, o.force, o.libs, o.nlibs))
    rc = 2;
  return rc;
}
