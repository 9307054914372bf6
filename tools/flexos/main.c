/*
 * FILE: tools/flexos/main.c
 * DESCRIPTION:
 *   The flexos command: `flexos check` (pairwise compatibility of
 *   components, a configuration against their requirements, declared
 *   properties against compiler facts), `flexos explore` (enumerate,
 *   order, measure and choose configurations) and `flexos port` (runs
 *   flexos-port, the porting assistant, from this program's directory).
 *   docs/properties.md has the language and the semantics.  Exit
 *   status: 0 fine, 1 a configuration or claim was rejected (or, for
 *   explore, nothing could be listed or a benchmark failed), 2 bad usage
 *   or unreadable input.
 * USAGE:
 *   flexos check examples/kvstore --config examples/kvstore/pku.yaml
 *   flexos explore examples/kvstore --mechanisms intel-pku --hardening none
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "check.h"
#include "explore.h"
#include "measure.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASSE_AUTO 2000    /* JSON carries the diagram up to this size */
#define HASSE_MAX 20000    /* --dot/--svg refuse more (quadratic memory) */

static const char check_usage[] =
    "usage: flexos check [options] DIR-or-FILE.flexos...\n"
    "  Reads the component descriptions (every *.flexos file of a DIR) and\n"
    "  says for each pair whether they may share a compartment, and if not\n"
    "  which requirement which declaration breaks.\n"
    "  --config FILE         also check this flexos.yaml: reject it when it\n"
    "                        co-locates an incompatible pair (exit 1)\n"
    "  --facts FILE-or-DIR   compare declarations with the facts the plugin\n"
    "                        wrote (-fplugin-arg-flexos-facts=FILE; a DIR\n"
    "                        means its *.facts files); contradictions exit 1\n"
    "  --flexos-config PATH  the flexos-config program (default: next to\n"
    "                        this program, then $PATH)\n"
    "  --help                this text\n";

static const char explore_usage[] =
    "usage: flexos explore [options] DIR-or-FILE.flexos...\n"
    "  Enumerates configurations (a partition of the libraries into\n"
    "  compartments, a mechanism and a hardening set per compartment),\n"
    "  drops those that co-locate incompatible components or break a limit,\n"
    "  orders them by safety, measures and chooses.\n"
    "  --max-compartments N  at most N compartments (default: one per library)\n"
    "  --mechanisms LIST     from none,intel-pku,vm-ept (default: all three)\n"
    "  --hardening LIST      from stack-protector,ubsan, or none (default: both)\n"
    "  --default LIB         the default compartment is LIB's (default: the\n"
    "                        first component read)\n"
    "  --count               only count (no listing; fast for large spaces)\n"
    "  --limit N             list at most N configurations (default 100000)\n"
    "  --bench CMD           run CMD (through sh) once per configuration, with\n"
    "                        its flexos.yaml in $FLEXOS_CONFIG and $1; CMD\n"
    "                        prints one number, higher is better\n"
    "  --work DIR            where --bench and --emit write the flexos.yaml\n"
    "                        files (default ./flexos-explore)\n"
    "  --emit                write every configuration's flexos.yaml into the\n"
    "                        --work DIR, without running anything\n"
    "  --results CSV         read scores (configuration,score) instead of\n"
    "                        running anything\n"
    "  --save CSV            write the scores after --bench\n"
    "  --budget X            star the safest configurations scoring >= X\n"
    "  --dot FILE            write the Hasse diagram as Graphviz DOT ('-':\n"
    "                        stdout)\n"
    "  --svg FILE            render the Hasse diagram with dot -Tsvg\n"
    "  --json                print JSON instead of a table\n"
    "  --help                this text\n";

static const char main_usage[] =
    "usage: flexos check|explore [options] DIR-or-FILE.flexos...\n"
    "       flexos port --library NAME --lib-sources FILE... [options]\n"
    "       flexos share REPORT [-o SHARES] (flexos-share: docs/porting-record.md)\n"
    "  flexos check --help, flexos explore --help, flexos port --help: the\n"
    "  options of each;\n"
    "  flexos --version: this tool's version.\n"
    "  The property language: docs/properties.md.\n";

