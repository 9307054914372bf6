/*
 * FILE: tools/port/scan.c
 * DESCRIPTION:
 *   Parses every given source with libclang (flags from -p's
 *   compile_commands.json and/or after --) and records, for the code of
 *   each source's main file: function and global definitions, direct
 *   calls, and references to functions and globals together with where
 *   each ends up (called, passed to a call, returned, stored).  Error
 *   diagnostics are printed as file:line:col.  The signatures of the
 *   ported library's exported functions are read by sig.c.
 * USAGE:
 *   scan_all(libs, nlibs, &flags, &facts)  -> number of errors (0: none)
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

/* One cursor on the way down, with its position among its siblings. */
struct frame {
  CXCursor c;
  struct frame *up;
  unsigned index;
};

struct walk {
  struct facts *fx;
  int lib;
  const char *func;         /* enclosing function definition */
  int func_external;
  struct frame *top;
  unsigned next_index;
  struct filecache fc;
};

static char *str(CXString s) {
  char *r = xstrdup(clang_getCString(s) ? clang_getCString(s) : "");
  clang_disposeString(s);
  return r;
}

char *cursor_usr(CXCursor c) { return str(clang_getCursorUSR(c)); }
char *cursor_name(CXCursor c) { return str(clang_getCursorSpelling(c)); }

/* The printed path of a file, cached per translation unit. */
static const char *file_path(struct filecache *fc, CXFile f) {
  for (size_t i = 0; i < fc->n; i++)
    if (clang_File_isEqual(fc->file[i], f))
      return fc->path[i];
  char *real = str(clang_File_tryGetRealPathName(f));
  if (!*real) {
    free(real);
    real = absolute_path(clang_getCString(clang_getFileName(f)));
  }
  if (fc->n < FILECACHE) {
    fc->file[fc->n] = f;
    fc->path[fc->n] = display_path(real);
    return fc->path[fc->n++];
  }
  return display_path(real);
}

struct loc make_loc(struct filecache *fc, CXSourceLocation l) {
  struct loc r = {"<unknown>", 0, 0};
  CXFile f;
  clang_getExpansionLocation(l, &f, &r.line, &r.col, NULL);
  if (f)
    r.file = file_path(fc, f);
  return r;
}

/* A declaration in a system header, or a builtin (no file). */
int in_system_header(CXCursor decl) {
  CXSourceLocation l = clang_getCursorLocation(decl);
  CXFile f;
  clang_getExpansionLocation(l, &f, NULL, NULL, NULL);
  return !f || clang_Location_isInSystemHeader(l);
}

static enum CXChildVisitResult first_visit(CXCursor c, CXCursor p,
                                           CXClientData d) {
  (void)p;
  *(CXCursor *)d = c;
  return CXChildVisit_Break;
}

static CXCursor first_child(CXCursor c) {
  CXCursor r = clang_getNullCursor();
  clang_visitChildren(c, first_visit, &r);
  return r;
}

static int is_array(CXType t) {
  enum CXTypeKind k = clang_getCanonicalType(t).kind;
  return k == CXType_ConstantArray || k == CXType_IncompleteArray ||
         k == CXType_VariableArray || k == CXType_DependentSizedArray;
}

static int is_local_var(CXCursor decl) {
  enum CXCursorKind k = clang_getCursorKind(decl);
  return k == CXCursor_ParmDecl ||
         (k == CXCursor_VarDecl && !clang_Cursor_hasVarDeclGlobalStorage(decl));
}

/* The target of "LHS = value": a local variable itself, a global, or
 * memory reached through a pointer (a parameter's or another's). */
