#!/bin/bash
# FILE: benchmarks/kvstore/check-configs.sh
# DESCRIPTION:
#   Checks the kvstore image's configurations against the property files
#   of its components (app, store, lwip, sched, alloc) with `flexos check`:
#   (b) and (d) keep lwIP, which may write anything, away from store and
#   sched, and must be accepted; (a) and (c) co-locate lwIP with them and
#   must be rejected, naming the broken requirement. Then `flexos explore`
#   must enumerate the example's design space.
# USAGE: check-configs.sh FLEXOS_BINARY SOURCE_ROOT
# License: MIT (see LICENSE)
set -u
flexos=$1 root=$2
props=("$root/benchmarks/kvstore/app.flexos" "$root/examples/kvstore/server/store.flexos"
       "$root/libs/lwip/lwip.flexos" "$root/libs/sched/sched.flexos"
       "$root/runtime/alloc.flexos")
fail=0
for cfg in a b c d; do
  out=$("$flexos" check "${props[@]}" --config "$root/benchmarks/kvstore/$cfg.yaml" 2>&1)
  rc=$?
  case $cfg in
    b|d) want=0 ;;
    *) want=1 ;;
  esac
  echo "$cfg: exit $rc (want $want): $(echo "$out" | tail -1)"
  [ "$rc" = "$want" ] || { echo "$out"; fail=1; }
  if [ "$want" = 1 ] && ! echo "$out" | grep -q "holds both .*lwip.*requires\|holds both .*requires .* but lwip"; then
    echo "$out"; echo "FAIL: $cfg: the rejection does not name lwip's broken requirement"; fail=1
  fi
done
n=$("$flexos" explore --count --default app "${props[@]}" | sed -n 's/.*configurations: \([0-9]*\).*/\1/p')
echo "explore: $n configurations"
[ -n "$n" ] && [ "$n" -gt 0 ] || { echo "FAIL: explore counted nothing"; fail=1; }
exit $fail