static struct model model;

/* Loads every path; returns 0 or 2 after the parser's messages. */
static int load_model(char **paths, int n) {
  int rc = 0;
  if (n == 0) {
    warnx_("no .flexos files or directories given");
    return 2;
  }
  for (int i = 0; i < n; i++)
    if (props_load(&model, paths[i]) != 0)
      rc = 2;
  if (rc == 0 && props_finish(&model, stderr) != 0)
    rc = 2;
  if (rc == 0 && model.ncomps == 0) {
    warnx_("no components in the given files");
    rc = 2;
  }
  return rc;
}

static int cmd_check(int argc, char **argv) {
  static const struct option opts[] = {
      {"config", required_argument, 0, 'c'},
      {"facts", required_argument, 0, 'f'},
      {"flexos-config", required_argument, 0, 't'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  char **configs = xmalloc((size_t)argc * sizeof *configs);
  char **facts = xmalloc((size_t)argc * sizeof *facts);
  size_t nconfigs = 0, nfacts = 0;
  const char *tool = NULL;
  int o;
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'c': configs[nconfigs++] = optarg; break;
    case 'f': facts[nfacts++] = optarg; break;
    case 't': tool = optarg; break;
    case 'h': fputs(check_usage, stdout); return 0;
    default: fputs(check_usage, stderr); return 2;
    }
  }
  int rc = load_model(argv + optind, argc - optind);
  if (rc == 0) {
    check_pairs(&model, stdout);
    fflush(stdout); /* the pairs first, then any errors on stderr */
    for (size_t i = 0; i < nconfigs; i++) {
      int r = check_config(&model, configs[i], tool, stdout);
      rc = r > rc ? r : rc;
    }
    if (nfacts) {
      int r = check_facts(&model, facts, nfacts, stdout);
      rc = r > rc ? r : rc;
    }
  }
  free(configs);
  free(facts);
  return rc;
}

/* Parses a comma-separated list of names into bits; -1 on a bad name. */
static int parse_list(const char *arg, const char *const *names, int n,
                      unsigned *out, const char *what) {
  *out = 0;
  if (!strcmp(arg, "none") && names == hardening_names)
    return 0;
  char *copy = strdup(arg), *save = NULL;
  if (!copy)
    die("out of memory");
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    int i;
    for (i = 0; i < n && strcmp(t, names[i]); i++)
      ;
    if (i == n) {
      warnx_("unknown %s '%s'", what, t);
      free(copy);
      return -1;
    }
    *out |= 1u << i;
  }
  free(copy);
  return 0;
}

static int parse_number(const char *arg, const char *opt, double *v) {
  char *end;
  errno = 0;
  *v = strtod(arg, &end);
  if (end == arg || *end || errno) {
    warnx_("%s expects a number, not '%s'", opt, arg);
    return -1;
  }
  return 0;
}

struct explore_opts {
  int count_only, json, emit, has_budget;
  long max_comps;
  double limit, budget;
  const char *mechs, *hards, *def, *bench, *work, *results, *save, *dot,
      *svg;
};

