#!/bin/sh
# FILE: platform/linux/testvm/native-ok.sh
# DESCRIPTION:
#   Whether hosted flexos programs with protection keys can run natively
#   here, rather than in the test VM: pkey_alloc works (the host probe,
#   tools/host-info.sh), the kernel has syscall user dispatch (Linux 5.11+,
#   platform/linux/syscall.c) and allows RD/WRFSBASE (HWCAP2_FSGSBASE,
#   Linux 5.9+, the compartments' own TLS).  Prints "yes" or "no (why)";
#   exit 0 for yes.  Used by run-pku.sh and by the build's kernel fetch.
# USAGE: native-ok.sh     (FLEXOS_HOST_INFO: the probe's cache file)
# License: MIT (see LICENSE)
here=$(cd "$(dirname "$0")" && pwd)
verdict=$("$here/../../../tools/host-info.sh" --get pkey-alloc) || { echo "no (the host probe failed)"; exit 1; }
case $verdict in
  works*) ;;
  *) echo "no (pkey_alloc: $verdict)"; exit 1 ;;
esac
command -v python3 > /dev/null 2>&1 || { echo "no (python3 is needed to check the kernel)"; exit 1; }
python3 - <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
# PR_SET_SYSCALL_USER_DISPATCH (59), PR_SYS_DISPATCH_OFF (0): EINVAL on
# kernels without syscall user dispatch.
if libc.prctl(59, 0, 0, 0, 0) != 0:
    print("no (no syscall user dispatch: %s; Linux 5.11 or later)" % os.strerror(ctypes.get_errno()))
    sys.exit(1)
libc.getauxval.restype = ctypes.c_ulong
if not libc.getauxval(26) & 2:  # AT_HWCAP2, HWCAP2_FSGSBASE
    print("no (the kernel does not allow WRFSBASE: HWCAP2_FSGSBASE; Linux 5.9 or later)")
    sys.exit(1)
print("yes")
PY
