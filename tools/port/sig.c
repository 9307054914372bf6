/*
 * FILE: tools/port/sig.c
 * DESCRIPTION:
 *   Reads the signature of each exported function of the ported library:
 *   function-pointer parameters and results (calls through them are not
 *   gated), pointers to structs (their memory must be reachable from both
 *   sides) and what no gate can carry (passes/GateLowering.cpp: variadic
 *   callees, arguments or results that are not integers up to 64 bits,
 *   pointers, float or double, more than 6 stack arguments for MPK or 12
 *   arguments for vm-ept).
 * USAGE:
 *   d->nogate = scan_signature(fx, cursor, d, &filecache)
 * License: MIT (see LICENSE)
 */
#define _GNU_SOURCE
#include "port.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

#define MPK_MAX_STACK 6   /* passes/GateLowering.cpp */
#define EPT_MAX_ARGS 12   /* FLEXOS_RPC_MAX_ARGS, include/flexos/abi.h */

enum cls { C_VOID, C_INT, C_FP, C_RECORD, C_BAD };

static enum cls classify(CXType t) {
  switch (clang_getCanonicalType(t).kind) {
  case CXType_Void: return C_VOID;
  case CXType_Bool: case CXType_Char_U: case CXType_UChar:
  case CXType_Char16: case CXType_Char32: case CXType_UShort:
  case CXType_UInt: case CXType_ULong: case CXType_ULongLong:
  case CXType_Char_S: case CXType_SChar: case CXType_WChar:
  case CXType_Short: case CXType_Int: case CXType_Long:
  case CXType_LongLong: case CXType_Enum: case CXType_Pointer:
  case CXType_NullPtr:
    return C_INT;
  case CXType_Float: case CXType_Double: return C_FP;
  case CXType_Record: return C_RECORD;
  default: return C_BAD;
  }
}

static char *type_name(CXType t) {
  CXString s = clang_getTypeSpelling(t);
  char *r = xstrdup(clang_getCString(s));
  clang_disposeString(s);
  return r;
}

static void add(struct facts *fx, enum section sec, const char *kind,
                struct loc loc, const struct def *d, char *text) {
  struct finding *f = PUSH(fx->sig, fx->nsig, fx->capsig);
  f->section = sec;
  f->kind = kind;
  f->loc = loc;
  f->func = d->name;
  f->symbol = d->name;
  f->text = text;
}

/* "struct frame, defined at FILE:LINE" or "... opaque: only declared at". */
static char *record_desc(CXType declared, CXType rec, struct filecache *fc) {
  CXCursor decl = clang_getTypeDeclaration(rec);
  CXCursor def = clang_getCursorDefinition(decl);
  char *name;
  if (clang_Cursor_isAnonymous(decl)) {
    name = type_name(declared);
  } else {
    char *n = cursor_name(decl);
    name = xasprintf("%s %s", clang_getCursorKind(decl) == CXCursor_UnionDecl
                                  ? "union" : "struct", n);
    free(n);
  }
  struct loc at = make_loc(fc, clang_getCursorLocation(
                                   clang_Cursor_isNull(def) ? decl : def));
  int in_source = !clang_Cursor_isNull(def) &&
                  clang_Location_isFromMainFile(clang_getCursorLocation(def));
  char *r = xasprintf("%s, %s at %s:%u%s", name,
                      clang_Cursor_isNull(def) ? "opaque: only declared"
                                               : "defined", at.file, at.line,
                      in_source ? " (in a source: opaque to other libraries)"
                                : "");
  free(name);
  return r;
}

/* Function pointers and struct pointers in one parameter or the result
 * (what = "parameter 2 'f'" or NULL for the result). */
static void pointer_findings(struct facts *fx, const struct def *d,
                             CXType declared, struct loc loc, const char *what,
                             struct filecache *fc) {
  CXType t = clang_getCanonicalType(declared), shown = declared;
  int depth = 0;
  while (t.kind == CXType_Pointer) {
    t = clang_getCanonicalType(clang_getPointeeType(t));
    shown = clang_getPointeeType(shown);
    depth++;
  }
  if (!depth)
    return;
  char *ty = type_name(declared);
  if (depth == 1 && (t.kind == CXType_FunctionProto ||
                     t.kind == CXType_FunctionNoProto)) {
    add(fx, SEC_FNPTRS, what ? "fnptr-param" : "fnptr-return", loc, d,
        what ? xasprintf("%s: %s (%s) is a function pointer: calls through "
                         "it are checked at run time", d->name, what, ty)
             : xasprintf("%s returns a function pointer (%s): calls through "
                         "it are checked at run time", d->name, ty));
  } else if (t.kind == CXType_Record) {
    char *desc = record_desc(shown, t, fc);
    add(fx, SEC_STRUCTS, what ? "struct-param" : "struct-return", loc, d,
        what ? xasprintf("%s: %s (%s): %s", d->name, what, ty, desc)
             : xasprintf("%s returns %s: %s", d->name, ty, desc));
    free(desc);
  }
  free(ty);
}

static void append(char **reasons, char *why) {
  char *old = *reasons;
  *reasons = old ? xasprintf("%s; %s", old, why) : why;
  if (old) {
    free(old);
    free(why);
  }
}

/* Why a value of type T cannot cross a gate, or NULL. */
static char *bad_type(CXType t, const char *what) {
  char *ty = type_name(t), *r = NULL;
  enum cls c = classify(t);
  if (c == C_RECORD)
    r = xasprintf("%s is %s by value", what, ty);
  else if (c == C_BAD)
    r = xasprintf("%s has type %s", what, ty);
  free(ty);
  return r;
}

const char *scan_signature(struct facts *fx, CXCursor fn, const struct def *d,
                           struct filecache *fc) {
  CXType type = clang_getCursorType(fn);
  char *reasons = NULL, *why;
  int nint = 0, nfp = 0, stack = 0;
  if (clang_isFunctionTypeVariadic(type))
    append(&reasons, xstrdup("variadic"));
  int n = clang_Cursor_getNumArguments(fn);
  for (int i = 0; i < n; i++) {
    CXCursor p = clang_Cursor_getArgument(fn, (unsigned)i);
    CXType pt = clang_getArgType(type, (unsigned)i);
    char *pname = cursor_name(p);
    char *what = *pname ? xasprintf("parameter %d '%s'", i + 1, pname)
                        : xasprintf("parameter %d", i + 1);
    pointer_findings(fx, d, pt, make_loc(fc, clang_getCursorLocation(p)), what,
                     fc);
    if ((why = bad_type(pt, what)))
      append(&reasons, why);
    enum cls c = classify(pt);
    if (c == C_INT && ++nint > 6)
      stack++;
    if (c == C_FP && ++nfp > 8)
      stack++;
    free(what);
    free(pname);
  }
  CXType rt = clang_getResultType(type);
  pointer_findings(fx, d, rt, d->loc, NULL, fc);
  if (classify(rt) != C_VOID && (why = bad_type(rt, "the result")))
    append(&reasons, why);
  if (stack > MPK_MAX_STACK)
    append(&reasons, xasprintf("%d stack arguments (MPK gates take %d)",
                               stack, MPK_MAX_STACK));
  if (n > EPT_MAX_ARGS)
    append(&reasons, xasprintf("%d arguments (vm-ept gates take %d)", n,
                               EPT_MAX_ARGS));
  if (reasons)
    add(fx, SEC_NOGATE, "nogate-def", d->loc, d,
        xasprintf("%s cannot be gated: %s", d->name, reasons));
  return reasons;
}
