/*
 * FILE: tools/share/share.c
 * DESCRIPTION:
 *   flexos-share (`flexos share`): turns the report of a record run
 *   (FLEXOS_RECORD=FILE, platform/linux/record.c) into sharing decisions
 *   that the build consumes (-fplugin-arg-flexos-shares=FILE):
 *     global NAME compartment=COMP   NAME, defined in a library of COMP,
 *                                    goes to the shared section
 *     alloc FUNCTION FILE:LINE       the malloc/calloc/realloc call at
 *                                    FILE:LINE in FUNCTION is served from
 *                                    the shared heap
 *   An allocation is logged by the return address of its call; this tool
 *   finds the call's function and source line with llvm-symbolizer
 *   (llvm-symbolizer-19, llvm-symbolizer, else addr2line; or
 *   --symbolizer / FLEXOS_SYMBOLIZER) in the program named by the report
 *   (or --program), which needs debug information (-g).  It prints each
 *   decision and each access it could not place, with the reason.
 *   A kernel image prints its report on the console (boot option
 *   flexos.record, runtime/services/record.c): REPORT may be that console log,
 *   whose report lines sit between `flexos-record-begin` and
 *   `flexos-record-end`, each behind `flexos-record: ` (other lines are
 *   ignored).  An image names globals by address (`global 0xADDR
 *   last=0xADDR`): their names come from the symbol table of the image's
 *   ELF (--program IMAGE.elf; linked at fixed addresses, no load bias),
 *   as do the functions of faulting instructions given as addresses.
 *   docs/porting-record.md has both formats.
 *   Exit status: 0 decisions written (unplaceable accesses are listed,
 *   not errors), 1 the output or the symbolizer failed, 2 bad usage or a
 *   malformed report (FILE:LINE: message).
 * USAGE:
 *   flexos share REPORT [-o SHARES] [--program EXE] [--symbolizer PROG]
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
    "usage: flexos share REPORT [-o SHARES] [--program EXE] [--symbolizer PROG]\n"
    "  REPORT             what a record run wrote (FLEXOS_RECORD=REPORT ./program),\n"
    "                     or the console log of an image booted with flexos.record\n"
    "  -o, --output FILE  write the shares file there (default: standard output;\n"
    "                     the decisions then go to standard error)\n"
    "  --program EXE      the recorded program (default: the report's 'program' line);\n"
    "                     for an image, its ELF (IMAGE.elf)\n"
    "  --symbolizer PROG  llvm-symbolizer or addr2line (default: FLEXOS_SYMBOLIZER,\n"
    "                     else llvm-symbolizer-19, llvm-symbolizer, addr2line)\n"
    "  Build with -fplugin-arg-flexos-shares=SHARES; docs/porting-record.md.\n";

/* One report line worth keeping. */
struct entry {
  enum { E_GLOBAL, E_ALLOC, E_UNPLACED } kind;
  char *name;                    /* global: symbol (or 0xADDR); unplaced: its kind */
  int by_addr;                   /* global of an image: lo..hi, names from the ELF */
  unsigned long lo, hi;
  unsigned long pc, stack[3];    /* alloc: the call's return address, callers */
  char *site;                    /* alloc: SYM+OFF as the runtime saw it */
  char *owner, *from, *access, *first, *addr;
  unsigned long long count;
  int line;
  /* filled by symbolize() */
  char *func, *file;
  int src_line;
  char *first_func, *first_file; /* first-pc given as 0xPC (images) */
  int first_line;
};

static struct entry *entries;
static size_t nentries, cap;
static const char *report_path;
static FILE *info; /* where decisions go */

