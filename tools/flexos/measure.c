/*
 * FILE: tools/flexos/measure.c
 * DESCRIPTION:
 *   Scores for `flexos explore`: runs a benchmark command once per
 *   configuration (with that configuration's flexos.yaml in
 *   $FLEXOS_CONFIG, and as $1), shows progress on stderr, and reads and
 *   writes CSV files of "configuration,score" so that measurements can be
 *   reused without rebuilding anything.
 * USAGE:
 *   measure_run(&s, &cs, "make -s bench", "/tmp/work", 0)
 * License: MIT (see LICENSE)
 */
#define _POSIX_C_SOURCE 200809L
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Parses exactly one number, blanks around it allowed. */
static int one_number(const char *s, double *v) {
  char *end;
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  errno = 0;
  *v = strtod(s, &end);
  if (end == s || errno == ERANGE || !isfinite(*v))
    return -1;
  while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
    end++;
  return *end ? -1 : 0;
}

int write_yaml_file(const struct space *s, const struct config *c,
                    const char *path, const char *comment) {
  FILE *f = fopen(path, "w");
  if (!f) {
    warnx_("%s: cannot write: %s", path, strerror(errno));
    return -1;
  }
  config_write_yaml(s, c, f, comment);
  if (fclose(f) != 0) {
    warnx_("%s: write error: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* Runs cmd through sh with FLEXOS_CONFIG=yaml and "$1" = yaml; stores its
 * output in buf.  Returns the exit status, or -1 when it did not exit. */
static int run_cmd(const char *cmd, const char *yaml, char *buf, size_t n) {
  char *const argv[] = {"/bin/sh", "-c", (char *)cmd, "flexos-bench", (char *)yaml,
                        NULL};
  int fd;
  int pid = spawn_reading(argv, "FLEXOS_CONFIG", yaml, NULL, &fd);
  size_t got = 0;
  ssize_t r;
  char sink[512];
  while ((r = read(fd, got + 1 < n ? buf + got : sink,
                   got + 1 < n ? n - 1 - got : sizeof sink)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    if (got + 1 < n)
      got += (size_t)r;
  }
  buf[got] = 0;
  close(fd);
  return wait_exit(pid);
}

static void progress(size_t i, size_t n, double t0) {
  double el = now_s() - t0;
  double left = i ? el / (double)i * (double)(n - i) : 0;
  fprintf(stderr, "flexos: measured %zu of %zu, %.1f s elapsed, about "
          "%.1f s left\n", i, n, el, left);
}

int measure_run(const struct space *s, struct configs *cs, const char *cmd,
                const char *dir) {
  char path[4096], id[ID_MAX], out[4096];
  int failures = 0;
  double t0 = now_s();
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    die("%s: cannot create: %s", dir, strerror(errno));
  for (size_t i = 0; i < cs->n; i++) {
    struct config *c = &cs->v[i];
    config_id(s, c, id, sizeof id);
    snprintf(path, sizeof path, "%s/config-%zu.yaml", dir, i + 1);
    if (write_yaml_file(s, c, path, id) != 0)
      return -1;
    int st = run_cmd(cmd, path, out, sizeof out);
    double v;
    if (st != 0) {
      warnx_("%s: benchmark exited with status %d; left unmeasured", path, st);
      failures++;
    } else if (one_number(out, &v) != 0) {
      size_t len = strlen(out);
      while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = 0;
      warnx_("%s: benchmark printed '%.60s', not one number; left "
             "unmeasured", path, out);
      failures++;
    } else {
      c->score = v;
      c->measured = 1;
    }
    progress(i + 1, cs->n, t0);
  }
  return failures;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

struct keyed {
  uint64_t hash;
  size_t i;
};

static int by_hash(const void *pa, const void *pb) {
  const struct keyed *a = pa, *b = pb;
  return a->hash < b->hash ? -1 : a->hash > b->hash;
}

/* Index of the configuration whose id is `id`, or -1: a sorted table of
 * id hashes, each candidate confirmed by comparing the text. */
static long find_id(const struct space *s, const struct configs *cs,
                    const struct keyed *tab, const char *id) {
  char buf[ID_MAX];
  struct keyed key = {fnv1a(id), 0};
  size_t lo = 0, hi = cs->n;
  while (lo < hi) {   /* first entry with hash >= key.hash */
    size_t mid = lo + (hi - lo) / 2;
    if (by_hash(&tab[mid], &key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < cs->n && tab[lo].hash == key.hash; lo++) {
    config_id(s, &cs->v[tab[lo].i], buf, sizeof buf);
    if (!strcmp(buf, id))
      return (long)tab[lo].i;
  }
  return -1;
}

int csv_read(const struct space *s, struct configs *cs, const char *path) {
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    warnx_("%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  char id[ID_MAX];
  struct keyed *tab = xmalloc((cs->n ? cs->n : 1) * sizeof *tab);
  for (size_t i = 0; i < cs->n; i++) {
    config_id(s, &cs->v[i], id, sizeof id);
    tab[i] = (struct keyed){fnv1a(id), i};
  }
  qsort(tab, cs->n, sizeof *tab, by_hash);
  int lineno = 0, rc = 0, matched = 0;
  for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
    lineno++;
    nl = strchr(p, '\n');
    if (nl)
      *nl = 0;
    char *comma = strrchr(p, ',');
    double v;
    if (!*p || (lineno == 1 && !strncmp(p, "configuration,", 14)))
      continue;
    if (!comma || one_number(comma + 1, &v) != 0) {
      fprintf(stderr, "%s:%d: error: expected 'configuration,score'\n", path,
              lineno);
      rc = -1;
      break;
    }
    *comma = 0;
    long i = find_id(s, cs, tab, p);
    if (i < 0) {
      fprintf(stderr, "%s:%d: warning: '%s' is not among the enumerated "
              "configurations; ignored\n", path, lineno, p);
      continue;
    }
    cs->v[i].score = v;
    cs->v[i].measured = 1;
    matched++;
  }
  free(tab);
  free(text);
  return rc ? rc : matched;
}

int csv_write(const struct space *s, const struct configs *cs,
              const char *path) {
  FILE *f = fopen(path, "w");
  char id[ID_MAX];
  if (!f) {
    warnx_("%s: cannot write: %s", path, strerror(errno));
    return -1;
  }
  fprintf(f, "configuration,score\n");
  for (size_t i = 0; i < cs->n; i++) {
    if (!cs->v[i].measured)
      continue;
    config_id(s, &cs->v[i], id, sizeof id);
    fprintf(f, "%s,%.17g\n", id, cs->v[i].score);
  }
  return fclose(f) == 0 ? 0 : -1;
}
