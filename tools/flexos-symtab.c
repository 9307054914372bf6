/*
 * FILE: tools/flexos-symtab.c
 * DESCRIPTION:
 *   Writes an image's symbol and line table (include/flexos/symtab.h), the
 *   bytes of section .flexos_symtab, from the text output of
 *   `llvm-nm -n --defined-only --print-size IMAGE` (functions: types T, t,
 *   W) and `llvm-dwarfdump --debug-line IMAGE` (rows address/line/file,
 *   each unit's file_names).  Consecutive rows of one file and line are
 *   merged; an end_sequence row becomes line 0.  tools/flexos-link-scan.sh
 *   runs it between the image's two links.
 * USAGE:
 *   flexos-symtab --nm NM.txt --lines DWARFDUMP.txt -o symtab.bin
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flexos/symtab.h"

struct vec {
  void *data;
  size_t n, cap, elem;
};

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "flexos-symtab: error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n");
  exit(1);
}

static void *vec_push(struct vec *v) {
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 256;
    v->data = realloc(v->data, v->cap * v->elem);
    if (!v->data)
      die("out of memory%s", "");
  }
  return (char *)v->data + v->n++ * v->elem;
}

/* The string pool, each string once. */
static struct vec pool = {.elem = 1};
static struct vec pool_index = {.elem = sizeof(uint32_t)};

static uint32_t intern(const char *s) {
  uint32_t *idx = pool_index.data;
  for (size_t i = 0; i < pool_index.n; i++)
    if (!strcmp((char *)pool.data + idx[i], s))
      return idx[i];
  uint32_t off = (uint32_t)pool.n;
  for (const char *p = s;; p++) {
    *(char *)vec_push(&pool) = *p;
    if (!*p)
      break;
  }
  *(uint32_t *)vec_push(&pool_index) = off;
  return off;
}

static struct vec funcs = {.elem = sizeof(struct flexos_symtab_func)};
static struct vec lines = {.elem = sizeof(struct flexos_symtab_line)};
static struct vec files = {.elem = sizeof(uint32_t)}; /* string offsets */

static uint32_t file_index(const char *name) {
  uint32_t off = intern(name);
  uint32_t *f = files.data;
  for (size_t i = 0; i < files.n; i++)
    if (f[i] == off)
      return (uint32_t)i;
  *(uint32_t *)vec_push(&files) = off;
  return (uint32_t)(files.n - 1);
}

static FILE *open_or_die(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    die("cannot read %s", path);
  return f;
}

/* "ADDR SIZE TYPE NAME" or "ADDR TYPE NAME" (no size). */
static void read_nm(const char *path) {
  FILE *f = open_or_die(path);
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char a[32], b[32], c[32], name[512];
    uint64_t addr, size = 0;
    char type;
    int n = sscanf(line, "%31s %31s %31s %511s", a, b, c, name);
    if (n == 4 && strlen(c) == 1) {
      type = c[0];
      size = strtoull(b, NULL, 16);
    } else if (n >= 3 && strlen(b) == 1) {
      type = b[0];
      snprintf(name, sizeof name, "%s", c);
    } else {
      continue;
    }
    if (type != 'T' && type != 't' && type != 'W')
      continue;
    addr = strtoull(a, NULL, 16);
    struct flexos_symtab_func *fn = vec_push(&funcs);
    fn->addr = addr;
    fn->size = size > UINT32_MAX ? 0 : (uint32_t)size;
    fn->name = intern(name);
  }
  free(line);
  fclose(f);
}

/* One unit's file_names, by the index its rows use. */
static uint32_t unit_files[4096];
static size_t unit_nfiles;

static void add_row(uint64_t addr, uint32_t line, uint32_t file) {
  struct flexos_symtab_line *prev =
      lines.n ? (struct flexos_symtab_line *)lines.data + lines.n - 1 : NULL;
  if (prev && prev->line == line && prev->file == file && prev->addr <= addr)
    return;
  struct flexos_symtab_line *l = vec_push(&lines);
  l->addr = addr;
  l->line = line;
  l->file = file;
}