static void fail(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fail(int status, const char *fmt, ...) {
  va_list ap;
  fputs("flexos share: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(status);
}

static void bad(int line, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void bad(int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: malformed line: ", report_path, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static char *xstrdup(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d)
    fail(1, "out of memory");
  return d;
}

/* Splits line into whitespace-separated words (in place). */
static int words(char *line, char **w, int max) {
  int n = 0;
  for (char *t = strtok(line, " \t\r\n"); t; t = strtok(0, " \t\r\n"))
    if (n < max)
      w[n++] = t;
    else
      return max + 1;
  return n;
}

/* The value of key=VALUE among w[from..n), or NULL. */
static char *value(char **w, int from, int n, const char *key) {
  size_t k = strlen(key);
  for (int i = from; i < n; i++)
    if (!strncmp(w[i], key, k) && w[i][k] == '=')
      return w[i] + k + 1;
  return 0;
}

static int is_name(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!(*s == '_' || *s == '.' || *s == '$' || (*s >= '0' && *s <= '9') ||
          (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
      return 0;
  return 1;
}

static int parse_hex(const char *s, unsigned long *out) {
  char *end;
  if (strncmp(s, "0x", 2))
    return 0;
  errno = 0;
  *out = strtoul(s + 2, &end, 16);
  return !errno && end != s + 2 && !*end;
}

static int parse_count(const char *s, unsigned long long *out) {
  char *end;
  if (!s || !*s || *s == '-')
    return 0;
  errno = 0;
  *out = strtoull(s, &end, 10);
  return !errno && !*end;
}

/* Keys every access line has; checked, then the entry filled. */
static void common(struct entry *e, char **w, int n, int line, const char *shape) {
  e->owner = value(w, 2, n, "owner");
  e->from = value(w, 2, n, "accessed-by");
  char *count = value(w, 2, n, "count");
  if (!e->owner || !*e->owner || !e->from || !*e->from || !parse_count(count, &e->count))
    bad(line, "%s", shape);
  for (int i = 2; i < n; i++)
    if (!strchr(w[i], '='))
      bad(line, "'%s' is not KEY=VALUE; %s", w[i], shape);
  e->owner = xstrdup(e->owner);
  e->from = xstrdup(e->from);
  e->access = xstrdup(value(w, 2, n, "access"));
  e->first = xstrdup(value(w, 2, n, "first-pc"));
  e->addr = xstrdup(value(w, 2, n, "addr"));
  e->line = line;
}

static const char *const unplaced_kinds[] = {"stack", "heap", "key0", "unknown"};

static char *program;
static unsigned long long dropped;

/* An image's report on its console (runtime/services/record.c). */
#define BEGIN_MARK "flexos-record-begin"
#define END_MARK "flexos-record-end"
#define LINE_PREFIX "flexos-record: "

static struct entry *new_entry(void) {
  if (nentries == cap) {
    cap = cap ? 2 * cap : 64;
    entries = realloc(entries, cap * sizeof *entries);
    if (!entries)
      fail(1, "out of memory");
  }
  struct entry *e = &entries[nentries];
  memset(e, 0, sizeof *e);
  return e;
}

static void parse_global(struct entry *e, char **w, int n, int line) {
  static const char shape[] =
      "'global' wants NAME owner=COMPARTMENT accessed-by=COMPARTMENTS count=N "
      "(an image's: 0xADDR ... last=0xADDR)";
  if (n < 2)
    bad(line, "%s", shape);
  e->kind = E_GLOBAL;
  if (!strncmp(w[1], "0x", 2)) { /* an image's: by address, named from the ELF */
    if (!parse_hex(w[1], &e->lo))
      bad(line, "%s", shape);
    e->hi = e->lo;
    char *last = value(w, 2, n, "last");
    if (last && (!parse_hex(last, &e->hi) || e->hi < e->lo))
      bad(line, "last=%s: want 0xADDR, at or above %s", last, w[1]);
    e->by_addr = 1;
  } else if (!is_name(w[1])) {
    bad(line, "%s", shape);
  }
  e->name = xstrdup(w[1]);
  common(e, w, n, line, shape);
}

static void parse_alloc(struct entry *e, char **w, int n, int line) {
  static const char shape[] =
      "'alloc' wants 0xPC owner=COMPARTMENT accessed-by=COMPARTMENTS count=N";
  if (n < 2 || !parse_hex(w[1], &e->pc) || !e->pc)
    bad(line, "%s", shape);
  e->kind = E_ALLOC;
  common(e, w, n, line, shape);
  e->site = xstrdup(value(w, 2, n, "site"));
  char *st = value(w, 2, n, "stack");
  if (st) {
    char sc[256];
    snprintf(sc, sizeof sc, "%s", st);
    int k = 0;
    for (char *t = strtok(sc, ","); t && k < 3; t = strtok(0, ","), k++)
      if (!parse_hex(t, &e->stack[k]))
        bad(line, "stack=%s: want 0xPC,0xPC,0xPC", st);
  }
}

static void parse_unplaced(struct entry *e, char **w, int n, int line) {
  static const char shape[] = "'unplaced' wants KIND (stack, heap, key0 or unknown) "
                              "owner=COMPARTMENT accessed-by=COMPARTMENTS count=N";
  int known = 0;
  for (size_t k = 0; n >= 2 && k < sizeof unplaced_kinds / sizeof *unplaced_kinds; k++)
    known |= !strcmp(w[1], unplaced_kinds[k]);
  if (!known)
    bad(line, "%s", shape);
  e->kind = E_UNPLACED;
  e->name = xstrdup(w[1]);
  common(e, w, n, line, shape);
}

/* One line of a report (no comment, not blank); *header: the
 * 'flexos-record 1' line was seen. */
static void parse_line(const char *p, int line, int *header) {
  if (!*header) {
    if (strcmp(p, "flexos-record 1"))
      bad(line, "not a flexos record report: the first line must be 'flexos-record 1' "
                "(FLEXOS_RECORD=FILE writes one; docs/porting-record.md)");
    *header = 1;
    return;
  }
  if (!strncmp(p, "program ", 8)) {
    free(program);
    program = xstrdup(p + 8);
    return;
  }
  char copy[4096];
  if (strlen(p) >= sizeof copy)
    bad(line, "longer than %zu bytes", sizeof copy - 1);
  memcpy(copy, p, strlen(p) + 1);
  char *w[16];
  int n = words(copy, w, 16);
  if (n > 16)
    bad(line, "too many words");
  if (!strcmp(w[0], "dropped")) {
    unsigned long long d;
    if (n != 2 || !parse_count(w[1], &d))
      bad(line, "'dropped' wants a count");
    dropped += d;
    return;
  }
  struct entry *e = new_entry();
  if (!strcmp(w[0], "global"))
    parse_global(e, w, n, line);
  else if (!strcmp(w[0], "alloc"))
    parse_alloc(e, w, n, line);
  else if (!strcmp(w[0], "unplaced"))
    parse_unplaced(e, w, n, line);
  else
    bad(line, "unknown record '%s'; a report has flexos-record, program, global, alloc, "
              "unplaced and dropped lines",
        w[0]);
  nentries++;
}

static char *trimmed(char *buf) {
  size_t len = strlen(buf);
  while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = 0;
  return buf + strspn(buf, " \t");
}

/* Is f an image's console log (a line BEGIN_MARK)?  Rewinds f. */
static int console_log(FILE *f) {
  char *buf = 0;
  size_t size = 0;
  int found = 0;
  while (!found && getline(&buf, &size, f) >= 0)
    found = !strcmp(trimmed(buf), BEGIN_MARK);
  free(buf);
  rewind(f);
  return found;
}

/* In a console log: the report line behind LINE_PREFIX inside a
 * begin/end block, or NULL for every other line (markers are taken). */
static const char *console_line(const char *p, int line, int *in_block, int *header) {
  if (!strcmp(p, BEGIN_MARK)) {
    if (*in_block)
      bad(line, BEGIN_MARK " inside a report: the report before has no " END_MARK);
    *in_block = 1;
    *header = 0;
    return 0;
  }
  if (!strcmp(p, END_MARK)) {
    if (!*in_block)
      bad(line, END_MARK " without " BEGIN_MARK);
    if (!*header)
      bad(line, "a report without its 'flexos-record 1' line");
    *in_block = 0;
    return 0;
  }
  if (!*in_block || strncmp(p, LINE_PREFIX, strlen(LINE_PREFIX)))
    return 0; /* the image's own output */
  return p + strlen(LINE_PREFIX) + strspn(p + strlen(LINE_PREFIX), " \t");
}

/* A report file, or a console log holding one or more reports. */
static void parse_report(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    fail(2, "cannot read %s: %s", path, strerror(errno));
  int console = console_log(f);
  char *buf = 0;
  size_t size = 0;
  int line = 0, header = 0, in_block = 0;
  while (getline(&buf, &size, f) >= 0) {
    line++;
    const char *p = trimmed(buf);
    if (console && !(p = console_line(p, line, &in_block, &header)))
      continue;
    if (!*p || *p == '#')
      continue;
    parse_line(p, line, &header);
  }
  free(buf);
  if (ferror(f))
    fail(2, "cannot read %s: %s", path, strerror(errno));
  fclose(f);
  if (console && in_block)
    fail(2, "%s: the report has no '" END_MARK "' line: the console log is cut short "
            "(did the image reach its exit?)",
         path);
  if (!header)
    fail(2, "%s: empty: no 'flexos-record 1' line (is it a record report?)", path);
}

/* ---- allocation sites: function and source line -------------------------- */

static int on_path(const char *prog) {
  if (strchr(prog, '/'))
    return access(prog, X_OK) == 0;
  const char *path = getenv("PATH");
  char dir[4096];
  while (path && *path) {
    size_t n = strcspn(path, ":");
    snprintf(dir, sizeof dir, "%.*s/%s", (int)n, path, prog);
    if (n && access(dir, X_OK) == 0)
      return 1;
    path += n + (path[n] == ':');
  }
  return 0;
}

static char *strip(char *s) {
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = 0;
  return s;
}

static int numeric(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

/* FILE:LINE:COL (llvm-symbolizer) or FILE:LINE[ (discriminator N)]
 * (addr2line) into file and line; "??" or 0 when unknown. */
static void split_location(const char *loc, char **file, int *line) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", loc);
  char *d = strstr(tmp, " (discriminator");
  if (d)
    *d = 0;
  *line = 0;
  char *last = strrchr(tmp, ':');
  if (last && numeric(last + 1)) {
    *last = 0;
    char *prev = strrchr(tmp, ':');
    if (prev && numeric(prev + 1)) { /* FILE:LINE:COL */
      *prev = 0;
      *line = atoi(prev + 1);
    } else {
      *line = atoi(last + 1);
    }
  }
  *file = xstrdup(tmp);
}

/* One address for the symbolizer and where its answer goes. */
struct sym_req {
  unsigned long addr;
  char **func, **file;
  int *line;
};

/* The program must be readable; why, for the message. */
static void need_program(const char *why) {
  if (!program || !*program)
    fail(1, "%s has no 'program' line: name the recorded program with --program", report_path);
  if (access(program, R_OK) != 0)
    fail(1, "cannot read the recorded program %s (%s): %s; name it with --program%s", program,
         strerror(errno), why,
         strchr(program, '/') ? "" : " (an image's report names the image: give IMAGE.elf)");
}

/* Runs tool on the program for every request, fills their answers. */
static void run_symbolizer(const char *tool, struct sym_req *req, size_t nreq) {
  const char *base = strrchr(tool, '/') ? strrchr(tool, '/') + 1 : tool;
  int addr2line = strstr(base, "addr2line") != 0;
  char **argv = calloc(nreq + 6, sizeof *argv);
  char **addrs = calloc(nreq, sizeof *addrs);
  if (!argv || !addrs)
    fail(1, "out of memory");
  int a = 0;
  char obj[4200];
  argv[a++] = (char *)tool;
  if (addr2line) {
    argv[a++] = "-f";
    argv[a++] = "-e";
    argv[a++] = program;
  } else {
    snprintf(obj, sizeof obj, "--obj=%s", program);
    argv[a++] = obj;
  }
  for (size_t k = 0; k < nreq; k++) {
    if (asprintf(&addrs[k], "0x%lx", req[k].addr) < 0)
      fail(1, "out of memory");
    argv[a++] = addrs[k];
  }
  argv[a] = 0;
  int fd[2];
  if (pipe(fd) != 0)
    fail(1, "pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0)
    fail(1, "fork: %s", strerror(errno));
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    execvp(tool, argv);
    fprintf(stderr, "flexos share: cannot run %s: %s\n", tool, strerror(errno));
    _exit(127);
  }
  close(fd[1]);
  FILE *out = fdopen(fd[0], "r");
  char *buf = 0;
  size_t size = 0;
  for (size_t k = 0; k < nreq; k++) {
    char *fn = 0, *loc = 0;
    if (getline(&buf, &size, out) >= 0)
      fn = xstrdup(strip(buf));
    if (getline(&buf, &size, out) >= 0)
      loc = xstrdup(strip(buf));
    if (!addr2line) /* inlined frames follow the innermost one, then a blank line */
      while (getline(&buf, &size, out) >= 0 && *strip(buf))
        ;
    if (!fn || !loc)
      break;
    *req[k].func = fn;
    split_location(loc, req[k].file, req[k].line);
    free(loc);
  }
  free(buf);
  fclose(out);
  int status;
  if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail(1, "%s failed on %s (exit status %d)", tool, program,
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  for (size_t k = 0; k < nreq; k++)
    free(addrs[k]);
  free(addrs);
  free(argv);
}

/* Allocation sites (required) and, with_first, faulting instructions
 * the report gives as 0xPC (an image's: it has no symbols of its own). */
static void symbolize(const char *tool, int with_first) {
  struct sym_req *req = calloc(2 * nentries + 1, sizeof *req);
  size_t nreq = 0, nalloc = 0;
  if (!req)
    fail(1, "out of memory");
  for (size_t i = 0; i < nentries; i++) {
    struct entry *e = &entries[i];
    unsigned long pc;
    if (e->kind == E_ALLOC) /* the call instruction ends at the return address */
      req[nreq++] = (struct sym_req){e->pc - 1, &e->func, &e->file, &e->src_line};
    nalloc += e->kind == E_ALLOC;
    if (with_first && parse_hex(e->first, &pc) && pc)
      req[nreq++] = (struct sym_req){pc, &e->first_func, &e->first_file, &e->first_line};
  }
  if (nalloc)
    need_program("allocation sites are found in its debug information");
  if (nreq)
    run_symbolizer(tool, req, nreq);
  for (size_t i = 0; i < nentries; i++)
    if (entries[i].kind == E_ALLOC && !entries[i].func)
      fail(1, "%s gave no answer for 0x%lx", tool, entries[i].pc - 1);
  free(req);
}

/* ---- globals of an image: names from the ELF's symbol table --------------- */

struct dsym {
  unsigned long addr, size;
  const char *name;
};
static struct dsym *dsyms;
static size_t ndsyms;

static int dsym_cmp(const void *x, const void *y) {
  const struct dsym *p = x, *q = y;
  return p->addr < q->addr ? -1 : p->addr > q->addr;
}

static int in_file(size_t size, unsigned long off, unsigned long len) {
  return off <= size && len <= size - off;
}

/* The whole file, or exit 1. */
static unsigned char *read_all(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    fail(1, "cannot read %s: %s", path, strerror(errno));
  unsigned char *data = 0;
  size_t n = 0, cap = 0, got;
  do {
    if (n == cap && !(data = realloc(data, cap = cap ? 2 * cap : 1 << 20)))
      fail(1, "out of memory");
    got = fread(data + n, 1, cap - n, f);
    n += got;
  } while (got);
  if (ferror(f))
    fail(1, "cannot read %s: %s", path, strerror(errno));
  fclose(f);
  *size = n;
  return data;
}

/* The data objects (STT_OBJECT, with a size) of the program's .symtab. */
static void load_data_symbols(void) {
  need_program("the report names globals by address, which its symbol table turns into names");
  size_t size;
  unsigned char *elf = read_all(program, &size);
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
  if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
      !in_file(size, eh->e_shoff, (unsigned long)eh->e_shnum * sizeof(Elf64_Shdr)))
    fail(1, "%s is not a 64-bit ELF file: give the image's ELF with --program", program);
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
  for (unsigned i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
      continue;
    const Elf64_Shdr *str = &sh[sh[i].sh_link];
    if (!in_file(size, sh[i].sh_offset, sh[i].sh_size) ||
        !in_file(size, str->sh_offset, str->sh_size))
      fail(1, "%s: a symbol table outside the file", program);
    const Elf64_Sym *sym = (const Elf64_Sym *)(elf + sh[i].sh_offset);
    size_t nsym = sh[i].sh_size / sizeof *sym;
    dsyms = realloc(dsyms, (ndsyms + nsym + 1) * sizeof *dsyms);
    if (!dsyms)
      fail(1, "out of memory");
    for (size_t k = 0; k < nsym; k++)
      if (ELF64_ST_TYPE(sym[k].st_info) == STT_OBJECT && sym[k].st_size &&
          sym[k].st_shndx != SHN_UNDEF && sym[k].st_name < str->sh_size &&
          memchr(elf + str->sh_offset + sym[k].st_name, 0, str->sh_size - sym[k].st_name))
        dsyms[ndsyms++] = (struct dsym){sym[k].st_value, sym[k].st_size,
                                        xstrdup((const char *)elf + str->sh_offset +
                                                sym[k].st_name)};
  }
  free(elf);
  if (!ndsyms)
    fail(1, "%s has no symbol table with data objects (was it stripped?)", program);
  qsort(dsyms, ndsyms, sizeof *dsyms, dsym_cmp);
}

/* ---- decisions ------------------------------------------------------------ */

struct share {
  int global;
  const char *a, *b; /* global: name, compartment; alloc: function, file */
  int line;
};

static int share_cmp(const void *x, const void *y) {
  const struct share *p = x, *q = y;
  if (p->global != q->global)
    return q->global - p->global; /* globals first */
  int c = strcmp(p->global ? p->a : p->b, q->global ? q->a : q->b);
  if (c)
    return c;
  if (p->line != q->line)
    return p->line - q->line;
  return strcmp(p->global ? p->b : p->a, q->global ? q->b : q->a);
}

static const char *reason(const struct entry *e) {
  if (!strcmp(e->name, "stack"))
    return "stack memory cannot be moved by the build: mark the variable "
           "__attribute__((flexos_share)) (a shared local) or pass a buffer from "
           "flexos_malloc_shared";
  if (!strcmp(e->name, "heap"))
    return "a heap block whose allocation was not logged (made before record mode "
           "started, or the allocation log was full)";
  if (!strcmp(e->name, "key0"))
    return "key-0 memory (libc's or the runtime's own data) is writable only by the "
           "default compartment: reach it through a gate into the default compartment";
  return "memory of a compartment without a symbol for it";
}

static void describe(FILE *f, const struct entry *e) {
  const char *how = !strcmp(e->access, "read")    ? "read"
                    : !strcmp(e->access, "write") ? "written"
                    : *e->access                  ? "read and written"
                                                  : "accessed";
  fprintf(f, "%s by %s, %llu fault%s, first at ", how, e->from, e->count,
          e->count == 1 ? "" : "s");
  if (e->first_func && strcmp(e->first_func, "??")) {
    const char *file = strrchr(e->first_file, '/') ? strrchr(e->first_file, '/') + 1
                                                   : e->first_file;
    fprintf(f, "%s (%s:%d)", e->first_func, file, e->first_line);
  }
  else
    fputs(*e->first ? e->first : "?", f);
}

static struct share *shares;
static size_t nshares, shares_cap, unplaced;

static void add_share(struct share s) {
  for (size_t j = 0; j < nshares; j++)
    if (!share_cmp(&shares[j], &s))
      return;
  if (nshares == shares_cap) {
    shares_cap = shares_cap ? 2 * shares_cap : 64;
    shares = realloc(shares, shares_cap * sizeof *shares);
    if (!shares)
      fail(1, "out of memory");
  }
  shares[nshares++] = s;
}

static void share_global(const struct entry *e, const char *name) {
  add_share((struct share){1, name, e->owner, 0});
  fprintf(info, "share: global %s (compartment %s): ", name, e->owner);
  describe(info, e);
  fputc('\n', info);
}

/* An image's global lo..hi: every data object of the ELF it overlaps. */
static void decide_global_by_addr(const struct entry *e) {
  int found = 0;
  for (size_t k = 0; k < ndsyms && dsyms[k].addr <= e->hi; k++)
    if (dsyms[k].addr + dsyms[k].size > e->lo) {
      share_global(e, dsyms[k].name);
      found = 1;
    }
  if (found)
    return;
  fprintf(info, "cannot place: data of %s at %s ", e->owner, e->name);
  describe(info, e);
  fprintf(info, ": no data object there in %s's symbol table (the runtime's own data, "
                "or a section without symbols)\n",
          program);
  unplaced++;
}

static void decide_global(const struct entry *e) {
  if (!strcmp(e->owner, "shared") || !strcmp(e->owner, "key0")) {
    fprintf(info, "cannot place: global %s (%s) ", e->name, e->owner);
    describe(info, e);
    fprintf(info, ": not a compartment's global\n");
    unplaced++;
  } else if (e->by_addr) {
    decide_global_by_addr(e);
  } else {
    share_global(e, e->name);
  }
}

static void decide_alloc(const struct entry *e) {
  int known = e->func && strcmp(e->func, "??") && e->file && strcmp(e->file, "??") &&
              e->src_line > 0;
  if (!known) {
    fprintf(info, "cannot place: heap block of %s allocated at %s (0x%lx) ", e->owner,
            *e->site ? e->site : "?", e->pc);
    describe(info, e);
    fprintf(info, ": no source line for the allocating call (compile its library with -g;"
                  " an allocation inside libc, such as strdup's, cannot be moved: "
                  "call flexos_malloc_shared there)");
    if (e->stack[1])
      fprintf(info, "; called from 0x%lx%s", e->stack[1], e->stack[2] ? " and above" : "");
    fputc('\n', info);
    unplaced++;
    return;
  }
  add_share((struct share){0, e->func, e->file, e->src_line});
  fprintf(info, "share: alloc %s %s:%d (heap of %s): ", e->func, e->file, e->src_line,
          e->owner);
  describe(info, e);
  fputc('\n', info);
}

static void decide_unplaced(const struct entry *e) {
  if (!strcmp(e->name, "key0"))
    fprintf(info, "cannot place: key-0 data ");
  else
    fprintf(info, "cannot place: %s of %s ", e->name, e->owner);
  describe(info, e);
  if (*e->addr)
    fprintf(info, " (address %s)", e->addr);
  fprintf(info, ": %s\n", reason(e));
  unplaced++;
}

/* Symbolizer and symbol table, as the entries need them. */
static void resolve(const char *tool) {
  int need = 0, by_addr = 0, hex_first = 0;
  unsigned long pc;
  for (size_t i = 0; i < nentries; i++) {
    need |= entries[i].kind == E_ALLOC;
    by_addr |= entries[i].by_addr;
    hex_first |= parse_hex(entries[i].first, &pc);
  }
  if (need && !tool)
    fail(1, "no llvm-symbolizer or addr2line on PATH: allocation sites need one "
            "(--symbolizer PROG)");
  if (by_addr)
    load_data_symbols();
  /* Faulting instructions given as addresses are named when the program
   * is at hand anyway; never a reason to fail. */
  int with_first = hex_first && tool && program && access(program, R_OK) == 0;
  if (need || with_first)
    symbolize(tool, with_first);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"output", required_argument, 0, 'o'},
      {"program", required_argument, 0, 'p'},
      {"symbolizer", required_argument, 0, 's'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0},
  };
  const char *output = 0, *tool = getenv("FLEXOS_SYMBOLIZER"), *prog_opt = 0;
  int o;
  while ((o = getopt_long(argc, argv, "o:h", opts, 0)) != -1) {
    switch (o) {
    case 'o': output = optarg; break;
    case 'p': prog_opt = optarg; break;
    case 's': tool = optarg; break;
    case 'h': fputs(usage, stdout); return 0;
    default: fputs(usage, stderr); return 2;
    }
  }
  if (optind != argc - 1) {
    fputs(usage, stderr);
    return 2;
  }
  report_path = argv[optind];
  info = output ? stdout : stderr;
  parse_report(report_path);
  if (prog_opt) {
    free(program);
    program = xstrdup(prog_opt);
  }
  if (!tool || !*tool) {
    static const char *const tools[] = {"llvm-symbolizer-19", "llvm-symbolizer", "addr2line"};
    tool = 0;
    for (size_t i = 0; i < 3 && !tool; i++)
      if (on_path(tools[i]))
        tool = tools[i];
  }
  resolve(tool);

  for (size_t i = 0; i < nentries; i++) {
    const struct entry *e = &entries[i];
    if (e->kind == E_GLOBAL)
      decide_global(e);
    else if (e->kind == E_ALLOC)
      decide_alloc(e);
    else
      decide_unplaced(e);
  }
  if (dropped) {
    fprintf(info, "cannot place: %llu faults that the runtime could not record (its table "
                  "was full): run again after applying these shares\n",
            dropped);
    unplaced++;
  }
  if (nshares)
    qsort(shares, nshares, sizeof *shares, share_cmp);

  char tmp[4200];
  FILE *f = stdout;
  if (output) {
    snprintf(tmp, sizeof tmp, "%s.tmp", output);
    f = fopen(tmp, "w");
    if (!f)
      fail(1, "cannot write %s: %s", tmp, strerror(errno));
  }
  fprintf(f, "# flexos shares, by `flexos share %s` (docs/porting-record.md)\n", report_path);
  fprintf(f, "# global NAME compartment=COMP: NAME, defined in COMP, goes to the shared section\n");
  fprintf(f, "# alloc FUNCTION FILE:LINE: that malloc/calloc/realloc call uses the shared heap\n");
  size_t nglobals = 0;
  for (size_t i = 0; i < nshares; i++) {
    if (shares[i].global) {
      nglobals++;
      fprintf(f, "global %s compartment=%s\n", shares[i].a, shares[i].b);
    } else {
      fprintf(f, "alloc %s %s:%d\n", shares[i].a, shares[i].b, shares[i].line);
    }
  }
  if (output) {
    if (fflush(f) != 0 || ferror(f) || fclose(f) != 0 || rename(tmp, output) != 0) {
      unlink(tmp);
      fail(1, "cannot write %s: %s", output, strerror(errno));
    }
  } else if (fflush(f) != 0) {
    fail(1, "cannot write the shares: %s", strerror(errno));
  }
  fprintf(info, "flexos share: %zu share%s (%zu global%s, %zu allocation site%s)%s%s; %zu "
                "access%s could not be placed\n",
          nshares, nshares == 1 ? "" : "s", nglobals, nglobals == 1 ? "" : "s",
          nshares - nglobals, nshares - nglobals == 1 ? "" : "s", output ? " written to " : "",
          output ? output : "", unplaced, unplaced == 1 ? "" : "es");
  return 0;
}
