//==============================================================================
// FILE:
//    tools/flexos-config.cpp
//
// DESCRIPTION:
//    Checks a FlexOS configuration and prints it in a line format that build
//    scripts (cmake/FlexosImage.cmake) read without a YAML parser:
//        compartment <index> <name> <mechanism> <default 0|1> <pkru hex>
//                    <polling 0|1> <check-pointers 0|1> <hardening|->
//        library <name> <compartment>
//    or the hardening flags of one library's compartment (--cflags).
//    Errors print as file:line:col with the offending line, exit status 1.
//
// USAGE:
//    flexos-config [--list | --check | --cflags LIBRARY] flexos.yaml
//
// License: MIT
//==============================================================================
#include "Config.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace flexos;

static int usage(raw_ostream &OS, int Status) {
  OS << "usage: flexos-config [--list | --check | --cflags LIBRARY] CONFIG.yaml\n"
        "  Checks a FlexOS configuration (docs/config.md). With --list (the\n"
        "  default) prints one line per compartment and library:\n"
        "    compartment <index> <name> <mechanism> <default 0|1> <pkru>\n"
        "                <polling 0|1> <check-pointers 0|1> <hardening,...|->\n"
        "    library <name> <compartment>\n"
        "  --check           only check; print nothing on success\n"
        "  --cflags LIBRARY  print the compiler flags of LIBRARY's compartment\n"
        "                    hardening (one line, may be empty)\n"
        "  --help            this text\n"
        "  --version         the version\n";
  return Status;
}

int main(int argc, char **argv) {
  const char *Path = nullptr;
  const char *CflagsLib = nullptr;
  bool List = true;
  for (int I = 1; I < argc; ++I) {
    if (!strcmp(argv[I], "--help") || !strcmp(argv[I], "-h"))
      return usage(outs(), 0);
    if (!strcmp(argv[I], "--version")) {
      outs() << "flexos-config " << FLEXOS_VERSION << "\n";
      return 0;
    }
    if (!strcmp(argv[I], "--list"))
      List = true;
    else if (!strcmp(argv[I], "--check"))
      List = false;
    else if (!strcmp(argv[I], "--cflags")) {
      if (I + 1 >= argc) {
        errs() << "flexos-config: --cflags needs a library name\n";
        return usage(errs(), 2);
      }
      CflagsLib = argv[++I];
    }
    else if (argv[I][0] == '-') {
      errs() << "flexos-config: unknown option '" << argv[I] << "'\n";
      return usage(errs(), 2);
    } else if (Path) {
      errs() << "flexos-config: more than one configuration given\n";
      return usage(errs(), 2);
    } else
      Path = argv[I];
  }
  if (!Path) {
    errs() << "flexos-config: no configuration file given\n";
    return usage(errs(), 2);
  }
  std::string Err;
  std::unique_ptr<Config> C = Config::load(Path, Err);
  if (!C) {
    errs() << Err;
    return 1;
  }
  if (CflagsLib) {
    const Compartment *Comp = C->compartmentOf(CflagsLib);
    if (!Comp) {
      errs() << Path << ": error: library '" << CflagsLib
             << "' is not listed under 'libraries'\n";
      return 1;
    }
    std::vector<std::string> Flags = Config::hardeningFlags(*Comp);
    for (size_t I = 0; I < Flags.size(); ++I)
      outs() << (I ? " " : "") << Flags[I];
    outs() << "\n";
    return 0;
  }
  if (!List)
    return 0;
  for (const Compartment &Comp : C->compartments()) {
    outs() << "compartment " << Comp.Index << " " << Comp.Name << " "
           << mechanismName(Comp.Mech) << " " << (Comp.IsDefault ? 1 : 0) << " "
           << format_hex(C->pkruOf(Comp), 10) << " " << (Comp.Polling ? 1 : 0)
           << " " << (Comp.CheckPointers ? 1 : 0) << " ";
    if (Comp.Hardening.empty())
      outs() << "-";
    for (size_t I = 0; I < Comp.Hardening.size(); ++I)
      outs() << (I ? "," : "") << Comp.Hardening[I];
    outs() << "\n";
  }
  for (const Library &L : C->libraries())
    outs() << "library " << L.Name << " "
           << C->compartments()[L.Compartment].Name << "\n";
  return 0;
}