static enum use store_target(CXCursor lhs) {
  int through = 0;
  for (;;) {
    enum CXCursorKind k = clang_getCursorKind(lhs);
    if (k == CXCursor_DeclRefExpr) {
      CXCursor d = clang_getCursorReferenced(lhs);
      if (through)
        return USE_STORE_OUT;
      return is_local_var(d) ? USE_STORE_LOCAL : USE_STORE_GLOBAL;
    }
    if (k == CXCursor_MemberRefExpr || k == CXCursor_ArraySubscriptExpr) {
      CXCursor base = first_child(lhs);
      if (clang_getCanonicalType(clang_getCursorType(base)).kind ==
          CXType_Pointer)
        through = 1;
      lhs = base;
    } else if (k == CXCursor_UnaryOperator) {
      through = 1;
      lhs = first_child(lhs);
    } else if (k == CXCursor_ParenExpr || k == CXCursor_UnexposedExpr ||
               k == CXCursor_CStyleCastExpr) {
      CXCursor inner = first_child(lhs);
      /* a decayed array is the array itself, not a pointer */
      if (clang_getCursorKind(inner) == CXCursor_DeclRefExpr &&
          is_array(clang_getCursorType(inner)))
        through = 0;
      lhs = inner;
    } else {
      return USE_STORE_OUT;
    }
    if (clang_Cursor_isNull(lhs))
      return USE_STORE_OUT;
  }
}

/* The function a call names, also through parentheses ("(fn)(args)", as
 * flexos_gate expands without the plugin); a null cursor when the call
 * goes through a pointer. */
static CXCursor call_target(CXCursor call) {
  CXCursor d = clang_getCursorReferenced(call);
  if (!clang_Cursor_isNull(d))
    return clang_getCursorKind(d) == CXCursor_FunctionDecl ? d
                                                           : clang_getNullCursor();
  CXCursor c = first_child(call);
  while (clang_getCursorKind(c) == CXCursor_UnexposedExpr ||
         clang_getCursorKind(c) == CXCursor_ParenExpr)
    c = first_child(c);
  if (clang_getCursorKind(c) != CXCursor_DeclRefExpr)
    return clang_getNullCursor();
  d = clang_getCursorReferenced(c);
  return clang_getCursorKind(d) == CXCursor_FunctionDecl ? d
                                                         : clang_getNullCursor();
}

static void callee_info(CXCursor call, struct ref *r) {
  CXCursor d = call_target(call);
  if (clang_Cursor_isNull(d)) {
    r->indirect = 1;
    return;
  }
  r->callee_usr = cursor_usr(d);
  r->callee_name = cursor_name(d);
  r->callee_system = in_system_header(d);
}

/* Walks up from a reference to the use of its value.  For a global,
 * also says whether its address is taken (&g, &g.f, an array decaying). */
static void classify_use(struct frame *f, int is_var, struct ref *r) {
  struct frame *cur = f;
  for (struct frame *p = f->up; p; cur = p, p = p->up) {
    enum CXCursorKind k = clang_getCursorKind(p->c);
    if (k == CXCursor_ParenExpr || k == CXCursor_InitListExpr ||
        k == CXCursor_CompoundLiteralExpr)
      continue;
    if (k == CXCursor_UnexposedExpr || k == CXCursor_CStyleCastExpr) {
      if (is_var && is_array(clang_getCursorType(cur->c)) &&
          !is_array(clang_getCursorType(p->c)))
        r->addr = 1;
      continue;
    }
    if (is_var && k == CXCursor_ArraySubscriptExpr && cur->index == 0) {
      r->addr = 0;
      continue;
    }
    if (is_var && k == CXCursor_MemberRefExpr) {
      r->addr = 0;
      continue;
    }
    if (k == CXCursor_UnaryOperator) {
      enum CXUnaryOperatorKind op = clang_getCursorUnaryOperatorKind(p->c);
      if (op == CXUnaryOperator_AddrOf) {
        r->addr = 1;
        continue;
      }
      if (is_var && op == CXUnaryOperator_Deref) {
        r->addr = 0;
        continue;
      }
      break;
    }
    if (k == CXCursor_ConditionalOperator && cur->index > 0)
      continue;
    if (k == CXCursor_CallExpr) {
      r->use = cur->index == 0 ? USE_CALLEE : USE_ARG;
      if (r->use == USE_ARG)
        callee_info(p->c, r);
      return;
    }
    if (k == CXCursor_ReturnStmt) {
      r->use = USE_RETURN;
      return;
    }
    if (k == CXCursor_VarDecl) {
      r->use = clang_Cursor_hasVarDeclGlobalStorage(p->c) ? USE_STORE_GLOBAL
                                                          : USE_STORE_LOCAL;
      return;
    }
    if (k == CXCursor_BinaryOperator && cur->index == 1 &&
        clang_getCursorBinaryOperatorKind(p->c) == CXBinaryOperator_Assign) {
      r->use = store_target(first_child(p->c));
      return;
    }
    break;
  }
  r->use = USE_OTHER;
}

