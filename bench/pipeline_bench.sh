#!/usr/bin/env bash
# Pipeline benchmark: the baseline (every model, results written) on 1 thread, and sweeps with every
# model (bench/sweep_all_models*.yaml) on 1 and 2 threads, end to end with `sandan run -o`. With a
# second binary (an older build), the same runs of it are timed beside this one in the same
# invocation, so the ratios compare like with like on a shared machine. Run from the repository root
# after a release build:
#   bench/pipeline_bench.sh [build/release/cli/sandan] [OLDER_SANDAN]
set -euo pipefail
cd "$(dirname "$0")/.."
sandan=${1:-build/release/cli/sandan}
older=${2:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) core(s)"

# time_run LABEL BINARY SCENARIO THREADS RUNS: wall seconds, runs a minute and file size.
time_run() {
  local label=$1 bin=$2 scenario=$3 threads=$4 runs=$5
  rm -rf "$out/r.h5" "$out/r.h5.parts"
  local start end
  start=$(date +%s.%N)
  "$bin" run "$scenario" -o "$out/r.h5" -j "$threads" >/dev/null 2>"$out/log" || { cat "$out/log"; exit 1; }
  end=$(date +%s.%N)
  awk -v l="$label" -v t="$threads" -v n="$runs" -v s="$start" -v e="$end" -v f="$(stat -c %s "$out/r.h5")" \
    'BEGIN { w = e - s; printf "%-34s threads %d: %7.2f s, %6.1f runs a minute, %6.1f MB\n", l, t, w, n * 60 / w, f / 1e6 }'
}

for bin in "$sandan" ${older:+"$older"}; do
  tag=$([[ $bin == "$sandan" ]] && echo this || echo older)
  time_run "baseline ($tag)" "$bin" scenarios/baseline.yaml 1 1
done
for bin in "$sandan" ${older:+"$older"}; do
  tag=$([[ $bin == "$sandan" ]] && echo this || echo older)
  for threads in 1 2; do
    time_run "sweep_all_models_20 ($tag)" "$bin" bench/sweep_all_models_20.yaml "$threads" 20
  done
done
for threads in 1 2; do
  time_run "sweep_all_models (this)" "$sandan" bench/sweep_all_models.yaml "$threads" 200
done
