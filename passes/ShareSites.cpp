//==============================================================================
// FILE:
//    passes/ShareSites.cpp
//
// DESCRIPTION:
//    flexos-share-sites: turns the allocation calls that a shares file names
//    (`alloc FUNCTION FILE:LINE`, from `flexos share`, docs/porting-record.md)
//    into calls to the shared heap, so that a block another compartment
//    needs is shared without editing the library's source:
//        malloc(n)     -> flexos_malloc_shared(n)
//        calloc(n, s)  -> flexos_calloc_shared(n, s)
//        realloc(p, n) -> flexos_realloc_shared(p, n)
//    A call matches when its function is FUNCTION (or, once inlined, its
//    debug scope is) and its debug location is LINE of a file whose path
//    ends with FILE's (component by component, so app.c matches
//    /src/app.c). Every such call on that line is rewritten. free() and
//    realloc() of both runtimes accept shared blocks, so frees need no
//    change. A named FUNCTION defined here (in FILE) without such a call is
//    an error: the source changed since the record run.
//
//    The plugin tracks locations (as -Rpass does) when a shares file is
//    given, so this works without -g. It runs first, before the gates are
//    lowered. This file also reads the shares file for SectionPlacement,
//    which places the `global` entries.
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-share-sites<shares=app.shares>' -S in.ll
//
// License: MIT
//==============================================================================
#include "ShareSites.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"

#include <mutex>

using namespace llvm;

namespace flexos {

namespace {

bool isIdentifier(StringRef S) {
  if (S.empty())
    return false;
  for (char C : S)
    if (!(isAlnum(C) || C == '_' || C == '.' || C == '$'))
      return false;
  return true;
}

std::shared_ptr<const SharesFile> parse(const std::string &Path,
                                        LLVMContext &Ctx) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf) {
    Ctx.emitError("flexos: cannot read shares file '" + Path +
                  "': " + Buf.getError().message());
    return nullptr;
  }
  auto S = std::make_shared<SharesFile>();
  S->Path = Path;
  bool Ok = true;
  unsigned LineNo = 0;
  SmallVector<StringRef, 8> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (StringRef Raw : Lines) {
    ++LineNo;
    StringRef L = Raw.trim();
    if (L.empty() || L.starts_with("#"))
      continue;
    auto Bad = [&](const Twine &Why) {
      Ctx.emitError(Path + ":" + Twine(LineNo) + ": " + Why);
      Ok = false;
    };
    auto [Kind, Rest] = L.split(' ');
    Rest = Rest.trim();
    if (Kind == "global") {
      auto [Name, Tail] = Rest.split(' ');
      Tail = Tail.trim();
      SharesFile::Global G{Name.str(), "", LineNo};
      if (!isIdentifier(Name)) {
        Bad("'global' wants a symbol name: global NAME [compartment=COMP]");
        continue;
      }
      if (!Tail.empty()) {
        if (!Tail.consume_front("compartment=") || !isIdentifier(Tail)) {
          Bad("after 'global " + Name +
              "' only compartment=COMP may follow, not '" + Tail + "'");
          continue;
        }
        G.Compartment = Tail.str();
      }
      S->Globals.push_back(std::move(G));
    } else if (Kind == "alloc") {
      auto [Fn, Where] = Rest.split(' ');
      Where = Where.trim();
      size_t Colon = Where.rfind(':');
      unsigned Src = 0;
      if (!isIdentifier(Fn) || Colon == StringRef::npos || Colon == 0 ||
          Where.drop_front(Colon + 1).getAsInteger(10, Src) || Src == 0) {
        Bad("'alloc' wants FUNCTION FILE:LINE (the malloc, calloc or realloc "
            "call at LINE of FILE, in FUNCTION)");
        continue;
      }
      S->Allocs.push_back({Fn.str(), Where.take_front(Colon).str(), Src, LineNo});
    } else {
      Bad("unknown entry '" + Kind +
          "'; a shares file has 'global NAME [compartment=COMP]' and "
          "'alloc FUNCTION FILE:LINE' lines (flexos share writes it)");
    }
  }
  if (!Ok)
    return nullptr;
  return S;
}

// Path components, without empty and "." ones.
SmallVector<StringRef, 8> components(StringRef P) {
  SmallVector<StringRef, 8> Parts, Out;
  P.split(Parts, '/');
  for (StringRef C : Parts)
    if (!C.empty() && C != ".")
      Out.push_back(C);
  return Out;
}

