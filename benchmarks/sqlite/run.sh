#!/bin/bash
# FILE: benchmarks/sqlite/run.sh
# DESCRIPTION:
#   SQLite unisolated (bin/sqlite-none) against SQLite in its own
#   protection-key compartment (bin/sqlite-pku), side by side in one run:
#   natively when this host has pku, else both in the same throw-away
#   Debian VM under QEMU TCG -cpu max (platform/linux/testvm/run-pku.sh),
#   where protection keys are emulated and the ratios are TCG's, NOT a
#   processor's.  Each process runs `bench ROWS ROUNDS KIND` (an untimed
#   warm-up round, then ROUNDS timed rounds of ROWS INSERTs into a fresh
#   :memory: table); the processes alternate none, pku, none, pku, ...
#   PROCS times per workload.  Prints, per workload, the median cycles
#   (rdtsc) of all rounds of each configuration, the ratio pku/none and
#   the gate crossings per INSERT (counted by the program: every call from
#   the application into SQLite is one crossing when SQLite is isolated,
#   and host.c counts SQLite's calls back; see README.md).
# USAGE:
#   benchmarks/sqlite/run.sh [BUILD_DIR] [--rows N] [--rounds N]
#       [--procs N] [--kinds "exec txn prepared"] [--timeout S]
#   BUILD_DIR defaults to build/ (needs bin/sqlite-none, bin/sqlite-pku:
#   ninja -C BUILD_DIR sqlite-none sqlite-pku)
# License: MIT (see LICENSE)
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
rows=5000 rounds=5 procs=5 kinds="exec txn prepared" timeout_s=1200

die() {
  echo "run.sh: error: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case $1 in
  -h | --help)
    sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  --rows | --rounds | --procs | --kinds | --timeout)
    [ $# -ge 2 ] || die "$1 needs a value"
    case $1 in
    --rows) rows=$2 ;;
    --rounds) rounds=$2 ;;
    --procs) procs=$2 ;;
    --kinds) kinds=$2 ;;
    --timeout) timeout_s=$2 ;;
    esac
    shift 2
    ;;
  -*) die "unknown option '$1' (see --help)" ;;
  *) build=$1; shift ;;
  esac
done
for n in "$rows" "$rounds" "$procs" "$timeout_s"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive number"
done
for k in $kinds; do
  case $k in exec | txn | prepared) ;; *) die "unknown workload '$k' (exec, txn, prepared)" ;; esac
done
[ -d "$build" ] || die "no build folder $build (pass BUILD_DIR)"
build=$(cd "$build" && pwd)
none=$build/bin/sqlite-none pku=$build/bin/sqlite-pku
for p in "$none" "$pku"; do
  [ -x "$p" ] || die "$p is missing: ninja -C $build sqlite-none sqlite-pku (needs SQLite fetched: see benchmarks/sqlite/README.md)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sqlite-run.XXXXXX") || die "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT
# The script the guest (or this host) runs: both configurations, in turns.
cat >"$tmp/guest.sh" <<EOF
#!/bin/sh
# Written by benchmarks/sqlite/run.sh: none and pku in turns.
for k in $kinds; do
  p=1
  while [ \$p -le $procs ]; do
    for c in none pku; do
      echo "=== \$c \$k"
      if [ \$c = none ]; then "$none" bench $rows $rounds \$k; else "$pku" bench $rows $rounds \$k; fi
      echo "=== status \$?"
    done
    p=\$((p + 1))
  done
done
EOF

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "sqlite benchmark: $rows INSERTs per round, $rounds timed rounds x $procs processes per configuration and workload ($kinds)"
echo "host CPU: ${cpu:-unknown}"
"$root/platform/linux/testvm/run-pku.sh" --cache "$build/testvm-cache" \
  --timeout "$timeout_s" --mem 1G --file "$none" --file "$pku" --file "$tmp/guest.sh" \
  -- sh "$tmp/guest.sh" >"$tmp/out" 2>&1
status=$?
grep -E '^(run-pku|flexos-vm):' "$tmp/out"
if [ $status -ne 0 ] || grep -q '^=== status [1-9]' "$tmp/out"; then
  cat "$tmp/out"
  die "a run failed (status $status; output above)"
fi
tcg=0
grep -q '^run-pku: QEMU TCG' "$tmp/out" && tcg=1
[ -n "${SQLITE_RUN_LOG:-}" ] && cp "$tmp/out" "$SQLITE_RUN_LOG"

if [ $tcg = 1 ]; then
  echo
  echo "****************************************************************************"
  echo "* WARNING: this host has no pku: both programs ran under QEMU TCG -cpu max, *"
  echo "* which EMULATES protection keys.  Cycles and ratios below are TCG's, NOT  *"
  echo "* those of a processor with MPK; do not quote them as hardware figures.    *"
  echo "****************************************************************************"
fi
echo
# Median over every timed round of every process of (config, workload).
awk -v rows="$rows" -v kinds="$kinds" '
  /^=== status/ { next }
  /^=== / { cfg = $2; kind = $3; next }
  /^sqlite: round [0-9]+:/ {
    for (i = 1; i <= NF; i++) if ($i == "cycles,") c = $(i - 1)
    n[cfg, kind]++; v[cfg, kind, n[cfg, kind]] = c
  }
  /^sqlite: crossings:/ { x[cfg, kind] = $3 }
  function median(cfg, kind,   m, i, j, t, a) {
    m = n[cfg, kind]
    for (i = 1; i <= m; i++) a[i] = v[cfg, kind, i]
    for (i = 2; i <= m; i++)
      for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    printf "%-9s %8s %16s %16s %9s %20s\n", "workload", "rounds", "none median", "pku median", "pku/none", "gate calls/INSERT"
    split(kinds, ks, " ")
    for (i = 1; i in ks; i++) {
      kind = ks[i]
      if (!n["none", kind] || !n["pku", kind]) continue
      a = median("none", kind); b = median("pku", kind)
      printf "%-9s %8d %16.0f %16.0f %9.3f %20s\n", kind, n["pku", kind], a, b, b / a, x["pku", kind]
      printf "%-9s %8s %16.0f %16.0f %9s %20s\n", "", "per INSERT", a / rows, b / rows, "", ""
    }
    print ""
    print "cycles: rdtsc around the INSERT loop (BEGIN/COMMIT included for txn and prepared)"
    print "gate calls/INSERT: calls app->sqlite counted by the program in the timed loop;"
    print "each is one gate crossing (call + return) under pku, a plain call under none;"
    print "calls sqlite->app (host.c: time, sleep) during the benchmark: none expected"
  }' "$tmp/out"
back=$(sed -n 's/^sqlite: crossings: .*, \([0-9]*\) calls sqlite->app$/\1/p' "$tmp/out" | sort -u | tr '\n' ' ')
echo "calls sqlite->app per process (all runs): ${back:-?}"