static void read_lines(const char *path) {
  FILE *f = open_or_die(path);
  char *line = NULL;
  size_t cap = 0;
  long pending = -1; /* file_names[N] whose name comes next */
  while (getline(&line, &cap, f) > 0) {
    char *p = line + strspn(line, " ");
    long idx;
    char name[1024];
    if (!strncmp(p, "debug_line[", 11)) {
      unit_nfiles = 0;
      pending = -1;
    } else if (sscanf(p, "file_names[ %ld]:", &idx) == 1) {
      pending = idx;
    } else if (pending >= 0 && sscanf(p, "name: \"%1023[^\"]\"", name) == 1) {
      if (pending < (long)(sizeof unit_files / sizeof unit_files[0])) {
        unit_files[pending] = file_index(name);
        if ((size_t)pending >= unit_nfiles)
          unit_nfiles = (size_t)pending + 1;
      }
      pending = -1;
    } else if (!strncmp(p, "0x", 2)) {
      uint64_t addr;
      unsigned ln, col, file;
      if (sscanf(p, "0x%" SCNx64 " %u %u %u", &addr, &ln, &col, &file) != 4)
        continue;
      if (strstr(p, "end_sequence"))
        add_row(addr, 0, 0);
      else if (file < unit_nfiles)
        add_row(addr, ln, unit_files[file]);
    }
  }
  free(line);
  fclose(f);
}

static int by_func_addr(const void *a, const void *b) {
  const struct flexos_symtab_func *x = a, *y = b;
  return (x->addr > y->addr) - (x->addr < y->addr);
}

static int by_line_addr(const void *a, const void *b) {
  const struct flexos_symtab_line *x = a, *y = b;
  if (x->addr != y->addr)
    return (x->addr > y->addr) - (x->addr < y->addr);
  return (x->line != 0) - (y->line != 0); /* an end before a start */
}

static void put(FILE *o, const void *p, size_t n) {
  if (n && fwrite(p, 1, n, o) != n)
    die("write error%s", "");
}

static void write_table(const char *path) {
  qsort(funcs.data, funcs.n, funcs.elem, by_func_addr);
  qsort(lines.data, lines.n, lines.elem, by_line_addr);
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *o = fopen(tmp, "wb");
  if (!o)
    die("cannot write %s", tmp);
  struct flexos_symtab_header h;
  memcpy(h.magic, FLEXOS_SYMTAB_MAGIC, sizeof h.magic);
  h.nfuncs = (uint32_t)funcs.n;
  h.nlines = (uint32_t)lines.n;
  h.nfiles = (uint32_t)files.n;
  h.strings_size = (uint32_t)pool.n;
  put(o, &h, sizeof h);
  put(o, funcs.data, funcs.n * funcs.elem);
  put(o, lines.data, lines.n * lines.elem);
  put(o, files.data, files.n * files.elem);
  static const char zeros[8];
  put(o, zeros, (files.n * files.elem) % 8 ? 8 - (files.n * files.elem) % 8 : 0);
  put(o, pool.data, pool.n);
  if (fclose(o) != 0 || rename(tmp, path) != 0)
    die("cannot write %s", path);
}

int main(int argc, char **argv) {
  const char *nm = NULL, *dd = NULL, *out = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: flexos-symtab --nm NM.txt --lines DWARFDUMP.txt -o symtab.bin\n"
             "  NM.txt: llvm-nm -n --defined-only --print-size IMAGE\n"
             "  DWARFDUMP.txt: llvm-dwarfdump --debug-line IMAGE\n"
             "Writes the image's fault-report symbol table (include/flexos/symtab.h)\n"
             "as the bytes of section .flexos_symtab.\n");
      return 0;
    }
    if (i + 1 >= argc)
      die("%s needs a value (see --help)", argv[i]);
    if (!strcmp(argv[i], "--nm"))
      nm = argv[++i];
    else if (!strcmp(argv[i], "--lines"))
      dd = argv[++i];
    else if (!strcmp(argv[i], "-o"))
      out = argv[++i];
    else
      die("unknown argument '%s' (see --help)", argv[i]);
  }
  if (!nm || !dd || !out)
    die("needs --nm, --lines and -o (see --help)%s", "");
  read_nm(nm);
  read_lines(dd);
  write_table(out);
  return 0;
}
