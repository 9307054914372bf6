/*
 * FILE: tools/port/config.c
 * DESCRIPTION:
 *   The configuration side of flexos-port.  config_read() runs
 *   `flexos-config --list FILE` (the plugin's own parser, so the file is
 *   checked exactly as the build checks it) and keeps compartments and
 *   libraries.  config_write() writes a skeleton (one intel-pku
 *   compartment per library, the first caller's the default) through a
 *   temporary file, so a failure never leaves half a file, and without
 *   --force never replaces an existing one.
 * USAGE:
 *   config_read("flexos.yaml", NULL, &cfg); config_write(path, 0, libs, n)
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PKU_COMPARTMENTS 14   /* docs/config.md */

/* Starts TOOL --list PATH with its stdout on *fd; returns its pid or -1. */
static pid_t spawn_list(const char *tool, const char *path, int *fd) {
  int p[2];
  if (pipe(p) != 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execlp(tool, tool, "--list", path, (char *)NULL);
    fprintf(stderr, "flexos-port: cannot run %s: %s; build it (target "
            "flexos-config) or pass --flexos-config PATH\n", tool,
            strerror(errno));
    _exit(127);
  }
  close(p[1]);
  *fd = p[0];
  if (pid < 0)
    close(p[0]);
  return pid;
}

static void add_line(struct config *cfg, const char *line) {
  char a[256], b[256];
  int idx;
  if (sscanf(line, "compartment %d %255s %255s", &idx, a, b) == 3) {
    struct comp *c = PUSH(cfg->comps, cfg->ncomps, cfg->capcomps);
    c->name = xstrdup(a);
    c->mech = xstrdup(b);
  } else if (sscanf(line, "library %255s %255s", a, b) == 2) {
    struct cfglib *l = PUSH(cfg->libs, cfg->nlibs, cfg->caplibs);
    l->name = xstrdup(a);
    l->comp = xstrdup(b);
  }
}

/* Where flexos-config is: --flexos-config, next to this program, $PATH. */
static const char *find_tool(const char *given) {
  static char buf[4096];
  const char *dir = self_dir();
  if (given)
    return given;
  if (dir) {
    snprintf(buf, sizeof buf, "%s/flexos-config", dir);
    if (access(buf, X_OK) == 0)
      return buf;
  }
  return "flexos-config";
}

int config_read(const char *path, const char *tool, struct config *cfg) {
  int fd, st;
  memset(cfg, 0, sizeof *cfg);
  cfg->path = path;
  if (access(path, R_OK) != 0) {
    warn_("--config %s: %s", path, strerror(errno));
    return 2;
  }
  tool = find_tool(tool);
  pid_t pid = spawn_list(tool, path, &fd);
  if (pid < 0) {
    warn_("cannot start %s: %s", tool, strerror(errno));
    return 2;
  }
  FILE *f = fdopen(fd, "r");
  char line[1024];
  while (f && fgets(line, sizeof line, f))
    add_line(cfg, line);
  f ? fclose(f) : close(fd);
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return 2;
  if (!WIFEXITED(st) || WEXITSTATUS(st) == 127)
    return 2;
  return WEXITSTATUS(st) ? 1 : 0;   /* 1: rejected, its messages printed */
}

const char *config_comp_of(const struct config *cfg, const char *lib) {
  for (size_t i = 0; i < cfg->nlibs; i++)
    if (!strcmp(cfg->libs[i].name, lib))
      return cfg->libs[i].comp;
  return NULL;
}

const char *config_mech_of(const struct config *cfg, const char *comp) {
  for (size_t i = 0; i < cfg->ncomps; i++)
    if (!strcmp(cfg->comps[i].name, comp))
      return cfg->comps[i].mech;
  return NULL;
}

static void write_skeleton(FILE *f, const struct lib *libs, size_t nlibs) {
  size_t def = nlibs > 1 ? 1 : 0;
  fprintf(f, "# flexos configuration skeleton, written by flexos port for "
             "library %s\n# (docs/config.md): one intel-pku compartment per "
             "library; the default\n# compartment (runtime, libc) is %s's.\n",
          libs[0].name, libs[def].name);
  fputs("compartments:\n", f);
  for (size_t i = 0; i < nlibs; i++) {
    size_t l = i == 0 ? def : i == def ? 0 : i;   /* the default first */
    fprintf(f, "  - name: %s\n    mechanism: intel-pku\n", libs[l].name);
    if (l == def)
      fputs("    default: true\n", f);
  }
  fputs("libraries:\n", f);
  for (size_t i = 0; i < nlibs; i++)
    fprintf(f, "  %s: %s\n", libs[i].name, libs[i].name);
}

/* Writes into a temporary file next to PATH; returns its name or NULL. */
static char *write_temp(const char *path, const struct lib *libs,
                        size_t nlibs) {
  char *tmp = xasprintf("%s.tmp.XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    warn_("--write-config %s: cannot create a file there: %s", path,
          strerror(errno));
    free(tmp);
    return NULL;
  }
  FILE *f = fdopen(fd, "w");
  if (f) {
    write_skeleton(f, libs, nlibs);
    fflush(f);
  }
  int bad = !f || ferror(f) || fsync(fd) != 0;
  int err = errno;
  if ((f ? fclose(f) : close(fd)) != 0 || bad) {
    warn_("--write-config %s: write failed: %s", path, strerror(err));
    unlink(tmp);
    free(tmp);
    return NULL;
  }
  return tmp;
}

int config_write(const char *path, int force, const struct lib *libs,
                 size_t nlibs) {
  if (nlibs > MAX_PKU_COMPARTMENTS) {
    warn_("--write-config: %zu libraries need %zu intel-pku compartments; "
          "at most %d fit (16 keys)", nlibs, nlibs, MAX_PKU_COMPARTMENTS);
    return 2;
  }
  char *tmp = write_temp(path, libs, nlibs);
  if (!tmp)
    return 2;
  int rc = 0;
  if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
    if (errno == EEXIST)
      warn_("--write-config %s: the file exists; give --force to replace it",
            path);
    else
      warn_("--write-config %s: %s", path, strerror(errno));
    rc = 2;
  }
  if (!force || rc)
    unlink(tmp);   /* after link(), or after a failure */
  free(tmp);
  if (rc == 0)
    fprintf(stderr, "flexos-port: wrote %s\n", path);
  return rc;
}
