#!/usr/bin/env bash
# Uncertainty benchmark: the shipped uncertainty run (green_2030_uncertainty: 200 Latin hypercube
# samples, each with its counterfactual, 400 runs) and the Sobol' run (green_2030_sensitivity: 288
# design points, 576 runs), end to end with `sandan run -o` on 2 and 1 threads: wall seconds, runs a
# minute, peak memory and the results file's size. Run from the repository root after a release
# build:
#   bench/uncertainty_bench.sh [build/release/cli/sandan]
set -euo pipefail
cd "$(dirname "$0")/.."
sandan=${1:-build/release/cli/sandan}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) core(s)"
for scenario in green_2030_uncertainty green_2030_sensitivity; do
  for threads in 2 1; do
    rm -rf "$out/r.h5" "$out/r.h5.parts"
    /usr/bin/time -f "%e %M" -o "$out/time" "$sandan" run "scenarios/$scenario.yaml" -o "$out/r.h5" -j "$threads" \
      >"$out/stdout" 2>"$out/log" || { cat "$out/log"; exit 1; }
    n=$(sed -n 's/^sandan: ran \([0-9]*\) runs.*/\1/p' "$out/log")
    read -r wall rss <"$out/time"
    awk -v s="$scenario" -v t="$threads" -v n="$n" -v w="$wall" -v m="$rss" -v f="$(stat -c %s "$out/r.h5")" \
      'BEGIN { printf "%-24s threads %d: %4d runs in %7.1f s, %6.1f runs a minute, %5.0f MB peak, %6.1f MB file\n",
               s, t, n, w, n * 60 / w, m / 1024, f / 1e6 }'
  done
done
