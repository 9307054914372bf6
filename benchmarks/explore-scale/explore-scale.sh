#!/bin/sh
# FILE: benchmarks/explore-scale/explore-scale.sh
# DESCRIPTION:
#   Scale of `flexos explore` for 4 to 10 libraries.  Each run describes N
#   libraries in which one in four is plain C (Read(*); Write(*)) and one
#   in four requires co-located components to write only their own memory
#   and the shared region, so those pairs are pruned.  For each N it
#   prints:
#     - the full space (3 mechanisms, 2 hardening options, up to N
#       compartments): partitions and configurations after pruning, and the
#       time to count them (counting multiplies per-compartment choices
#       and lists nothing);
#     - the time to list (materialize and print as a table) every
#       configuration with at most 2 compartments, all mechanisms and
#       hardening options, to show what listing costs.
#   Count times are the tool's own ("count_seconds"); listing times are
#   wall-clock, process start included.
#   The list times are also drawn as an SVG chart (tools/svg-bars.py)
#   into $EXPLORE_SCALE_OUT (default: the current directory):
#   explore-scale.{tsv,svg}.
# USAGE:
#   sh benchmarks/explore-scale/explore-scale.sh build/bin/flexos [MIN MAX]
# License: MIT (see LICENSE)
set -eu
flexos=${1:?usage: explore-scale.sh FLEXOS [MIN MAX]}
min=${2:-4} max=${3:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/explore-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Writes the description of library $2 (1-based) into directory $1.
describe() {
  case $(( $2 % 4 )) in
  1) printf 'component l%d "plain C"\n[Memory access] Read(*); Write(*)\n[Call] *\n' "$2" ;;
  2) printf 'component l%d "verified"\n[Memory access] Read(Own, Shared); Write(Own, Shared)\n[Call]\n[Requires] *(Write, Shared)\n' "$2" ;;
  *) printf 'component l%d "well behaved"\n[Memory access] Read(Own, Shared); Write(Own, Shared)\n[Call] *\n' "$2" ;;
  esac > "$1/l$(printf %02d "$2").flexos"
}

json_field() { sed -n "s/^  \"$1\": \([0-9.e+-]*\).*/\1/p" "$2"; }
out=${EXPLORE_SCALE_OUT:-.}
mkdir -p "$out"
: > "$out/explore-scale.tsv"

"$(dirname "$0")/../../tools/host-info.sh" | sed 's/^/host: /'
printf '%4s %10s %16s %10s | %12s %8s\n' libs partitions configurations \
  count_s "listed(k<=2)" list_s
n=$min
while [ "$n" -le "$max" ]; do
  d=$work/n$n
  mkdir -p "$d"
  i=1
  while [ "$i" -le "$n" ]; do describe "$d" "$i"; i=$((i + 1)); done
  "$flexos" explore "$d" --count --json > "$d/count.json"
  t0=$(date +%s%N)
  "$flexos" explore "$d" --max-compartments 2 --limit 10000000 > "$d/list.txt"
  t1=$(date +%s%N)
  listed=$(grep -c '^ *[0-9][0-9]*  ' "$d/list.txt")
  printf '%4d %10s %16s %10s | %12s %8s\n' "$n" \
    "$(json_field partitions "$d/count.json")" \
    "$(json_field count "$d/count.json")" \
    "$(json_field count_seconds "$d/count.json")" \
    "$listed" "$(awk "BEGIN { printf \"%.3f\", ($t1 - $t0) / 1e9 }")"
  printf 'listing every configuration of <= 2 compartments\t%d libraries\t%s\t%s configurations\n' \
    "$n" "$(awk "BEGIN { printf \"%.3f\", ($t1 - $t0) / 1e9 }")" "$listed" >> "$out/explore-scale.tsv"
  n=$((n + 1))
done
python3 "$(dirname "$0")/../../tools/svg-bars.py" --title "flexos explore: time to list a design space" \
  --subtitle "N libraries, 3 mechanisms, 2 hardening options, at most 2 compartments" \
  --unit "seconds (wall clock, process start included)" "$out/explore-scale.tsv" "$out/explore-scale.svg" >&2
