//==============================================================================
// FILE:
//    plugin/FlexosPlugin.cpp
//
// DESCRIPTION:
//    The Clang side of flexos.so:
//      - registers __attribute__((flexos_share)) (also [[flexos::share]]) on
//        local and global variables, rejecting functions, parameters and
//        fields, and records it as an "flexos_share" annotation for the
//        passes;
//      - reads -fplugin-arg-flexos-config=FILE and -library=NAME, checks the
//        configuration and the library, and reports errors at file:line:col
//        of the configuration;
//      - defines __FLEXOS_PLUGIN__ so that <flexos.h> expands gates into
//        markers the passes lower;
//      - checks every gate's library name at the gate's own source location;
//      - adds this very file to the pass plugins of the compilation, so that
//        -fplugin= alone also runs the passes (plugin/PassPlugin.cpp).
//
// USAGE:
//    clang-19 -O2 -fplugin=build/lib/flexos.so \
//        -fplugin-arg-flexos-config=flexos.yaml \
//        -fplugin-arg-flexos-library=app -c app.c
//
// License: MIT
//==============================================================================
#include "Config.h"
#include "FactsEmission.h"
#include "FlexosState.h"
#include "GateLowering.h"
#include "SharedLocals.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/Attr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <dlfcn.h>

using namespace clang;
using namespace flexos;

namespace {

//------------------------------------------------------------------------------
// The flexos_share attribute
//------------------------------------------------------------------------------
struct ShareAttrInfo : public ParsedAttrInfo {
  ShareAttrInfo() {
    static constexpr Spelling S[] = {
        {ParsedAttr::AS_GNU, "flexos_share"},
        {ParsedAttr::AS_C23, "flexos::share"},
        {ParsedAttr::AS_CXX11, "flexos::share"}};
    Spellings = S;
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &A,
                            const Decl *D) const override {
    const char *What = nullptr;
    if (isa<ParmVarDecl>(D))
      What = "a parameter; copy it into a flexos_share local instead";
    else if (isa<FieldDecl>(D))
      What = "a struct field; mark the variable that holds the struct";
    else if (isa<FunctionDecl>(D))
      What = "a function; functions are reached through flexos_gate()";
    else if (!isa<VarDecl>(D))
      What = "this declaration";
    else if (cast<VarDecl>(D)->getTLSKind() != VarDecl::TLS_None)
      What = "a thread-local variable";
    if (!What)
      return true;
    unsigned ID = S.getDiagnostics().getCustomDiagID(
        DiagnosticsEngine::Error,
        "'flexos_share' applies to local and global variables, not to %0");
    S.Diag(A.getLoc(), ID) << What;
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D,
                                   const ParsedAttr &A) const override {
    if (A.getNumArgs() != 0) {
      unsigned ID = S.getDiagnostics().getCustomDiagID(
          DiagnosticsEngine::Error, "'flexos_share' takes no arguments");
      S.Diag(A.getLoc(), ID);
      return AttributeNotApplied;
    }
    D->addAttr(AnnotateAttr::Create(S.Context, ShareAnnotation, nullptr, 0,
                                    A.getRange()));
    return AttributeApplied;
  }
};

ParsedAttrInfoRegistry::Add<ShareAttrInfo> RegisterShare("flexos_share",
                                                         "flexos shared data");

//------------------------------------------------------------------------------
// Gate checks at source level
//------------------------------------------------------------------------------
class GateChecker : public RecursiveASTVisitor<GateChecker> {
public:
  GateChecker(ASTContext &Ctx, const Config &Cfg) : Ctx(Ctx), Cfg(Cfg) {}

  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee || Callee->getName() != GateMarkerName || CE->getNumArgs() < 2)
      return true;
    SourceLocation Loc =
        Ctx.getSourceManager().getExpansionLoc(CE->getBeginLoc());
    auto *Lib = dyn_cast<StringLiteral>(CE->getArg(0)->IgnoreParenImpCasts());
    if (!Lib)
      return report(Loc, "the library of a gate must be a plain name, as in "
                         "flexos_gate(lwip, recv, ...)");
    if (!Cfg.findLibrary(Lib->getString()))
      report(Loc, "gate names library '" + Lib->getString().str() +
                      "', which is not listed under 'libraries' in " +
                      Cfg.path().str() + "; add it or fix the name");
    const Expr *Target = CE->getArg(1)->IgnoreParenCasts();
    if (auto *UO = dyn_cast<UnaryOperator>(Target);
        UO && UO->getOpcode() == UO_AddrOf)
      Target = UO->getSubExpr()->IgnoreParenCasts();
    auto *Ref = dyn_cast<DeclRefExpr>(Target);
    if (!Ref || !isa<FunctionDecl>(Ref->getDecl())) {
      report(Loc, "the target of a gate must name a function, not a "
                  "function pointer or expression");
      return true;
    }
    // The passes see one opaque pointer type; tell them which gates hand
    // back code rather than data (flexos-check-untrusted).
    auto *FD = cast<FunctionDecl>(Ref->getDecl());
    QualType Ret = FD->getReturnType();
    if (Ret->isFunctionPointerType() || Ret->isBlockPointerType())
      flexos_plugin_state()->CodePointerResults.insert(FD->getName());
    return true;
  }

