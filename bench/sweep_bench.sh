#!/usr/bin/env bash
# Sweep benchmark: scenarios/sweep_pv_battery.yaml (30 runs of the five complexes' energy year and
# carbon account) end to end with `sandan run -o`, on 1 and on 2 threads, side by side in one
# invocation. Prints wall seconds and runs a minute for each. Run from the repository root after a
# release build: bench/sweep_bench.sh [build/release/cli/sandan]
set -euo pipefail
cd "$(dirname "$0")/.."
sandan=${1:-build/release/cli/sandan}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "sweep_pv_battery: 30 runs; $(nproc) core(s)"
for threads in 1 2; do
  start=$(date +%s.%N)
  "$sandan" run scenarios/sweep_pv_battery.yaml -o "$out/sweep_$threads.h5" -j "$threads" >/dev/null 2>"$out/log"
  end=$(date +%s.%N)
  awk -v t="$threads" -v s="$start" -v e="$end" -v f="$(stat -c %s "$out/sweep_$threads.h5")" \
    'BEGIN { w = e - s; printf "threads %d: %.1f s, %.1f runs a minute, results file %.0f MB\n", t, w, 30 * 60 / w, f / 1e6 }'
done
