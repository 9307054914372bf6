# FILE: test/lit/lit.cfg.py
# DESCRIPTION: lit configuration for the plugin and pass tests. One test per
#   file, named <Pass or area>_<case>; shared inputs live in Inputs/, which
#   lit skips.
# USAGE: python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv build/test/lit
# License: MIT
import os
import lit.formats

config.name = "flexos"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".ll", ".c", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.flexos_obj_root, "test", "lit")

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", "")])

plugin = os.path.join(config.flexos_obj_root, "lib", "flexos.so")
pass_plugin = os.path.join(config.flexos_obj_root, "lib", "FlexosPasses.so")
inc = os.path.join(config.flexos_src_root, "include")
clang = os.path.join(config.llvm_tools_dir, "clang")
config.substitutions.append(("%flexos_plugin", plugin))
config.substitutions.append(("%pass_plugin", pass_plugin))
config.substitutions.append(
    ("%clang_flexos", "%s -fplugin=%s -I%s" % (clang, plugin, inc)))
config.substitutions.append(("%clang_plain", "%s -I%s" % (clang, inc)))
config.substitutions.append(
    ("%opt_flexos", "%s -load-pass-plugin=%s"
     % (os.path.join(config.llvm_tools_dir, "opt"), pass_plugin)))
config.substitutions.append(
    ("%flexos_config", os.path.join(config.flexos_obj_root, "bin", "flexos-config")))
config.substitutions.append(
    ("%flexos_scan", os.path.join(config.flexos_obj_root, "bin", "flexos-scan")))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%srcroot", config.flexos_src_root))