static struct ref *new_ref(struct walk *w, struct ref **v, size_t *n,
                           size_t *cap, CXCursor at, CXCursor target) {
  struct ref *r = PUSH(*v, *n, *cap);
  r->lib = w->lib;
  r->loc = make_loc(&w->fc, clang_getCursorLocation(at));
  r->func = w->func ? w->func : "(file scope)";
  r->func_external = w->func_external;
  r->usr = cursor_usr(target);
  r->name = cursor_name(target);
  return r;
}

static void on_decl_ref(struct walk *w, struct frame *f) {
  struct facts *fx = w->fx;
  CXCursor d = clang_getCursorReferenced(f->c);
  enum CXCursorKind k = clang_getCursorKind(d);
  if (k == CXCursor_FunctionDecl) {
    struct ref tmp = {0};
    classify_use(f, 0, &tmp);
    if (tmp.use == USE_CALLEE || in_system_header(d))
      return;
    struct ref *r = new_ref(w, &fx->fnrefs, &fx->nfnrefs, &fx->capfnrefs,
                            f->c, d);
    tmp.lib = r->lib, tmp.loc = r->loc, tmp.func = r->func;
    tmp.func_external = r->func_external, tmp.usr = r->usr, tmp.name = r->name;
    *r = tmp;
  } else if (k == CXCursor_VarDecl && clang_Cursor_hasVarDeclGlobalStorage(d) &&
             !in_system_header(d)) {
    struct ref *r = new_ref(w, &fx->varrefs, &fx->nvarrefs, &fx->capvarrefs,
                            f->c, d);
    classify_use(f, 1, r);
  }
}

/* The name of the pointer an indirect call goes through ("cb" for
 * c->cb(...)), or "" when it is an expression. */
static char *pointer_name(CXCursor call) {
  CXCursor c = first_child(call);
  while (clang_getCursorKind(c) == CXCursor_UnexposedExpr ||
         clang_getCursorKind(c) == CXCursor_ParenExpr ||
         (clang_getCursorKind(c) == CXCursor_UnaryOperator &&
          clang_getCursorUnaryOperatorKind(c) == CXUnaryOperator_Deref))
    c = first_child(c);
  enum CXCursorKind k = clang_getCursorKind(c);
  return k == CXCursor_MemberRefExpr || k == CXCursor_DeclRefExpr
             ? cursor_name(c) : xstrdup("");
}

static void on_call(struct walk *w, CXCursor c) {
  CXCursor d = call_target(c);
  struct facts *fx = w->fx;
  if (clang_Cursor_isNull(d) && w->lib == 0) {
    struct ref *r = PUSH(fx->icalls, fx->nicalls, fx->capicalls);
    r->loc = make_loc(&w->fc, clang_getCursorLocation(c));
    r->func = w->func ? w->func : "(file scope)";
    r->name = pointer_name(c);
    return;
  }
  if (clang_Cursor_isNull(d) || in_system_header(d))
    return;
  new_ref(w, &fx->calls, &fx->ncalls, &fx->capcalls, c, d)->use = USE_CALLEE;
}

static void add_def(struct walk *w, CXCursor c, int is_var) {
  struct def *d = PUSH(w->fx->defs, w->fx->ndefs, w->fx->capdefs);
  d->usr = cursor_usr(c);
  d->name = cursor_name(c);
  d->lib = w->lib;
  d->is_var = is_var;
  d->external = clang_getCursorLinkage(c) == CXLinkage_External;
  d->loc = make_loc(&w->fc, clang_getCursorLocation(c));
  if (!is_var && w->lib == 0 && d->external)
    d->nogate = scan_signature(w->fx, c, d, &w->fc);
}

