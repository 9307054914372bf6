/*
 * FILE: tools/flexos/parse.c
 * DESCRIPTION:
 *   Lexer and recursive-descent parser of the component property language
 *   (grammar in docs/properties.md).  The first error in a file stops that
 *   file: it prints "FILE:LINE:COL: error: expected ..., found ..." and
 *   longjmps back to props_parse.  Everything the parser allocates lives in
 *   the model's arena, so the jump leaks nothing.  Any byte sequence is
 *   valid input; the fuzz target (fuzz.c) holds the parser to that.
 * USAGE:
 *   props_parse(&model, "uksched.flexos", text, len, stderr)
 * License: MIT (see LICENSE)
 */
#include "props.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

enum tok {
  T_EOF, T_IDENT, T_STRING, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN,
  T_COMMA, T_SEMI, T_STAR, T_COLONCOLON, T_ELLIPSIS, T_GE
};

struct parser {
  struct model *m;
  const char *file;
  const char *s;      /* the text; may contain NUL bytes */
  size_t len, pos;
  int line, col;      /* of s[pos] */
  enum tok t;         /* current token */
  const char *tstart;
  size_t tlen;
  struct loc tloc;
  FILE *err;
  jmp_buf fail;
};

static void fail(struct parser *p, struct loc l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

static void fail(struct parser *p, struct loc l, const char *fmt, ...) {
  va_list ap;
  fprintf(p->err, "%s:%d:%d: error: ", l.file, l.line, l.col);
  va_start(ap, fmt);
  vfprintf(p->err, fmt, ap);
  va_end(ap);
  fputc('\n', p->err);
  longjmp(p->fail, 1);
}

static struct loc here(const struct parser *p) {
  struct loc l = {p->file, p->line, p->col};
  return l;
}

static void advance_char(struct parser *p) {
  if (p->s[p->pos] == '\n') {
    p->line++;
    p->col = 1;
  } else {
    p->col++;
  }
  p->pos++;
}

/* Skips blanks and comments ('#' or '//' to the end of the line). */
static void skip_space(struct parser *p) {
  while (p->pos < p->len) {
    char c = p->s[p->pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v') {
      advance_char(p);
    } else if (c == '#' ||
               (c == '/' && p->pos + 1 < p->len && p->s[p->pos + 1] == '/')) {
      while (p->pos < p->len && p->s[p->pos] != '\n')
        advance_char(p);
    } else {
      break;
    }
  }
}

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

static void lex_ident(struct parser *p) {
  while (p->pos < p->len) {
    unsigned char c = (unsigned char)p->s[p->pos];
    /* '-' joins words (stack-protector, intel-pku) only before a letter
     * or digit, so "a-" stays an error at the '-'. */
    if (is_ident_char(c) ||
        (c == '-' && p->pos + 1 < p->len &&
         is_ident_char((unsigned char)p->s[p->pos + 1])))
      advance_char(p);
    else
      break;
  }
  p->t = T_IDENT;
  if (p->pos - (size_t)(p->tstart - p->s) > MAX_NAME)
    fail(p, p->tloc, "name longer than %d characters", MAX_NAME);
}

static void lex_string(struct parser *p) {
  advance_char(p); /* the opening quote */
  while (p->pos < p->len && p->s[p->pos] != '"') {
    if (p->s[p->pos] == '\n')
      fail(p, p->tloc, "unterminated string (a description ends on its line)");
    if (p->s[p->pos] == '\\' && p->pos + 1 < p->len && p->s[p->pos + 1] != '\n')
      advance_char(p);
    advance_char(p);
  }
  if (p->pos >= p->len)
    fail(p, p->tloc, "unterminated string at end of file");
  advance_char(p);
  p->t = T_STRING;
}

/* Single-character tokens. */
static const struct {
  char c;
  enum tok t;
} punct[] = {{'[', T_LBRACK}, {']', T_RBRACK}, {'(', T_LPAREN},
             {')', T_RPAREN}, {',', T_COMMA},  {';', T_SEMI},
             {'*', T_STAR}};

static void next(struct parser *p) {
  skip_space(p);
  p->tloc = here(p);
  p->tstart = p->s + p->pos;
  if (p->pos >= p->len) {
    p->t = T_EOF;
    p->tlen = 0;
    return;
  }
  unsigned char c = (unsigned char)p->s[p->pos];
  if (is_ident_start(c)) {
    lex_ident(p);
  } else if (c == '"') {
    lex_string(p);
  } else if (c == ':' && p->pos + 1 < p->len && p->s[p->pos + 1] == ':') {
    advance_char(p);
    advance_char(p);
    p->t = T_COLONCOLON;
  } else if (c == '>' && p->pos + 1 < p->len && p->s[p->pos + 1] == '=') {
    advance_char(p);
    advance_char(p);
    p->t = T_GE;
  } else if (c == '.' && p->len - p->pos >= 3 &&
             !memcmp(p->s + p->pos, "...", 3)) {
    advance_char(p), advance_char(p), advance_char(p);
    p->t = T_ELLIPSIS;
  } else {
    size_t i;
    for (i = 0; i < sizeof punct / sizeof punct[0]; i++)
      if (punct[i].c == (char)c)
        break;
    if (i == sizeof punct / sizeof punct[0]) {
      if (isprint(c))
        fail(p, p->tloc, "unexpected character '%c'", c);
      fail(p, p->tloc, "unexpected byte 0x%02x", c);
    }
    advance_char(p);
    p->t = punct[i].t;
  }
  p->tlen = (size_t)(p->s + p->pos - p->tstart);
}

/* Describes the current token for "found ..." in messages. */
static const char *found(struct parser *p, char *buf, size_t n) {
  switch (p->t) {
  case T_EOF:
    return "end of file";
  case T_IDENT:
    snprintf(buf, n, "'%.*s'", (int)p->tlen, p->tstart);
    return buf;
  case T_STRING:
    return "a string";
  default:
    snprintf(buf, n, "'%.*s'", (int)p->tlen, p->tstart);
    return buf;
  }
}

static void expected(struct parser *p, const char *what)
    __attribute__((noreturn));
static void expected(struct parser *p, const char *what) {
  char buf[MAX_NAME + 8];
  fail(p, p->tloc, "expected %s, found %s", what, found(p, buf, sizeof buf));
}

static int is_word(const struct parser *p, const char *w) {
  return p->t == T_IDENT && p->tlen == strlen(w) &&
         !memcmp(p->tstart, w, p->tlen);
}

static void expect(struct parser *p, enum tok t, const char *what) {
  if (p->t != t)
    expected(p, what);
  next(p);
}

static char *take_ident(struct parser *p, const char *what) {
  if (p->t != T_IDENT || is_word(p, "component"))
    expected(p, what);
  char *s = arena_strndup(&p->m->arena, p->tstart, p->tlen);
  next(p);
  return s;
}

/* True at the end of a section: the next section, component or file. */
static int at_section_end(const struct parser *p) {
  return p->t == T_EOF || p->t == T_LBRACK || is_word(p, "component");
}

/* After a list item: consumes one ',' or ';' and says whether another
 * item follows.  A trailing separator before the end is allowed. */
static int more_items(struct parser *p) {
  if (p->t != T_COMMA && p->t != T_SEMI)
    return 0;
  next(p);
  return !at_section_end(p);
}

static void add_comp(struct parser *p, struct regions *r, char *name) {
  *PUSH(&p->m->arena, r->comps, r->ncomps, r->capcomps) = name;
}

/* region = "Own" | "Shared" | "*" | component-name */
static void parse_region(struct parser *p, struct regions *r) {
  if (p->t == T_STAR) {
    r->any = 1;
    next(p);
  } else if (is_word(p, "Own")) {
    r->own = 1;
    next(p);
  } else if (is_word(p, "Shared")) {
    r->shared = 1;
    next(p);
  } else {
    add_comp(p, r, take_ident(p, "Own, Shared, '*' or a component name"));
  }
}

/* access = ("Read" | "Write") "(" region { "," region } ")" */
static void parse_access(struct parser *p, struct component *c) {
  struct regions *r;
  if (is_word(p, "Read"))
    r = &c->read;
  else if (is_word(p, "Write"))
    r = &c->write;
  else
    expected(p, "Read(...) or Write(...)");
  if (!r->loc.line)
    r->loc = p->tloc;
  next(p);
  expect(p, T_LPAREN, "'('");
  parse_region(p, r);
  while (p->t == T_COMMA) {
    next(p);
    parse_region(p, r);
  }
  expect(p, T_RPAREN, "',' or ')'");
}

/* call = "*" | component "::" ( function | "*" ) */
static void parse_call(struct parser *p, struct component *c) {
  struct call *k = PUSH(&p->m->arena, c->calls, c->ncalls, c->capcalls);
  k->loc = p->tloc;
  if (p->t == T_STAR) {
    next(p);
    return;
  }
  k->comp = take_ident(p, "'*' or component::function");
  expect(p, T_COLONCOLON, "'::' (calls are written component::function)");
  if (p->t == T_STAR)
    next(p);
  else
    k->fn = take_ident(p, "a function name or '*'");
}

/* api = function [ "(" anything-balanced ")" ] */
static void parse_api(struct parser *p, struct component *c) {
  struct arena *a = &p->m->arena;
  size_t n = c->napi;
  *PUSH(a, c->api, c->napi, c->capapi) = NULL;
  size_t nl = n;
  *PUSH(a, c->api_loc, nl, c->capapi_loc) = p->tloc;
  c->api[n] = take_ident(p, "a function name");
  if (p->t != T_LPAREN)
    return;
  struct loc open = p->tloc;
  int depth = 0;
  do {
    if (p->t == T_LPAREN)
      depth++;
    else if (p->t == T_RPAREN)
      depth--;
    else if (p->t == T_EOF || p->t == T_LBRACK)
      fail(p, open, "unbalanced '(' in the parameters of '%s'", c->api[n]);
    next(p);
  } while (depth > 0);
}

/* req = ("*" | component) "(" ( ("Read"|"Write") "," region {"," region}
 *                              | "Call" "," fn {"," fn} ) ")"
 *       [ ">=" ( "intel-pku" | "vm-ept" ) ] */
static void parse_req(struct parser *p, struct component *c) {
  struct req *r = PUSH(&p->m->arena, c->reqs, c->nreqs, c->capreqs);
  r->loc = p->tloc;
  if (p->t == T_STAR)
    next(p);
  else
    r->subject = take_ident(p, "'*' or a component name");
  expect(p, T_LPAREN, "'(' (requirements are written *(Write, Shared))");
  if (is_word(p, "Read"))
    r->kind = REQ_READ;
  else if (is_word(p, "Write"))
    r->kind = REQ_WRITE;
  else if (is_word(p, "Call"))
    r->kind = REQ_CALL;
  else
    expected(p, "Read, Write or Call");
  next(p);
  r->allowed.declared = 1;
  r->allowed.loc = r->loc;
  do {
    expect(p, T_COMMA, "','");
    if (r->kind != REQ_CALL) {
      parse_region(p, &r->allowed);
    } else if (p->t == T_STAR) {
      r->any_fn = 1;
      next(p);
    } else {
      *PUSH(&p->m->arena, r->fns, r->nfns, r->capfns) =
          take_ident(p, "a function name or '*'");
    }
  } while (p->t == T_COMMA);
  expect(p, T_RPAREN, "',' or ')'");
  /* Extension: ">= MECHANISM", how strongly a component that breaks the
   * requirement must be separated (default: by any mechanism but none). */
  if (p->t == T_GE) {
    next(p);
    if (is_word(p, "intel-pku"))
      r->min_mech = MECH_PKU;
    else if (is_word(p, "vm-ept"))
      r->min_mech = MECH_EPT;
    else
      expected(p, "intel-pku or vm-ept after '>='");
    next(p);
  }
}

static void parse_hardening(struct parser *p, struct component *c) {
  for (int i = 0; i < NHARD; i++) {
    if (is_word(p, hardening_names[i])) {
      c->hardening |= 1u << i;
      next(p);
      return;
    }
  }
  expected(p, "stack-protector or ubsan");
}

enum section { S_MEMORY, S_CALL, S_API, S_REQUIRES, S_HARDENING, NSECTION };
static const char *const section_names[NSECTION] = {
    "Memory access", "Call", "API", "Requires", "Hardening"};

/* "[" words "]": returns the section, compared without case and with runs
 * of blanks as one space. */
static enum section parse_section_name(struct parser *p) {
  struct loc at = p->tloc;
  char name[64] = "";
  size_t n = 0;
  next(p);
  while (p->t == T_IDENT) {
    if (n + p->tlen + 2 >= sizeof name)
      fail(p, at, "unknown section; expected [Memory access], [Call], "
                  "[API], [Requires] or [Hardening]");
    if (n)
      name[n++] = ' ';
    memcpy(name + n, p->tstart, p->tlen);
    n += p->tlen;
    name[n] = 0;
    next(p);
  }
  for (int s = 0; s < NSECTION; s++) {
    if (!strcasecmp(name, section_names[s])) {
      expect(p, T_RBRACK, "']'");
      return (enum section)s;
    }
  }
  if (p->t != T_RBRACK)
    expected(p, "a section name and ']'");
  fail(p, at, "unknown section [%s]; expected [Memory access], [Call], "
              "[API], [Requires] or [Hardening]", name);
}

static void parse_section(struct parser *p, struct component *c,
                          struct loc *seen) {
  struct loc at = p->tloc;
  enum section s = parse_section_name(p);
  if (seen[s].line)
    fail(p, at, "second [%s] section in component '%s' (the first is at "
                "line %d)", section_names[s], c->name, seen[s].line);
  seen[s] = at;
  if (s == S_MEMORY) {
    /* Declaring the section says: nothing beyond what it lists. */
    c->read.declared = c->write.declared = 1;
  } else if (s == S_CALL) {
    c->calls_declared = 1;
    c->calls_loc = at;
  } else if (s == S_HARDENING) {
    c->hardening_loc = at;
  }
  if (!at_section_end(p)) {
    do {
      switch (s) {
      case S_MEMORY: parse_access(p, c); break;
      case S_CALL: parse_call(p, c); break;
      case S_API: parse_api(p, c); break;
      case S_REQUIRES: parse_req(p, c); break;
      case S_HARDENING: parse_hardening(p, c); break;
      case NSECTION: break;
      }
    } while (more_items(p));
  }
  /* An empty section is allowed: it reads, calls or exports nothing. */
  if (!at_section_end(p))
    expected(p, "',' or ';' between items, or the next [section]");
  if (s == S_MEMORY) {
    /* Messages point at the first Read(...)/Write(...), else the header. */
    if (!c->read.loc.line)
      c->read.loc = at;
    if (!c->write.loc.line)
      c->write.loc = at;
  }
}

/* component = "component" name [ string ] { section } */
static void parse_component(struct parser *p) {
  struct model *m = p->m;
  if (!is_word(p, "component"))
    expected(p, "'component'");
  if (m->ncomps >= MAX_COMPONENTS)
    fail(p, p->tloc, "more than %d components", MAX_COMPONENTS);
  struct component *c = PUSH(&m->arena, m->comps, m->ncomps, m->capcomps);
  c->loc = p->tloc;
  next(p);
  struct loc at = p->tloc;
  c->name = take_ident(p, "a component name");
  /* Names become compartment, section and symbol names: identifiers. */
  if (strchr(c->name, '-'))
    fail(p, at, "component name '%s' is not an identifier (letters, digits "
                "and '_')", c->name);
  if (!strcmp(c->name, "runtime"))
    fail(p, at, "component name 'runtime' is reserved: it is the kernel "
                "runtime, always in the default compartment (docs/config.md)");
  if (p->t == T_STRING) {
    /* Keep the text between the quotes; escapes stay as written. */
    c->desc = arena_strndup(&m->arena, p->tstart + 1, p->tlen - 2);
    next(p);
  }
  struct loc seen[NSECTION];
  memset(seen, 0, sizeof seen);
  while (p->t == T_LBRACK)
    parse_section(p, c, seen);
  if (p->t != T_EOF && !is_word(p, "component"))
    expected(p, "a [section], 'component' or end of file");
}

int props_parse(struct model *m, const char *file, const char *text,
                size_t len, FILE *err) {
  struct parser p;
  memset(&p, 0, sizeof p);
  p.m = m;
  p.file = arena_strdup(&m->arena, file);
  p.s = text;
  p.len = len;
  p.line = p.col = 1;
  p.err = err;
  if (setjmp(p.fail))
    return -1;
  next(&p);
  while (p.t != T_EOF)
    parse_component(&p);
  return 0;
}
