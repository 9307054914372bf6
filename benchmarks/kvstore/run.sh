#!/bin/bash
# FILE: benchmarks/kvstore/run.sh
# DESCRIPTION:
#   The headline benchmark: boots each kvstore image (one set of sources,
#   configurations a-e, see a.yaml .. e.yaml) with a host port forward,
#   drives it with the unmodified redis-benchmark from Debian's
#   redis-tools, and prints requests per second per test and
#   configuration with the ratio to (a) measured in the same run on the
#   same platform. Then a porting report: what the gates and sharing cost
#   in lines of code.
#   (a)-(d) run under QEMU TCG -cpu max (QEMU's emulation of protection
#   keys): TCG ratios are not hardware ratios. (e) (lwIP in a VM of its
#   own) runs under KVM with tools/flexos-vmm, next to (e1), which is (a)
#   built for the same monitor: one VM. Its ratio is to (e1).
#   --kvm-requests sets (e)'s requests per test: guest code under this
#   host's nested KVM runs about a thousand times slower than natively.
#   Each table is also drawn as an SVG chart next to its numbers:
#   BUILD_DIR/benchmarks/kvstore/kvstore-{tcg,kvm}.{tsv,svg}, and the
#   explorer's safety poset with the measured GET rates as scores:
#   kvstore-poset.{csv,svg}.
# USAGE:
#   benchmarks/kvstore/run.sh BUILD_DIR [--requests N] [--clients N]
#       [--configs "a b c d e"] [--kvm-requests N] [--no-report]
# License: MIT (see LICENSE)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=""
requests=100000 clients=50 configs="a b c d e" report=1 kvm_requests=500
usage() { sed -n '2,/^# License/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --requests) requests=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --configs) configs=$2; shift 2 ;;
    --kvm-requests) kvm_requests=$2; shift 2 ;;
    --no-report) report=0; shift ;;
    -*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
[ -n "$build" ] || { usage >&2; exit 2; }
command -v redis-benchmark >/dev/null ||
  { echo "run.sh: redis-benchmark missing (apt-get install redis-tools)" >&2; exit 1; }
# QEMU's port forward listens with a backlog of 1; 50 clients need more.
shim=$build/lib/libflexos-listen-backlog.so
[ -f "$shim" ] && export FLEXOS_QEMU_PRELOAD=$shim
tests=(PING_INLINE PING_MBULK SET GET INCR LPUSH LPOP)
declare -A rps names
names=([a]="(a) one compartment" [b]="(b) lwip isolated" [c]="(c) sched isolated"
       [d]="(d) lwip+sched isolated" [e1]="(e1) one VM" [e]="(e) lwip in its own VM")

measure() { # cfg requests [image-server options]
  local cfg=$1 n=$2 image=$build/benchmarks/kvstore/kvstore-$1.elf tmp pid port
  shift 2
  [ -f "$image" ] || { echo "run.sh: $image missing; ninja -C $build kvstore-images" >&2; return 1; }
  tmp=$(mktemp -d)
  "$here/image-server.sh" "$@" "$image" --port 0 >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 600); do
    grep -q "listening on port" "$tmp/out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  port=$(sed -n 's/^kvstore: listening on port \([0-9]*\)$/\1/p' "$tmp/out")
  if [ -z "$port" ]; then
    cat "$tmp/err" >&2
    echo "run.sh: image $cfg did not come up" >&2
    kill "$pid" 2>/dev/null; rm -rf "$tmp"; return 1
  fi
  echo "run.sh: ${names[$cfg]}: $n requests per test, $clients clients, port $port" >&2
  redis-benchmark -p "$port" -t ping,set,get,incr,lpush,lpop -n "$n" \
    -c "$clients" -P 1 --csv >"$tmp/csv" 2>"$tmp/bench.err" ||
    echo "run.sh: redis-benchmark failed on $cfg: $(tail -1 "$tmp/bench.err")" >&2
  for t in "${tests[@]}"; do
    rps[$cfg,$t]=$(awk -F'"' -v t="$t" '$2 == t { print $4 }' "$tmp/csv")
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}

