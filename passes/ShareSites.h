//==============================================================================
// FILE:
//    passes/ShareSites.h
//
// DESCRIPTION:
//    The shares file (written by `flexos share` from a record run,
//    docs/porting-record.md) and flexos-share-sites, which serves the
//    allocation sites it names from the shared heap. SectionPlacement reads
//    the same file for the globals it names.
//
//      global NAME [compartment=COMP]   NAME, where defined (in a library of
//                                       COMP), goes to the shared section
//      alloc FUNCTION FILE:LINE         malloc/calloc/realloc calls at LINE
//                                       of FILE in FUNCTION become
//                                       flexos_{malloc,calloc,realloc}_shared
//
// USAGE:
//    opt -load-pass-plugin=build/lib/FlexosPasses.so \
//        -passes='flexos-share-sites<shares=app.shares>' -S in.ll
//    clang ... -fplugin=flexos.so -fplugin-arg-flexos-shares=app.shares
//
// License: MIT
//==============================================================================
#ifndef FLEXOS_SHARE_SITES_H
#define FLEXOS_SHARE_SITES_H

#include "FlexosState.h"

#include "llvm/IR/PassManager.h"

#include <memory>
#include <string>
#include <vector>

namespace flexos {

struct SharesFile {
  struct Global {
    std::string Name, Compartment; // Compartment empty: any
    unsigned Line;                 // in the shares file
  };
  struct Alloc {
    std::string Function, File;
    unsigned SrcLine; // line of the call in File
    unsigned Line;    // in the shares file
  };
  std::string Path;
  std::vector<Global> Globals;
  std::vector<Alloc> Allocs;
};

// The shares file at Path, parsed once per process; nullptr after an error
// (reported through Ctx as "PATH:LINE: ...").
std::shared_ptr<const SharesFile> loadShares(const std::string &Path,
                                             llvm::LLVMContext &Ctx);

// The shares file for these options: theirs, else the frontend's ("" if
// none).
std::string sharesPath(const PassOptions &Opts);

struct ShareSites : llvm::PassInfoMixin<ShareSites> {
  explicit ShareSites(PassOptions Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  bool runOnModule(llvm::Module &M);
  static bool isRequired() { return true; }

private:
  PassOptions Opts;
};

} // namespace flexos

#endif