static int parse_explore(int argc, char **argv, struct explore_opts *x) {
  static const struct option opts[] = {
      {"max-compartments", required_argument, 0, 'k'},
      {"mechanisms", required_argument, 0, 'm'},
      {"hardening", required_argument, 0, 'H'},
      {"default", required_argument, 0, 'd'},
      {"count", no_argument, 0, 'n'},
      {"limit", required_argument, 0, 'l'},
      {"bench", required_argument, 0, 'b'},
      {"work", required_argument, 0, 'w'},
      {"emit", no_argument, 0, 'e'},
      {"results", required_argument, 0, 'r'},
      {"save", required_argument, 0, 's'},
      {"budget", required_argument, 0, 'B'},
      {"dot", required_argument, 0, 'D'},
      {"svg", required_argument, 0, 'S'},
      {"json", no_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  double v;
  int o;
  memset(x, 0, sizeof *x);
  x->limit = 100000;
  x->max_comps = -1;
  x->work = "flexos-explore";
  while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (o) {
    case 'k':
      if (parse_number(optarg, "--max-compartments", &v) || v < 1 ||
          v != (long)v)
        return warnx_("--max-compartments expects a count >= 1"), 2;
      x->max_comps = (long)v;
      break;
    case 'm': x->mechs = optarg; break;
    case 'H': x->hards = optarg; break;
    case 'd': x->def = optarg; break;
    case 'n': x->count_only = 1; break;
    case 'l':
      if (parse_number(optarg, "--limit", &x->limit) || x->limit < 1)
        return 2;
      break;
    case 'b': x->bench = optarg; break;
    case 'w': x->work = optarg; break;
    case 'e': x->emit = 1; break;
    case 'r': x->results = optarg; break;
    case 's': x->save = optarg; break;
    case 'B':
      if (parse_number(optarg, "--budget", &x->budget))
        return 2;
      x->has_budget = 1;
      break;
    case 'D': x->dot = optarg; break;
    case 'S': x->svg = optarg; break;
    case 'j': x->json = 1; break;
    case 'h': fputs(explore_usage, stdout); return -1;
    default: fputs(explore_usage, stderr); return 2;
    }
  }
  if (x->has_budget && !x->bench && !x->results)
    return warnx_("--budget needs scores: give --bench CMD or --results CSV"),
           2;
  if (x->save && !x->bench && !x->results)
    return warnx_("--save needs scores: give --bench CMD or --results CSV"),
           2;
  return 0;
}

/* The space from the options; 0 or 2 after printing why. */
static int make_space(struct space *s, const struct explore_opts *x) {
  if (model.ncomps > MAX_EXPLORE) {
    warnx_("%zu libraries; explore handles at most %d", model.ncomps,
           MAX_EXPLORE);
    return 2;
  }
  space_init(s, &model);
  s->mechs = (1u << NMECH) - 1;
  s->hards = (1u << NHARD) - 1;
  if (x->mechs && parse_list(x->mechs, mech_names, NMECH, &s->mechs,
                             "mechanism (none, intel-pku, vm-ept)"))
    return 2;
  if (x->hards && parse_list(x->hards, hardening_names, NHARD, &s->hards,
                             "hardening option (stack-protector, ubsan, none)"))
    return 2;
  if (!s->mechs) {
    warnx_("--mechanisms lists no mechanism");
    return 2;
  }
  s->max_comps = x->max_comps > 0 && x->max_comps < s->n ? (int)x->max_comps
                                                         : s->n;
  s->def = 0;
  if (x->def && (s->def = model_find(&model, x->def)) < 0) {
    warnx_("--default %s: no such component", x->def);
    return 2;
  }
  return 0;
}

/* Writes every configuration's flexos.yaml into x->work. */
static int emit_all(const struct space *s, const struct configs *cs,
                    const char *dir) {
  char path[4096], id[ID_MAX];
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    warnx_("%s: cannot create: %s", dir, strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < cs->n; i++) {
    config_id(s, &cs->v[i], id, sizeof id);
    snprintf(path, sizeof path, "%s/config-%zu.yaml", dir, i + 1);
    if (write_yaml_file(s, &cs->v[i], path, id) != 0)
      return -1;
  }
  fprintf(stderr, "flexos: wrote %zu configurations to %s/config-N.yaml\n",
          cs->n, dir);
  return 0;
}

static int write_outputs(struct report *r, const struct explore_opts *x) {
  int rc = 0;
  if (x->dot) {
    FILE *f = strcmp(x->dot, "-") ? fopen(x->dot, "w") : stdout;
    if (!f) {
      warnx_("%s: cannot write: %s", x->dot, strerror(errno));
      return 2;
    }
    report_dot(r, f);
    if (f != stdout && fclose(f) != 0)
      rc = 2;
  }
  if (x->svg && report_svg(r, x->svg) != 0)
    rc = 2;
  if (x->dot && !strcmp(x->dot, "-"))
    return rc;   /* stdout holds the diagram */
  if (x->json)
    report_json(r, stdout);
  else
    report_table(r, stdout);
  return rc;
}

static int cmd_explore(int argc, char **argv) {
  struct explore_opts x;
  struct space s;
  struct report r;
  struct configs cs = {0};
  int rc = parse_explore(argc, argv, &x);
  if (rc)
    return rc < 0 ? 0 : rc;
  if ((rc = load_model(argv + optind, argc - optind)) ||
      (rc = make_space(&s, &x)))
    return rc;
  memset(&r, 0, sizeof r);
  r.s = &s;
  double t0 = now_s();
  space_count(&s, &r.partitions, &r.count);
  r.count_s = now_s() - t0;
  if (x.count_only) {
    x.json ? report_json(&r, stdout) : report_table(&r, stdout);
    return 0;
  }
  if ((double)r.count > x.limit || space_list(&s, (size_t)x.limit, &cs)) {
    report_table(&r, stderr);
    warnx_("%llu configurations are more than --limit %.0f; narrow the space "
           "(--max-compartments, --mechanisms, --hardening), raise --limit, "
           "or only --count", (unsigned long long)r.count, x.limit);
    return 1;
  }
  r.cs = &cs;
  if (x.results && csv_read(&s, &cs, x.results) < 0)
    return 2;
  if (x.emit && emit_all(&s, &cs, x.work) != 0)
    return 2;
  if (x.bench) {
    int failed = measure_run(&s, &cs, x.bench, x.work);
    if (failed < 0)
      return 2;
    rc = failed ? 1 : 0;
  }
  if (x.save && csv_write(&s, &cs, x.save) != 0)
    return 2;
  char *starred = NULL;
  if (x.has_budget) {
    starred = xmalloc(cs.n ? cs.n : 1);
    r.nstarred = select_budget(&cs, x.budget, starred);
    r.starred = starred;
    r.has_budget = 1;
    r.budget = x.budget;
  }
  size_t *edges = NULL;
  if ((x.dot || x.svg) && cs.n > HASSE_MAX) {
    warnx_("%zu configurations: too many for a Hasse diagram (at most %d); "
           "narrow the space", cs.n, HASSE_MAX);
    return 1;
  }
  if (x.dot || x.svg || (x.json && cs.n <= HASSE_AUTO)) {
    r.nedges = hasse(&cs, &edges);
    r.edges = edges;
  }
  int out = write_outputs(&r, &x);
  free(edges);
  free(starred);
  free(cs.v);
  return out > rc ? out : rc;
}

/* flexos CMD ARGS for the commands that are programs of their own
 * (port, share): execs flexos-CMD ARGS from this program's directory. */
static int exec_sibling(const char *cmd, char **argv) {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
  char *slash = n > 0 ? (path[n] = 0, strrchr(path, '/')) : NULL;
  if (!slash) {
    warnx_("%s: cannot find this program's directory (/proc/self/exe)", cmd);
    return 2;
  }
  snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "flexos-%s", cmd);
  argv[0] = path;
  execv(path, argv);
  warnx_("%s: cannot run %s: %s; build it (target flexos-%s)", cmd, path,
         strerror(errno), cmd);
  return 2;
}

int main(int argc, char **argv) {
  int rc;
  if (argc < 2) {
    fputs(main_usage, stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help")) {
    fputs(main_usage, stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("flexos %s\n", FLEXOS_VERSION);
    return 0;
  }
  if (!strcmp(argv[1], "port"))
    return exec_sibling("port", argv + 1);
  if (!strcmp(argv[1], "share"))
    return exec_sibling("share", argv + 1);
  if (!strcmp(argv[1], "check")) {
    rc = cmd_check(argc - 1, argv + 1);
  } else if (!strcmp(argv[1], "explore")) {
    rc = cmd_explore(argc - 1, argv + 1);
  } else {
    warnx_("unknown command '%s'", argv[1]);
    fputs(main_usage, stderr);
    return 2;
  }
  model_free(&model);
  return rc;
}