private:
  ASTContext &Ctx;
  const Config &Cfg;
  bool report(SourceLocation Loc, const std::string &Msg) {
    DiagnosticsEngine &D = Ctx.getDiagnostics();
    D.Report(Loc, D.getCustomDiagID(DiagnosticsEngine::Error, "flexos: %0"))
        << Msg;
    return true;
  }
};

class GateConsumer : public ASTConsumer {
public:
  explicit GateConsumer(std::shared_ptr<const Config> Cfg)
      : Cfg(std::move(Cfg)) {}
  // Walking every declaration of every header costs more than the rest of
  // the plugin together, so only function bodies are visited, and only in
  // files that declare the gate marker at all (that is, include <flexos.h>
  // with the plugin).
  void HandleTranslationUnit(ASTContext &Ctx) override {
    TranslationUnitDecl *TU = Ctx.getTranslationUnitDecl();
    if (TU->lookup(&Ctx.Idents.get(GateMarkerName)).empty())
      return;
    GateChecker Checker(Ctx, *Cfg);
    for (Decl *D : TU->decls())
      if (auto *FD = dyn_cast<FunctionDecl>(D);
          FD && FD->doesThisDeclarationHaveABody())
        Checker.TraverseStmt(FD->getBody());
  }

private:
  std::shared_ptr<const Config> Cfg;
};

//------------------------------------------------------------------------------
// The plugin action
//------------------------------------------------------------------------------

// Path of this shared object, found through one of its own symbols.
std::string selfPath() {
  Dl_info Info;
  if (!dladdr(reinterpret_cast<void *>(&selfPath), &Info) || !Info.dli_fname)
    return "";
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Info.dli_fname, Real))
    return Info.dli_fname;
  return Real.str().str();
}

class FlexosAction : public PluginASTAction {
public:
  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    DiagnosticsEngine &D = CI.getDiagnostics();
    for (const std::string &Arg : Args) {
      auto [Key, Value] = llvm::StringRef(Arg).split('=');
      if (Key == "config")
        Opts.ConfigPath = Value.str();
      else if (Key == "library")
        Opts.Library = Value.str();
      else if (Key == "defs" && !Value.empty()) // passes/AutoGates.cpp
        Opts.Defs = Value.str();
      else if (Key == "shares" && !Value.empty()) // flexos share's output
        Opts.Shares = Value.str();
      else if (Key == "facts") // facts for flexos check (FactsEmission.h)
        flexos_facts_state()->Path = Value.str();
      else if (Key == "untrusted" &&
               (Value == "warn" || Value == "error" || Value == "off"))
        Opts.Untrusted = Value.str();
      else
        D.Report(D.getCustomDiagID(
            DiagnosticsEngine::Error,
            "flexos: unknown plugin argument '%0'; use "
            "-fplugin-arg-flexos-config=FILE, -fplugin-arg-flexos-library=NAME, "
            "-fplugin-arg-flexos-defs=FILE, -fplugin-arg-flexos-shares=FILE, "
            "-fplugin-arg-flexos-facts=FILE and "
            "-fplugin-arg-flexos-untrusted=warn|error|off"))
            << Arg;
    }
    return true;
  }

  ActionType getActionType() override { return AddBeforeMainAction; }

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    DiagnosticsEngine &D = CI.getDiagnostics();
    auto Fail = [&] { return std::make_unique<ASTConsumer>(); };
    if (Opts.ConfigPath.empty()) {
      D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                 "flexos: no configuration; add "
                                 "-fplugin-arg-flexos-config=FILE"));
      return Fail();
    }
    if (Opts.Library.empty()) {
      D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                 "flexos: no library for this file; add "
                                 "-fplugin-arg-flexos-library=NAME"));
      return Fail();
    }
    std::shared_ptr<const Config> Cfg = loadConfig(CI);
    if (!Cfg)
      return Fail();
    if (!Cfg->findLibrary(Opts.Library)) {
      report(CI, *Cfg, Cfg->librariesOffset(),
             "library '" + Opts.Library +
                 "' (from -fplugin-arg-flexos-library) is not listed under "
                 "'libraries'; add '" + Opts.Library + ": <compartment>'");
      return Fail();
    }
    // Reports of untrusted values need source locations even without -g:
    // track them as -Rpass does, without emitting debug information; only
    // where something can be untrusted (a compartment that trusts all the
    // others, such as lwIP's beside the default one, pays nothing).
    const Compartment *Self = Cfg->compartmentOf(Opts.Library);
    // Automatic gates name the call's file:line in their errors too.
    bool WantLocations =
        (Opts.Untrusted != "off" && !Cfg->trustsAll(*Self)) || !Opts.Defs.empty() ||
        !Opts.Shares.empty(); // allocation sites are matched by line (ShareSites)
    if (WantLocations &&
        CI.getCodeGenOpts().getDebugInfo() == llvm::codegenoptions::NoDebugInfo)
      CI.getCodeGenOpts().setDebugInfo(llvm::codegenoptions::LocTrackingOnly);
    PluginState *S = flexos_plugin_state();
    S->FromFrontend = Opts;
    S->FrontendActive = true;
    Preprocessor &PP = CI.getPreprocessor();
    // First: the predefines end with the -include files, which must see it.
    PP.setPredefines("#define __FLEXOS_PLUGIN__ 1\n" + PP.getPredefines());
    addSelfAsPassPlugin(CI);
    return std::make_unique<GateConsumer>(std::move(Cfg));
  }