# table BASE CFG...: requests per second, and the ratio to BASE's; the
# same numbers go to $chart_tsv for the SVG chart (tools/svg-bars.py).
chart_tsv=""
table() {
  local base_cfg=$1 cfg t v base
  shift
  printf '\n%-12s' "test"
  for cfg in "$@"; do printf '%26s' "${names[$cfg]}"; done
  printf '\n'
  for t in "${tests[@]}"; do
    printf '%-12s' "$t"
    for cfg in "$@"; do
      v=${rps[$cfg,$t]:-}
      base=${rps[$base_cfg,$t]:-}
      if [ -n "$v" ] && [ -n "$chart_tsv" ]; then
        awk -v t="$t" -v c="${names[$cfg]}" -v v="$v" -v b="${base:-0}" -v base="$([ "$cfg" = "$base_cfg" ] && echo 1)" \
          'BEGIN { printf "%s\t%s\t%s\t%s\n", t, c, v, (base || b == 0) ? "" : sprintf("%.1f%%", 100 * v / b) }' >> "$chart_tsv"
      fi
      if [ -z "$v" ]; then
        printf '%26s' "-"
      elif [ -n "$base" ] && [ "$cfg" != "$base_cfg" ]; then
        printf '%26s' "$(awk -v v="$v" -v b="$base" 'BEGIN { printf (v < 100 ? "%.1f/s (%.1f%%)" : "%.0f/s (%.1f%%)"), v, 100 * v / b }')"
      else
        printf '%26s' "$(awk -v v="$v" 'BEGIN { printf (v < 100 ? "%.1f/s" : "%.0f/s"), v }')"
      fi
    done
    printf '\n'
  done
}

# poset CFG...: the explorer's safety poset of the kvstore's components
# (flexos explore, docs/properties.md) with each measured configuration's
# GET rate as its score: kvstore-poset.{csv,svg}.  The explorer names a
# configuration by its compartments, each written {libraries}:mechanism:-
# in the explorer's library order, the runtime's alloc in the default one.
props=("$root/benchmarks/kvstore/app.flexos" "$root/examples/kvstore/server/store.flexos"
       "$root/libs/lwip/lwip.flexos" "$root/libs/sched/sched.flexos"
       "$root/runtime/alloc.flexos")
poset() {
  local csv=$build/benchmarks/kvstore/kvstore-poset.csv cfg name
  : > "$csv"
  for cfg in "$@"; do
    [ -n "${rps[$cfg,GET]:-}" ] || continue
    name=$("$build/bin/flexos-config" --list "$here/$cfg.yaml" | awk '
      $1 == "compartment" { mech[$3] = $4; if ($5 == 1) def = $3 }
      $1 == "library" { lib_comp[$2] = ($2 == "runtime") ? "" : $3 }
      END {
        n = split("app store lwip sched alloc", order, " ")
        lib_comp["alloc"] = def
        for (i = 1; i <= n; i++) {
          c = lib_comp[order[i]]
          if (c == "") continue
          if (!(c in seen)) { seen[c] = ++k; comps[k] = c; libs[c] = order[i] }
          else libs[c] = libs[c] " " order[i]
        }
        for (j = 1; j <= k; j++)
          printf "%s{%s}:%s:-", (j > 1 ? " " : ""), libs[comps[j]], mech[comps[j]]
      }')
    echo "$name,${rps[$cfg,GET]}" >> "$csv"
  done
  [ -s "$csv" ] || return 0
  echo
  echo "The explorer's poset with the measured GET rates (configurations it does not"
  echo "reject; (a) and (c) put lwIP with store, which store's properties forbid):"
  "$build/bin/flexos" explore "${props[@]}" --mechanisms none,intel-pku --hardening none \
    --max-compartments 3 --results "$csv" --svg "${csv%.csv}.svg" | grep -v ' - \{5\}'
  echo "(chart: ${csv%.csv}.svg)"
}

echo "kvstore benchmark, $(date -u +%F)"
# The machine the numbers come from, as the host probe sees it.
FLEXOS_HOST_INFO=$build/host-info.txt "$root/tools/host-info.sh" | sed 's/^/host: /'
kvm_timings=$(FLEXOS_HOST_INFO=$build/host-info.txt "$root/tools/host-info.sh" --get kvm-timings)
tcg=() kvm=()
for cfg in $configs; do
  case $cfg in
    a|b|c|d) tcg+=("$cfg") ;;
    e) kvm+=(e1 e) ;;
    *) echo "run.sh: no configuration '$cfg' (a b c d e)" >&2; exit 2 ;;
  esac