// Does the shorter path end the longer one, component by component?
bool samePath(StringRef A, StringRef B) {
  auto X = components(A), Y = components(B);
  if (X.empty() || Y.empty())
    return false;
  size_t N = std::min(X.size(), Y.size());
  for (size_t I = 1; I <= N; ++I)
    if (X[X.size() - I] != Y[Y.size() - I])
      return false;
  return true;
}

template <typename Loc> std::string fullPath(const Loc *S) {
  StringRef F = S->getFilename(), D = S->getDirectory();
  if (F.starts_with("/") || D.empty())
    return F.str();
  return (D + "/" + F).str();
}

// flexos_*_shared for an allocation function, or "".
StringRef sharedFor(StringRef Callee) {
  if (Callee == "malloc")
    return "flexos_malloc_shared";
  if (Callee == "calloc")
    return "flexos_calloc_shared";
  if (Callee == "realloc")
    return "flexos_realloc_shared";
  return "";
}

} // namespace

std::shared_ptr<const SharesFile> loadShares(const std::string &Path,
                                             LLVMContext &Ctx) {
  static std::mutex Lock;
  static StringMap<std::shared_ptr<const SharesFile>> Cache;
  static StringMap<bool> Failed;
  std::lock_guard<std::mutex> G(Lock);
  auto It = Cache.find(Path);
  if (It != Cache.end())
    return It->second;
  if (Failed.count(Path)) {
    Ctx.emitError("flexos: shares file '" + Path + "' has errors (see above)");
    return nullptr;
  }
  std::shared_ptr<const SharesFile> S = parse(Path, Ctx);
  if (S)
    Cache[Path] = S;
  else
    Failed[Path] = true;
  return S;
}

std::string sharesPath(const PassOptions &Opts) {
  if (!Opts.Shares.empty())
    return Opts.Shares;
  return flexos_plugin_state()->FromFrontend.Shares;
}

bool ShareSites::runOnModule(Module &M) {
  std::string Path = sharesPath(Opts);
  if (Path.empty() || M.getFunctionList().empty())
    return false;
  std::shared_ptr<const SharesFile> S = loadShares(Path, M.getContext());
  if (!S || S->Allocs.empty())
    return false;
  bool Changed = false;
  for (const SharesFile::Alloc &A : S->Allocs) {
    bool Defined = false, Matched = false, Located = false;
    for (Function &F : M) {
      if (F.isDeclaration())
        continue;
      bool Named = F.getName() == A.Function;
      if (Named) {
        const DISubprogram *SP = F.getSubprogram();
        Defined |= !SP || samePath(fullPath(SP), A.File);
        Located |= SP != nullptr;
      }
      for (Instruction &I : instructions(F)) {
        auto *CB = dyn_cast<CallBase>(&I);
        const Function *Callee = CB ? CB->getCalledFunction() : nullptr;
        if (!Callee || sharedFor(Callee->getName()).empty())
          continue;
        const DILocation *L = CB->getDebugLoc().get();
        if (!L || L->getLine() != A.SrcLine || !samePath(fullPath(L), A.File))
          continue;
        const DISubprogram *Scope = L->getScope()->getSubprogram();
        if (!Named && !(Scope && Scope->getName() == A.Function))
          continue;
        FunctionCallee Shared = M.getOrInsertFunction(
            sharedFor(Callee->getName()), CB->getFunctionType());
        CB->setCalledOperand(Shared.getCallee());
        Matched = Changed = true;
      }
    }
    if (Defined && !Matched && !Located)
      M.getContext().emitError(
          S->Path + ":" + Twine(A.Line) + ": flexos: " + A.Function +
          " has no debug locations, so its allocation calls cannot be matched "
          "by line (compile with the flexos plugin, which tracks them when "
          "given a shares file, or with -g)");
    else if (Defined && !Matched)
      M.getContext().emitError(
          S->Path + ":" + Twine(A.Line) + ": flexos: no malloc, calloc or realloc "
          "call at " + A.File + ":" + Twine(A.SrcLine) + " in " + A.Function +
          " (has the source changed since the record run? run it and "
          "`flexos share` again; other allocators, such as strdup, cannot be "
          "moved: call flexos_malloc_shared there)");
  }
  return Changed;
}

PreservedAnalyses ShareSites::run(Module &M, ModuleAnalysisManager &) {
  return runOnModule(M) ? PreservedAnalyses::none() : PreservedAnalyses::all();
}

} // namespace flexos