private:
  PassOptions Opts;

  // Reports Msg at Offset in the configuration file, through clang's own
  // diagnostics so that the location prints as file:line:col with a caret.
  void report(CompilerInstance &CI, const Config &Cfg, size_t Offset,
              const std::string &Msg) {
    SourceManager &SM = CI.getSourceManager();
    FileID FID = SM.createFileID(
        llvm::MemoryBuffer::getMemBufferCopy(Cfg.text(), Cfg.path()));
    SourceLocation Loc = SM.getLocForStartOfFile(FID).getLocWithOffset(Offset);
    DiagnosticsEngine &D = CI.getDiagnostics();
    D.Report(Loc, D.getCustomDiagID(DiagnosticsEngine::Error, "%0")) << Msg;
  }

  std::shared_ptr<const Config> loadConfig(CompilerInstance &CI) {
    DiagnosticsEngine &D = CI.getDiagnostics();
    auto Buf = llvm::MemoryBuffer::getFile(Opts.ConfigPath);
    if (!Buf) {
      D.Report(D.getCustomDiagID(DiagnosticsEngine::Error,
                                 "flexos: cannot read configuration '%0': %1"))
          << Opts.ConfigPath << Buf.getError().message();
      return nullptr;
    }
    std::vector<ConfigDiag> Errors;
    std::unique_ptr<Config> C =
        Config::parse(Opts.ConfigPath, (*Buf)->getBuffer(), Errors);
    if (C)
      return C;
    SourceManager &SM = CI.getSourceManager();
    FileID FID = SM.createFileID(
        llvm::MemoryBuffer::getMemBufferCopy((*Buf)->getBuffer(), Opts.ConfigPath));
    for (const ConfigDiag &E : Errors) {
      SourceLocation Loc = SM.getLocForStartOfFile(FID).getLocWithOffset(
          std::min<size_t>(E.Offset, (*Buf)->getBufferSize()));
      D.Report(Loc, D.getCustomDiagID(DiagnosticsEngine::Error, "%0"))
          << E.Message;
    }
    return nullptr;
  }

  // -fplugin= only loads the frontend half; list this file among the pass
  // plugins too, unless -fpass-plugin= already names it.
  void addSelfAsPassPlugin(CompilerInstance &CI) {
    std::string Self = selfPath();
    if (Self.empty())
      return;
    std::vector<std::string> &Plugins = CI.getCodeGenOpts().PassPlugins;
    for (const std::string &P : Plugins) {
      llvm::SmallString<256> Real;
      if (!llvm::sys::fs::real_path(P, Real) && Real == Self)
        return;
    }
    Plugins.push_back(Self);
  }
};

FrontendPluginRegistry::Add<FlexosAction>
    RegisterAction("flexos", "FlexOS gates, shared data and configuration");

} // namespace