done
if [ ${#tcg[@]} -gt 0 ]; then
  echo
  echo "QEMU TCG -cpu max (protection keys emulated), $requests requests per test:"
  echo "NOTE: these are TCG ratios, not hardware ratios: TCG emulates every"
  echo "      instruction, and WRPKRU costs what QEMU's helper costs."
  start=$(date +%s)
  for cfg in "${tcg[@]}"; do
    measure "$cfg" "$requests"
  done
  chart_tsv=$build/benchmarks/kvstore/kvstore-tcg.tsv
  mkdir -p "$(dirname "$chart_tsv")"
  : > "$chart_tsv"
  table a "${tcg[@]}"
  echo "(percentages: the ratio to (a) in this run; $(( $(date +%s) - start )) s in all)"
  python3 "$root/tools/svg-bars.py" --title "kvstore under redis-benchmark, QEMU TCG -cpu max" \
    --subtitle "$requests requests per test, $clients clients; % = ratio to (a) in this run; TCG ratios, not hardware" \
    --unit "requests per second" "$chart_tsv" "${chart_tsv%.tsv}.svg"
  chart_tsv=""
  poset "${tcg[@]}"
fi
if [ ${#kvm[@]} -gt 0 ]; then
  echo
  vmm=$build/bin/flexos-vmm
  if [ ! -w /dev/kvm ] || [ ! -x "$vmm" ]; then
    echo "(e) lwip in its own VM: skipped: needs /dev/kvm and $vmm"
  else
    echo "KVM, tools/flexos-vmm (vm-ept), $kvm_requests requests per test:"
    echo "NOTE: (e1) is (a) built for the monitor (one VM, no gates); (e)'s"
    echo "      ratio is to (e1); only the ratio means something across hosts."
    case $kvm_timings in
      EMULATED*|nested*)
        echo "WARNING: KVM timings on this host: $kvm_timings."
        echo "         Both rates are far below TCG's and say nothing about hardware KVM." ;;
    esac
    start=$(date +%s)
    for cfg in "${kvm[@]}"; do
      # kvm_pvm runs no guest's ring 3: image-server.sh boots the RING0
      # twin there (tools/kvm-image.sh says so).
      measure "$cfg" "$kvm_requests" --vmm "$vmm" \
        --ring0-twin "$build/benchmarks/kvstore/kvstore-$cfg-ring0.elf"
    done
    chart_tsv=$build/benchmarks/kvstore/kvstore-kvm.tsv
    : > "$chart_tsv"
    table e1 "${kvm[@]}"
    echo "(percentages: the ratio to (e1) in this run; $(( $(date +%s) - start )) s in all)"
    python3 "$root/tools/svg-bars.py" --title "kvstore under redis-benchmark, KVM (tools/flexos-vmm)" \
      --subtitle "$kvm_requests requests per test; % = ratio to (e1) in this run" \
      --unit "requests per second" "$chart_tsv" "${chart_tsv%.tsv}.svg"
    chart_tsv=""
  fi
fi

echo "MPK under KVM: guests here get protection keys: $(FLEXOS_HOST_INFO=$build/host-info.txt "$root/tools/host-info.sh" --get kvm-guest-pku); no KVM table for (b)-(d)."

[ "$report" = 1 ] || exit 0
echo
echo "Porting report (lines as counted in this tree; FlexOS: lwip +542/-275, 23 shared variables)"
count() { # pattern files...
  local p=$1; shift
  # code lines only: comment lines that mention a gate do not count
  cat "$@" 2>/dev/null | grep -v '^[[:space:]]*\(\*\|//\|/\*\)' | grep -c -- "$p"
}
srv=$root/examples/kvstore/server
lw=$root/libs/lwip
patches=$(ls "$lw"/patches/*.patch 2>/dev/null | wc -l)
printf '%-36s %s\n' "lwIP source changed:" "$patches patch files, +0/-0 lines (compiled as released)"
printf '%-36s %s lines\n' "lwIP port (ours, outside lwIP):" "$(cat "$lw"/port/*.c "$lw"/netif/*.c "$lw"/include/*.h "$lw"/include/arch/*.h | wc -l)"
for part in "app (server_lwip, resp, commands):$here/server_lwip.c $srv/resp.c $srv/commands.c" \
            "store:$srv/store.c $srv/store_strings.c $srv/store_lists.c $srv/store_packs.c" \
            "sched:$root/libs/sched/sched.c $root/libs/sched/sched.h" \
            "lwIP port:$(ls "$lw"/port/*.c "$lw"/netif/*.c | tr '\n' ' ')"; do
  name=${part%%:*} files=${part#*:}
  # shellcheck disable=SC2086
  printf '%-36s %3s gate call sites, %2s flexos_share declarations, %2s shared-heap calls\n' \
    "$name" "$(count 'flexos_gate' $files)" "$(count 'flexos_share' $files)" \
    "$(count 'flexos_\(malloc\|free\)_shared' $files)"
done
printf '%-36s %s\n' "shared global variables:" "$(grep -l . "$lw"/port/*.c >/dev/null; cat "$lw"/port/*.c "$lw"/netif/*.c "$root"/libs/sched/sched.c "$here"/server_lwip.c "$srv"/*.c | grep -E '^[a-z].*__flexos_share' | grep -vc '(')"