static void examine(struct walk *w, struct frame *f) {
  switch (clang_getCursorKind(f->c)) {
  case CXCursor_FunctionDecl:
    if (clang_isCursorDefinition(f->c))
      add_def(w, f->c, 0);
    break;
  case CXCursor_VarDecl:
    if (w->lib == 0 && clang_Cursor_hasVarDeclGlobalStorage(f->c) &&
        !clang_Cursor_hasVarDeclExternalStorage(f->c))
      add_def(w, f->c, 1);
    break;
  case CXCursor_CallExpr: on_call(w, f->c); break;
  case CXCursor_DeclRefExpr: on_decl_ref(w, f); break;
  default: break;
  }
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent,
                                     CXClientData data) {
  struct walk *w = data;
  (void)parent;
  if (!w->top && !clang_Location_isFromMainFile(clang_getCursorLocation(c)))
    return CXChildVisit_Continue;   /* declarations from headers */
  struct frame f = {c, w->top, w->next_index++};
  examine(w, &f);
  struct frame *saved_top = w->top;
  unsigned saved_index = w->next_index;
  const char *saved_func = w->func;
  int saved_ext = w->func_external;
  if (clang_getCursorKind(c) == CXCursor_FunctionDecl &&
      clang_isCursorDefinition(c)) {
    w->func = cursor_name(c);
    w->func_external = clang_getCursorLinkage(c) == CXLinkage_External;
  }
  w->top = &f;
  w->next_index = 0;
  clang_visitChildren(c, visit, w);
  w->top = saved_top;
  w->next_index = saved_index;
  w->func = saved_func;
  w->func_external = saved_ext;
  return CXChildVisit_Continue;
}

/* Prints the errors of a translation unit; returns how many. */
static int print_diagnostics(CXTranslationUnit tu, struct filecache *fc) {
  int n = 0;
  for (unsigned i = 0; i < clang_getNumDiagnostics(tu); i++) {
    CXDiagnostic d = clang_getDiagnostic(tu, i);
    enum CXDiagnosticSeverity s = clang_getDiagnosticSeverity(d);
    if (s >= CXDiagnostic_Error) {
      struct loc l = make_loc(fc, clang_getDiagnosticLocation(d));
      char *msg = str(clang_getDiagnosticSpelling(d));
      fprintf(stderr, "%s:%u:%u: %s: %s\n", l.file, l.line, l.col,
              s == CXDiagnostic_Fatal ? "fatal error" : "error", msg);
      free(msg);
      n++;
    }
    clang_disposeDiagnostic(d);
  }
  return n;
}

/* Parses one file and records its facts; returns its error count. */
static int scan_file(CXIndex idx, const char *file, int lib, char **args,
                     int nargs, struct facts *fx) {
  CXTranslationUnit tu;
  enum CXErrorCode e = clang_parseTranslationUnit2(
      idx, file, (const char *const *)args, nargs, NULL, 0,
      CXTranslationUnit_KeepGoing, &tu);
  if (e != CXError_Success) {
    warn_("%s: libclang could not parse it (error %d); check the compile "
          "flags (-p DIR or after --)", display_path(file), (int)e);
    return 1;
  }
  struct walk w = {.fx = fx, .lib = lib};
  int errors = print_diagnostics(tu, &w.fc);
  clang_visitChildren(clang_getTranslationUnitCursor(tu), visit, &w);
  clang_disposeTranslationUnit(tu);
  return errors;
}

int scan_all(struct lib *libs, size_t nlibs, const struct flags *fl,
             struct facts *out) {
  CXCompilationDatabase db = NULL;
  int errors = 0;
  if (fl->compdb_dir && !(db = compdb_open(fl->compdb_dir)))
    return -1;
  CXIndex idx = clang_createIndex(0, 0);
  for (size_t l = 0; l < nlibs; l++) {
    for (size_t i = 0; i < libs[l].nfiles; i++) {
      int nargs;
      char **args = compile_args(db, fl, libs[l].files[i], &nargs, &errors);
      errors += scan_file(idx, libs[l].files[i], (int)l, args, nargs, out);
      free(args);
    }
  }
  clang_disposeIndex(idx);
  if (db)
    clang_CompilationDatabase_dispose(db);
  return errors;
}
